namespace ArActors.Grains.Workflow;

public enum PaymentPlanStatus
{
    Active,
    Completed,
    Broken,
}

public enum InstallmentStatus
{
    Pending,
    Kept,
    Missed,
}

public sealed record Installment(DateOnly Date, Money Amount);

/// <summary>
/// An installment schedule for some invoices of an account. Installment i is kept when payments from the day the plan
/// was made to its date + grace cover installments 1..i (cumulative, so an early or larger payment counts toward later
/// ones); missed otherwise, decided the day after. <see cref="MaxMissed"/> missed installments break the plan.
/// </summary>
public sealed record PaymentPlan(string Id, ImmutableArray<string> InvoiceNumbers, ImmutableArray<Installment> Installments, int GraceDays = 0, int MaxMissed = PaymentPlanRules.DefaultMaxMissed);

public sealed record InstallmentState(int Number, DateOnly Date, Money Amount, InstallmentStatus Status = InstallmentStatus.Pending, DateOnly? DecidedOn = null, decimal PaidTowards = 0m);

public sealed record PaymentPlanRecord(PaymentPlan Plan, DateOnly MadeOn, Actor MadeBy, ImmutableArray<InstallmentState> Installments)
{
    public PaymentPlanStatus Status { get; init; } = PaymentPlanStatus.Active;

    public DateOnly? EndedOn { get; init; }

    public int Missed => Installments.Count(i => i.Status == InstallmentStatus.Missed);
}

public sealed record PaymentPlanMade(string CustomerId, PaymentPlanRecord Plan);

public sealed record InstallmentKept(string CustomerId, string PlanId, int Number, Money Amount, DateOnly On);

public sealed record InstallmentMissed(string CustomerId, string PlanId, int Number, Money Amount, decimal PaidTowards, DateOnly On, int MissedSoFar);

public sealed record PaymentPlanBroken(string CustomerId, string PlanId, int Missed, DateOnly On);

public sealed record PaymentPlanCompleted(string CustomerId, string PlanId, DateOnly On);

/// <summary>Payment plan rules. Pure.</summary>
public static class PaymentPlanRules
{
    public const int DefaultMaxMissed = 2;
    public const int MaxInstallments = 60;
    public const int MaxDaysAhead = 3 * 366;

    /// <summary>The first problem with a new plan against the account's ledger and its active plans, naming the field.</summary>
    public static LedgerError? Validate(PaymentPlan plan, LedgerState ledger, AccountProfile account, IEnumerable<PaymentPlanRecord> active, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(account);
        if (plan is null)
        {
            return LedgerError.Of("body", ErrorCodes.Required, "The plan is missing.");
        }

        if (string.IsNullOrWhiteSpace(plan.Id) || plan.Id.Length > 64 || plan.Id.Contains('/', StringComparison.Ordinal))
        {
            return LedgerError.Of("id", ErrorCodes.Invalid, "A plan id is 1-64 characters without '/'.");
        }

        if (plan.GraceDays is < 0 or > PromiseRules.MaxGraceDays)
        {
            return LedgerError.Of("graceDays", ErrorCodes.Invalid, $"Grace is 0 to {PromiseRules.MaxGraceDays} days.");
        }

        if (plan.MaxMissed is < 1 or > 12)
        {
            return LedgerError.Of("maxMissed", ErrorCodes.Invalid, "A plan breaks after 1 to 12 missed installments.");
        }

        if (plan.InvoiceNumbers.IsDefaultOrEmpty)
        {
            return LedgerError.Of("invoiceNumbers", ErrorCodes.Required, "A plan names the invoices it is for.");
        }

        var planned = active.Where(p => p.Status == PaymentPlanStatus.Active).SelectMany(p => p.Plan.InvoiceNumbers).ToHashSet(StringComparer.Ordinal);
        var open = 0m;
        for (var i = 0; i < plan.InvoiceNumbers.Length; i++)
        {
            var number = plan.InvoiceNumbers[i];
            if (ledger.Invoice(number) is not { } invoice || invoice.CustomerId != account.CustomerId)
            {
                return LedgerError.Of($"invoiceNumbers[{i}]", ErrorCodes.UnknownInvoice, $"The account has no invoice '{number}'.");
            }

            if (!invoice.IsOpen || plan.InvoiceNumbers.Take(i).Contains(number, StringComparer.Ordinal))
            {
                return LedgerError.Of($"invoiceNumbers[{i}]", ErrorCodes.Invalid, $"Invoice '{number}' has nothing open to plan or is listed twice.");
            }

            if (planned.Contains(number))
            {
                return LedgerError.Of($"invoiceNumbers[{i}]", ErrorCodes.Invalid, $"Invoice '{number}' is already in an active payment plan.");
            }

            open += invoice.OpenAmount.Amount;
        }

        if (plan.Installments.IsDefaultOrEmpty || plan.Installments.Length > MaxInstallments)
        {
            return LedgerError.Of("installments", ErrorCodes.Required, $"A plan has 1 to {MaxInstallments} installments.");
        }

        for (var i = 0; i < plan.Installments.Length; i++)
        {
            var installment = plan.Installments[i];
            if (installment.Amount is null || !installment.Amount.IsPositive)
            {
                return LedgerError.Of($"installments[{i}].amount", ErrorCodes.NonPositiveAmount, "An installment is a positive amount.");
            }

            if (installment.Amount.Currency != account.Currency)
            {
                return LedgerError.Of($"installments[{i}].amount.currency", ErrorCodes.CurrencyMismatch, $"The account is kept in {account.Currency}, not {installment.Amount.Currency}.");
            }

            if (installment.Date < today || installment.Date > today.AddDays(MaxDaysAhead) || (i > 0 && installment.Date <= plan.Installments[i - 1].Date))
            {
                return LedgerError.Of($"installments[{i}].date", ErrorCodes.Invalid, "Installment dates are from today, at most three years ahead, each after the one before.");
            }
        }

        var total = plan.Installments.Sum(i => i.Amount.Amount);
        return total != open
            ? LedgerError.Of("installments", ErrorCodes.Invalid, $"The installments add up to {total} {account.Currency}; the invoices have {open} {account.Currency} open.")
            : null;
    }

