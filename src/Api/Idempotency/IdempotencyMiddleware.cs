using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Idempotency;

/// <summary>
/// Honours the <c>Idempotency-Key</c> header on endpoints marked with <see cref="IdempotencyExtensions.WithIdempotency{TBuilder}"/>.
/// The first request with a key claims it in the durable store with a create-only write (exactly one request wins,
/// on every node of a cluster); it runs, and its response (status, body, Location, ETag) is stored under the key.
/// A repeat with the same key and the same request gets that response again without running; a repeat with a
/// different request gets 422; a repeat that arrives while the first still runs waits for it (bounded), then 409.
/// Server errors and transient refusals (408, 409, 429, 5xx) release the key so that the client's retry runs again.
/// </summary>
public sealed partial class IdempotencyMiddleware(
    RequestDelegate next,
    IDurableStore store,
    TimeProvider timeProvider,
    IOptions<IdempotencyOptions> options,
    ILogger<IdempotencyMiddleware> logger)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    internal const string StateType = "api-idempotency";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpoint>() is null
            || !context.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (IdempotencyKey.Validate(key) is { } reason)
        {
            await WriteProblem(context, StatusCodes.Status400BadRequest, "Invalid Idempotency-Key header", reason, field: HeaderName);
            return;
        }

        var caller = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
        var id = new GrainStateId(StateType, caller + "|" + key, "response");
        var fingerprint = await FingerprintAsync(context.Request, context.RequestAborted);
        var settings = options.Value;
        var deadline = timeProvider.GetUtcNow() + settings.WaitForInFlight;

        while (true)
        {
            var claim = await TryClaimAsync(id, fingerprint, settings, context.RequestAborted);
            switch (claim)
            {
                case Claimed claimed:
                    await RunAndRecordAsync(context, id, claimed.Etag, fingerprint);
                    return;
                case Found { Record.RequestHash: var hash } when hash != fingerprint:
                    await WriteProblem(
                        context,
                        StatusCodes.Status422UnprocessableEntity,
                        "Idempotency-Key reused with a different request",
                        $"The key '{key}' was first used with a different method, path or body. Use a new key for a new request.",
                        field: HeaderName);
                    return;
                case Found { Record.Completed: true } found:
                    await ReplayAsync(context, found.Record);
                    return;
                case Found when timeProvider.GetUtcNow() >= deadline:
                    context.Response.Headers.RetryAfter = "1";
                    await WriteProblem(
                        context,
                        StatusCodes.Status409Conflict,
                        "Request with this Idempotency-Key is still running",
                        $"The first request with key '{key}' has not finished. Retry the same request later to get its response.",
                        field: HeaderName);
                    return;
                default:
                    await Task.Delay(settings.PollInterval, context.RequestAborted);
                    break;
            }
        }
    }

    private async Task<object> TryClaimAsync(GrainStateId id, string fingerprint, IdempotencyOptions settings, CancellationToken cancellationToken)
    {
        var pending = new IdempotencyRecord(fingerprint, timeProvider.GetUtcNow(), Completed: false, Status: 0, ContentType: null, Location: null, ETag: null, Body: null);
        try
        {
            var written = await store.WriteStateAsync(id, Serialize(pending), expectedEtag: null, [], cancellationToken);
            return new Claimed(written.Etag);
        }
        catch (InconsistentStateException)
        {
            var stored = await store.ReadStateAsync(id, cancellationToken);
            if (stored is null)
            {
                return new Retry();
            }

            var record = JsonSerializer.Deserialize<IdempotencyRecord>(stored.Payload.Span, JsonOptions)!;
            var age = timeProvider.GetUtcNow() - record.StartedAt;
            var abandoned = !record.Completed && age >= settings.InFlightLease;
            var expired = record.Completed && age >= settings.Retention;
            if (!abandoned && !expired)
            {
                return new Found(record);
            }

            // The first request died without an answer (lease over) or the record outlived its retention: take the key over.
            try
            {
                var written = await store.WriteStateAsync(id, Serialize(pending), stored.Etag, [], cancellationToken);
                return new Claimed(written.Etag);
            }
            catch (InconsistentStateException)
            {
                return new Retry();
            }
        }
    }

    private async Task RunAndRecordAsync(HttpContext context, GrainStateId id, string etag, string fingerprint)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await ReleaseAsync(id, etag);
            throw;
        }

        context.Response.Body = original;
        var status = context.Response.StatusCode;
        if (IsTransient(status))
        {
            await ReleaseAsync(id, etag);
        }
        else
        {
            var record = new IdempotencyRecord(
                fingerprint,
                timeProvider.GetUtcNow(),
                Completed: true,
                status,
                context.Response.ContentType,
                context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                context.Response.Headers.ETag.ToString() is { Length: > 0 } tag ? tag : null,
                buffer.ToArray());
            try
            {
                await store.WriteStateAsync(id, Serialize(record), etag, [], CancellationToken.None);
            }
            catch (InconsistentStateException)
            {
                // Only possible when this request outlived its lease and another took the key over; its answer stands.
                LogLeaseLost(logger, id.GrainKey);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private async Task ReleaseAsync(GrainStateId id, string etag)
    {
        try
        {
            await store.ClearStateAsync(id, etag, CancellationToken.None);
        }
        catch (InconsistentStateException)
        {
            LogLeaseLost(logger, id.GrainKey);
        }
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord record)
    {
        var response = context.Response;
        response.StatusCode = record.Status;
        response.Headers[ReplayedHeaderName] = "true";
        if (record.ContentType is not null)
        {
            response.ContentType = record.ContentType;
        }

        if (record.Location is not null)
        {
            response.Headers.Location = record.Location;
        }

        if (record.ETag is not null)
        {
            response.Headers.ETag = record.ETag;
        }

        if (record.Body is { Length: > 0 } body)
        {
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>408, 409, 429 and server errors say nothing final about the request: its retry must run again.</summary>
    private static bool IsTransient(int status) =>
        status >= 500 || status is StatusCodes.Status408RequestTimeout or StatusCodes.Status409Conflict or StatusCodes.Status429TooManyRequests;

    private static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static ReadOnlyMemory<byte> Serialize(IdempotencyRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, JsonOptions);

    private static Task WriteProblem(HttpContext context, int status, string title, string detail, string field) =>
        Results.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [detail] },
            detail: detail,
            title: title,
            statusCode: status).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency record {Key} was taken over after its lease; this request's outcome was not recorded.")]
    private static partial void LogLeaseLost(ILogger logger, string key);

    private sealed record Claimed(string Etag);

    private sealed record Found(IdempotencyRecord Record);

    private sealed record Retry;
}

/// <summary>The stored answer to one idempotency key (or the claim of a request still running).</summary>
internal sealed record IdempotencyRecord(
    string RequestHash,
    DateTimeOffset StartedAt,
    bool Completed,
    int Status,
    string? ContentType,
    string? Location,
    string? ETag,
    byte[]? Body);

public static class IdempotencyKey
{
    public const int MaxLength = 255;

    /// <summary>Null when the key is usable, else the reason it is not.</summary>
    public static string? Validate(string key) =>
        key.Length == 0 ? "The Idempotency-Key header is empty."
        : key.Length > MaxLength ? string.Create(CultureInfo.InvariantCulture, $"The Idempotency-Key header is longer than {MaxLength} characters.")
        : key.Any(c => c is < '!' or > '~') ? "The Idempotency-Key header may contain only visible ASCII characters (no spaces)."
        : null;
}
