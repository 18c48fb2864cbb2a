namespace ArActors.Grains.Invoices;

/// <summary>
/// Pure rules for one invoice: Decide turns a command into events or refuses it (changing nothing); Evolve folds an
/// event into the state. A retried command whose id was already processed decides to no events.
/// </summary>
public static class InvoiceRules
{
    public static Result<ImmutableArray<LedgerEvent>> Decide(InvoiceState? state, InvoiceCommand command, CommandContext context)
    {
        if (Guard.Context(context) is { } contextError)
        {
            return contextError;
        }

        if (command is IssueInvoice issue)
        {
            return DecideIssue(state, issue, context);
        }

        if (state is null)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.UnknownInvoice, $"Invoice '{command.InvoiceNumber}' does not exist.");
        }

        return command switch
        {
            ApplyAllocation apply => DecideApply(state, apply, context),
            ReverseAllocation reverse => DecideReverse(state, reverse, context),
            CreditInvoice credit => DecideCredit(state, credit, context),
            WriteOffInvoice writeOff => DecideWriteOff(state, writeOff, context),
            CancelInvoice => DecideCancel(state, context),
            DisputeInvoice dispute => state.Disputed && state.DisputedAmount == dispute.Amount ? None
                : state.Cancelled ? Refuse.Cancelled(state)
                : !state.IsOpen ? LedgerError.Of("invoiceNumber", ErrorCodes.Invalid, $"Invoice '{state.Number}' has nothing open to dispute.")
                : dispute.Amount is { } part && Guard.Reducible(state, part, "amount") is { } partError ? partError
                : One(new InvoiceDisputed(state.Number, dispute.Amount) { CustomerId = state.CustomerId, Effective = context.On, Audit = context.Stamp }),
            ResolveDispute => !state.Disputed ? None
                : One(new InvoiceDisputeResolved(state.Number) { CustomerId = state.CustomerId, Effective = context.On, Audit = context.Stamp }),
            SetEscalationStep step => step.Step < 0
                ? LedgerError.Of("step", ErrorCodes.Invalid, "Escalation step cannot be negative.")
                : step.Step == state.EscalationStep ? None
                : One(new EscalationStepChanged(state.Number, step.Step) { CustomerId = state.CustomerId, Effective = context.On, Audit = context.Stamp }),
            _ => LedgerError.Of("command", ErrorCodes.Invalid, $"{command.GetType().Name} is not an invoice command."),
        };
    }

    public static InvoiceState Evolve(InvoiceState? state, InvoiceEvent @event)
    {
        if (@event is InvoiceIssued issued)
        {
            return new InvoiceState(issued.InvoiceNumber, issued.CustomerId!, issued.IssueDate, issued.DueDate, issued.Amount, issued.Refs)
            {
                OpenAmount = issued.Amount,
            };
        }

        var current = state ?? throw new InvalidOperationException($"{@event.GetType().Name} for invoice '{@event.InvoiceNumber}' before it was issued.");
        var next = @event switch
        {
            PaymentApplied applied => current with
            {
                OpenAmount = current.OpenAmount - applied.Amount,
                Allocations = current.Allocations.SetItem(applied.AllocationId,
                    new AppliedAllocation(applied.AllocationId, applied.PaymentId, applied.Amount, applied.ValueDate, Reversed: false)),
            },
            AllocationReversed reversed => current with
            {
                OpenAmount = current.OpenAmount + reversed.Amount,
                Allocations = current.Allocations.SetItem(reversed.AllocationId, current.Allocations[reversed.AllocationId] with { Reversed = true }),
            },
            InvoiceCredited credited => current with
            {
                OpenAmount = current.OpenAmount - credited.Amount,
                Credits = current.Credits.Add(credited.CreditId, credited.Amount),
            },
            InvoiceWrittenOff writtenOff => current with
            {
                OpenAmount = current.OpenAmount - writtenOff.Amount,
                WriteOffs = current.WriteOffs.Add(writtenOff.WriteOffId, writtenOff.Amount),
            },
            InvoiceCancelled => current with { Cancelled = true, OpenAmount = Money.Zero(current.Currency) },
            InvoiceDisputed disputed => current with { Disputed = true, DisputedAmount = disputed.Amount },
            InvoiceDisputeResolved => current with { Disputed = false, DisputedAmount = null },
            EscalationStepChanged step => current with { EscalationStep = step.Step },
            _ => throw new InvalidOperationException($"Unknown invoice event {@event.GetType().Name}."),
        };

        // Settlement date is when the open amount last reached zero (not by cancellation); reopening clears it.
        var settledOn = next.Cancelled ? null
            : next.OpenAmount.IsZero ? (current.OpenAmount.IsZero ? current.SettledOn : @event.Effective)
            : (DateOnly?)null;
        return next with { SettledOn = settledOn };
    }

    private static Result<ImmutableArray<LedgerEvent>> DecideIssue(InvoiceState? state, IssueInvoice issue, CommandContext context)
    {
        var dueDate = issue.DueDate ?? issue.Terms.DueDate(issue.IssueDate);
        var refs = issue.Refs ?? ExternalRefs.None;
        if (string.IsNullOrWhiteSpace(issue.InvoiceNumber))
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.Required, "An invoice needs a number.");
        }

        if (state is not null)
        {
            // A retried issue of the very same invoice is a no-op; anything else under that number is a duplicate.
            var same = state.CustomerId == issue.CustomerId && state.IssueDate == issue.IssueDate && state.DueDate == dueDate
                && state.Amount == issue.Amount && state.Refs == refs;
            return same ? None : LedgerError.Of("invoiceNumber", ErrorCodes.DuplicateInvoiceNumber, $"Invoice number '{issue.InvoiceNumber}' is already used.");
        }

        if (Guard.Positive(issue.Amount, "amount") is { } amountError)
        {
            return amountError;
        }

        if (dueDate < issue.IssueDate)
        {
            return LedgerError.Of("dueDate", ErrorCodes.Invalid, $"Due date {dueDate:yyyy-MM-dd} is before issue date {issue.IssueDate:yyyy-MM-dd}.");
        }

        return One(new InvoiceIssued(issue.InvoiceNumber, issue.IssueDate, dueDate, issue.Amount, refs)
        {
            CustomerId = issue.CustomerId,
            Effective = issue.IssueDate,
            Audit = context.Stamp,
        });
    }

    private static Result<ImmutableArray<LedgerEvent>> DecideApply(InvoiceState state, ApplyAllocation apply, CommandContext context)
    {
        if (state.Allocations.TryGetValue(apply.AllocationId, out var existing))
        {
            // Same allocation retried: already applied (or applied and since reversed); never apply it twice.
            return existing.PaymentId == apply.PaymentId && existing.Amount == apply.Amount
                ? None
                : LedgerError.Of("allocationId", ErrorCodes.AllocationConflict,
                    $"Allocation '{apply.AllocationId}' was already used for {existing.Amount} from payment '{existing.PaymentId}'.");
        }

        if (Guard.Payable(state, apply.Amount, "amount") is { } error)
        {
            return error;
        }

        return One(new PaymentApplied(state.Number, apply.AllocationId, apply.PaymentId, apply.Amount, apply.ValueDate)
        {
            CustomerId = state.CustomerId,
            Effective = apply.ValueDate,
            Audit = context.Stamp,
        });
    }

    private static Result<ImmutableArray<LedgerEvent>> DecideReverse(InvoiceState state, ReverseAllocation reverse, CommandContext context)
    {
        if (!state.Allocations.TryGetValue(reverse.AllocationId, out var allocation))
        {
            return LedgerError.Of("allocationId", ErrorCodes.UnknownAllocation, $"Allocation '{reverse.AllocationId}' was never applied to invoice '{state.Number}'.");
        }

        if (allocation.Reversed)
        {
            return None;
        }

        return One(new AllocationReversed(state.Number, allocation.AllocationId, allocation.PaymentId, allocation.Amount)
        {
            CustomerId = state.CustomerId,
            Effective = Later(context.On, allocation.ValueDate),
            Audit = context.Stamp,
        });
    }

    private static Result<ImmutableArray<LedgerEvent>> DecideCredit(InvoiceState state, CreditInvoice credit, CommandContext context)
    {
        if (state.Credits.TryGetValue(credit.CreditId, out var existing))
        {
            return existing == credit.Amount ? None
                : LedgerError.Of("creditId", ErrorCodes.IdConflict, $"Credit '{credit.CreditId}' was already issued for {existing}.");
        }

        if (Guard.Reducible(state, credit.Amount, "amount") is { } error)
        {
            return error;
        }

        // A credit counts from its date in as-of reports, so it may not predate the invoice or lie beyond today.
        if (credit.CreditDate < state.IssueDate || credit.CreditDate > context.On)
        {
            return LedgerError.Of("creditDate", ErrorCodes.Invalid,
                $"Credit date {credit.CreditDate:yyyy-MM-dd} must be between the issue date {state.IssueDate:yyyy-MM-dd} and today {context.On:yyyy-MM-dd}.");
        }

        return One(new InvoiceCredited(state.Number, credit.CreditId, credit.Amount, credit.Kind)
        {
            CustomerId = state.CustomerId,
            Effective = credit.CreditDate,
            Audit = context.Stamp,
        });
    }

    private static Result<ImmutableArray<LedgerEvent>> DecideWriteOff(InvoiceState state, WriteOffInvoice writeOff, CommandContext context)
    {
        if (state.WriteOffs.TryGetValue(writeOff.WriteOffId, out var existing))
        {
            return existing == writeOff.Amount ? None
                : LedgerError.Of("writeOffId", ErrorCodes.IdConflict, $"Write-off '{writeOff.WriteOffId}' was already booked for {existing}.");
        }

        if (Guard.Reducible(state, writeOff.Amount, "amount") is { } error)
        {
            return error;
        }

        return One(new InvoiceWrittenOff(state.Number, writeOff.WriteOffId, writeOff.Amount, writeOff.ApprovedBy)
        {
            CustomerId = state.CustomerId,
            Effective = context.On,
            Audit = context.Stamp,
        });
    }

    private static Result<ImmutableArray<LedgerEvent>> DecideCancel(InvoiceState state, CommandContext context)
    {
        if (state.Cancelled)
        {
            return None;
        }

        if (state.HasActivity)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.InvoiceHasActivity,
                $"Invoice '{state.Number}' has cash, credits or write-offs against it; reverse them before cancelling.");
        }

        return One(new InvoiceCancelled(state.Number) { CustomerId = state.CustomerId, Effective = context.On, Audit = context.Stamp });
    }

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    internal static ImmutableArray<LedgerEvent> None => [];

    internal static ImmutableArray<LedgerEvent> One(LedgerEvent @event) => [@event];
}

