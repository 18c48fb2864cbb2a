namespace ArActors.Grains.Invoices;

/// <summary>
/// One invoice (key "ACCOUNT/INVOICE", placed with its account). Holds the invoice's snapshot as its account last
/// pushed it and its own aging: a reminder fires at local midnight (account time zone) of the day the bucket changes,
/// the grain re-buckets, publishes InvoiceAgingBucketChanged once per move, and re-registers for the next boundary.
/// </summary>
public interface IInvoiceGrain : IGrainWithStringKey
{
    /// <summary>The account pushes the invoice after every committed change affecting it; older versions are ignored.</summary>
    Task<InvoiceSnapshot> Sync(InvoiceSync sync);

    /// <summary>Null until the account has pushed the invoice.</summary>
    [ReadOnly]
    Task<InvoiceSnapshot?> Get();

    /// <summary>The collections ladder's record: steps run (execution keys), pauses, next step date.</summary>
    [ReadOnly]
    Task<InvoiceWorkflow> GetWorkflow();

    /// <summary>Adds or replaces a pause of the ladder named by its id (a promise to pay, a plan, a manual hold), and re-plans.</summary>
    Task SetPause(LadderPause pause);
}

/// <summary>The invoice as its account committed it, with the account's time zone, change counter and owner topics (collector, portfolio).</summary>
public sealed record InvoiceSync(InvoiceState Invoice, string TimeZone, long Version, IReadOnlyList<string>? OwnerTopics = null, AccountProfile? Account = null);

/// <summary>What an invoice shows: its data, status, open amount and aging as of <see cref="AsOf"/>.</summary>
public sealed record InvoiceSnapshot(
    string Number,
    string CustomerId,
    DateOnly IssueDate,
    DateOnly DueDate,
    Money Amount,
    ExternalRefs Refs,
    InvoiceStatus Status,
    Money OpenAmount,
    DateOnly AsOf,
    int DaysPastDue,
    string AgingBucket,
    int EscalationStep,
    DateOnly? NextAgingBoundary)
{
    public static InvoiceSnapshot Of(InvoiceState invoice, DateOnly asOf, AgingPolicy policy) => new(
        invoice.Number,
        invoice.CustomerId,
        invoice.IssueDate,
        invoice.DueDate,
        invoice.Amount,
        invoice.Refs,
        invoice.Status,
        invoice.OpenAmount,
        asOf,
        invoice.DaysPastDue(asOf),
        invoice.Bucket(asOf, policy).Name,
        invoice.EscalationStep,
        invoice.NextAgingBoundary(asOf, policy));
}

/// <summary>Published (topics "ledger" and "account/{id}") on the day an open invoice enters another aging bucket.</summary>
public sealed record InvoiceAgingBucketChanged(string CustomerId, string InvoiceNumber, string From, string To, DateOnly On, int DaysPastDue, Money OpenAmount);
