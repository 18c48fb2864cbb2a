using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Webhooks;

/// <summary>Settings under <c>ArActors:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "ArActors:Webhooks";

    /// <summary>Attempts per event before it is logged as failed and the webhook moves on.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the second attempt; it doubles with every further attempt, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the registry is re-read for webhooks registered on other nodes.</summary>
    public TimeSpan RegistryRefresh { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Delivers events to webhooks: one loop per webhook reading its topic from the durable outbox after its cursor, in
/// order, one event at a time (a slow or failing receiver delays only itself). Each event is POSTed with its HMAC
/// signature and retried with doubling backoff (on the engine's clock); after the last attempt it is logged as failed
/// and the loop goes on. The cursor and the log are stored after each delivery, so a restart resumes where it stopped
/// and an event is delivered at least once (receivers dedupe by <c>ArActors-Delivery-Id</c>).
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookStore hooks,
    IEventStream events,
    IHttpClientFactory clients,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int SkippedBeforeSave = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, (Task Loop, CancellationTokenSource Stop)> _loops = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);

    /// <summary>Tells the dispatcher the registry changed on this node (other nodes' changes are found by polling).</summary>
    public void RegistryChanged() => _changed.Release();

    public override void Dispose()
    {
        foreach (var (_, stop) in _loops.Values)
        {
            stop.Dispose();
        }

        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncLoopsAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRegistryFailed(logger, e);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var refresh = Task.Delay(options.Value.RegistryRefresh, time, wake.Token);
            try
            {
                await Task.WhenAny(refresh, _changed.WaitAsync(wake.Token));
            }
            finally
            {
                await wake.CancelAsync();
            }
        }

        try
        {
            await Task.WhenAll(_loops.Values.Select(l => l.Loop));
        }
        finally
        {
            // A lease-hosted dispatcher is started again after a stop: its next run starts every loop afresh.
            foreach (var (_, stop) in _loops.Values)
            {
                stop.Dispose();
            }

            _loops.Clear();
        }
    }

    private async Task SyncLoopsAsync(CancellationToken stoppingToken)
    {
        var registered = await hooks.ListAsync(stoppingToken);
        foreach (var hook in registered.Where(h => !_loops.ContainsKey(h.Id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _loops[hook.Id] = (Task.Run(() => RunAsync(hook, stop.Token), CancellationToken.None), stop);
        }

        foreach (var gone in _loops.Keys.Except(registered.Select(h => h.Id)).ToList())
        {
            if (_loops.TryRemove(gone, out var loop))
            {
                await loop.Stop.CancelAsync();
                loop.Stop.Dispose();
            }
        }
    }

    private async Task RunAsync(Webhook hook, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (progress, etag) = await hooks.ReadProgressAsync(hook, cancellationToken);
                var skipped = 0;
                await foreach (var stored in events.SubscribeAsync(hook.Topic, progress.Cursor, cancellationToken))
                {
                    if (!hook.Wants(stored.EventType))
                    {
                        progress = progress with { Cursor = stored.Sequence };
                        if (++skipped < SkippedBeforeSave)
                        {
                            continue;
                        }
                    }
                    else
                    {
                        var delivery = await DeliverAsync(hook, stored, cancellationToken);
                        var log = progress.Log.Add(delivery);
                        progress = new WebhookProgress(stored.Sequence, log.Length > WebhookStore.LogLength ? log.RemoveRange(0, log.Length - WebhookStore.LogLength) : log);
                    }

                    skipped = 0;
                    etag = await hooks.WriteProgressAsync(hook.Id, progress, etag, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Store trouble or a lost ETag race with another node: start over from the stored cursor shortly.
                LogLoopFailed(logger, e, hook.Id);
                await Task.Delay(options.Value.FirstBackoff, time, cancellationToken);
            }
        }
    }

    private async Task<WebhookDelivery> DeliverAsync(Webhook hook, StoredEvent stored, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var deliveryId = $"{hook.Id}-{stored.Sequence}";
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            deliveryId,
            topic = stored.Topic,
            sequence = stored.Sequence,
            eventType = stored.EventType,
            occurredAt = stored.Timestamp,
            data = JsonSerializer.Deserialize<JsonElement>(stored.Payload.Span),
        }, Json));
        var first = time.GetUtcNow();
        var backoff = settings.FirstBackoff;
        int? status = null;
        string? error = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Create(hook.Secret, time.GetUtcNow(), body));
                request.Headers.Add("ArActors-Delivery-Id", deliveryId);
                request.Headers.Add("ArActors-Event-Type", stored.EventType);
                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptTimeout.CancelAfter(settings.AttemptTimeout);
                using var response = await clients.CreateClient(HttpClientName).SendAsync(request, attemptTimeout.Token);
                status = (int)response.StatusCode;
                error = response.IsSuccessStatusCode ? null : $"HTTP {status}";
                if (response.IsSuccessStatusCode)
                {
                    return new WebhookDelivery(deliveryId, stored.Sequence, stored.EventType, DeliveryOutcome.Delivered, attempt, status, null, first, time.GetUtcNow());
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                status = null;
                error = e is OperationCanceledException ? $"no answer within {settings.AttemptTimeout.TotalSeconds:0} s" : e.Message;
            }

            if (attempt >= settings.MaxAttempts)
            {
                LogGaveUp(logger, hook.Id, stored.Sequence, attempt, error);
                return new WebhookDelivery(deliveryId, stored.Sequence, stored.EventType, DeliveryOutcome.Failed, attempt, status, error, first, time.GetUtcNow());
            }

            await Task.Delay(backoff, time, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {HookId} gave up on event {Sequence} after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string hookId, long sequence, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {HookId} delivery loop failed; restarting from its stored cursor")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string hookId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the webhook registry failed")]
    private static partial void LogRegistryFailed(ILogger logger, Exception exception);
}
