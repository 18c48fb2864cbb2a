namespace ArActors.Grains.Ledger;

/// <summary>What handling one command produced: the new state and its events, or the refusal (state unchanged).</summary>
public sealed record LedgerOutcome(LedgerState State, ImmutableArray<LedgerEvent> Events, LedgerError? Error)
{
    public bool Refused => Error is not null;
}

/// <summary>
/// The receivables ledger as pure functions: Decide(state, command, context) -> events or LedgerError, and
/// Evolve(state, event) -> state. A refused command yields no events, so nothing changes. Commands carrying ids
/// (invoice number, payment id, allocation id, credit id, write-off id) are idempotent: a retry decides to no events.
/// </summary>
public static class LedgerRules
{
    /// <summary>Decides and, when accepted, folds the events in: what a grain does per command before persisting.</summary>
    public static LedgerOutcome Handle(LedgerState state, LedgerCommand command, CommandContext context)
    {
        var decided = Decide(state, command, context);
        return decided.IsOk
            ? new LedgerOutcome(Fold(state, decided.Value), decided.Value, null)
            : new LedgerOutcome(state, [], decided.Error);
    }

    public static LedgerState Fold(LedgerState state, IEnumerable<LedgerEvent> events) => events.Aggregate(state, Evolve);

    public static Result<ImmutableArray<LedgerEvent>> Decide(LedgerState state, LedgerCommand command, CommandContext context)
    {
        if (Guard.Context(context) is { } contextError)
        {
            return contextError;
        }

        var draft = new Draft(state);
        var error = command switch
        {
            OpenAccount open => DecideOpenAccount(draft, open, context),
            UpdateAccountProfile update => DecideUpdateProfile(draft, update, context),
            ChangeAccountStatus change => DecideStatus(draft, change, context),
            ApplyAllocation or ReverseAllocation or WriteOffInvoice => LedgerError.Of("command", ErrorCodes.Invalid,
                $"{command.GetType().Name} is internal to the ledger; use AllocatePayment, DeallocatePayment or RequestWriteOff."),
            IssueInvoice issue => DecideIssue(draft, issue, context),
            InvoiceCommand invoiceCommand => draft.Add(InvoiceRules.Decide(state.Invoice(invoiceCommand.InvoiceNumber), invoiceCommand, context)),
            ReceivePayment receive => DecideReceive(draft, receive, context),
            ReceiveUnidentifiedCash cash => DecideUnidentified(draft, cash, context),
            IdentifyCash identify => DecideIdentify(draft, identify, context),
            AllocatePayment allocate => DecideAllocate(draft, allocate, context),
            DeallocatePayment deallocate => DecideDeallocate(draft, deallocate.PaymentId, deallocate.AllocationId, context),
            ReallocatePayment reallocate => DecideReallocate(draft, reallocate, context),
            ReversePayment reverse => DecideReversePayment(draft, reverse, context),
            RequestWriteOff request => DecideRequestWriteOff(draft, request, context),
            ApproveWriteOff approve => DecideApproveWriteOff(draft, approve, context),
            RejectWriteOff reject => DecideRejectWriteOff(draft, reject, context),
            _ => LedgerError.Of("command", ErrorCodes.Invalid, $"Unknown command {command.GetType().Name}."),
        };
        return error is null ? draft.Events.ToImmutableArray() : error;
    }