    public static PaymentPlanRecord Start(PaymentPlan plan, DateOnly today, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new PaymentPlanRecord(plan, today, actor, [.. plan.Installments.Select((i, n) => new InstallmentState(n + 1, i.Date, i.Amount))]);
    }

    /// <summary>Decides every pending installment whose date + grace has passed (or that is already covered), then breaks or completes the plan.</summary>
    public static PaymentPlanRecord Evaluate(PaymentPlanRecord record, IEnumerable<PaymentState> payments, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(payments);
        if (record.Status != PaymentPlanStatus.Active)
        {
            return record;
        }

        var plan = record.Plan;
        var paid = payments.Where(p => !p.Reversed && p.Payment.Amount.Currency == plan.Installments[0].Amount.Currency && p.Payment.ValueDate >= record.MadeOn).ToList();
        var next = record.Installments;
        var due = 0m;
        for (var i = 0; i < next.Length; i++)
        {
            var installment = next[i];
            due += installment.Amount.Amount;
            if (installment.Status != InstallmentStatus.Pending)
            {
                continue;
            }

            var deadline = installment.Date.AddDays(plan.GraceDays);
            var covered = paid.Where(p => p.Payment.ValueDate <= deadline).Sum(p => p.Payment.Amount.Amount);
            if (covered >= due && deadline < today)
            {
                next = next.SetItem(i, installment with { Status = InstallmentStatus.Kept, DecidedOn = today, PaidTowards = covered });
            }
            else if (deadline < today)
            {
                next = next.SetItem(i, installment with { Status = InstallmentStatus.Missed, DecidedOn = today, PaidTowards = covered });
            }
        }

        var decided = record with { Installments = next };
        return decided.Missed >= plan.MaxMissed ? decided with { Status = PaymentPlanStatus.Broken, EndedOn = today }
            : next.All(i => i.Status != InstallmentStatus.Pending) ? decided with { Status = PaymentPlanStatus.Completed, EndedOn = today }
            : decided;
    }

    /// <summary>The day the next decision is due: the day after the earliest pending installment's date + grace.</summary>
    public static DateOnly? NextDecision(IEnumerable<PaymentPlanRecord> plans) =>
        plans.Where(p => p.Status == PaymentPlanStatus.Active)
            .SelectMany(p => p.Installments.Where(i => i.Status == InstallmentStatus.Pending).Select(i => (DateOnly?)i.Date.AddDays(p.Plan.GraceDays + 1)))
            .Min();
}
