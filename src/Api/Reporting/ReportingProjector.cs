using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Grains.Payments;
using ArActors.Grains.Workflow;
using ArActors.Runtime.Events;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace ArActors.Api.Reporting;

/// <summary>Settings under <c>ArActors:Reporting</c>.</summary>
public sealed class ReportingOptions
{
    public const string SectionName = "ArActors:Reporting";

    /// <summary>Currency every report is restated in.</summary>
    public string ReportingCurrency { get; set; } = "USD";

    /// <summary>1 unit of Currency = Rate units of the reporting currency from EffectiveDate on.</summary>
    public List<ExchangeRate> Rates { get; set; } = [];

    /// <summary>Cash collection targets per portfolio and period, in the reporting currency.</summary>
    public List<CashTarget> CashTargets { get; set; } = [];

    /// <summary>Ledger events folded per store write.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// Once caught up, the projection commits at most one page per interval: events arriving sooner after a commit wait
    /// for the next one and are folded together. Each commit rewrites the manifest row (tens of KB), so without this the
    /// projection committed a page per ledger commit (about 240 a second under the ingest benchmark). Reports lag the
    /// ledger by at most this much more. Measured on the machine's clock: it paces work, it is not business time.
    /// A backlog (full pages) is folded without pause.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Names the projection's rows in the store; two projections with different keys are independent.</summary>
    public string StorageKey { get; set; } = "projection";

    /// <summary>At most one KPI snapshot per dimension within this time, on the engine's clock.</summary>
    public TimeSpan KpiDebounce { get; set; } = TimeSpan.FromSeconds(30);

    public ExchangeRates ExchangeRates() => new(ReportingCurrency, Rates);
}