    public static LedgerState Evolve(LedgerState state, LedgerEvent @event)
    {
        switch (@event)
        {
            case AccountOpened opened:
                return state with { Accounts = state.Accounts.SetItem(opened.Profile.CustomerId, opened.Profile) };
            case AccountProfileUpdated updated:
                return state with { Accounts = state.Accounts.SetItem(updated.Profile.CustomerId, updated.Profile) };
            case AccountStatusChanged changed:
                return state with { Accounts = state.Accounts.SetItem(changed.CustomerId!, state.Accounts[changed.CustomerId!] with { Status = changed.Status }) };
            case InvoiceEvent invoiceEvent:
                var next = state with
                {
                    Invoices = state.Invoices.SetItem(invoiceEvent.InvoiceNumber, InvoiceRules.Evolve(state.Invoice(invoiceEvent.InvoiceNumber), invoiceEvent)),
                };
                return invoiceEvent switch
                {
                    PaymentApplied applied => (next with { AllocationOwners = next.AllocationOwners.SetItem(applied.AllocationId, applied.PaymentId) }).WithPayment(applied.PaymentId, p => p with
                    {
                        Unapplied = p.Unapplied - applied.Amount,
                        Allocations = p.Allocations.SetItem(applied.AllocationId,
                            new PaymentAllocation(applied.AllocationId, applied.InvoiceNumber, applied.Amount, Reversed: false)),
                    }),
                    AllocationReversed reversed => next.WithPayment(reversed.PaymentId, p => p with
                    {
                        Unapplied = p.Unapplied + reversed.Amount,
                        Allocations = p.Allocations.SetItem(reversed.AllocationId, p.Allocations[reversed.AllocationId] with { Reversed = true }),
                    }),
                    InvoiceWrittenOff writtenOff => next with
                    {
                        WriteOffs = next.WriteOffs.SetItem(writtenOff.WriteOffId,
                            (next.WriteOffs.GetValueOrDefault(writtenOff.WriteOffId)
                                ?? new WriteOffRequest(writtenOff.WriteOffId, writtenOff.CustomerId!, writtenOff.InvoiceNumber, writtenOff.Amount,
                                    writtenOff.ApprovedBy, WriteOffStatus.Applied)) with { Status = WriteOffStatus.Applied, DecidedBy = writtenOff.ApprovedBy }),
                    },
                    _ => next,
                };
            case PaymentReceived received:
                return state with
                {
                    Payments = state.Payments.SetItem(received.Payment.PaymentId,
                        new PaymentState(received.CustomerId!, received.Payment) { Unapplied = received.Payment.Amount }),
                };
            case PaymentReversed reversed:
                return state.WithPayment(reversed.PaymentId, p => p with { Reversed = true, Unapplied = Money.Zero(p.Payment.Amount.Currency) });
            case UnidentifiedCashReceived cash:
                return state with { UnallocatedCash = state.UnallocatedCash.SetItem(cash.Payment.PaymentId, new UnallocatedCash(cash.Payment, cash.ReceivedOn)) };
            case UnidentifiedCashIdentified identified:
                return state with
                {
                    UnallocatedCash = state.UnallocatedCash.SetItem(identified.CashId, state.UnallocatedCash[identified.CashId] with { IdentifiedAs = identified.AssignedTo }),
                };
            case UnidentifiedCashReversed bounced:
                return state with { UnallocatedCash = state.UnallocatedCash.SetItem(bounced.CashId, state.UnallocatedCash[bounced.CashId] with { Reversed = true }) };
            case WriteOffRequested requested:
                return state with
                {
                    WriteOffs = state.WriteOffs.SetItem(requested.WriteOffId,
                        new WriteOffRequest(requested.WriteOffId, requested.CustomerId!, requested.InvoiceNumber, requested.Amount, requested.Audit.Actor, WriteOffStatus.Pending)),
                };
            case WriteOffApproved approved:
                return state with { WriteOffs = state.WriteOffs.SetItem(approved.WriteOffId, state.WriteOffs[approved.WriteOffId] with { DecidedBy = approved.Audit.Actor }) };
            case WriteOffRejected rejected:
                return state with
                {
                    WriteOffs = state.WriteOffs.SetItem(rejected.WriteOffId,
                        state.WriteOffs[rejected.WriteOffId] with { Status = WriteOffStatus.Rejected, DecidedBy = rejected.Audit.Actor }),
                };
            default:
                throw new InvalidOperationException($"Unknown ledger event {@event.GetType().Name}.");
        }
    }

    private static LedgerState WithPayment(this LedgerState state, string paymentId, Func<PaymentState, PaymentState> change) =>
        state with { Payments = state.Payments.SetItem(paymentId, change(state.Payments[paymentId])) };

