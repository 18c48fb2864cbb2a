using System.Text.Json;
using ArActors.Runtime.Events;
using ArActors.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace ArActors.Grains.Accounts;

/// <summary>
/// An account grain's head row, rewritten by every command together with the command's events (topic "account/{id}",
/// the journal; see <see cref="AccountJournal"/>): the change counter, how many ledger events the account has
/// journaled, and the invoices and worklists that still need the latest change (kept until a push succeeds, so a crash
/// or a failed push is repaired by the next command or retry). The ledger slice itself is in the snapshot row.
/// </summary>
public sealed record AccountGrainState
{
    /// <summary>
    /// The whole ledger slice, only while the snapshot row may not reach this version: after a commit that cannot be
    /// replayed from its events (identified cash decides against the suspense item) until the snapshot is written, and
    /// in rows written before the journal.
    /// </summary>
    public LedgerState? Ledger { get; init; }

    public long Version { get; init; }

    /// <summary>Ledger events committed since the journal began; the snapshot's count plus the events after it must match.</summary>
    public long Journaled { get; init; }

    public ImmutableSortedSet<string> UnsyncedInvoices { get; init; } = ImmutableSortedSet<string>.Empty;

    /// <summary>Collectors whose worklist has not yet heard of the latest change (the assigned one, and the previous one after a reassignment).</summary>
    public ImmutableSortedSet<string> UnsyncedQueues { get; init; } = ImmutableSortedSet<string>.Empty;
}

