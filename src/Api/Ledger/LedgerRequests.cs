using System.Collections.Immutable;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;

namespace ArActors.Api.Ledger;

// Wire contracts of the ledger API. Every property is nullable so that a missing field is reported by name
// (RequestValidator) instead of failing inside the JSON reader; the domain records are built only from valid input.

public sealed record TermsRequest(string? Kind, int? Days);

public sealed record InconvenientTimeRequest(DayOfWeek? Day, TimeOnly? From, TimeOnly? To);

public sealed record ContactRequest(
    string? Name,
    string? Role,
    string? Email,
    string? Phone,
    ContactChannel? PreferredChannel,
    DoNotContact? DoNotContact,
    IReadOnlyList<InconvenientTimeRequest>? InconvenientTimes);

public sealed record AccountRequest(
    string? CustomerId,
    string? Name,
    string? Country,
    string? TimeZone,
    string? Currency,
    TermsRequest? Terms,
    decimal? CreditLimit,
    CustomerSegment? Segment,
    string? Portfolio,
    string? AssignedCollector,
    IReadOnlyList<ContactRequest>? Contacts);

public sealed record AccountStatusRequest(AccountStatus? Status, string? Reason);

public sealed record InvoiceRequest(
    string? Number,
    DateOnly? IssueDate,
    DateOnly? DueDate,
    decimal? Amount,
    string? Currency,
    TermsRequest? Terms,
    ExternalRefs? Refs);

public sealed record PaymentRequest(
    string? PaymentId,
    decimal? Amount,
    string? Currency,
    DateOnly? ValueDate,
    PaymentMethod? Method,
    IReadOnlyList<string>? RemittanceRefs);

public sealed record AllocationRequest(string? AllocationId, string? InvoiceNumber, decimal? Amount, string? Currency, string? Reason);

public sealed record ReallocationRequest(string? NewAllocationId, string? ToInvoiceNumber, decimal? Amount, string? Currency, string? Reason);

public sealed record CreditRequest(string? CreditId, decimal? Amount, string? Currency, DateOnly? CreditDate, CreditKind? Kind, string? Reason);

public sealed record WriteOffRequest(string? WriteOffId, string? InvoiceNumber, decimal? Amount, string? Currency, string? Reason);

public sealed record ReasonRequest(string? Reason);

public sealed record IdentifyCashRequest(string? CustomerId, string? Reason);

/// <summary>An account as the API shows it: master data, status and the live summary.</summary>
public sealed record AccountView(AccountProfile Profile, AccountStatus Status, AccountSummary? Summary);

/// <summary>The answer to an accepted command: what was committed (empty for a retry) and the account afterwards.</summary>
/// <summary>Up to <see cref="LedgerEndpoints.MaxBatch"/> invoices of one account, each shaped like the single invoice POST.</summary>
public sealed record InvoiceBatchRequest(ImmutableArray<InvoiceRequest?>? Items);

/// <summary>What happened to one invoice of a batch: 201 issued, 200 unchanged (issued before with the same content), or the refusal's status, field and code.</summary>
public sealed record InvoiceBatchItem(int Index, string Number, int Status, string? Field = null, string? Code = null, string? Detail = null);

/// <summary>The answer to a batch: counts and one result per item, in the order sent.</summary>
public sealed record InvoiceBatchResponse(string CustomerId, int Issued, int Unchanged, int Refused, ImmutableArray<InvoiceBatchItem> Items);

public sealed record CommandResponse(bool Unchanged, ImmutableArray<LedgerEvent> Events, AccountSummary? Summary);

public sealed record InvoiceList(string CustomerId, ImmutableArray<InvoiceSnapshot> Items);

public sealed record HistoryList(string CustomerId, ImmutableArray<LedgerEvent> Items);

public sealed record UnallocatedCashList(ImmutableArray<UnallocatedCashEntry> Items, ImmutableSortedDictionary<string, decimal> TotalsByCurrency);
