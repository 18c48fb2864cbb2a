using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ArActors.Api.Hub;
using ArActors.Api.Security;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Hub;

/// <summary>
/// Connected credentials are checked again: the Silo program on PostgreSQL with a manual clock, hub clients speaking
/// SignalR's JSON protocol over the test server's WebSocket (the .NET SignalR client does not restore here).
/// Periodic rounds are set to one hour so each test chooses which path ends the connection.
/// </summary>
public sealed class HubSessionTests : IClassFixture<PostgresDatabase>, IDisposable
{
    private static readonly string SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));
    private static readonly TimeSpan Round = TimeSpan.FromHours(1);

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly Directory _directory = new();
    private readonly WebApplicationFactory<Program> _factory;

    public HubSessionTests(PostgresDatabase database)
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Postgres", database.ConnectionString);
            web.UseSetting("ArActors:Auth:SigningKey", SigningKey);
            web.UseSetting("ArActors:Hub:RevalidateEvery", Round.ToString());
            web.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(_clock);
                services.AddSingleton<IUserStandingSource>(_directory);
            });
        });
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task An_expired_token_is_told_why_and_disconnected_at_the_next_periodic_round()
    {
        await using var hub = await ConnectAsync(new UserIdentity("m-1", "Manager", Roles.Manager, null), TimeSpan.FromMinutes(30));

        _clock.Advance(Round);

        var signedOut = await hub.NextAsync(m => m.Target == HubSessions.SignedOut);
        Assert.Equal("The token has expired.", signedOut.Arguments[0].GetProperty("reason").GetString());
        Assert.True(await hub.ClosedAsync());
        Assert.Equal(0, Sessions.Count);
    }

    [Fact]
    public async Task A_hub_method_called_with_an_expired_token_fails_with_the_reason_and_the_connection_closes()
    {
        await using var hub = await ConnectAsync(new UserIdentity("m-2", "Manager", Roles.Manager, null), TimeSpan.FromMinutes(10));
        var before = await hub.InvokeAsync("Resync", "ledger", 0);
        Assert.Null(before.Error);

        _clock.Advance(TimeSpan.FromMinutes(20));
        await hub.SendInvocationAsync("Resync", "ledger", 0);

        // Told why (signedOut), then closed; the call itself never runs (its completion, if it gets out before the
        // close, carries the same reason).
        var signedOut = await hub.NextAsync(m => m.Target == HubSessions.SignedOut);
        Assert.Equal("The token has expired.", signedOut.Arguments[0].GetProperty("reason").GetString());
        Assert.True(await hub.ClosedAsync());
        Assert.All(hub.Received.Where(m => m.Type == 3 && m.InvocationId == "2"), m => Assert.Contains("The token has expired.", m.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_team_lead_moved_to_another_team_is_disconnected_while_an_unchanged_one_stays_connected()
    {
        await using var moved = await ConnectAsync(new UserIdentity("lead-a", "Lead A", Roles.TeamLead, "north"), TimeSpan.FromHours(8));
        await using var stays = await ConnectAsync(new UserIdentity("lead-b", "Lead B", Roles.TeamLead, "north"), TimeSpan.FromHours(8));
        _directory.Users["lead-a"] = new UserStanding(Roles.TeamLead, "south");
        var rounds = Sessions.Rounds;

        _clock.Advance(Round);

        var signedOut = await moved.NextAsync(m => m.Target == HubSessions.SignedOut);
        Assert.Contains("role or team changed", signedOut.Arguments[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(await moved.ClosedAsync());
        await Until(() => Sessions.Rounds > rounds);
        var stillThere = await stays.InvokeAsync("Resync", "portfolio/north", 0);
        Assert.Null(stillThere.Error);
        Assert.DoesNotContain(stays.Received, m => m.Target == HubSessions.SignedOut);
    }

    [Fact]
    public async Task A_user_removed_from_the_directory_is_disconnected_at_their_next_call()
    {
        await using var hub = await ConnectAsync(new UserIdentity("c-9", "Collector 9", Roles.Collector, "north"), TimeSpan.FromHours(8));
        _directory.Removed.Add("c-9");

        await hub.SendInvocationAsync("Resync", "collector/c-9", 0);

        var signedOut = await hub.NextAsync(m => m.Target == HubSessions.SignedOut);
        Assert.Equal("User c-9 no longer exists.", signedOut.Arguments[0].GetProperty("reason").GetString());
        Assert.True(await hub.ClosedAsync());
    }

    private HubSessions Sessions => _factory.Services.GetRequiredService<HubSessions>();

    private async Task<HubClient> ConnectAsync(UserIdentity user, TimeSpan lifetime)
    {
        var token = _factory.Services.GetRequiredService<SignedTokens>().Issue(user, lifetime);
        var client = await HubClient.ConnectAsync(_factory.Server, CollectionsHub.Path + "?access_token=" + Uri.EscapeDataString(token));
        await client.NextAsync(m => m.Target == CollectionsHub.Joined);
        return client;
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15 s");
            await Task.Delay(10);
        }
    }

    /// <summary>A user directory the test edits: a standing here overrides the token's, a removed user has none.</summary>
    private sealed class Directory : IUserStandingSource
    {
        public ConcurrentDictionary<string, UserStanding> Users { get; } = new();

        public ConcurrentBag<string> Removed { get; } = [];

        public ValueTask<UserStanding?> FindAsync(string userId, UserStanding fromCredential, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Removed.Contains(userId) ? null : Users.GetValueOrDefault(userId, fromCredential));
    }
}

/// <summary>A message the server sent: an invocation (type 1) or a completion (type 3).</summary>
internal sealed record HubMessage(int Type, string? Target, JsonElement[] Arguments, string? InvocationId, string? Error);

/// <summary>The SignalR JSON hub protocol over a raw WebSocket: handshake, invocations, completions, close.</summary>
internal sealed class HubClient : IAsyncDisposable
{
    private const char Separator = '\u001e';
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly WebSocket _socket;
    private readonly List<HubMessage> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reader;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    private HubClient(WebSocket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    public IReadOnlyList<HubMessage> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<HubClient> ConnectAsync(TestServer server, string pathAndQuery)
    {
        var socket = await server.CreateWebSocketClient().ConnectAsync(new Uri(new Uri(server.BaseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal)), pathAndQuery), CancellationToken.None);
        var client = new HubClient(socket);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        return client;
    }

    public async Task<HubMessage> InvokeAsync(string target, params object[] arguments)
    {
        var id = await SendInvocationAsync(target, arguments);
        return await NextAsync(m => m.Type == 3 && m.InvocationId == id);
    }

    /// <summary>Sends an invocation without waiting for its completion; returns its id ("1", "2", ... per connection).</summary>
    public async Task<string> SendInvocationAsync(string target, params object[] arguments)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }));
        return id;
    }

    public async Task<HubMessage> NextAsync(Func<HubMessage, bool> match)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (Received.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero && !_closed.Task.IsCompleted, $"no matching message within {Patience} (connection closed: {_closed.Task.IsCompleted})");
            await _arrived.WaitAsync(left);
        }
    }

    /// <summary>True once the server has closed the connection (within the patience).</summary>
    public async Task<bool> ClosedAsync()
    {
        await _closed.Task.WaitAsync(Patience);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        await _reader.WaitAsync(Patience).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _arrived.Dispose();
    }

    private Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + Separator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private async Task ReadAsync()
    {
        var buffer = new byte[16 * 1024];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var text = pending.ToString();
                var end = text.LastIndexOf(Separator);
                if (end < 0)
                {
                    continue;
                }

                pending.Clear().Append(text[(end + 1)..]);
                foreach (var frame in text[..end].Split(Separator))
                {
                    using var json = JsonDocument.Parse(frame);
                    var root = json.RootElement;
                    if (!root.TryGetProperty("type", out var type))
                    {
                        continue;   // the handshake answer {}
                    }

                    if (type.GetInt32() == 7)
                    {
                        return;     // close
                    }

                    var message = new HubMessage(
                        type.GetInt32(),
                        root.TryGetProperty("target", out var target) ? target.GetString() : null,
                        root.TryGetProperty("arguments", out var args) ? [.. args.EnumerateArray().Select(a => a.Clone())] : [],
                        root.TryGetProperty("invocationId", out var id) ? id.GetString() : null,
                        root.TryGetProperty("error", out var error) ? error.GetString() : null);
                    lock (_received)
                    {
                        _received.Add(message);
                    }

                    _arrived.Release();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // The server aborted the connection.
        }
        finally
        {
            _closed.TrySetResult();
            _arrived.Release();
        }
    }
}
