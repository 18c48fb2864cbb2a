namespace ArActors.Grains.Payments;

/// <summary>
/// The suspense queue of cash whose account is unknown (one grain; key "default"). Allocating an item posts it to the
/// account (idempotent by payment id) and takes it off the queue.
/// </summary>
public interface IUnallocatedCashGrain : IGrainWithStringKey
{
    Task<CommandResult> Receive(ReceiveUnidentifiedCash command, CommandMeta meta);

    /// <summary>Posts the cash to the account, which applies it by the cash-application rules.</summary>
    Task<CommandResult> Allocate(IdentifyCash command, CommandMeta meta);

    /// <summary>Cash that bounced while still in suspense leaves the queue without paying anything.</summary>
    Task<CommandResult> Reverse(ReversePayment command, CommandMeta meta);

    /// <summary>Open items, oldest first, with their age in days as of today (UTC).</summary>
    [ReadOnly]
    Task<ImmutableArray<UnallocatedCashEntry>> List();

    [ReadOnly]
    Task<LedgerState> GetLedger();
}

public sealed record UnallocatedCashEntry(Payment Payment, DateOnly ReceivedOn, int AgeDays);