/// <summary>Checks shared by the invoice and account rules, each returning the refusal or null.</summary>
internal static class Guard
{
    public static LedgerError? Context(CommandContext context) =>
        string.IsNullOrWhiteSpace(context.Actor.Id) ? LedgerError.Of("actor", ErrorCodes.Required, "Every change needs an actor id.")
        : string.IsNullOrWhiteSpace(context.Reason) ? LedgerError.Of("reason", ErrorCodes.Required, "Every change needs a reason for the audit trail.")
        : null;

    public static LedgerError? Positive(Money amount, string field) =>
        amount.IsPositive ? null : LedgerError.Of(field, ErrorCodes.NonPositiveAmount, $"Amount must be positive, was {amount}.");

    public static LedgerError? SameCurrency(Money amount, string expected, string field, string what) =>
        amount.Currency == expected ? null
        : LedgerError.Of(field, ErrorCodes.CurrencyMismatch, $"{amount} does not match the {expected} currency of {what}.");

    /// <summary>Cash may go to an invoice that is neither cancelled nor written off, up to its open amount.</summary>
    public static LedgerError? Payable(InvoiceState invoice, Money amount, string field) =>
        Positive(amount, field)
        ?? SameCurrency(amount, invoice.Currency, field, $"invoice '{invoice.Number}'")
        ?? (invoice.Cancelled ? Refuse.Cancelled(invoice) : null)
        ?? (invoice.Status == InvoiceStatus.WrittenOff
            ? LedgerError.Of("invoiceNumber", ErrorCodes.InvoiceWrittenOff, $"Invoice '{invoice.Number}' is written off; it cannot take payments.")
            : null)
        ?? WithinOpen(invoice, amount, field);

    /// <summary>Credits and write-offs reduce an open amount and never below zero.</summary>
    public static LedgerError? Reducible(InvoiceState invoice, Money amount, string field) =>
        Positive(amount, field)
        ?? SameCurrency(amount, invoice.Currency, field, $"invoice '{invoice.Number}'")
        ?? (invoice.Cancelled ? Refuse.Cancelled(invoice) : null)
        ?? WithinOpen(invoice, amount, field);

    private static LedgerError? WithinOpen(InvoiceState invoice, Money amount, string field) =>
        amount > invoice.OpenAmount
            ? LedgerError.Of(field, ErrorCodes.ExceedsOpenAmount, $"{amount} is more than the {invoice.OpenAmount} open on invoice '{invoice.Number}'.")
            : null;
}

internal static class Refuse
{
    public static LedgerError Cancelled(InvoiceState invoice) =>
        LedgerError.Of("invoiceNumber", ErrorCodes.InvoiceCancelled, $"Invoice '{invoice.Number}' is cancelled.");
}
