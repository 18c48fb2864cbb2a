namespace ArActors.Grains.Ledger;

/// <summary>
/// The receivables ledger as folded from events. An account grain holds the slice for its customer; tests and the
/// invariant checker may hold several accounts plus the unallocated-cash suspense.
/// </summary>
public sealed record LedgerState
{
    public static LedgerState Empty { get; } = new();

    public ImmutableDictionary<string, AccountProfile> Accounts { get; init; } = ImmutableDictionary<string, AccountProfile>.Empty;

    public ImmutableDictionary<string, InvoiceState> Invoices { get; init; } = ImmutableDictionary<string, InvoiceState>.Empty;

    public ImmutableDictionary<string, PaymentState> Payments { get; init; } = ImmutableDictionary<string, PaymentState>.Empty;

    public ImmutableDictionary<string, UnallocatedCash> UnallocatedCash { get; init; } = ImmutableDictionary<string, UnallocatedCash>.Empty;

    public ImmutableDictionary<string, WriteOffRequest> WriteOffs { get; init; } = ImmutableDictionary<string, WriteOffRequest>.Empty;

    /// <summary>Which payment owns each allocation id, so an id can never be used by two payments.</summary>
    public ImmutableDictionary<string, string> AllocationOwners { get; init; } = ImmutableDictionary<string, string>.Empty;

    public IEnumerable<InvoiceState> InvoicesOf(string customerId) => Invoices.Values.Where(i => i.CustomerId == customerId);

    public IEnumerable<PaymentState> PaymentsOf(string customerId) => Payments.Values.Where(p => p.CustomerId == customerId);

    public InvoiceState? Invoice(string number) => Invoices.GetValueOrDefault(number);
}
