namespace ArActors.Grains.Workflow;

/// <summary>
/// The disputes of one account (key = customer id). Opening one routes it by the resolution matrix (owner, lead,
/// deadline) and marks the invoice disputed in the ledger for the disputed amount only, so the ladder goes on for the
/// rest; an SLA reminder escalates an overdue dispute to its owner's lead once; a valid resolution issues a credit note
/// through the ledger, an invalid one sends the amount back to collections with a note.
/// </summary>
public interface IDisputeGrain : IGrainWithStringKey
{
    /// <summary>A repeat with the same id and content is <c>Unchanged</c> (and re-syncs the ledger); other content under that id is refused.</summary>
    Task<DisputeResult> Open(OpenDispute command, CommandMeta meta);

    /// <summary>A repeat with the same outcome is <c>Unchanged</c>; another outcome for a resolved dispute is refused.</summary>
    Task<DisputeResult> Resolve(SettleDispute command, CommandMeta meta);

    /// <summary>Ends every open dispute of the invoice as invalid with the note (the first API's resolution); none open: unchanged.</summary>
    Task<DisputeResult> ResolveInvoice(string invoiceNumber, string note, CommandMeta meta);

    [ReadOnly]
    Task<ImmutableArray<Dispute>> List();
}

public sealed record DisputeResult(Dispute? Dispute, LedgerError? Error, bool Unchanged = false)
{
    public bool Accepted => Error is null;
}

public sealed record DisputeGrainState
{
    public ImmutableDictionary<string, Dispute> Disputes { get; init; } = ImmutableDictionary<string, Dispute>.Empty;
}

[GrainType("disputes")]
public sealed class DisputeGrain([PersistentState("disputes")] IPersistentState<DisputeGrainState> state) : Grain, IDisputeGrain, IRemindable
{
    public const string SlaReminder = "dispute-sla";

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(GrainKey);

    /// <summary>The configured resolution matrix (ArActors:Disputes), the default one when none is registered.</summary>
    private DisputeMatrix Matrix => ServiceProvider.GetService(typeof(DisputeMatrix)) as DisputeMatrix ?? DisputeMatrix.Default;

    public async Task<DisputeResult> Open(OpenDispute command, CommandMeta meta)
    {
        if (meta?.Actor is null)
        {
            return new DisputeResult(null, LedgerError.NoActor);
        }

        if (await Account.GetProfile() is not { } profile)
        {
            return new DisputeResult(null, LedgerError.UnknownAccount(GrainKey));
        }

        if (command?.Id is { } id && state.State.Disputes.TryGetValue(id, out var held))
        {
            if (!DisputeRules.SameOpening(held, command))
            {
                return new DisputeResult(null, LedgerError.Of("disputeId", ErrorCodes.IdConflict, $"Dispute '{id}' was opened with other terms."));
            }

            // A retry: finish what the first attempt may not have reached (the ledger's disputed amount, the index).
            await SyncAsync(held.InvoiceNumber, profile, held);
            return new DisputeResult(held, null, Unchanged: true);
        }

        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        var ledger = await Account.GetLedger();
        var opened = DisputeRules.Open(command!, ledger.Invoice(command!.InvoiceNumber) is { } i && i.CustomerId == GrainKey ? i : null,
            state.State.Disputes.Values, Matrix, meta.Actor, today);
        if (!opened.IsOk)
        {
            return new DisputeResult(null, opened.Error);
        }

        var dispute = opened.Value;
        PublishAll(profile, new DisputeOpened(dispute));
        await CommitAsync(state.State with { Disputes = state.State.Disputes.SetItem(dispute.Id, dispute) }, profile);
        await SyncAsync(dispute.InvoiceNumber, profile, dispute);
        return new DisputeResult(dispute, null);
    }

