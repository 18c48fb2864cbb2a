using System.Collections.Concurrent;
using System.Security.Claims;
using ArActors.Api.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Hub;

/// <summary><c>ArActors:Hub:RevalidateEvery</c>: how often every open hub connection's credential is checked again.</summary>
public sealed class HubSessionOptions
{
    public const string SectionName = "ArActors:Hub";

    public TimeSpan RevalidateEvery { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The role and team a caller holds now (what scopes the topics a connection follows).</summary>
public sealed record UserStanding(string Role, string? Team);

/// <summary>
/// Where a person's current role and team come from. User tokens are self-contained, so the default
/// (<see cref="SignedUserStanding"/>) answers with what the token says; a user directory plugs in here so that a
/// connection whose user changed role or team, or was removed (null), is closed.
/// </summary>
public interface IUserStandingSource
{
    ValueTask<UserStanding?> FindAsync(string userId, UserStanding fromCredential, CancellationToken cancellationToken);
}

public sealed class SignedUserStanding : IUserStandingSource
{
    public ValueTask<UserStanding?> FindAsync(string userId, UserStanding fromCredential, CancellationToken cancellationToken) => ValueTask.FromResult<UserStanding?>(fromCredential);
}

/// <summary>Why the server ended a hub connection; sent as <c>signedOut</c> just before it closes.</summary>
public sealed record SignedOutMessage(string Reason);

/// <summary>One open hub connection and the credential it connected with.</summary>
internal sealed record HubSession(string ConnectionId, string Kind, string Credential, string UserId, UserStanding Standing, IClientProxy Caller, HubCallerContext Connection)
{
    /// <summary>The session of a connection authenticated by a user token or an API key; null for anything else.</summary>
    public static HubSession? From(HubLifetimeContext context)
    {
        var user = context.Context.User;
        var request = context.Context.GetHttpContext()?.Request;
        if (user is null || request is null || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId || user.FindFirstValue(ClaimTypes.Role) is not { } role)
        {
            return null;
        }

        var kind = user.FindFirstValue(ArActorsClaims.AuthenticationKind);
        var credential = kind switch
        {
            "token" => BearerToken(request),
            "api-key" => request.Headers[ApiKeyAuthenticationHandler.HeaderName].ToString(),
            _ => null,
        };
        return string.IsNullOrEmpty(credential)
            ? null
            : new HubSession(context.Context.ConnectionId, kind!, credential, userId, new UserStanding(role, user.FindFirstValue(ArActorsClaims.Team)), context.Hub.Clients.Caller, context.Context);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : request.Query["access_token"].ToString();
    }
}

/// <summary>
/// Re-validates the credential of every open hub connection: before each hub method call (<see cref="HubSessionFilter"/>)
/// and every <see cref="HubSessionOptions.RevalidateEvery"/> on the engine clock. A user token that expired, an API key
/// that was removed, or a user whose role or team is no longer the one the connection was scoped by ends the
/// connection: the client receives <c>signedOut</c> with the reason, then the connection is closed (it reconnects
/// with a fresh token and joins the topics its identity has now).
/// </summary>
public sealed partial class HubSessions(
    SignedTokens tokens,
    IApiKeyStore keys,
    IUserStandingSource users,
    TimeProvider time,
    IOptions<HubSessionOptions> options,
    ILogger<HubSessions> logger) : BackgroundService
{
    public const string SignedOut = "signedOut";

    /// <summary>How long an ended connection stays open after it was told why, so the message reaches the client.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, HubSession> _sessions = new(StringComparer.Ordinal);
    private int _rounds;

    /// <summary>Open connections being watched.</summary>
    public int Count => _sessions.Count;

    /// <summary>Periodic rounds completed (tests wait on it after moving the clock).</summary>
    public int Rounds => Volatile.Read(ref _rounds);

    internal void Register(HubSession session) => _sessions[session.ConnectionId] = session;

    internal void Remove(string connectionId) => _sessions.TryRemove(connectionId, out _);

    /// <summary>Checks one connection; ends it and returns the reason when its credential no longer holds.</summary>
    internal async Task<string?> CheckAsync(string connectionId, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(connectionId, out var session))
        {
            return null;
        }

        var problem = await ProblemWithAsync(session, cancellationToken);
        if (problem is not null)
        {
            await EndAsync(session, problem);
        }

        return problem;
    }

    /// <summary>One round over every open connection.</summary>
    public async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _sessions.Keys)
        {
            try
            {
                await CheckAsync(id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failing directory must not end every connection: the next round tries again.
                LogCheckFailed(logger, e, id);
            }
        }

        Interlocked.Increment(ref _rounds);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevalidateEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAllAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    private async Task<string?> ProblemWithAsync(HubSession session, CancellationToken cancellationToken)
    {
        UserStanding fromCredential;
        if (session.Kind == "token")
        {
            if (!tokens.TryValidate(session.Credential, out var principal, out var failure))
            {
                return failure;
            }

            fromCredential = new UserStanding(principal!.FindFirstValue(ClaimTypes.Role)!, principal!.FindFirstValue(ArActorsClaims.Team));
        }
        else
        {
            if (!ApiKeys.TryParse(session.Credential, out var keyId, out var secret)
                || await keys.FindAsync(keyId, cancellationToken) is not { } record || !ApiKeys.Matches(record, secret))
            {
                return "The API key is no longer valid.";
            }

            fromCredential = new UserStanding(record.Role, null);
        }

        var now = await users.FindAsync(session.UserId, fromCredential, cancellationToken);
        if (now is null)
        {
            return $"User {session.UserId} no longer exists.";
        }

        return now == session.Standing
            ? null
            : $"Your role or team changed (connected as {Describe(session.Standing)}, now {Describe(now)}); connect again to follow the topics you have now.";
    }

    private async Task EndAsync(HubSession session, string reason)
    {
        Remove(session.ConnectionId);
        LogEnded(logger, session.ConnectionId, session.UserId, reason);
        try
        {
            await session.Caller.SendAsync(SignedOut, new SignedOutMessage(reason), CancellationToken.None);
        }
        finally
        {
            // Aborting right after the write can cut the transport before the message has left (dotnet/aspnetcore#21422),
            // and the client would never learn why: the connection is aborted a moment later instead (real time: it is
            // a network allowance, not business time), or as soon as the client closes it.
            _ = AbortAfterGraceAsync(session.Connection);
        }
    }

    private static async Task AbortAfterGraceAsync(HubCallerContext connection)
    {
        try
        {
            await Task.Delay(CloseGrace, TimeProvider.System, connection.ConnectionAborted);
        }
        catch (OperationCanceledException)
        {
            // The client closed first.
        }

        connection.Abort();
    }

    private static string Describe(UserStanding standing) => standing.Team is null ? standing.Role : $"{standing.Role} of team {standing.Team}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Hub connection {ConnectionId} of {UserId} ended: {Reason}")]
    private static partial void LogEnded(ILogger logger, string connectionId, string userId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-validating hub connection {ConnectionId} failed; trying again next round")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string connectionId);
}

/// <summary>Watches every hub connection from connect to disconnect and re-validates it before each hub method call.</summary>
internal sealed class HubSessionFilter(HubSessions sessions) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (HubSession.From(context) is { } session)
        {
            sessions.Register(session);
        }

        await next(context);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (await sessions.CheckAsync(invocationContext.Context.ConnectionId, invocationContext.Context.ConnectionAborted) is { } problem)
        {
            throw new HubException(problem);
        }

        return await next(invocationContext);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        sessions.Remove(context.Context.ConnectionId);
        return next(context, exception);
    }
}