    private static LedgerError? DecideOpenAccount(Draft draft, OpenAccount open, CommandContext context)
    {
        if (open.Profile.Validate() is { } invalid)
        {
            return invalid;
        }

        if (draft.State.Accounts.TryGetValue(open.Profile.CustomerId, out var existing))
        {
            return SameProfile(existing, open.Profile) ? null
                : LedgerError.Of("customerId", ErrorCodes.DuplicateAccount, $"Account '{open.Profile.CustomerId}' already exists.");
        }

        return draft.Add(new AccountOpened(open.Profile) { CustomerId = open.Profile.CustomerId, Effective = context.On, Audit = context.Stamp });
    }

    private static LedgerError? DecideUpdateProfile(Draft draft, UpdateAccountProfile update, CommandContext context)
    {
        if (!draft.State.Accounts.TryGetValue(update.Profile.CustomerId, out var existing))
        {
            return LedgerError.UnknownAccount(update.Profile.CustomerId);
        }

        if (update.Profile.Validate() is { } invalid)
        {
            return invalid;
        }

        // Balances are kept in the account currency, so it is fixed once money has moved.
        var hasMoney = draft.State.InvoicesOf(existing.CustomerId).Any() || draft.State.PaymentsOf(existing.CustomerId).Any();
        if (hasMoney && update.Profile.Currency != existing.Currency)
        {
            return LedgerError.Of("currency", ErrorCodes.CurrencyMismatch,
                $"Account '{existing.CustomerId}' already has {existing.Currency} invoices or payments; its currency cannot become {update.Profile.Currency}.");
        }

        var profile = update.Profile with { Status = existing.Status };
        return SameProfile(existing, profile) ? null
            : draft.Add(new AccountProfileUpdated(profile) { CustomerId = profile.CustomerId, Effective = context.On, Audit = context.Stamp });
    }

    private static LedgerError? DecideStatus(Draft draft, ChangeAccountStatus change, CommandContext context)
    {
        if (!draft.State.Accounts.TryGetValue(change.CustomerId, out var account))
        {
            return LedgerError.UnknownAccount(change.CustomerId);
        }

        return account.Status == change.Status ? null
            : draft.Add(new AccountStatusChanged(change.Status) { CustomerId = change.CustomerId, Effective = context.On, Audit = context.Stamp });
    }

    private static LedgerError? DecideIssue(Draft draft, IssueInvoice issue, CommandContext context)
    {
        var existing = draft.State.Invoice(issue.InvoiceNumber);
        if (existing is null)
        {
            if (!draft.State.Accounts.TryGetValue(issue.CustomerId, out var account))
            {
                return LedgerError.UnknownAccount(issue.CustomerId);
            }

            if (account.Status == AccountStatus.Closed)
            {
                return LedgerError.Of("customerId", ErrorCodes.AccountClosed, $"Account '{issue.CustomerId}' is closed; it cannot be invoiced.");
            }

            if (Guard.SameCurrency(issue.Amount, account.Currency, "amount", $"account '{issue.CustomerId}'") is { } currency)
            {
                return currency;
            }
        }

        return draft.Add(InvoiceRules.Decide(existing, issue, context));
    }

    private static LedgerError? DecideReceive(Draft draft, ReceivePayment receive, CommandContext context)
    {
        var payment = receive.Payment;
        if (ValidatePayment(draft.State, payment) is { } invalid)
        {
            return invalid;
        }

        if (draft.State.Payments.TryGetValue(payment.PaymentId, out var known))
        {
            return known.CustomerId == receive.CustomerId && known.Payment == payment ? null : DuplicatePayment(payment.PaymentId);
        }

        if (draft.State.UnallocatedCash.ContainsKey(payment.PaymentId))
        {
            return DuplicatePayment(payment.PaymentId);
        }

        if (!draft.State.Accounts.TryGetValue(receive.CustomerId, out var account))
        {
            return LedgerError.UnknownAccount(receive.CustomerId);
        }

        if (Guard.SameCurrency(payment.Amount, account.Currency, "payment.amount", $"account '{receive.CustomerId}'") is { } currency)
        {
            return currency;
        }

        return draft.Add(new PaymentReceived(payment) { CustomerId = receive.CustomerId, Effective = payment.ValueDate, Audit = context.Stamp })
            ?? ApplyAutomatically(draft, receive.CustomerId, payment, payment.ValueDate, context);
    }

