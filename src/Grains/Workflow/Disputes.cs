namespace ArActors.Grains.Workflow;

public enum DisputeStatus
{
    Open,
    Resolved,
}

public enum DisputeOutcome
{
    /// <summary>The customer was right: a credit note for the agreed amount is issued through the ledger.</summary>
    Valid,

    /// <summary>The customer was not: the amount goes back to collections, with a note why.</summary>
    Invalid,
}

/// <summary>Who owns disputes of one reason code: the department, its lead (who gets the SLA escalation), and the SLA in days.</summary>
public sealed record DisputeRoute(string Reason, string Department, string Lead, int SlaDays);

/// <summary>
/// The resolution matrix: reason code -> owning department, its lead and SLA. Configurable (ArActors:Disputes:Routes);
/// <see cref="Default"/> until configured.
/// </summary>
public sealed record DisputeMatrix(ImmutableArray<DisputeRoute> Routes)
{
    public static DisputeMatrix Default { get; } = new(
    [
        new("pricing", "Pricing", "pricing-lead", 10),
        new("quantity", "Logistics", "logistics-lead", 7),
        new("damaged-goods", "Logistics", "logistics-lead", 7),
        new("not-delivered", "Logistics", "logistics-lead", 5),
        new("service", "Customer Service", "customer-service-lead", 5),
        new("contract-terms", "Sales", "sales-lead", 10),
        new("duplicate-billing", "Billing", "billing-lead", 3),
        new("tax", "Billing", "billing-lead", 5),
        new("other", "Customer Service", "customer-service-lead", 10),
    ]);

    public DisputeRoute? Route(string? reason) => Routes.FirstOrDefault(r => string.Equals(r.Reason, reason, StringComparison.Ordinal));

    /// <summary>The first problem with a configured matrix (reason codes unique and non-empty, department and lead named, SLA 1-365 days).</summary>
    public string? Problem()
    {
        if (Routes.IsDefaultOrEmpty)
        {
            return "The dispute matrix has no routes.";
        }

        for (var i = 0; i < Routes.Length; i++)
        {
            var route = Routes[i];
            if (string.IsNullOrWhiteSpace(route.Reason) || string.IsNullOrWhiteSpace(route.Department) || string.IsNullOrWhiteSpace(route.Lead))
            {
                return $"routes[{i}] needs a reason, a department and a lead.";
            }

            if (route.SlaDays is < 1 or > 365)
            {
                return $"routes[{i}].slaDays must be 1 to 365.";
            }

            if (Routes.Take(i).Any(r => r.Reason == route.Reason))
            {
                return $"routes[{i}].reason '{route.Reason}' is listed twice.";
            }
        }

        return null;
    }
}

/// <summary>Opens a dispute on an invoice for <see cref="Amount"/> (null = all of its undisputed open amount).</summary>
public sealed record OpenDispute(string Id, string InvoiceNumber, string ReasonCode, Money? Amount = null, string? Note = null);

/// <summary>Resolves a dispute: valid with a credit note for <see cref="CreditAmount"/> (null = the disputed amount), or invalid with a note.</summary>
public sealed record SettleDispute(string Id, DisputeOutcome Outcome, Money? CreditAmount = null, string? Note = null);

/// <summary>One dispute. The deadline is the day the SLA ends; escalated once, the day after it passes, if still open.</summary>
public sealed record Dispute(
    string Id,
    string CustomerId,
    string InvoiceNumber,
    Money Amount,
    string Reason,
    string Department,
    string Lead,
    DateOnly OpenedOn,
    DateOnly Deadline,
    Actor OpenedBy,
    string? Note)
{
    public DisputeStatus Status { get; init; } = DisputeStatus.Open;

    public DateOnly? EscalatedOn { get; init; }

    public DisputeOutcome? Outcome { get; init; }

    public DateOnly? ResolvedOn { get; init; }

    public Actor? ResolvedBy { get; init; }

    public Money? Credited { get; init; }

    public string? CreditId { get; init; }

    public string? ResolutionNote { get; init; }

    /// <summary>Days from opening to resolution; null while open.</summary>
    public int? CycleDays => ResolvedOn is { } resolved ? resolved.DayNumber - OpenedOn.DayNumber : null;
}