    public async Task<DisputeResult> Resolve(SettleDispute command, CommandMeta meta)
    {
        if (meta?.Actor is null)
        {
            return new DisputeResult(null, LedgerError.NoActor);
        }

        if (await Account.GetProfile() is not { } profile)
        {
            return new DisputeResult(null, LedgerError.UnknownAccount(GrainKey));
        }

        if (command?.Id is not { } id || !state.State.Disputes.TryGetValue(id, out var dispute))
        {
            return new DisputeResult(null, LedgerError.Of("disputeId", "unknown_dispute", $"The account has no dispute '{command?.Id}'."));
        }

        if (dispute.Status == DisputeStatus.Resolved)
        {
            if (dispute.Outcome != command.Outcome || (command.CreditAmount is { } asked && asked != dispute.Credited))
            {
                return new DisputeResult(null, LedgerError.Of("outcome", "dispute_resolved", $"Dispute '{id}' was already resolved as {dispute.Outcome}."));
            }

            await SyncAsync(dispute.InvoiceNumber, profile, dispute);
            return new DisputeResult(dispute, null, Unchanged: true);
        }

        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        var resolved = DisputeRules.Resolve(dispute, command, meta.Actor, today);
        if (!resolved.IsOk)
        {
            return new DisputeResult(null, resolved.Error);
        }

        var next = resolved.Value;
        if (next.Credited is { } credit)
        {
            // The credit note first: its id makes a retry find it issued, and a refusal leaves the dispute open.
            var credited = await Account.CreditInvoice(
                new CreditInvoice(next.InvoiceNumber, next.CreditId!, credit, today, CreditKind.CreditNote),
                meta with { Reason = next.ResolutionNote ?? $"dispute {id} resolved valid ({next.Reason})" });
            if (!credited.Accepted)
            {
                return new DisputeResult(null, credited.Error! with { Field = credited.Error.Field == "amount" ? "creditAmount" : credited.Error.Field });
            }
        }

        PublishAll(profile, new DisputeResolved(next));
        await CommitAsync(state.State with { Disputes = state.State.Disputes.SetItem(id, next) }, profile);
        await SyncAsync(next.InvoiceNumber, profile, next);
        return new DisputeResult(next, null);
    }

    public async Task<DisputeResult> ResolveInvoice(string invoiceNumber, string note, CommandMeta meta)
    {
        if (meta?.Actor is null)
        {
            return new DisputeResult(null, LedgerError.NoActor);
        }

        if (await Account.GetProfile() is not { } profile)
        {
            return new DisputeResult(null, LedgerError.UnknownAccount(GrainKey));
        }

        if ((await Account.GetLedger()).Invoice(invoiceNumber) is not { } invoice || invoice.CustomerId != GrainKey)
        {
            return new DisputeResult(null, LedgerError.Of("invoiceNumber", ErrorCodes.UnknownInvoice, $"Invoice '{invoiceNumber}' does not exist."));
        }

        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        var next = state.State;
        Dispute? last = null;
        foreach (var dispute in state.State.Disputes.Values.Where(d => d.InvoiceNumber == invoiceNumber && d.Status == DisputeStatus.Open).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            var resolved = DisputeRules.Resolve(dispute, new SettleDispute(dispute.Id, DisputeOutcome.Invalid, Note: note), meta.Actor, today);
            if (!resolved.IsOk)
            {
                return new DisputeResult(null, resolved.Error);
            }

            PublishAll(profile, new DisputeResolved(resolved.Value));
            next = next with { Disputes = next.Disputes.SetItem(dispute.Id, resolved.Value) };
            last = resolved.Value;
        }

        await CommitAsync(next, profile);
        await SyncAsync(invoiceNumber, profile, last);
        return new DisputeResult(last, null, Unchanged: last is null);
    }

    public Task<ImmutableArray<Dispute>> List() =>
        Task.FromResult(state.State.Disputes.Values.OrderBy(d => d.OpenedOn).ThenBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != SlaReminder || await Account.GetProfile() is not { } profile)
        {
            return;
        }

