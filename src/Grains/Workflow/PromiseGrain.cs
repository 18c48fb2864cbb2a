namespace ArActors.Grains.Workflow;

/// <summary>
/// The promises to pay of one account (key = customer id). A promise pauses its invoices' ladders from the day it is
/// made to the day after its deadline; a reminder on that day decides it: kept (payments reached the amount) or broken
/// (escalation to the team lead, one more broken promise in the collector's worklist priority, the ladder resumes).
/// </summary>
public interface IPromiseGrain : IGrainWithStringKey
{
    /// <summary>Records a promise; a repeat with the same id and content changes nothing, another content under that id is refused.</summary>
    Task<PromiseResult> Make(PromiseToPay promise, CommandMeta meta);

    [ReadOnly]
    Task<ImmutableArray<PromiseRecord>> List();
}

public sealed record PromiseResult(PromiseRecord? Promise, LedgerError? Error, bool Unchanged = false)
{
    public bool Accepted => Error is null;
}

public sealed record PromiseGrainState
{
    public ImmutableDictionary<string, PromiseRecord> Promises { get; init; } = ImmutableDictionary<string, PromiseRecord>.Empty;

    /// <summary>Broken promises the collector's worklist has not yet been told about (retried on the next tick).</summary>
    public ImmutableSortedSet<string> UntoldBroken { get; init; } = ImmutableSortedSet<string>.Empty;
}

[GrainType("promises")]
public sealed class PromiseGrain([PersistentState("promises")] IPersistentState<PromiseGrainState> state) : Grain, IPromiseGrain, IRemindable
{
    public const string DeadlineReminder = "promise-deadline";

    public static string PauseId(string promiseId) => "promise:" + promiseId;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(GrainKey);

    public async Task<PromiseResult> Make(PromiseToPay promise, CommandMeta meta)
    {
        if (meta?.Actor is null)
        {
            return new PromiseResult(null, LedgerError.NoActor);
        }

        if (await Account.GetProfile() is not { } profile)
        {
            return new PromiseResult(null, LedgerError.UnknownAccount(GrainKey));
        }

        if (promise?.Id is { } id && state.State.Promises.TryGetValue(id, out var held))
        {
            if (!Same(held.Promise, promise))
            {
                return new PromiseResult(null, LedgerError.Of("id", ErrorCodes.IdConflict, $"Promise '{id}' was made with other terms."));
            }

            // A retry: make sure the pauses the first attempt may not have reached are in place.
            await PauseInvoicesAsync(held);
            return new PromiseResult(held, null, Unchanged: true);
        }

        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        if (PromiseRules.Validate(promise!, await Account.GetLedger(), profile, today) is { } error)
        {
            return new PromiseResult(null, error);
        }

        var record = new PromiseRecord(promise!, today, meta.Actor);
        PublishAll(profile, new PromiseMade(GrainKey, promise!, today, meta.Actor));
        await CommitAsync(state.State with { Promises = state.State.Promises.SetItem(promise!.Id, record) }, profile);
        await PauseInvoicesAsync(record);
        return new PromiseResult(record, null);
    }