    private static LedgerError? ApplyAutomatically(Draft draft, string customerId, Payment payment, DateOnly effective, CommandContext context)
    {
        var plan = CashApplication.Plan(payment, draft.State.InvoicesOf(customerId));
        foreach (var line in plan.Lines)
        {
            var apply = new ApplyAllocation(line.InvoiceNumber, CashApplication.AllocationId(payment.PaymentId, line.InvoiceNumber), payment.PaymentId, line.Amount, effective);
            if (OwnedByAnother(draft.State, apply.AllocationId, payment.PaymentId) is { } taken)
            {
                return taken;
            }

            if (draft.Add(InvoiceRules.Decide(draft.State.Invoice(line.InvoiceNumber), apply, context)) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static LedgerError? DecideUnidentified(Draft draft, ReceiveUnidentifiedCash cash, CommandContext context)
    {
        if (ValidatePayment(draft.State, cash.Payment) is { } invalid)
        {
            return invalid;
        }

        if (draft.State.UnallocatedCash.TryGetValue(cash.Payment.PaymentId, out var known))
        {
            return known.Payment == cash.Payment ? null : DuplicatePayment(cash.Payment.PaymentId);
        }

        if (draft.State.Payments.ContainsKey(cash.Payment.PaymentId))
        {
            return DuplicatePayment(cash.Payment.PaymentId);
        }

        return draft.Add(new UnidentifiedCashReceived(cash.Payment, cash.Payment.ValueDate)
        {
            CustomerId = null,
            Effective = cash.Payment.ValueDate,
            Audit = context.Stamp,
        });
    }

    private static LedgerError? DecideIdentify(Draft draft, IdentifyCash identify, CommandContext context)
    {
        if (!draft.State.UnallocatedCash.TryGetValue(identify.CashId, out var cash))
        {
            return LedgerError.Of("cashId", ErrorCodes.UnknownCash, $"There is no unallocated cash '{identify.CashId}'.");
        }

        if (cash.Reversed)
        {
            return LedgerError.Of("cashId", ErrorCodes.PaymentReversed, $"Cash '{identify.CashId}' bounced; there is nothing to identify.");
        }

        if (cash.IdentifiedAs is { } already)
        {
            return already == identify.CustomerId ? null
                : LedgerError.Of("cashId", ErrorCodes.CashAlreadyIdentified, $"Cash '{identify.CashId}' was already identified to account '{already}'.");
        }

        if (!draft.State.Accounts.TryGetValue(identify.CustomerId, out var account))
        {
            return LedgerError.UnknownAccount(identify.CustomerId);
        }

        if (Guard.SameCurrency(cash.Payment.Amount, account.Currency, "cashId", $"account '{identify.CustomerId}'") is { } currency)
        {
            return currency;
        }

        // The cash is the account's (and pays invoices) from the day it is identified, never earlier: until then it was in suspense.
        var effective = Later(context.On, cash.ReceivedOn);
        return draft.Add(new UnidentifiedCashIdentified(identify.CashId, identify.CustomerId) { CustomerId = identify.CustomerId, Effective = effective, Audit = context.Stamp })
            ?? draft.Add(new PaymentReceived(cash.Payment) { CustomerId = identify.CustomerId, Effective = effective, Audit = context.Stamp })
            ?? ApplyAutomatically(draft, identify.CustomerId, cash.Payment, effective, context);
    }

    private static LedgerError? DecideAllocate(Draft draft, AllocatePayment allocate, CommandContext context)
    {
        if (FindPayment(draft.State, allocate.PaymentId) is not { } payment)
        {
            return UnknownPayment(draft.State, allocate.PaymentId);
        }

        if (string.IsNullOrWhiteSpace(allocate.AllocationId))
        {
            return LedgerError.Of("allocationId", ErrorCodes.Required, "A manual allocation needs an allocation id so a retry cannot apply it twice.");
        }

        if (allocate.AllocationId.Contains('/', StringComparison.Ordinal))
        {
            return LedgerError.Of("allocationId", ErrorCodes.Invalid, "Allocation ids containing '/' are reserved for automatic allocations (paymentId/invoiceNumber).");
        }

        if (OwnedByAnother(draft.State, allocate.AllocationId, allocate.PaymentId) is { } taken)
        {
            return taken;
        }

        if (payment.Allocations.TryGetValue(allocate.AllocationId, out var existing))
        {
            return existing.InvoiceNumber == allocate.InvoiceNumber && existing.Amount == allocate.Amount ? null
                : LedgerError.Of("allocationId", ErrorCodes.AllocationConflict,
                    $"Allocation '{allocate.AllocationId}' already put {existing.Amount} on invoice '{existing.InvoiceNumber}'.");
        }

        if (payment.Reversed)
        {
            return LedgerError.Of("paymentId", ErrorCodes.PaymentReversed, $"Payment '{allocate.PaymentId}' was reversed; it has no cash to allocate.");
        }

        if ((Guard.Positive(allocate.Amount, "amount") ?? Guard.SameCurrency(allocate.Amount, payment.Payment.Amount.Currency, "amount", $"payment '{allocate.PaymentId}'")) is { } invalid)
        {
            return invalid;
        }

        if (draft.State.Invoice(allocate.InvoiceNumber) is not { } invoice)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.UnknownInvoice, $"Invoice '{allocate.InvoiceNumber}' does not exist.");
        }

        if (invoice.CustomerId != payment.CustomerId)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.AccountMismatch,
                $"Invoice '{invoice.Number}' belongs to account '{invoice.CustomerId}', payment '{allocate.PaymentId}' to '{payment.CustomerId}'.");
        }