public sealed record DisputeOpened(Dispute Dispute);

public sealed record DisputeEscalated(Dispute Dispute, string To, DateOnly On, int DaysOverdue);

public sealed record DisputeResolved(Dispute Dispute);

/// <summary>Counts and cycle times of one reason code (one currency), for root-cause work.</summary>
public sealed record DisputeReasonSummary(
    string Reason,
    string Currency,
    int Count,
    int Open,
    int Valid,
    int Invalid,
    int Escalated,
    decimal Amount,
    decimal Credited,
    decimal? AverageCycleDays,
    int? MaxCycleDays);

/// <summary>Dispute rules. Pure.</summary>
public static class DisputeRules
{
    public const int MaxNote = 1000;

    /// <summary>The undisputed part of an invoice's open amount, given the amounts of its open disputes.</summary>
    public static Money Undisputed(InvoiceState invoice, IEnumerable<Dispute> open)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var disputed = open.Where(d => d.InvoiceNumber == invoice.Number && d.Status == DisputeStatus.Open).Sum(d => d.Amount.Amount);
        return new Money(Math.Max(0m, invoice.OpenAmount.Amount - disputed), invoice.Currency);
    }

    /// <summary>Validates an opening against the invoice and the other open disputes, and builds the dispute; or the error naming the field.</summary>
    public static Result<Dispute> Open(OpenDispute command, InvoiceState? invoice, IEnumerable<Dispute> disputes, DisputeMatrix matrix, Actor actor, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(actor);
        if (command is null)
        {
            return LedgerError.Of("body", ErrorCodes.Required, "The dispute is missing.");
        }

        if (string.IsNullOrWhiteSpace(command.Id) || command.Id.Length > 64 || command.Id.Contains('/', StringComparison.Ordinal))
        {
            return LedgerError.Of("disputeId", ErrorCodes.Invalid, "A dispute id is 1-64 characters without '/'.");
        }

        if (matrix.Route(command.ReasonCode) is not { } route)
        {
            return LedgerError.Of("reasonCode", ErrorCodes.Invalid,
                $"Unknown reason code '{command.ReasonCode}'; one of: {string.Join(", ", matrix.Routes.Select(r => r.Reason))}.");
        }

        if (invoice is null)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.UnknownInvoice, $"Invoice '{command.InvoiceNumber}' does not exist.");
        }

        if (!invoice.IsOpen)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.Invalid, $"Invoice '{invoice.Number}' has nothing open to dispute.");
        }

        if (command.Note is { Length: > MaxNote })
        {
            return LedgerError.Of("note", ErrorCodes.Invalid, $"A note is at most {MaxNote} characters.");
        }

        var undisputed = Undisputed(invoice, disputes);
        var amount = command.Amount ?? undisputed;
        if (amount.Currency != invoice.Currency)
        {
            return LedgerError.Of("amount.currency", ErrorCodes.CurrencyMismatch, $"Invoice '{invoice.Number}' is in {invoice.Currency}, not {amount.Currency}.");
        }

        if (!amount.IsPositive)
        {
            return command.Amount is null
                ? LedgerError.Of("invoiceNumber", ErrorCodes.Invalid, $"All that is open on invoice '{invoice.Number}' is already in dispute.")
                : LedgerError.Of("amount", ErrorCodes.NonPositiveAmount, "A dispute is for a positive amount.");
        }

        if (amount > undisputed)
        {
            return LedgerError.Of("amount", ErrorCodes.ExceedsOpenAmount, $"{amount} is more than the {undisputed} of invoice '{invoice.Number}' not yet in dispute.");
        }

        return new Dispute(command.Id, invoice.CustomerId, invoice.Number, amount, route.Reason, route.Department, route.Lead, today,
            today.AddDays(route.SlaDays), actor, string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim());
    }

    /// <summary>Whether a repeated opening asks for the same dispute (amount null = whatever the first one took).</summary>
    public static bool SameOpening(Dispute held, OpenDispute command) =>
        held.InvoiceNumber == command.InvoiceNumber && held.Reason == command.ReasonCode && (command.Amount is null || command.Amount == held.Amount);

    /// <summary>Validates a resolution and gives the resolved dispute (the credit is issued by the grain before it commits this).</summary>
    public static Result<Dispute> Resolve(Dispute dispute, SettleDispute command, Actor actor, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(dispute);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Note is { Length: > MaxNote })
        {
            return LedgerError.Of("note", ErrorCodes.Invalid, $"A note is at most {MaxNote} characters.");
        }

        var note = string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim();
        if (command.Outcome == DisputeOutcome.Invalid)
        {
            if (note is null)
            {
                return LedgerError.Of("note", ErrorCodes.Required, "An invalid dispute goes back to collections with a note saying why.");
            }

            if (command.CreditAmount is not null)
            {
                return LedgerError.Of("creditAmount", ErrorCodes.Invalid, "An invalid dispute issues no credit.");
            }

            return dispute with { Status = DisputeStatus.Resolved, Outcome = DisputeOutcome.Invalid, ResolvedOn = today, ResolvedBy = actor, ResolutionNote = note };
        }

        if (command.Outcome != DisputeOutcome.Valid)
        {
            return LedgerError.Of("outcome", ErrorCodes.Invalid, "The outcome is valid or invalid.");
        }

        var credit = command.CreditAmount ?? dispute.Amount;
        if (credit.Currency != dispute.Amount.Currency)
        {
            return LedgerError.Of("creditAmount.currency", ErrorCodes.CurrencyMismatch, $"The dispute is in {dispute.Amount.Currency}, not {credit.Currency}.");
        }

        if (!credit.IsPositive || credit > dispute.Amount)
        {
            return LedgerError.Of("creditAmount", ErrorCodes.Invalid, $"The agreed credit is positive and at most the disputed {dispute.Amount}.");
        }

        return dispute with
        {
            Status = DisputeStatus.Resolved, Outcome = DisputeOutcome.Valid, ResolvedOn = today, ResolvedBy = actor, ResolutionNote = note,
            Credited = credit, CreditId = CreditIdOf(dispute.Id),
        };
    }

    /// <summary>The ledger credit id of a valid dispute's credit note: the retry issues the same one, never a second.</summary>
    public static string CreditIdOf(string disputeId) => "dispute-" + disputeId;

    /// <summary>Open and not escalated, and the SLA's last day has passed.</summary>
    public static bool Overdue(Dispute dispute, DateOnly today) =>
        dispute.Status == DisputeStatus.Open && dispute.EscalatedOn is null && today > dispute.Deadline;

    /// <summary>The day an SLA check is next needed: the day after the earliest deadline of an open, unescalated dispute.</summary>
    public static DateOnly? NextCheck(IEnumerable<Dispute> disputes) =>
        disputes.Where(d => d.Status == DisputeStatus.Open && d.EscalatedOn is null).Select(d => (DateOnly?)d.Deadline.AddDays(1)).Min();

    /// <summary>Counts, amounts and cycle times per reason and currency, ordered by reason then currency.</summary>
    public static ImmutableArray<DisputeReasonSummary> Summarize(IEnumerable<Dispute> disputes) =>
    [
        .. disputes.GroupBy(d => (d.Reason, d.Amount.Currency)).OrderBy(g => g.Key.Reason, StringComparer.Ordinal).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g =>
            {
                var cycles = g.Select(d => d.CycleDays).OfType<int>().ToList();
                return new DisputeReasonSummary(
                    g.Key.Reason,
                    g.Key.Currency,
                    g.Count(),
                    g.Count(d => d.Status == DisputeStatus.Open),
                    g.Count(d => d.Outcome == DisputeOutcome.Valid),
                    g.Count(d => d.Outcome == DisputeOutcome.Invalid),
                    g.Count(d => d.EscalatedOn is not null),
                    g.Sum(d => d.Amount.Amount),
                    g.Sum(d => d.Credited?.Amount ?? 0m),
                    cycles.Count == 0 ? null : Math.Round((decimal)cycles.Sum() / cycles.Count, 2),
                    cycles.Count == 0 ? null : cycles.Max());
            }),
    ];
}