[GrainType("account")]
public sealed partial class AccountGrain(
    [PersistentState("account")] IPersistentState<AccountGrainState> state,
    [PersistentState(AccountJournal.SnapshotStateName)] IPersistentState<AccountSnapshot> snapshot,
    IEventStream eventStream,
    ILogger<AccountGrain> logger)
    : Grain, IAccountGrain
{
    private const int HistoryPage = 500;

    /// <summary>The engine's aging buckets and basis (configuration <c>ArActors:Aging</c>), the default ones when none is registered.</summary>
    private AgingPolicy Policy => ServiceProvider.GetService(typeof(AgingPolicy)) as AgingPolicy ?? AgingPolicy.Default;

    // How often an active account retries invoice pushes that failed, without waiting for the client's retry.
    private static readonly TimeSpan RepairInterval = TimeSpan.FromMinutes(1);

    private IGrainTimer? _repair;

    private LedgerState _ledger = LedgerState.Empty;

    private LedgerState Ledger => _ledger;

    // A head carries the ledger when its commit could not be replayed (or it predates the journal); until the snapshot
    // reaches that version, the heads after it carry the ledger too.
    private bool SnapshotBehind => state.State.Ledger is not null && snapshot.State.Version < state.State.Version;

    private AccountProfile? Profile => Ledger.Accounts.GetValueOrDefault(GrainKey);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var head = state.State;
        var after = head.Ledger is null && head.Journaled > snapshot.State.Journaled ? await ReadHistoryAsync(snapshot.State.Sequence) : [];
        _ledger = AccountJournal.Rebuild(GrainKey, head, snapshot.State, after);
        if (!head.UnsyncedInvoices.IsEmpty || !head.UnsyncedQueues.IsEmpty)
        {
            StartRepair();
        }
    }

    public Task<CommandResult> OpenAccount(OpenAccount command, CommandMeta meta) =>
        Handle(command, meta, command.Profile?.CustomerId, "profile.customerId", command.Profile?.TimeZone);

    public Task<CommandResult> UpdateProfile(UpdateAccountProfile command, CommandMeta meta) =>
        Handle(command, meta, command.Profile?.CustomerId, "profile.customerId");

    public Task<CommandResult> ChangeStatus(ChangeAccountStatus command, CommandMeta meta) => Handle(command, meta, command.CustomerId, "customerId");

    public Task<CommandResult> IssueInvoice(IssueInvoice command, CommandMeta meta) => Handle(command, meta, command.CustomerId, "customerId");

    public Task<CommandResult> CancelInvoice(CancelInvoice command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> DisputeInvoice(DisputeInvoice command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> ResolveDispute(ResolveDispute command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> ReceivePayment(ReceivePayment command, CommandMeta meta) => Handle(command, meta, command.CustomerId, "customerId");

    public Task<CommandResult> AllocatePayment(AllocatePayment command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> DeallocatePayment(DeallocatePayment command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> ReallocatePayment(ReallocatePayment command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> ReversePayment(ReversePayment command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> CreditInvoice(CreditInvoice command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> RequestWriteOff(RequestWriteOff command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> ApproveWriteOff(ApproveWriteOff command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> RejectWriteOff(RejectWriteOff command, CommandMeta meta) => Handle(command, meta);

    public Task<CommandResult> PostIdentifiedCash(UnallocatedCash cash, CommandMeta meta)
    {
        if (cash?.Payment is null)
        {
            return Task.FromResult(CommandResult.Refused(LedgerError.Of("cash", ErrorCodes.Required, "The identified cash is missing.")));
        }

        // The suspense grain cannot see this account's payment ids; the pure ledger would have refused the cash on arrival.
        if (Ledger.Payments.ContainsKey(cash.CashId) && !Ledger.UnallocatedCash.ContainsKey(cash.CashId))
        {
            return Task.FromResult(CommandResult.Refused(LedgerError.Of("cashId", ErrorCodes.DuplicatePayment,
                $"Account '{GrainKey}' already has a payment '{cash.CashId}'; the cash needs another id before it can be posted here.")));
        }

        // The rules identify cash against a ledger that holds both the suspense item and the account; the account keeps
        // its own copy of the item, so a retry finds it already identified here and decides to nothing.
        // That copy is not in the account's own events, so such a commit cannot be replayed (Handle stores the whole slice).
        var injected = Ledger.UnallocatedCash.ContainsKey(cash.CashId) ? null
            : Ledger with { UnallocatedCash = Ledger.UnallocatedCash.SetItem(cash.CashId, cash with { IdentifiedAs = null }) };
        return Handle(new IdentifyCash(cash.CashId, GrainKey), meta, injected: injected);
    }

    public Task<AccountProfile?> GetProfile() => Task.FromResult(Profile);

    public Task<AccountSummary?> GetSummary() =>
        Task.FromResult(Profile is { } profile ? AccountSummary.Compute(Ledger, GrainKey, Today(profile.TimeZone), Policy) : null);

    public async Task<AccountSummary?> GetSummaryAsOf(DateOnly asOf) =>
        Profile is null ? null : AccountSummary.AsOf(await ReadHistoryAsync(), GrainKey, asOf, Policy);

    public Task<ImmutableArray<InvoiceSnapshot>> GetInvoices()
    {
        var today = Today(Profile?.TimeZone);
        return Task.FromResult(Ledger.InvoicesOf(GrainKey)
            .OrderBy(i => i.IssueDate).ThenBy(i => i.Number, StringComparer.Ordinal)
            .Select(i => InvoiceSnapshot.Of(i, today, Policy))
            .ToImmutableArray());
    }

    public async Task<ImmutableArray<LedgerEvent>> GetHistory() => [.. await ReadHistoryAsync()];

    public Task<LedgerState> GetLedger() => Task.FromResult(Ledger);

    public Task<long> GetVersion() => Task.FromResult(state.State.Version);

    private async Task<CommandResult> Handle(
        LedgerCommand command,
        CommandMeta meta,
        string? customerId = null,
        string customerField = "customerId",
        string? timeZone = null,
        LedgerState? injected = null)
    {
        if (command is null)
        {
            return CommandResult.Refused(LedgerError.Of("command", ErrorCodes.Required, "The command is missing."));
        }

        if (meta?.Actor is null)
        {
            return CommandResult.Refused(LedgerError.NoActor);
        }

        if (meta.IfVersion is { } seen && seen != state.State.Version)
        {
            return CommandResult.Refused(LedgerError.Of("If-Match", ErrorCodes.VersionMismatch,
                $"The account changed since version {seen}; it is at version {state.State.Version}. Read it again and retry."));
        }

        if (customerId is not null && customerId != GrainKey)
        {
            return CommandResult.Refused(LedgerError.Of(customerField, ErrorCodes.AccountMismatch,
                $"The command names account '{customerId}' but was sent to account '{GrainKey}'."));
        }

        if (command is global::ArActors.Grains.Ledger.OpenAccount && GrainKey.Contains('/', StringComparison.Ordinal))
        {
            // The part of a key before the first '/' places a grain; invoice keys are "ACCOUNT/INVOICE".
            return CommandResult.Refused(LedgerError.Of(customerField, ErrorCodes.Invalid, $"Customer id '{GrainKey}' may not contain '/'."));
        }

        if (command is not global::ArActors.Grains.Ledger.OpenAccount && Profile is null)
        {
            return CommandResult.Refused(LedgerError.UnknownAccount(GrainKey));
        }

        var now = TimeProvider.GetUtcNow();
        var context = new CommandContext(meta.Actor, now, BusinessCalendar.Today(now, timeZone ?? Profile?.TimeZone), meta.Reason);
        var outcome = LedgerRules.Handle(injected ?? Ledger, command, context);
        if (outcome.Refused)
        {
            return CommandResult.Refused(outcome.Error!);
        }

        if (!outcome.Events.IsEmpty)
        {
            await CommitAsync(outcome, replayable: injected is null);
        }

        // Also on a retry that decided nothing: it is how a failed push to an invoice grain gets repaired.
        try
        {
            await PushAsync();
        }
        catch
        {
            StartRepair();
            throw;
        }

        return CommandResult.Ok(outcome.Events, AccountSummary.Compute(Ledger, GrainKey, Today(Profile?.TimeZone), Policy)) with { Version = state.State.Version };
    }

    private async Task CommitAsync(LedgerOutcome outcome, bool replayable)
    {
        // A reassignment is seen by the old owners (the account leaves them) and by the new ones.
        var owners = LedgerTopics.Owners(Profile).Union(LedgerTopics.Owners(outcome.State.Accounts.GetValueOrDefault(GrainKey)), StringComparer.Ordinal).ToList();
        string[] topics = [LedgerTopics.Ledger, LedgerTopics.Account(GrainKey), .. owners];
        foreach (var @event in outcome.Events)
        {
            // Staged before the write, so the runtime commits them in the same transaction as the state.
            Publish<LedgerEvent>(topics, @event.GetType().Name, @event);
        }

        var previous = state.State;
        var touched = outcome.Events.OfType<InvoiceEvent>().Select(e => e.InvoiceNumber);

        // Invoice grains age in the account's zone and announce to its owners: a new zone moves every invoice's next
        // boundary, a new collector or portfolio changes where their bucket moves are announced, a new segment or
        // contacts change their ladder and its recipients.
        var next = outcome.State.Accounts.GetValueOrDefault(GrainKey);
        if (Profile is not null && (next?.TimeZone != Profile.TimeZone || !LedgerTopics.Owners(next).SequenceEqual(LedgerTopics.Owners(Profile))
            || next?.Segment != Profile.Segment || !SameContacts(next.Contacts, Profile.Contacts)))
        {
            touched = touched.Concat(outcome.State.InvoicesOf(GrainKey).Select(i => i.Number));
        }

        var inline = !replayable || SnapshotBehind;
        await state.WriteStateAsync(previous with
        {
            Ledger = inline ? outcome.State : null,
            Version = previous.Version + 1,
            Journaled = previous.Journaled + outcome.Events.Length,
            UnsyncedInvoices = previous.UnsyncedInvoices.Union(touched),
            UnsyncedQueues = previous.UnsyncedQueues.Union(new[] { Profile?.AssignedCollector, next?.AssignedCollector }.OfType<string>()),
        });
        _ledger = outcome.State;
        if (SnapshotBehind || state.State.Journaled - snapshot.State.Journaled >= AccountJournal.SnapshotEvery)
        {
            await SnapshotAsync();
        }
    }

    /// <summary>
    /// Stores the slice as of the head just committed, positioned at the account topic's last sequence: at or after
    /// this commit's last event, and before this grain's next one (it commits nothing until this turn ends); what lies
    /// between is other grains' notices, which a replay skips. A failure leaves the command committed (its head and
    /// events are); the next commit tries again, carrying the ledger in its head meanwhile if the snapshot was needed for that.
    /// </summary>
    private async Task SnapshotAsync()
    {
        try
        {
            var sequence = await eventStream.GetLastSequenceAsync(LedgerTopics.Account(GrainKey));
            await snapshot.WriteStateAsync(new AccountSnapshot { Ledger = _ledger, Version = state.State.Version, Journaled = state.State.Journaled, Sequence = sequence });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSnapshotFailed(logger, GrainKey, state.State.Version, e);
        }
    }

    /// <summary>
    /// Pushes each changed invoice to its grain and the account's priority inputs to the collectors' worklists, all at
    /// once (each is another grain, guarded by the account version, so their order does not matter). A push that
    /// succeeded leaves the pending sets; a failure propagates once every push has finished (the command's change is
    /// committed; the caller retries, which decides to nothing and pushes again); the sets are persisted with the next write.
    /// </summary>
    private async Task PushAsync()
    {
        var invoices = state.State.UnsyncedInvoices.Select(number => (Number: number, Push: PushInvoiceAsync(number))).ToList();
        var queues = state.State.UnsyncedQueues.Select(collector => (Collector: collector, Push: PushQueueAsync(collector))).ToList();
        try
        {
            await Task.WhenAll(invoices.Select(i => i.Push).Concat(queues.Select(q => q.Push)));
        }
        finally
        {
            state.State = state.State with
            {
                UnsyncedInvoices = state.State.UnsyncedInvoices.Except(invoices.Where(i => i.Push.IsCompletedSuccessfully).Select(i => i.Number)),
                UnsyncedQueues = state.State.UnsyncedQueues.Except(queues.Where(q => q.Push.IsCompletedSuccessfully).Select(q => q.Collector)),
            };
        }
    }

    private async Task PushInvoiceAsync(string number)
    {
        if (Ledger.Invoice(number) is { } invoice)
        {
            await GrainFactory.GetGrain<IInvoiceGrain>(InvoiceKey(GrainKey, number))
                .Sync(new InvoiceSync(invoice, Profile?.TimeZone ?? "UTC", state.State.Version, [.. LedgerTopics.Owners(Profile)], Profile));
        }
    }

    /// <summary>
    /// Tells a collector's worklist about the account: the assigned collector's gets its priority inputs, a previous
    /// collector's (after a reassignment) the removal.
    /// </summary>
    private async Task PushQueueAsync(string collector)
    {
        var profile = Profile;
        var queue = GrainFactory.GetGrain<ICollectorQueueGrain>(collector);
        if (profile is not null && profile.AssignedCollector == collector && profile.Status != AccountStatus.Closed)
        {
            var inputs = Priority.Of(Ledger, profile, Today(profile.TimeZone));
            await queue.Update(new WorklistUpdate(GrainKey, profile.Name, profile.Portfolio, profile.Currency, state.State.Version, inputs));
        }
        else
        {
            await queue.Remove(GrainKey, state.State.Version);
        }
    }

    private void StartRepair() => _repair ??= RegisterGrainTimer(RepairAsync, RepairInterval, RepairInterval);

    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        await PushAsync();
        _repair?.Dispose();
        _repair = null;

        // Persist the emptied set so a later activation does not push again.
        await state.WriteStateAsync(cancellationToken);
    }

    private async Task<List<LedgerEvent>> ReadHistoryAsync(long after = 0)
    {
        var options = ServiceProvider.GetService(typeof(Silo)) is Silo silo ? silo.SerializerOptions : new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var topic = LedgerTopics.Account(GrainKey);
        var history = new List<LedgerEvent>();
        for (; ; )
        {
            var page = await eventStream.ReadAsync(topic, after, HistoryPage);
            foreach (var stored in page)
            {
                // The topic also carries the invoice grains' aging notices; the ledger history is this grain's events.
                if (AccountJournal.IsJournalEntry(stored, GrainKey))
                {
                    history.Add(JsonSerializer.Deserialize<LedgerEvent>(stored.Payload.Span, options)!);
                }

                after = stored.Sequence;
            }

            if (page.Count < HistoryPage)
            {
                return history;
            }
        }
    }

    private DateOnly Today(string? timeZone) => BusinessCalendar.Today(TimeProvider.GetUtcNow(), timeZone);

    // Profiles read from JSON without contacts hold a default array, which SequenceEqual cannot enumerate.
    private static bool SameContacts(ImmutableArray<Contact> a, ImmutableArray<Contact> b) =>
        a.IsDefaultOrEmpty ? b.IsDefaultOrEmpty : !b.IsDefault && a.SequenceEqual(b);

    public static string InvoiceKey(string customerId, string invoiceNumber) => customerId + "/" + invoiceNumber;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {CustomerId}: the ledger snapshot at version {Version} was not written; the next command tries again")]
    private static partial void LogSnapshotFailed(ILogger logger, string customerId, long version, Exception exception);
}