    public Task<ImmutableArray<PromiseRecord>> List() =>
        Task.FromResult(state.State.Promises.Values.OrderBy(p => p.MadeOn).ThenBy(p => p.Promise.Id, StringComparer.Ordinal).ToImmutableArray());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineReminder || await Account.GetProfile() is not { } profile)
        {
            return;
        }

        // Decided from the clock and the ledger: a duplicate tick finds the promises already decided and does nothing.
        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        var ledger = await Account.GetLedger();
        var next = state.State;
        var kept = new List<PromiseRecord>();
        foreach (var record in state.State.Promises.Values.Where(p => p.Status == PromiseStatus.Open && p.Promise.Deadline < today))
        {
            var decided = PromiseRules.Evaluate(record, ledger.PaymentsOf(GrainKey), today);
            var promise = decided.Promise;
            var paid = new Money(decided.Paid, promise.Amount.Currency);
            if (decided.Status == PromiseStatus.Kept)
            {
                PublishAll(profile, new PromiseKept(GrainKey, promise.Id, promise.Amount, paid, today));
                kept.Add(decided);
            }
            else if (decided.Status == PromiseStatus.Broken)
            {
                PublishAll(profile, new PromiseBroken(GrainKey, promise.Id, promise.Amount, paid, today));
                var open = promise.InvoiceNumbers.Select(n => ledger.Invoice(n)).OfType<InvoiceState>().Sum(i => i.OpenAmount.Amount);
                var escalation = new EscalationRaised(
                    new WorkOrigin(GrainKey, promise.InvoiceNumbers, PauseId(promise.Id), today, new Money(open, promise.Amount.Currency)),
                    EscalationTarget.TeamLead, profile.Portfolio, $"Promise '{promise.Id}' to pay {promise.Amount} by {promise.Date:yyyy-MM-dd} was broken ({paid} paid).");
                await GrainFactory.GetGrain<IEscalationGrain>(EscalationGrain.Key).Raise(escalation, profile.AssignedCollector);
                PublishAll<WorkflowEvent>(profile, escalation, nameof(EscalationRaised));
                next = next with { UntoldBroken = next.UntoldBroken.Add(promise.Id) };
            }

            next = next with { Promises = next.Promises.SetItem(promise.Id, decided) };
        }

        await CommitAsync(next, profile);
        await TellWorklistAsync(profile);
    }

    private async Task TellWorklistAsync(AccountProfile profile)
    {
        if (profile.AssignedCollector is not { } collector)
        {
            return;
        }

        foreach (var promiseId in state.State.UntoldBroken)
        {
            await GrainFactory.GetGrain<ICollectorQueueGrain>(collector).PromiseBroken(GrainKey, promiseId);
            state.State = state.State with { UntoldBroken = state.State.UntoldBroken.Remove(promiseId) };
            await state.WriteStateAsync();
        }
    }

    /// <summary>Pauses the promised invoices' ladders from the day the promise was made to the day after its deadline.</summary>
    private async Task PauseInvoicesAsync(PromiseRecord record)
    {
        foreach (var number in record.Promise.InvoiceNumbers)
        {
            await GrainFactory.GetGrain<IInvoiceGrain>(AccountGrain.InvoiceKey(GrainKey, number))
                .SetPause(new LadderPause(PauseKind.Promise, record.MadeOn, record.Promise.Deadline.AddDays(1), PauseId(record.Promise.Id)));
        }
    }

    private async Task CommitAsync(PromiseGrainState next, AccountProfile profile)
    {
        // One reminder, at the start of the day after the earliest open deadline (account time zone).
        var earliest = next.Promises.Values.Where(p => p.Status == PromiseStatus.Open).Select(p => (DateOnly?)p.Promise.Deadline.AddDays(1)).Min();
        if (earliest is { } day)
        {
            var now = TimeProvider.GetUtcNow();
            var due = BusinessCalendar.StartOfDay(day, profile.TimeZone) - now;
            RegisterOrUpdateReminderWithState(DeadlineReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, TimeSpan.FromDays(1));
        }
        else if (await GetReminder(DeadlineReminder) is not null)
        {
            UnregisterReminderWithState(DeadlineReminder);
        }

        if (next == state.State)
        {
            return;
        }

        await state.WriteStateAsync(next);
    }

    private void PublishAll<T>(AccountProfile profile, T @event, string? type = null)
        where T : notnull
    {
        type ??= typeof(T).Name;
        Publish(LedgerTopics.Ledger, type, @event);
        Publish(LedgerTopics.Account(GrainKey), type, @event);
        foreach (var owner in LedgerTopics.Owners(profile))
        {
            Publish(owner, type, @event);
        }
    }

    private static bool Same(PromiseToPay a, PromiseToPay b) =>
        a.Id == b.Id && a.Amount == b.Amount && a.Date == b.Date && a.GraceDays == b.GraceDays && a.Tolerance == b.Tolerance && a.InvoiceNumbers.SequenceEqual(b.InvoiceNumbers);
}
