using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ArActors.Runtime.Storage;

namespace ArActors.Api.Webhooks;

/// <summary>A registered receiver: events of <see cref="EventTypes"/> ("*" = all) on <see cref="Topic"/> after <see cref="StartAfter"/>.</summary>
public sealed record Webhook(
    string Id,
    Uri Url,
    ImmutableArray<string> EventTypes,
    string Topic,
    string Secret,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    long StartAfter)
{
    public bool Wants(string eventType) => EventTypes.Contains("*") || EventTypes.Contains(eventType);
}

/// <summary>What the API shows of a webhook; the secret only in the answer that created it.</summary>
public sealed record WebhookView(string Id, Uri Url, ImmutableArray<string> EventTypes, string Topic, string CreatedBy, DateTimeOffset CreatedAt, string? Secret)
{
    public static WebhookView Of(Webhook hook, bool withSecret) =>
        new(hook.Id, hook.Url, hook.EventTypes, hook.Topic, hook.CreatedBy, hook.CreatedAt, withSecret ? hook.Secret : null);
}

public enum DeliveryOutcome
{
    Delivered,

    /// <summary>Every attempt failed; the webhook moved on to the next event.</summary>
    Failed,
}

/// <summary>One event's delivery to one webhook, with every attempt counted.</summary>
public sealed record WebhookDelivery(
    string DeliveryId,
    long Sequence,
    string EventType,
    DeliveryOutcome Outcome,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset FirstAttemptAt,
    DateTimeOffset CompletedAt);

/// <summary>A webhook's progress: the last sequence it is done with and its most recent deliveries (newest last).</summary>
public sealed record WebhookProgress(long Cursor, ImmutableArray<WebhookDelivery> Log);

/// <summary>
/// Webhook registrations and delivery logs in the durable store (so every node sees the same ones). Changes are
/// optimistic: read, change, write with the ETag, and retry on a conflict.
/// </summary>
public sealed class WebhookStore(IDurableStore store)
{
    public const int LogLength = 200;
    private const string StateType = "api-webhooks";

    private static readonly GrainStateId Registry = new(StateType, "registry", "all");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ImmutableArray<Webhook>> ListAsync(CancellationToken cancellationToken) =>
        (await ReadRegistryAsync(cancellationToken)).Hooks;

    public Task AddAsync(Webhook hook, CancellationToken cancellationToken) =>
        ChangeRegistryAsync(hooks => hooks.Add(hook), cancellationToken);

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var removed = false;
        await ChangeRegistryAsync(hooks =>
        {
            var index = hooks.ToList().FindIndex(h => h.Id == id);
            removed = index >= 0;
            return removed ? hooks.RemoveAt(index) : hooks;
        }, cancellationToken);
        return removed;
    }

    public async Task<(WebhookProgress Progress, string? Etag)> ReadProgressAsync(Webhook hook, CancellationToken cancellationToken)
    {
        var stored = await store.ReadStateAsync(ProgressId(hook.Id), cancellationToken);
        return stored is null
            ? (new WebhookProgress(hook.StartAfter, []), null)
            : (JsonSerializer.Deserialize<WebhookProgress>(stored.Payload.Span, Json)!, stored.Etag);
    }

    public async Task<string> WriteProgressAsync(string hookId, WebhookProgress progress, string? etag, CancellationToken cancellationToken) =>
        (await store.WriteStateAsync(ProgressId(hookId), JsonSerializer.SerializeToUtf8Bytes(progress, Json), etag, [], cancellationToken)).Etag;

    private static GrainStateId ProgressId(string hookId) => new(StateType, hookId, "progress");

    private async Task<(ImmutableArray<Webhook> Hooks, string? Etag)> ReadRegistryAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ReadStateAsync(Registry, cancellationToken);
        return stored is null ? ([], null) : (JsonSerializer.Deserialize<ImmutableArray<Webhook>>(stored.Payload.Span, Json), stored.Etag);
    }

    private async Task ChangeRegistryAsync(Func<ImmutableArray<Webhook>, ImmutableArray<Webhook>> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (hooks, etag) = await ReadRegistryAsync(cancellationToken);
            try
            {
                await store.WriteStateAsync(Registry, JsonSerializer.SerializeToUtf8Bytes(change(hooks), Json), etag, [], cancellationToken);
                return;
            }
            catch (InconsistentStateException)
            {
                // Someone changed the registry since we read it: read again and re-apply.
            }
        }
    }
}

/// <summary>
/// Signature of a delivery: header <c>ArActors-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{body}")}</c>.
/// Receivers recompute it over the raw body and reject old timestamps to stop replays.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "ArActors-Signature";

    public static string Create(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(timestamp.Length + 1));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>True when <paramref name="header"/> carries a valid signature of <paramref name="body"/> made within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((now - at).Duration() > tolerance)
        {
            return false;
        }

        var expected = Create(secret, at, body);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes($"t={t},v1={v1}"));
    }
}