        if (allocate.Amount > payment.Unapplied)
        {
            return LedgerError.Of("amount", ErrorCodes.ExceedsPaymentUnapplied,
                $"{allocate.Amount} is more than the {payment.Unapplied} still unapplied on payment '{allocate.PaymentId}'.");
        }

        var apply = new ApplyAllocation(invoice.Number, allocate.AllocationId, payment.Payment.PaymentId, allocate.Amount, Later(context.On, payment.Payment.ValueDate));
        return draft.Add(InvoiceRules.Decide(invoice, apply, context));
    }

    private static LedgerError? DecideDeallocate(Draft draft, string paymentId, string allocationId, CommandContext context)
    {
        if (FindPayment(draft.State, paymentId) is not { } payment)
        {
            return UnknownPayment(draft.State, paymentId);
        }

        if (!payment.Allocations.TryGetValue(allocationId, out var allocation))
        {
            return LedgerError.Of("allocationId", ErrorCodes.UnknownAllocation, $"Payment '{paymentId}' has no allocation '{allocationId}'.");
        }

        return allocation.Reversed ? null
            : draft.Add(InvoiceRules.Decide(draft.State.Invoice(allocation.InvoiceNumber), new ReverseAllocation(allocation.InvoiceNumber, allocationId), context));
    }

    private static LedgerError? DecideReallocate(Draft draft, ReallocatePayment reallocate, CommandContext context)
    {
        if (FindPayment(draft.State, reallocate.PaymentId) is not { } payment)
        {
            return UnknownPayment(draft.State, reallocate.PaymentId);
        }

        if (!payment.Allocations.TryGetValue(reallocate.FromAllocationId, out var from))
        {
            return LedgerError.Of("fromAllocationId", ErrorCodes.UnknownAllocation, $"Payment '{reallocate.PaymentId}' has no allocation '{reallocate.FromAllocationId}'.");
        }

        return DecideDeallocate(draft, reallocate.PaymentId, reallocate.FromAllocationId, context)
            ?? DecideAllocate(draft, new AllocatePayment(reallocate.NewAllocationId, reallocate.PaymentId, reallocate.ToInvoiceNumber, reallocate.Amount ?? from.Amount), context);
    }

    private static LedgerError? DecideReversePayment(Draft draft, ReversePayment reverse, CommandContext context)
    {
        if (FindPayment(draft.State, reverse.PaymentId) is null && draft.State.UnallocatedCash.TryGetValue(reverse.PaymentId, out var cash))
        {
            // Cash still in suspense bounced: it leaves the unallocated pot; identified cash is reversed as the payment it became.
            return cash.Reversed ? null
                : draft.Add(new UnidentifiedCashReversed(cash.CashId, cash.Payment.Amount) { CustomerId = null, Effective = Later(context.On, cash.ReceivedOn), Audit = context.Stamp });
        }

        if (FindPayment(draft.State, reverse.PaymentId) is not { } payment)
        {
            return UnknownPayment(draft.State, reverse.PaymentId);
        }

        if (payment.Reversed)
        {
            return null;
        }

        foreach (var allocation in payment.Allocations.Values.Where(a => !a.Reversed).OrderBy(a => a.AllocationId, StringComparer.Ordinal))
        {
            if (draft.Add(InvoiceRules.Decide(draft.State.Invoice(allocation.InvoiceNumber), new ReverseAllocation(allocation.InvoiceNumber, allocation.AllocationId), context)) is { } error)
            {
                return error;
            }
        }

        return draft.Add(new PaymentReversed(reverse.PaymentId, payment.Payment.Amount)
        {
            CustomerId = payment.CustomerId,
            Effective = Later(context.On, payment.Payment.ValueDate),
            Audit = context.Stamp,
        });
    }

    private static LedgerError? DecideRequestWriteOff(Draft draft, RequestWriteOff request, CommandContext context)
    {
        if (string.IsNullOrWhiteSpace(request.WriteOffId))
        {
            return LedgerError.Of("writeOffId", ErrorCodes.Required, "A write-off needs an id.");
        }

        if (draft.State.WriteOffs.TryGetValue(request.WriteOffId, out var known))
        {
            return known.InvoiceNumber == request.InvoiceNumber && known.Amount == request.Amount ? null
                : LedgerError.Of("writeOffId", ErrorCodes.IdConflict, $"Write-off '{request.WriteOffId}' already exists for {known.Amount} on invoice '{known.InvoiceNumber}'.");
        }

        if (draft.State.Invoice(request.InvoiceNumber) is not { } invoice)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.UnknownInvoice, $"Invoice '{request.InvoiceNumber}' does not exist.");
        }

        if (Guard.Reducible(invoice, request.Amount, "amount") is { } invalid)
        {
            return invalid;
        }

        if (context.WriteOffPolicy.Covers(context.Actor.Role, request.Amount))
        {
            return draft.Add(InvoiceRules.Decide(invoice, new WriteOffInvoice(invoice.Number, request.WriteOffId, request.Amount, context.Actor), context));
        }

        // Above the requester's limit: nothing moves until someone whose limit covers it approves.
        return draft.Add(new WriteOffRequested(request.WriteOffId, invoice.Number, request.Amount) { CustomerId = invoice.CustomerId, Effective = context.On, Audit = context.Stamp });
    }

    private static LedgerError? DecideApproveWriteOff(Draft draft, ApproveWriteOff approve, CommandContext context)
    {
        if (PendingWriteOff(draft.State, approve.WriteOffId, context, out var request) is { } refused)
        {
            return refused;
        }

        if (request!.Status == WriteOffStatus.Applied)
        {
            return null;
        }

        if (request.Status == WriteOffStatus.Rejected)
        {
            return LedgerError.Of("writeOffId", ErrorCodes.WriteOffNotPending, $"Write-off '{approve.WriteOffId}' was rejected.");
        }

        return draft.Add(new WriteOffApproved(request.WriteOffId) { CustomerId = request.CustomerId, Effective = context.On, Audit = context.Stamp })
            ?? draft.Add(InvoiceRules.Decide(draft.State.Invoice(request.InvoiceNumber),
                new WriteOffInvoice(request.InvoiceNumber, request.WriteOffId, request.Amount, context.Actor), context));
    }

    private static LedgerError? DecideRejectWriteOff(Draft draft, RejectWriteOff reject, CommandContext context)
    {
        if (PendingWriteOff(draft.State, reject.WriteOffId, context, out var request) is { } refused)
        {
            return refused;
        }

        return request!.Status switch
        {
            WriteOffStatus.Rejected => null,
            WriteOffStatus.Applied => LedgerError.Of("writeOffId", ErrorCodes.WriteOffNotPending, $"Write-off '{reject.WriteOffId}' was already applied."),
            _ => draft.Add(new WriteOffRejected(request.WriteOffId) { CustomerId = request.CustomerId, Effective = context.On, Audit = context.Stamp }),
        };
    }

    private static LedgerError? PendingWriteOff(LedgerState state, string writeOffId, CommandContext context, out WriteOffRequest? request)
    {
        if (!state.WriteOffs.TryGetValue(writeOffId, out request))
        {
            return LedgerError.Of("writeOffId", ErrorCodes.UnknownWriteOff, $"There is no write-off request '{writeOffId}'.");
        }

        if (!context.WriteOffPolicy.MayDecide(context.Actor.Role, request.Amount))
        {
            return LedgerError.Of("actor", ErrorCodes.NotAuthorized,
                $"{context.Actor.Role} '{context.Actor.Id}' may not decide a write-off of {request.Amount}.");
        }

        return null;
    }

    private static LedgerError? OwnedByAnother(LedgerState state, string allocationId, string paymentId) =>
        state.AllocationOwners.TryGetValue(allocationId, out var owner) && owner != paymentId
            ? LedgerError.Of("allocationId", ErrorCodes.AllocationConflict, $"Allocation id '{allocationId}' already belongs to payment '{owner}'.")
            : null;

    /// <summary>Profiles compare by value, contacts included (immutable arrays compare by reference otherwise).</summary>
    private static bool SameProfile(AccountProfile a, AccountProfile b) =>
        a with { Contacts = ImmutableArray<Contact>.Empty } == b with { Contacts = ImmutableArray<Contact>.Empty }
        && a.Contacts.Length == b.Contacts.Length
        && a.Contacts.Zip(b.Contacts).All(pair =>
            pair.First with { InconvenientTimes = ImmutableArray<InconvenientTime>.Empty } == pair.Second with { InconvenientTimes = ImmutableArray<InconvenientTime>.Empty }
            && pair.First.InconvenientTimes.SequenceEqual(pair.Second.InconvenientTimes));

    private static LedgerError? ValidatePayment(LedgerState state, Payment payment) =>
        string.IsNullOrWhiteSpace(payment.PaymentId) ? LedgerError.Of("payment.paymentId", ErrorCodes.Required, "A payment needs an id.")
        : Guard.Positive(payment.Amount, "payment.amount");

    private static PaymentState? FindPayment(LedgerState state, string paymentId) => state.Payments.GetValueOrDefault(paymentId);

    private static LedgerError UnknownPayment(LedgerState state, string paymentId) =>
        LedgerError.Of("paymentId", ErrorCodes.UnknownPayment, state.UnallocatedCash.ContainsKey(paymentId)
            ? $"'{paymentId}' is unallocated cash; identify its account first."
            : $"Payment '{paymentId}' does not exist.");

    private static LedgerError DuplicatePayment(string paymentId) =>
        LedgerError.Of("payment.paymentId", ErrorCodes.DuplicatePayment, $"Payment id '{paymentId}' was already received with different details.");

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    /// <summary>Events decided so far and the state they lead to, so later steps of one command see earlier ones.</summary>
    private sealed class Draft(LedgerState state)
    {
        public LedgerState State { get; private set; } = state;

        public List<LedgerEvent> Events { get; } = [];

        public LedgerError? Add(LedgerEvent @event)
        {
            Events.Add(@event);
            State = Evolve(State, @event);
            return null;
        }

        public LedgerError? Add(Result<ImmutableArray<LedgerEvent>> decided)
        {
            if (!decided.IsOk)
            {
                return decided.Error;
            }

            foreach (var @event in decided.Value)
            {
                Add(@event);
            }

            return null;
        }
    }
}
