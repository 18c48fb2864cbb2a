using System.Text.Json;
using LedgerInvoiceIssued = ArActors.Grains.Invoices.InvoiceIssued;

namespace ArActors.Grains.Reporting;

/// <summary>The dimensions reports group by. <see cref="All"/> is the whole book.</summary>
public static class ReportDimension
{
    public const string All = "all";
    public const string Portfolio = "portfolio";
    public const string Collector = "collector";
    public const string Segment = "segment";
    public const string Country = "country";
    public const string Currency = "currency";

    /// <summary>
    /// A team lead's team. Security scopes a team lead to the accounts whose portfolio equals their team claim (the API's
    /// account reads and the hub's portfolio topic), and no other team table exists, so the team of an account IS its
    /// portfolio: reports by team answer the portfolio figures under the team's name.
    /// </summary>
    public const string Team = "team";

    public static readonly IReadOnlyList<string> Groupable = [Portfolio, Collector, Segment, Country, Currency];

    /// <summary>What a report may group by: the stored dimensions and <see cref="Team"/>, read through <see cref="Stored"/>.</summary>
    public static readonly IReadOnlyList<string> Requestable = [Portfolio, Collector, Team, Segment, Country, Currency];

    /// <summary>The stored dimension a requested one reads.</summary>
    public static string Stored(string dimension) => dimension == Team ? Portfolio : dimension;

    /// <summary>The collector value of accounts nobody is assigned to.</summary>
    public const string Unassigned = "unassigned";
}

/// <summary>An account's reporting dimensions as its profile last said.</summary>
public sealed record AccountDimensions(string Portfolio, string Collector, string Segment, string Country)
{
    /// <summary>The account's currency; activities and promises count in its totals. Empty for rows folded before it was kept.</summary>
    public string Currency { get; init; } = "";

    public static AccountDimensions Of(AccountProfile profile) => new(
        profile.Portfolio,
        string.IsNullOrWhiteSpace(profile.AssignedCollector) ? ReportDimension.Unassigned : profile.AssignedCollector,
        JsonNamingPolicy.CamelCase.ConvertName(profile.Segment.ToString()),
        profile.Country)
    {
        Currency = profile.Currency,
    };

    public static readonly AccountDimensions Unknown = new("unknown", ReportDimension.Unassigned, "unknown", "unknown");

    public string ValueOf(string dimension, string currency) => dimension switch
    {
        ReportDimension.All => ReportDimension.All,
        ReportDimension.Portfolio => Portfolio,
        ReportDimension.Collector => Collector,
        ReportDimension.Segment => Segment,
        ReportDimension.Country => Country,
        ReportDimension.Currency => currency,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown report dimension."),
    };
}

/// <summary>
/// One invoice as the projection keeps it: enough to attribute a later payment, credit or reversal to the invoice's due
/// date and groups without a lookup, and to feed the cash forecast. Dimensions are the account's at issue.
/// </summary>
public sealed record IndexedInvoice(
    string CustomerId,
    string InvoiceNumber,
    DateOnly IssueDate,
    DateOnly DueDate,
    decimal Amount,
    string Currency,
    decimal Open,
    DateOnly? ClosedOn,
    bool PaidInFull,
    AccountDimensions Dimensions)
{
    /// <summary>When the open dispute on the invoice began and its reason; null while undisputed.</summary>
    public DateOnly? DisputedOn { get; init; }

    public string? DisputeReason { get; init; }

    /// <summary>The invoice as the pure KPI functions see it; only an invoice paid in full counts as settled.</summary>
    public ReceivableItem ToItem() => new(
        InvoiceNumber, CustomerId, IssueDate, DueDate, Amount, Currency, PaidInFull ? ClosedOn : null,
        Dimensions.Country, Dimensions.Segment, Dimensions.Portfolio, Dimensions.Collector);
}

/// <summary>A receipt as the projection keeps it: the day received, its amount and currency.</summary>
public sealed record IndexedReceipt(string CustomerId, string PaymentId, DateOnly ReceivedOn, decimal Amount, string Currency);

