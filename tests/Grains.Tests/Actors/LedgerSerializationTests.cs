using System.Text.Json;

namespace ArActors.Grains.Tests.Actors;

/// <summary>Grains persist state and publish events as JSON; every ledger event type and both term kinds must survive a round trip.</summary>
public sealed class LedgerSerializationTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Every_concrete_ledger_event_type_is_registered_for_polymorphic_json()
    {
        var concrete = typeof(LedgerEvent).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LedgerEvent)) && !t.IsAbstract)
            .Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        var registered = typeof(LedgerEvent).GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), inherit: false)
            .Cast<System.Text.Json.Serialization.JsonDerivedTypeAttribute>()
            .Select(a => a.DerivedType.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(concrete, registered);
        Assert.Equal(20, concrete.Count);
    }

    [Fact]
    public void A_history_an_account_snapshot_and_its_head_round_trip_through_json_unchanged()
    {
        var harness = new LedgerHarness().Account("C1");
        harness.Issue("C1", "INV-1", 500m, refs: new ExternalRefs(Contract: "K-9"));
        harness.Do(new IssueInvoice("C1", "INV-2", LedgerHarness.Day0, LedgerHarness.Usd(80m), PaymentTerms.EndOfMonthPlus(15)));
        harness.Pay("C1", "PAY-1", 200m, null, "K-9");
        harness.Do(new RequestWriteOff("WO-1", "INV-1", LedgerHarness.Usd(250m)));
        harness.Do(new CreditInvoice("INV-2", "CN-1", LedgerHarness.Usd(5m), LedgerHarness.Day0, CreditKind.Adjustment));
        harness.Do(new ReceiveUnidentifiedCash(new Payment("CASH-1", LedgerHarness.Usd(9m), LedgerHarness.Day0, PaymentMethod.Cheque, ["?"])));

        var events = harness.History.Select(e => JsonSerializer.Deserialize<LedgerEvent>(JsonSerializer.Serialize<LedgerEvent>(e, Json), Json)!).ToList();
        Assert.Equal(harness.History.Select(e => e.GetType()), events.Select(e => e.GetType()));
        Assert.Equal(LedgerFacts.From(harness.State).Fingerprint(), LedgerFacts.From(LedgerRules.Fold(LedgerState.Empty, events)).Fingerprint());

        var state = new AccountSnapshot { Ledger = harness.State, Version = 7, Journaled = 9, Sequence = 41 };
        var back = JsonSerializer.Deserialize<AccountSnapshot>(JsonSerializer.Serialize(state, Json), Json)!;
        Assert.Equal(LedgerFacts.From(state.Ledger).Fingerprint(), LedgerFacts.From(back.Ledger).Fingerprint());
        Assert.Equal(PaymentTerms.EndOfMonthPlus(15).DueDate(LedgerHarness.Day0), back.Ledger.Invoices["INV-2"].DueDate);
        Assert.Equal(state.Ledger.Accounts["C1"].Terms, back.Ledger.Accounts["C1"].Terms);
        Assert.Equal(WriteOffStatus.Pending, back.Ledger.WriteOffs["WO-1"].Status);
        Assert.Equal((7L, 9L, 41L), (back.Version, back.Journaled, back.Sequence));

        var head = new AccountGrainState { Version = 7, Journaled = 9, UnsyncedInvoices = ["INV-2"] };
        var headBack = JsonSerializer.Deserialize<AccountGrainState>(JsonSerializer.Serialize(head, Json), Json)!;
        Assert.Equal((7L, 9L, "INV-2", (LedgerState?)null), (headBack.Version, headBack.Journaled, headBack.UnsyncedInvoices.Single(), headBack.Ledger));
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z")]
    [InlineData("Europe/Berlin", "2026-03-30", "2026-03-29T22:00:00Z")]
    [InlineData("America/New_York", "2026-11-01", "2026-11-01T04:00:00Z")]
    [InlineData("America/New_York", "2026-11-02", "2026-11-02T05:00:00Z")]
    [InlineData("America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z")] // clocks jump from 00:00 to 01:00: the day starts at 01:00 local
    [InlineData("Asia/Tokyo", "2026-01-09", "2026-01-08T15:00:00Z")]
    public void A_business_day_starts_at_local_midnight_or_the_first_local_time_that_exists(string zone, string date, string expectedUtc)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var start = BusinessCalendar.StartOfDay(day, zone);

        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), start);
        Assert.Equal(day, BusinessCalendar.Today(start, zone));
        Assert.Equal(day.AddDays(-1), BusinessCalendar.Today(start.AddTicks(-1), zone));
    }
}