/// <summary>
/// Folds topic <c>ledger</c> from the durable outbox, in order, into <see cref="ReportingState"/> and commits each page
/// through <see cref="ProjectionStorage"/> (changed shard rows, then one manifest write that moves the cursor), so a
/// restart resumes exactly after the last committed page and never counts an event twice. Reports
/// read the folded state in memory; they never scan the ledger. After each page it pushes changed KPI snapshots to topic
/// <c>kpi</c>, at most one per dimension per <see cref="ReportingOptions.KpiDebounce"/>.
/// </summary>
public sealed partial class ReportingProjector(
    IDurableStore store,
    IEventCommitNotifier notifier,
    Silo silo,
    TimeProvider time,
    IOptions<ReportingOptions> options,
    ILogger<ReportingProjector> logger) : BackgroundService
{
    public const string KpiTopic = "kpi";
    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web);
    private static readonly HashSet<string> LedgerEventTypes = typeof(LedgerEvent).GetCustomAttributes<JsonDerivedTypeAttribute>()
        .Select(a => (string)a.TypeDiscriminator!).ToHashSet(StringComparer.Ordinal);

    private readonly KpiPublisher _kpi = new();
    private readonly ProjectionStorage _storage = new(store, options.Value.StorageKey);
    private volatile ReportingState _state = ReportingState.Empty;
    private TaskCompletionSource _progressed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The state folded so far (immutable; safe to read while the projector goes on).</summary>
    public ReportingState State => _state;

    /// <summary>Completes once the projection has folded the ledger up to <paramref name="sequence"/>.</summary>
    public async Task WhenCaughtUpAsync(long sequence, CancellationToken cancellationToken = default)
    {
        while (_state.Cursor < sequence)
        {
            await Volatile.Read(ref _progressed).Task.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wake = new SemaphoreSlim(0);
        using var watch = notifier.Watch(LedgerTopics.Ledger, () => wake.Release());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var state = await _storage.LoadAsync(stoppingToken);
                Publish(state);
                var lastCommit = 0L;
                while (!stoppingToken.IsCancellationRequested)
                {
                    var page = await store.ReadAsync(LedgerTopics.Ledger, state.Cursor, options.Value.PageSize, stoppingToken);
                    if (page.Count > 0)
                    {
                        var customers = new HashSet<string>(StringComparer.Ordinal);
                        var issued = new List<string>();
                        var receipts = new List<string>();
                        var folded = page.Aggregate(state, (s, e) => Fold(s, e, customers, issued, receipts));
                        lastCommit = Stopwatch.GetTimestamp();
                        await _storage.SaveAsync(state, folded, customers, issued, receipts, stoppingToken);
                        state = folded;
                        Publish(state);
                    }

                    var nextPush = await _kpi.PushChangedAsync(state, options.Value, time, PublishKpiAsync, stoppingToken);
                    if (page.Count < options.Value.PageSize)
                    {
                        await WaitAsync(wake, nextPush, stoppingToken);
                        if (options.Value.CommitInterval - Stopwatch.GetElapsedTime(lastCommit) is { Ticks: > 0 } pause)
                        {
                            await Task.Delay(pause, stoppingToken);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A lost ETag race (another node folded first) or store trouble: reload the stored row and go on from its cursor.
                LogFoldFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private ReportingState Fold(ReportingState state, StoredEvent stored, HashSet<string> customers, List<string> issued, List<string> receipts)
    {
        if (FoldWorkflow(state, stored, customers) is { } worked)
        {
            return worked;
        }

        if (!LedgerEventTypes.Contains(stored.EventType))
        {
            return state with { Cursor = stored.Sequence };
        }

        var e = JsonSerializer.Deserialize<LedgerEvent>(stored.Payload.Span, silo.SerializerOptions)!;
        string? reason = null;
        switch (e)
        {
            case PaymentReceived received:
                receipts.Add(ReportingState.ReceiptKey(e.CustomerId, received.Payment.PaymentId));
                break;
            case UnidentifiedCashReceived cash:
                customers.Add(ReportingState.UnidentifiedAccount);
                receipts.Add(ReportingState.ReceiptKey(null, cash.Payment.PaymentId));
                break;
        }

        if (e.CustomerId is { } customer)
        {
            customers.Add(customer);
            if (e is Grains.Invoices.InvoiceIssued invoice)
            {
                issued.Add(ReportingState.InvoiceKey(customer, invoice.InvoiceNumber));
            }
            else if (e is Grains.Invoices.InvoiceDisputed)
            {
                reason = DisputeReasonOf(stored.Payload.Span);
            }
        }

        return state.Apply(e, stored.Sequence, reason);
    }

    /// <summary>Promise and activity events the workflow grains publish on topic ledger beside the ledger's own; null for others.</summary>
    private ReportingState? FoldWorkflow(ReportingState state, StoredEvent stored, HashSet<string> customers)
    {
        switch (stored.EventType)
        {
            case nameof(PromiseMade):
            {
                var made = JsonSerializer.Deserialize<PromiseMade>(stored.Payload.Span, silo.SerializerOptions)!;
                return state.ApplyPromise(made.CustomerId, made.Promise.Amount.Currency, made.MadeOn, new PromiseTally(1, 0, 0), stored.Sequence);
            }

            case nameof(PromiseKept):
            {
                var kept = JsonSerializer.Deserialize<PromiseKept>(stored.Payload.Span, silo.SerializerOptions)!;
                return state.ApplyPromise(kept.CustomerId, kept.Promised.Currency, kept.On, new PromiseTally(0, 1, 0), stored.Sequence);
            }

            case nameof(PromiseBroken):
            {
                var broken = JsonSerializer.Deserialize<PromiseBroken>(stored.Payload.Span, silo.SerializerOptions)!;
                return state.ApplyPromise(broken.CustomerId, broken.Promised.Currency, broken.On, new PromiseTally(0, 0, 1), stored.Sequence);
            }

            case nameof(ActivityLogged):
            {
                var logged = JsonSerializer.Deserialize<ActivityLogged>(stored.Payload.Span, silo.SerializerOptions)!;
                var activity = logged.Record.Activity;
                return state.ApplyActivity(
                    logged.CustomerId, DateOnly.FromDateTime(logged.Record.At.UtcDateTime), activity.Kind != ActivityKind.Note,
                    activity is { Kind: ActivityKind.Call, Outcome: CallOutcome.RightPartyContact }, stored.Sequence);
            }

            default:
                return null;
        }
    }

    /// <summary>A dispute's reason code when the event carries one (a "reason" or "reasonCode" string), else null.</summary>
    private static string? DisputeReasonOf(ReadOnlySpan<byte> payload)
    {
        using var document = JsonDocument.Parse(payload.ToArray());
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if ((property.NameEquals("reason") || property.NameEquals("reasonCode") || property.NameEquals("Reason") || property.NameEquals("ReasonCode"))
                && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }

        return null;
    }

    private void Publish(ReportingState state)
    {
        _state = state;
        var previous = Interlocked.Exchange(ref _progressed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private async Task PublishKpiAsync(KpiSnapshot snapshot, CancellationToken cancellationToken)
    {
        var draft = new EventDraft(KpiTopic, nameof(KpiSnapshot), "reporting", snapshot.Dimension,
            JsonSerializer.SerializeToUtf8Bytes(snapshot, StateJson), time.GetUtcNow());
        notifier.NotifyCommitted(await store.AppendAsync([draft], cancellationToken));
    }

    private async Task WaitAsync(SemaphoreSlim wake, DateTimeOffset? nextPush, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var waits = new List<Task> { wake.WaitAsync(stop.Token) };
        if (nextPush is { } due)
        {
            waits.Add(Task.Delay(Max(due - time.GetUtcNow(), TimeSpan.Zero), time, stop.Token));
        }

        await Task.WhenAny(waits);
        await stop.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting projection: folding the ledger failed; resuming from the stored cursor")]
    private static partial void LogFoldFailed(ILogger logger, Exception exception);
}
