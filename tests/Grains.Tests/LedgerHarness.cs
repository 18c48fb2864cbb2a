namespace ArActors.Grains.Tests;

/// <summary>Drives the pure ledger like a grain would: decide, fold, keep the history; refusals must change nothing.</summary>
internal sealed class LedgerHarness
{
    public static readonly DateOnly Day0 = new(2026, 1, 1);

    public LedgerState State { get; private set; } = LedgerState.Empty;

    public List<LedgerEvent> History { get; } = [];

    public static Money Usd(decimal amount) => new(amount, "USD");

    public static CommandContext As(ActorRole role, DateOnly? on = null, string? id = null) =>
        new(new Actor(id ?? role.ToString().ToLowerInvariant() + "-1", role), new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero), on ?? Day0, "test");

    public static AccountProfile Profile(string customerId, string currency = "USD") =>
        new(customerId, "Customer " + customerId, "DE", "Europe/Berlin", currency, PaymentTerms.Net(30), 10_000m,
            CustomerSegment.Corporate, "P1", "collector-1",
            [new Contact("Ann Payable", "AP clerk", "ap@example.com", "+49 30 1234", ContactChannel.Email, DoNotContact.Phone,
                [new InconvenientTime(DayOfWeek.Friday, new TimeOnly(12, 0), new TimeOnly(23, 59))])]);

    public ImmutableArray<LedgerEvent> Do(LedgerCommand command, CommandContext? context = null)
    {
        var outcome = LedgerRules.Handle(State, command, context ?? As(ActorRole.Collector));
        Assert.True(outcome.Error is null, $"{command.GetType().Name} was refused: {outcome.Error}");
        State = outcome.State;
        History.AddRange(outcome.Events);
        return outcome.Events;
    }

    public LedgerError Refuse(LedgerCommand command, CommandContext? context = null)
    {
        var before = LedgerFacts.From(State).Fingerprint();
        var outcome = LedgerRules.Handle(State, command, context ?? As(ActorRole.Collector));
        Assert.NotNull(outcome.Error);
        Assert.Empty(outcome.Events);
        Assert.Same(State, outcome.State);
        Assert.Equal(before, LedgerFacts.From(outcome.State).Fingerprint());
        return outcome.Error!;
    }

    public LedgerHarness Account(string customerId, string currency = "USD")
    {
        Do(new OpenAccount(Profile(customerId, currency)));
        return this;
    }

    public LedgerHarness Issue(string customerId, string number, decimal amount, DateOnly? issued = null, DateOnly? due = null, ExternalRefs? refs = null)
    {
        Do(new IssueInvoice(customerId, number, issued ?? Day0, Usd(amount), PaymentTerms.Net(30), due, refs));
        return this;
    }

    public ImmutableArray<LedgerEvent> Pay(string customerId, string paymentId, decimal amount, DateOnly? valueDate = null, params string[] refs) =>
        Do(new ReceivePayment(customerId, new Payment(paymentId, Usd(amount), valueDate ?? Day0, PaymentMethod.BankTransfer, [.. refs])));

    public InvoiceState Invoice(string number) => State.Invoices[number];

    public PaymentState Payment(string paymentId) => State.Payments[paymentId];

    public decimal Open(string number) => State.Invoices[number].OpenAmount.Amount;

    public void AssertNoViolations() => Assert.Empty(InvariantChecker.Check(State));
}

internal static class Dates
{
    public static DateOnly D(string isoDate) => DateOnly.ParseExact(isoDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
