namespace ArActors.Grains.Payments;

/// <summary>
/// The suspense ledger slice (unallocated cash only) and the identifications in flight: an item is marked before its
/// account is called, so a crash between the two can only be finished for the same account, never sent to another.
/// </summary>
public sealed record UnallocatedCashGrainState
{
    public LedgerState Ledger { get; init; } = LedgerState.Empty;

    public ImmutableDictionary<string, string> Identifying { get; init; } = ImmutableDictionary<string, string>.Empty;
}

[GrainType("unallocated-cash")]
public sealed class UnallocatedCashGrain([PersistentState("unallocated")] IPersistentState<UnallocatedCashGrainState> state)
    : Grain, IUnallocatedCashGrain
{
    private LedgerState Ledger => state.State.Ledger;

    public Task<CommandResult> Receive(ReceiveUnidentifiedCash command, CommandMeta meta) => Handle(command, meta);

    public async Task<CommandResult> Reverse(ReversePayment command, CommandMeta meta)
    {
        if (command is not null && Ledger.UnallocatedCash.TryGetValue(command.PaymentId, out var cash) && cash.IdentifiedAs is { } account)
        {
            return CommandResult.Refused(LedgerError.Of("paymentId", ErrorCodes.CashAlreadyIdentified,
                $"Cash '{cash.CashId}' was identified to account '{account}'; reverse it there as a payment."));
        }

        return await Handle(command!, meta);
    }

    public async Task<CommandResult> Allocate(IdentifyCash command, CommandMeta meta)
    {
        if (command is null || meta?.Actor is null)
        {
            return CommandResult.Refused(LedgerError.Of(command is null ? "command" : "actor", ErrorCodes.Required, "The command and its actor are required."));
        }

        if (string.IsNullOrWhiteSpace(command.CustomerId))
        {
            return CommandResult.Refused(LedgerError.Of("customerId", ErrorCodes.Required, "Name the account the cash belongs to."));
        }

        if (!Ledger.UnallocatedCash.TryGetValue(command.CashId ?? string.Empty, out var cash))
        {
            return CommandResult.Refused(LedgerError.Of("cashId", ErrorCodes.UnknownCash, $"There is no unallocated cash '{command.CashId}'."));
        }

        if (cash.Reversed)
        {
            return CommandResult.Refused(LedgerError.Of("cashId", ErrorCodes.PaymentReversed, $"Cash '{cash.CashId}' bounced; there is nothing to allocate."));
        }

        var owner = cash.IdentifiedAs ?? state.State.Identifying.GetValueOrDefault(cash.CashId);
        if (owner is not null && owner != command.CustomerId)
        {
            return CommandResult.Refused(LedgerError.Of("cashId", ErrorCodes.CashAlreadyIdentified,
                $"Cash '{cash.CashId}' was already allocated to account '{owner}'."));
        }

        if (owner is null)
        {
            await WriteAsync(state.State with { Identifying = state.State.Identifying.SetItem(cash.CashId, command.CustomerId) });
        }

        // Idempotent on the account side (by payment id): a retry after a lost answer posts nothing twice.
        var posted = await GrainFactory.GetGrain<IAccountGrain>(command.CustomerId).PostIdentifiedCash(cash, meta);
        var identified = posted.Accepted && cash.IdentifiedAs is null
            ? Ledger with
            {
                UnallocatedCash = Ledger.UnallocatedCash.SetItem(cash.CashId, cash with { IdentifiedAs = command.CustomerId }),
            }
            : Ledger;
        if (identified != Ledger || state.State.Identifying.ContainsKey(cash.CashId))
        {
            await WriteAsync(state.State with { Ledger = identified, Identifying = state.State.Identifying.Remove(cash.CashId) });
        }

        return posted;
    }

    public Task<ImmutableArray<UnallocatedCashEntry>> List()
    {
        var today = DateOnly.FromDateTime(TimeProvider.GetUtcNow().UtcDateTime);
        return Task.FromResult(Ledger.UnallocatedCash.Values
            .Where(c => c.IsOpen && !state.State.Identifying.ContainsKey(c.CashId))
            .OrderBy(c => c.ReceivedOn).ThenBy(c => c.CashId, StringComparer.Ordinal)
            .Select(c => new UnallocatedCashEntry(c.Payment, c.ReceivedOn, c.AgeInDays(today)))
            .ToImmutableArray());
    }

    public Task<LedgerState> GetLedger() => Task.FromResult(Ledger);

    private async Task<CommandResult> Handle(LedgerCommand command, CommandMeta meta)
    {
        if (command is null || meta?.Actor is null)
        {
            return CommandResult.Refused(LedgerError.Of(command is null ? "command" : "actor", ErrorCodes.Required, "The command and its actor are required."));
        }

        var now = TimeProvider.GetUtcNow();
        var outcome = LedgerRules.Handle(Ledger, command, new CommandContext(meta.Actor, now, DateOnly.FromDateTime(now.UtcDateTime), meta.Reason));
        if (outcome.Refused)
        {
            return CommandResult.Refused(outcome.Error!);
        }

        if (!outcome.Events.IsEmpty)
        {
            foreach (var @event in outcome.Events)
            {
                Publish<LedgerEvent>(LedgerTopics.Ledger, @event.GetType().Name, @event);
            }

            await WriteAsync(state.State with { Ledger = outcome.State });
        }

        return CommandResult.Ok(outcome.Events, null);
    }

    private Task WriteAsync(UnallocatedCashGrainState next) => state.WriteStateAsync(next);
}
