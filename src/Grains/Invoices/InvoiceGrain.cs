namespace ArActors.Grains.Invoices;

/// <summary>
/// What an invoice grain persists: the invoice as its account last pushed it (with the account's change counter, so
/// an older push never overwrites a newer one), the bucket it last announced, and the instant its reminder is due.
/// </summary>
public sealed record InvoiceGrainState
{
    public InvoiceState? Invoice { get; init; }

    public string TimeZone { get; init; } = "UTC";

    public long Version { get; init; }

    public string? Bucket { get; init; }

    public DateTimeOffset? ReminderDue { get; init; }

    /// <summary>Where bucket moves are announced besides the ledger and account topics (the account's collector and portfolio).</summary>
    public IReadOnlyList<string> OwnerTopics { get; init; } = [];

    /// <summary>The account's profile as last pushed (segment, contacts, collector): what the ladder's steps need.</summary>
    public AccountProfile? Account { get; init; }

    /// <summary>The collections ladder's record for this invoice (steps run, pauses, the day the workflow first saw it).</summary>
    public InvoiceWorkflow Workflow { get; init; } = InvoiceWorkflow.New;
}

[GrainType("invoice")]
public sealed class InvoiceGrain([PersistentState("invoice")] IPersistentState<InvoiceGrainState> state) : Grain, IInvoiceGrain, IRemindable
{
    public const string AgingReminder = "aging";

    // Only a safety net: every tick re-registers for the next boundary, so the period fires only if that failed.
    private static readonly TimeSpan SafetyPeriod = TimeSpan.FromDays(1);

    /// <summary>The engine's aging buckets and basis (configuration <c>ArActors:Aging</c>), the default ones when none is registered.</summary>
    private AgingPolicy Policy => ServiceProvider.GetService(typeof(AgingPolicy)) as AgingPolicy ?? AgingPolicy.Default;

    public async Task<InvoiceSnapshot> Sync(InvoiceSync sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var expectedKey = AccountGrain.InvoiceKey(sync.Invoice.CustomerId, sync.Invoice.Number);
        if (expectedKey != GrainKey)
        {
            throw new ArgumentException($"Invoice '{expectedKey}' was pushed to invoice grain '{GrainKey}'.", nameof(sync));
        }

        if (sync.Version >= state.State.Version)
        {
            await EvaluateAsync(state.State with
            {
                Invoice = sync.Invoice, TimeZone = sync.TimeZone, Version = sync.Version, OwnerTopics = sync.OwnerTopics ?? [], Account = sync.Account ?? state.State.Account,
            });
        }

        return Snapshot(state.State.Invoice!);
    }

    public Task<InvoiceSnapshot?> Get() => Task.FromResult(state.State.Invoice is { } invoice ? Snapshot(invoice) : null);

    public Task<InvoiceWorkflow> GetWorkflow() => Task.FromResult(state.State.Workflow);

    public async Task SetPause(LadderPause pause)
    {
        ArgumentNullException.ThrowIfNull(pause);
        if (state.State.Invoice is not null)
        {
            await EvaluateAsync(state.State with { Workflow = state.State.Workflow.SetPause(pause) });
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Duplicate or late ticks re-evaluate as of now: an unchanged bucket and steps already run publish and write nothing.
        if (reminderName == AgingReminder && state.State.Invoice is not null)
        {
            await EvaluateAsync(state.State);
        }
    }

    /// <summary>Re-buckets as of today in the account's zone, announces a move once, and keeps the reminder on the next boundary.</summary>
    private async Task EvaluateAsync(InvoiceGrainState next)
    {
        var invoice = next.Invoice!;
        var now = TimeProvider.GetUtcNow();
        var today = BusinessCalendar.Today(now, next.TimeZone);
        if (invoice.IsOpen)
        {
            var bucket = invoice.Bucket(today, Policy).Name;
            if (next.Bucket is { } announced && announced != bucket)
            {
                var moved = new InvoiceAgingBucketChanged(invoice.CustomerId, invoice.Number, announced, bucket, today, invoice.DaysPastDue(today), invoice.OpenAmount);
                Publish([LedgerTopics.Ledger, LedgerTopics.Account(invoice.CustomerId), .. next.OwnerTopics], nameof(InvoiceAgingBucketChanged), moved);
            }

            next = next with { Bucket = bucket };
        }

        next = await RunLadderAsync(next, today);

        // One reminder serves aging and the ladder: due at the earlier of the next bucket boundary and the next step.
        // Compared as an instant: the same boundary date in a new time zone is another moment.
        var wake = Earlier(invoice.NextAgingBoundary(today, Policy), next.Workflow.NextStepOn);
        var due = wake is { } boundary ? BusinessCalendar.StartOfDay(boundary, next.TimeZone) : (DateTimeOffset?)null;
        if (due != state.State.ReminderDue)
        {
            // Committed with the state write below, in its transaction: the row and the state's ReminderDue never disagree.
            if (due is { } at)
            {
                RegisterOrUpdateReminderWithState(AgingReminder, at - now, SafetyPeriod);
            }
            else if (state.State.ReminderDue is not null)
            {
                UnregisterReminderWithState(AgingReminder);
            }

            next = next with { ReminderDue = due };
        }

        if (next != state.State)
        {
            // On failure memory stays equal to the store (and the reminder as it was), so the account's retried push
            // finds the change still to be made.
            await state.WriteStateAsync(next);
        }
    }

    /// <summary>
    /// Runs the steps of the segment's ladder that are due as of today, each once: its execution key is recorded in the
    /// state written together with the step's events, so a duplicate or catch-up tick finds it done.
    /// </summary>
    private async Task<InvoiceGrainState> RunLadderAsync(InvoiceGrainState next, DateOnly today)
    {
        if (next.Account is not { } account)
        {
            return next;
        }

        var invoice = next.Invoice!;
        var workflow = next.Workflow.Observe(invoice, today);
        var strategy = invoice.IsOpen ? await GrainFactory.GetGrain<IStrategyGrain>(StrategyGrain.KeyOf(account.Segment)).Get() : null;
        var plan = strategy is null ? null : Ladder.Plan(strategy, workflow.Facts(invoice), today);
        foreach (var step in plan?.Due ?? [])
        {
            var work = StepActions.Produce(step, invoice, account, today);
            if (work is EscalationRaised raised)
            {
                // Recorded before the step is: idempotent by origin, so a step run again after a failed write finds its record.
                await GrainFactory.GetGrain<IEscalationGrain>(EscalationGrain.Key).Raise(raised, account.AssignedCollector);
            }

            Publish<WorkflowEvent>([LedgerTopics.Ledger, LedgerTopics.Account(invoice.CustomerId), .. next.OwnerTopics], work.GetType().Name, work);

            workflow = workflow with { Executed = workflow.Executed.Add(step.Key) };
        }

        workflow = workflow with { NextStepOn = plan?.NextStepOn, Held = plan?.Held ?? false };
        return workflow == next.Workflow ? next : next with { Workflow = workflow };
    }

    private static DateOnly? Earlier(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>An open invoice shows the bucket its reminders last set, not one recomputed on read.</summary>
    private InvoiceSnapshot Snapshot(InvoiceState invoice)
    {
        var snapshot = InvoiceSnapshot.Of(invoice, BusinessCalendar.Today(TimeProvider.GetUtcNow(), state.State.TimeZone), Policy);
        return invoice.IsOpen && state.State.Bucket is { } held ? snapshot with { AgingBucket = held } : snapshot;
    }
}