        // Decided from the clock: a duplicate tick finds the overdue disputes already escalated and does nothing.
        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        var next = state.State;
        var escalated = new List<Dispute>();
        foreach (var dispute in state.State.Disputes.Values.Where(d => DisputeRules.Overdue(d, today)).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            var marked = dispute with { EscalatedOn = today };
            PublishAll(profile, new DisputeEscalated(marked, marked.Lead, today, today.DayNumber - dispute.Deadline.DayNumber));
            next = next with { Disputes = next.Disputes.SetItem(dispute.Id, marked) };
            escalated.Add(marked);
        }

        await CommitAsync(next, profile);
        foreach (var dispute in escalated)
        {
            await Index.Upsert(new DisputeIndexEntry(dispute, profile.Portfolio, profile.AssignedCollector));
        }
    }

    private IDisputeIndexGrain Index => GrainFactory.GetGrain<IDisputeIndexGrain>(DisputeIndexGrain.Key);

    /// <summary>
    /// Sets the ledger's disputed amount of the invoice to the sum of its open disputes (capped at its open amount), or
    /// ends its dispute when none is open, and tells the index. Idempotent, so retries call it again.
    /// </summary>
    private async Task SyncAsync(string invoiceNumber, AccountProfile profile, Dispute? changed)
    {
        var open = state.State.Disputes.Values.Where(d => d.InvoiceNumber == invoiceNumber && d.Status == DisputeStatus.Open).ToList();
        var meta = CommandMeta.System($"disputes of invoice {invoiceNumber}");

        // Told before the ledger change, so the account's queue push that follows carries the deadline (idempotent).
        if (profile.AssignedCollector is { } collector)
        {
            var earliest = state.State.Disputes.Values.Where(d => d.Status == DisputeStatus.Open).Select(d => (DateOnly?)d.Deadline).Min();
            await GrainFactory.GetGrain<ICollectorQueueGrain>(collector).SetDisputeDeadline(GrainKey, earliest);
        }

        var invoice = (await Account.GetLedger()).Invoice(invoiceNumber);
        CommandResult result;
        if (open.Count == 0 || invoice is not { IsOpen: true })
        {
            result = await Account.ResolveDispute(new ResolveDispute(invoiceNumber), meta);
        }
        else
        {
            var total = open.Sum(d => d.Amount.Amount);
            var disputed = new Money(Math.Min(total, invoice.OpenAmount.Amount), invoice.Currency);
            result = await Account.DisputeInvoice(new DisputeInvoice(invoiceNumber, disputed), meta);
        }

        if (!result.Accepted)
        {
            throw new InvalidOperationException($"The ledger refused the disputed amount of invoice '{invoiceNumber}': {result.Error}");
        }

        foreach (var dispute in state.State.Disputes.Values.Where(d => d.InvoiceNumber == invoiceNumber && (changed is null || d.Id == changed.Id || d.Status == DisputeStatus.Resolved)))
        {
            await Index.Upsert(new DisputeIndexEntry(dispute, profile.Portfolio, profile.AssignedCollector));
        }
    }

    private async Task CommitAsync(DisputeGrainState next, AccountProfile profile)
    {
        // One reminder, at the start of the day after the earliest open, unescalated deadline (account time zone).
        if (DisputeRules.NextCheck(next.Disputes.Values) is { } day)
        {
            var due = BusinessCalendar.StartOfDay(day, profile.TimeZone) - TimeProvider.GetUtcNow();
            RegisterOrUpdateReminderWithState(SlaReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, TimeSpan.FromDays(1));
        }
        else if (await GetReminder(SlaReminder) is not null)
        {
            UnregisterReminderWithState(SlaReminder);
        }

        if (next != state.State)
        {
            await state.WriteStateAsync(next);
        }
    }

    private void PublishAll<T>(AccountProfile profile, T @event)
        where T : notnull
    {
        var type = typeof(T).Name;
        Publish(LedgerTopics.Ledger, type, @event);
        Publish(LedgerTopics.Account(GrainKey), type, @event);
        foreach (var owner in LedgerTopics.Owners(profile))
        {
            Publish(owner, type, @event);
        }
    }
}
