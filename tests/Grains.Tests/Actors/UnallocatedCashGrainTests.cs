namespace ArActors.Grains.Tests.Actors;

/// <summary>Cash nobody could match waits in the suspense grain with its age until someone allocates it to an account.</summary>
public sealed class UnallocatedCashGrainTests
{
    private static readonly DateOnly Jan5 = new(2026, 1, 5);

    [Fact]
    public async Task Unidentified_cash_ages_in_the_queue_and_allocating_it_posts_it_to_the_account_once()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var c = LedgerCluster.NewId("UC");
        var other = LedgerCluster.NewId("UC");
        var account = await ledger.OpenAsync(c);
        await ledger.OpenAsync(other);
        await ledger.IssueAsync(c, "INV-1", 300m, Jan5, Jan5.AddDays(10));
        await ledger.IssueAsync(c, "INV-2", 100m, Jan5, Jan5.AddDays(20));
        var suspense = ledger.Suspense;
        var m = LedgerCluster.Collector;
        var cashId = LedgerCluster.NewId("CASH");
        var bounceId = LedgerCluster.NewId("CASH");

        LedgerCluster.Accepted(await suspense.Receive(new ReceiveUnidentifiedCash(new Payment(cashId, LedgerCluster.Usd(350m), Jan5, PaymentMethod.BankTransfer, ["unreadable"])), m));
        LedgerCluster.Accepted(await suspense.Receive(new ReceiveUnidentifiedCash(new Payment(bounceId, LedgerCluster.Usd(20m), Jan5.AddDays(1), PaymentMethod.Cheque, [])), m));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(3));

        var queued = (await suspense.List()).Where(e => e.Payment.PaymentId == cashId || e.Payment.PaymentId == bounceId).ToList();
        Assert.Equal([(cashId, 3), (bounceId, 2)], queued.Select(e => (e.Payment.PaymentId, e.AgeDays)));

        var unknown = await suspense.Allocate(new IdentifyCash(cashId, "NOBODY-" + c), m);
        Assert.Equal(("customerId", ErrorCodes.UnknownAccount), (unknown.Error!.Field, unknown.Error.Code));
        Assert.Contains(await suspense.List(), e => e.Payment.PaymentId == cashId);

        var posted = LedgerCluster.Accepted(await suspense.Allocate(new IdentifyCash(cashId, c), m));
        Assert.Equal([typeof(UnidentifiedCashIdentified), typeof(PaymentReceived), typeof(PaymentApplied), typeof(PaymentApplied)], posted.Events.Select(e => e.GetType()));
        Assert.DoesNotContain(await suspense.List(), e => e.Payment.PaymentId == cashId);

        // Oldest due first: 300 to INV-1, 50 to INV-2; the payment counts from the day it was identified.
        var state = await account.GetLedger();
        Assert.Equal((0m, 50m), (state.Invoices["INV-1"].OpenAmount.Amount, state.Invoices["INV-2"].OpenAmount.Amount));
        Assert.Equal(50m, (await ledger.Invoice(c, "INV-2").Get())!.OpenAmount.Amount);
        Assert.All(posted.Events.OfType<PaymentApplied>(), p => Assert.Equal(ledger.Today(), p.ValueDate));

        // Retried: nothing new. Elsewhere: refused, and the other account gets nothing.
        Assert.True(LedgerCluster.Accepted(await suspense.Allocate(new IdentifyCash(cashId, c), m)).Unchanged);
        var elsewhere = await suspense.Allocate(new IdentifyCash(cashId, other), m);
        Assert.Equal(("cashId", ErrorCodes.CashAlreadyIdentified), (elsewhere.Error!.Field, elsewhere.Error.Code));
        Assert.Empty((await ledger.Account(other).GetLedger()).Payments);
        Assert.Equal(ErrorCodes.CashAlreadyIdentified, (await suspense.Reverse(new ReversePayment(cashId), m)).Error!.Code);

        // Bounced while still in suspense: it leaves the queue without reaching any account.
        Assert.IsType<UnidentifiedCashReversed>(Assert.Single(LedgerCluster.Accepted(await suspense.Reverse(new ReversePayment(bounceId), m)).Events));
        Assert.DoesNotContain(await suspense.List(), e => e.Payment.PaymentId == bounceId);
        Assert.Equal(ErrorCodes.PaymentReversed, (await suspense.Allocate(new IdentifyCash(bounceId, c), m)).Error!.Code);

        // The queue cannot see account payment ids: cash carrying an id the account already uses is refused there, not merged.
        await ledger.PayAsync(other, "SAME-ID-" + c, 10m, Jan5);
        LedgerCluster.Accepted(await suspense.Receive(new ReceiveUnidentifiedCash(new Payment("SAME-ID-" + c, LedgerCluster.Usd(99m), Jan5, PaymentMethod.Card, [])), m));
        var clash = await suspense.Allocate(new IdentifyCash("SAME-ID-" + c, other), m);
        Assert.Equal(("cashId", ErrorCodes.DuplicatePayment), (clash.Error!.Field, clash.Error.Code));
        Assert.Equal(10m, (await ledger.Account(other).GetLedger()).Payments["SAME-ID-" + c].Payment.Amount.Amount);
        Assert.Contains(await suspense.List(), e => e.Payment.PaymentId == "SAME-ID-" + c);

        Assert.Empty(InvariantChecker.Check(await ledger.WholeLedgerAsync([c, other])));
    }
}