/// <summary>
/// The reporting projection's state: the outbox cursor it has folded up to, account dimensions, the invoice index and
/// <see cref="ReceivableTotals"/> per (dimension, value, currency). The projection stores cursor and state in one
/// write, so after a restart it resumes exactly after the last folded event (nothing counted twice or skipped).
/// </summary>
public sealed record ReportingState(
    long Cursor,
    ImmutableDictionary<string, AccountDimensions> Accounts,
    ImmutableDictionary<string, IndexedInvoice> Invoices,
    ImmutableDictionary<string, ReceivableTotals> Totals)
{
    /// <summary>Receipts by <see cref="ReceiptKey"/>: when received, how much, in which currency (for unallocated cash by age).</summary>
    public ImmutableDictionary<string, IndexedReceipt> Receipts { get; init; } = ImmutableDictionary<string, IndexedReceipt>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The account a receipt belongs to in the index; unidentified cash is kept under <see cref="UnidentifiedAccount"/>.</summary>
    public const string UnidentifiedAccount = "";

    public static string ReceiptKey(string? customerId, string paymentId) => (customerId ?? UnidentifiedAccount) + "/" + paymentId;

    /// <summary>The account list's directory, ordered by customer id (the list's stable order).</summary>
    public ImmutableSortedDictionary<string, DirectoryEntry> Directory { get; init; } =
        ImmutableSortedDictionary<string, DirectoryEntry>.Empty.WithComparers(StringComparer.Ordinal);

    public static ReportingState Empty { get; } = new(
        0,
        ImmutableDictionary<string, AccountDimensions>.Empty,
        ImmutableDictionary<string, IndexedInvoice>.Empty,
        ImmutableDictionary<string, ReceivableTotals>.Empty);

    public static string TotalsKey(string dimension, string value, string currency) => $"{dimension}|{value}|{currency}";

    /// <summary>Splits a totals key; the value sits between the first and the last separator, so it may contain one.</summary>
    public static (string Dimension, string Value, string Currency) ParseKey(string key)
    {
        var first = key.IndexOf('|', StringComparison.Ordinal);
        var last = key.LastIndexOf('|');
        return (key[..first], key[(first + 1)..last], key[(last + 1)..]);
    }

    /// <summary>Totals of one dimension: value -> its totals in each currency.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ReceivableTotals>> TotalsBy(string dimension) => TotalsOf(ReportDimension.Stored(dimension));

    private IReadOnlyDictionary<string, IReadOnlyList<ReceivableTotals>> TotalsOf(string dimension) =>
        Totals.Select(p => (Key: ParseKey(p.Key), Totals: p.Value))
            .Where(p => p.Key.Dimension == dimension)
            .GroupBy(p => p.Key.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ReceivableTotals>)g.Select(p => p.Totals).OrderBy(t => t.Currency, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

    /// <summary>Folds one committed ledger event at <paramref name="sequence"/>; events the figures do not use only move the cursor.</summary>
    public ReportingState Apply(LedgerEvent e, long sequence, string? disputeReason = null) =>
        ApplyToTotals(e, sequence, disputeReason).WithDirectory(this, e).WithUnallocated(e);

    /// <summary>
    /// Unallocated cash: a receipt adds its amount on the day it is booked (received, or identified), allocations take
    /// it off and reversed allocations put it back on their day; a reversed payment removes its unapplied rest, identified
    /// cash leaves the unidentified pool (and arrives on the account through its PaymentReceived).
    /// </summary>
    private ReportingState WithUnallocated(LedgerEvent e)
    {
        switch (e)
        {
            case PaymentReceived received when !Receipts.ContainsKey(ReceiptKey(e.CustomerId, received.Payment.PaymentId)):
                return Receipt(e.CustomerId, received.Payment.PaymentId, received.Payment.ValueDate, received.Payment.Amount, e.Effective);
            case UnidentifiedCashReceived cash when !Receipts.ContainsKey(ReceiptKey(null, cash.Payment.PaymentId)):
                return Receipt(null, cash.Payment.PaymentId, cash.ReceivedOn, cash.Payment.Amount, e.Effective);
            case PaymentApplied applied:
                return Unallocate(e.CustomerId, applied.PaymentId, e.Effective, -applied.Amount.Amount);
            case AllocationReversed reversed:
                return Unallocate(e.CustomerId, reversed.PaymentId, e.Effective, reversed.Amount.Amount);
            case PaymentReversed reversed:
                return Unallocate(e.CustomerId, reversed.PaymentId, e.Effective, -reversed.UnappliedRemoved.Amount);
            case UnidentifiedCashReversed reversed:
                return Unallocate(null, reversed.CashId, e.Effective, -reversed.Amount.Amount);
            case UnidentifiedCashIdentified identified when Receipts.TryGetValue(ReceiptKey(null, identified.CashId), out var pooled):
                return Unallocate(null, identified.CashId, e.Effective, -pooled.Amount);
            default:
                return this;
        }
    }

    private ReportingState Receipt(string? customerId, string paymentId, DateOnly receivedOn, Money amount, DateOnly on)
    {
        var receipt = new IndexedReceipt(customerId ?? UnidentifiedAccount, paymentId, receivedOn, amount.Amount, amount.Currency);
        var next = this with { Receipts = Receipts.SetItem(ReceiptKey(customerId, paymentId), receipt) };
        return next.Unallocate(customerId, paymentId, on, amount.Amount);
    }

    private ReportingState Unallocate(string? customerId, string paymentId, DateOnly on, decimal delta) =>
        delta == 0m || !Receipts.TryGetValue(ReceiptKey(customerId, paymentId), out var receipt)
            ? this
            : WithAccountTotals(customerId ?? UnidentifiedAccount, receipt.Currency, t => t.Unallocated(receipt.ReceivedOn, on < receipt.ReceivedOn ? receipt.ReceivedOn : on, delta));

    /// <summary>Keeps the account list's entry in step: profile and status, and the open amount an invoice event moved.</summary>
    private ReportingState WithDirectory(ReportingState before, LedgerEvent e)
    {
        switch (e)
        {
            case AccountOpened opened:
                return this with { Directory = Directory.SetItem(opened.Profile.CustomerId, DirectoryEntry.Of(opened.Profile, Directory.GetValueOrDefault(opened.Profile.CustomerId))) };
            case AccountProfileUpdated updated:
                return this with { Directory = Directory.SetItem(updated.Profile.CustomerId, DirectoryEntry.Of(updated.Profile, Directory.GetValueOrDefault(updated.Profile.CustomerId))) };
            case AccountStatusChanged changed when e.CustomerId is { } customer && Directory.TryGetValue(customer, out var entry):
                return this with { Directory = Directory.SetItem(customer, entry with { Status = changed.Status }) };
            case Grains.Invoices.InvoiceEvent invoiceEvent when e.CustomerId is { } customer && Directory.TryGetValue(customer, out var entry)
                && Invoices.TryGetValue(InvoiceKey(customer, invoiceEvent.InvoiceNumber), out var invoice):
            {
                var delta = invoice.Open - (before.Invoices.GetValueOrDefault(InvoiceKey(customer, invoiceEvent.InvoiceNumber))?.Open ?? 0m);
                return delta == 0m ? this : this with { Directory = Directory.SetItem(customer, entry.Open(invoice.Currency, invoice.DueDate, delta)) };
            }

            default:
                return this;
        }
    }

    private ReportingState ApplyToTotals(LedgerEvent e, long sequence, string? disputeReason)
    {
        var next = this with { Cursor = sequence };
        switch (e)
        {
            case AccountOpened opened:
                return next with { Accounts = Accounts.SetItem(opened.Profile.CustomerId, AccountDimensions.Of(opened.Profile)) };
            case AccountProfileUpdated updated:
                return next with { Accounts = Accounts.SetItem(updated.Profile.CustomerId, AccountDimensions.Of(updated.Profile)) };
            case LedgerInvoiceIssued issued when e.CustomerId is { } customer && !Invoices.ContainsKey(InvoiceKey(customer, issued.InvoiceNumber)):
            {
                var invoice = new IndexedInvoice(
                    customer, issued.InvoiceNumber, issued.IssueDate, issued.DueDate, issued.Amount.Amount, issued.Amount.Currency,
                    issued.Amount.Amount, null, false, Accounts.GetValueOrDefault(customer) ?? AccountDimensions.Unknown);
                return next.WithTotals(invoice, t => t.Issue(invoice.IssueDate, invoice.DueDate, invoice.Amount)) with
                {
                    Invoices = Invoices.SetItem(InvoiceKey(customer, issued.InvoiceNumber), invoice),
                };
            }

            case PaymentApplied applied:
                return next.Reduce(e.CustomerId, applied.InvoiceNumber, applied.ValueDate, applied.Amount.Amount, byPayment: true);
            case AllocationReversed reversed:
                return next.Reduce(e.CustomerId, reversed.InvoiceNumber, e.Effective, -reversed.Amount.Amount, byPayment: true);
            case InvoiceCredited credited:
                return next.Reduce(e.CustomerId, credited.InvoiceNumber, e.Effective, credited.Amount.Amount, byPayment: false);
            case InvoiceWrittenOff writtenOff:
                return next.Reduce(e.CustomerId, writtenOff.InvoiceNumber, e.Effective, writtenOff.Amount.Amount, byPayment: false);
            case InvoiceDisputed disputed when e.CustomerId is { } customer && Invoices.TryGetValue(InvoiceKey(customer, disputed.InvoiceNumber), out var invoice) && invoice.DisputedOn is null:
            {
                var reason = string.IsNullOrWhiteSpace(disputeReason) ? UnspecifiedReason : disputeReason;
                var opened = invoice with { DisputedOn = e.Effective, DisputeReason = reason };
                return next.WithTotals(invoice, t => t.Dispute(reason, e.Effective, new DisputeTally(1, invoice.Open, 0, 0))) with
                {
                    Invoices = Invoices.SetItem(InvoiceKey(customer, disputed.InvoiceNumber), opened),
                };
            }

            case InvoiceDisputeResolved resolved when e.CustomerId is { } customer && Invoices.TryGetValue(InvoiceKey(customer, resolved.InvoiceNumber), out var invoice) && invoice.DisputedOn is { } since:
            {
                var days = Math.Max(0, e.Effective.DayNumber - since.DayNumber);
                return next.WithTotals(invoice, t => t.Dispute(invoice.DisputeReason ?? UnspecifiedReason, e.Effective, new DisputeTally(0, 0m, 1, days))) with
                {
                    Invoices = Invoices.SetItem(InvoiceKey(customer, resolved.InvoiceNumber), invoice with { DisputedOn = null, DisputeReason = null }),
                };
            }

            case InvoiceCancelled cancelled when e.CustomerId is { } customer && Invoices.TryGetValue(InvoiceKey(customer, cancelled.InvoiceNumber), out var open):
                return next.Reduce(customer, cancelled.InvoiceNumber, e.Effective, open.Open, byPayment: false);
            default:
                return next;
        }
    }

    /// <summary>The reason of a dispute whose event names none.</summary>
    public const string UnspecifiedReason = "unspecified";

    /// <summary>A promise made, kept or broken on an account, counted in the account's current groups and the promise's currency.</summary>
    public ReportingState ApplyPromise(string customerId, string currency, DateOnly on, PromiseTally tally, long sequence) =>
        (this with { Cursor = sequence }).WithAccountTotals(customerId, currency, t => t.Promise(on, tally));

    /// <summary>An activity logged on an account: a contact unless it is a note; right-party when a call reached the right party.</summary>
    public ReportingState ApplyActivity(string customerId, DateOnly on, bool contact, bool rightParty, long sequence) =>
        Accounts.TryGetValue(customerId, out var account) && account.Currency.Length > 0
            ? (this with { Cursor = sequence }).WithAccountTotals(customerId, account.Currency, t => t.Activity(on, customerId, contact, rightParty))
            : this with { Cursor = sequence };

    public static string InvoiceKey(string customerId, string invoiceNumber) => customerId + "/" + invoiceNumber;

    private ReportingState WithAccountTotals(string customerId, string currency, Func<ReceivableTotals, ReceivableTotals> change)
    {
        var dimensions = Accounts.GetValueOrDefault(customerId) ?? AccountDimensions.Unknown;
        var totals = Totals;
        foreach (var dimension in ReportDimension.Groupable.Prepend(ReportDimension.All))
        {
            var key = TotalsKey(dimension, dimensions.ValueOf(dimension, currency), currency);
            totals = totals.SetItem(key, change(totals.GetValueOrDefault(key) ?? ReceivableTotals.Empty(currency)));
        }

        return this with { Totals = totals };
    }

    private ReportingState Reduce(string? customerId, string invoiceNumber, DateOnly date, decimal amount, bool byPayment)
    {
        if (customerId is null || !Invoices.TryGetValue(InvoiceKey(customerId, invoiceNumber), out var invoice) || amount == 0m)
        {
            return this;
        }

        // A reduction never counts before the invoice existed, or AR would dip below zero between the two dates.
        var on = date < invoice.IssueDate ? invoice.IssueDate : date;
        var open = invoice.Open - amount;
        var closes = invoice.Open > 0m && open <= 0m;
        var reopens = invoice.Open <= 0m && open > 0m;
        var state = WithTotals(invoice, t =>
        {
            var reduced = t.Reduce(invoice.DueDate, on, amount, closes ? 1 : reopens ? -1 : 0);
            if (byPayment)
            {
                reduced = reduced.Collect(date, amount);
            }

            if (closes && byPayment)
            {
                reduced = reduced.Settle(invoice.DueDate, on);
            }
            else if (reopens && invoice is { PaidInFull: true, ClosedOn: { } settled })
            {
                reduced = reduced.Unsettle(invoice.DueDate, settled);
            }

            return reduced;
        });
        var updated = invoice with
        {
            Open = open,
            ClosedOn = closes ? on : reopens ? null : invoice.ClosedOn,
            PaidInFull = closes ? byPayment : !reopens && invoice.PaidInFull,
        };
        return state with { Invoices = Invoices.SetItem(InvoiceKey(customerId, invoiceNumber), updated) };
    }

    private ReportingState WithTotals(IndexedInvoice invoice, Func<ReceivableTotals, ReceivableTotals> change)
    {
        var totals = Totals;
        foreach (var dimension in ReportDimension.Groupable.Prepend(ReportDimension.All))
        {
            var key = TotalsKey(dimension, invoice.Dimensions.ValueOf(dimension, invoice.Currency), invoice.Currency);
            totals = totals.SetItem(key, change(totals.GetValueOrDefault(key) ?? ReceivableTotals.Empty(invoice.Currency)));
        }

        return this with { Totals = totals };
    }
}
