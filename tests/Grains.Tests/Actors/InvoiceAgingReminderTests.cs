using ArActors.Runtime;

namespace ArActors.Grains.Tests.Actors;

/// <summary>An invoice grain re-buckets itself by its own reminder on the day its bucket changes (account time zone).</summary>
public sealed class InvoiceAgingReminderTests
{
    private static readonly DateOnly Issued = new(2026, 1, 5);
    private static readonly DateOnly Due = new(2026, 1, 10);

    // Written from the policy's definition (Current <= 0 days past due, then 1-30, 31-60, 61-90, 91-120, 121+), not from AgingRules.
    private static string ExpectedBucket(DateOnly today)
    {
        var late = today.DayNumber - Due.DayNumber;
        return late <= 0 ? "Current" : late <= 30 ? "1-30" : late <= 60 ? "31-60" : late <= 90 ? "61-90" : late <= 120 ? "91-120" : "120+";
    }

    private static readonly (int DaysLate, string From, string To)[] Moves =
        [(1, "Current", "1-30"), (31, "1-30", "31-60"), (61, "31-60", "61-90"), (91, "61-90", "91-120"), (121, "91-120", "120+")];

    [Fact]
    public async Task Advancing_day_by_day_the_bucket_and_its_events_change_exactly_on_days_1_31_61_91_and_121_past_due()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var customer = LedgerCluster.NewId("AGE");
        await ledger.OpenAsync(customer);
        await ledger.IssueAsync(customer, "INV-1", 1_000m, Issued, Due);
        Assert.Equal("Current", (await ledger.Invoice(customer, "INV-1").Get())!.AgingBucket);

        for (var day = 1; day <= 140; day++)
        {
            await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(1));
            var today = ledger.Today();
            var expectedMoves = Moves.Where(m => Due.AddDays(m.DaysLate) <= today).ToList();

            var snapshot = (await ledger.Invoice(customer, "INV-1").Get())!;
            var moves = await ledger.BucketMovesAsync(customer);
            Assert.Equal(ExpectedBucket(today), snapshot.AgingBucket);
            Assert.Equal(expectedMoves.Select(m => (Due.AddDays(m.DaysLate), m.From, m.To, m.DaysLate)), moves.Select(m => (m.On, m.From, m.To, m.DaysPastDue)));
            Assert.All(moves, m => Assert.Equal(LedgerCluster.Usd(1_000m), m.OpenAmount));

            var summary = (await ledger.Account(customer).GetSummary())!;
            Assert.Equal(1_000m, summary.Buckets.Single(b => b.Bucket == ExpectedBucket(today)).Amount);
        }

        // The same moves went to the whole-ledger topic too.
        var ledgerTopic = (await ledger.TopicAsync(LedgerTopics.Ledger)).Count(e => e.EventType == nameof(InvoiceAgingBucketChanged) && e.SourceGrainKey == $"{customer}/INV-1");
        Assert.Equal(Moves.Length, ledgerTopic);
    }

    [Fact]
    public async Task The_move_happens_at_local_midnight_in_the_accounts_zone_also_across_daylight_saving_and_a_duplicate_tick_publishes_nothing()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var customer = LedgerCluster.NewId("TZ");
        await ledger.OpenAsync(customer, "America/New_York");
        await ledger.IssueAsync(customer, "INV-1", 500m, Issued, Due);
        var key = AccountGrain.InvoiceKey(customer, "INV-1");

        for (var i = 0; i < Moves.Length; i++)
        {
            var boundary = Due.AddDays(Moves[i].DaysLate);

            // New York midnight is 05:00 UTC in winter and 04:00 UTC after 8 March 2026 (the 91- and 121-day boundaries).
            var midnightUtc = new DateTimeOffset(boundary.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(boundary >= new DateOnly(2026, 3, 9) ? 4 : 5);
            await ledger.Cluster.AdvanceTimeAsync(midnightUtc.AddMinutes(-1) - ledger.Clock.GetUtcNow());
            Assert.Equal(i, (await ledger.BucketMovesAsync(customer)).Count);
            Assert.Equal(Moves[i].From, (await ledger.Invoice(customer, "INV-1").Get())!.AgingBucket);

            await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(1));
            var moves = await ledger.BucketMovesAsync(customer);
            Assert.Equal(i + 1, moves.Count);
            Assert.Equal((boundary, Moves[i].To), (moves[^1].On, moves[^1].To));
            Assert.Equal(Moves[i].To, (await ledger.Invoice(customer, "INV-1").Get())!.AgingBucket);

            // At-least-once delivery: the same tick again changes nothing and publishes nothing.
            var eventsBefore = (await ledger.TopicAsync(LedgerTopics.Account(customer))).Count;
            await ledger.Cluster.DeliverReminderAsync<IInvoiceGrain>(key, InvoiceGrain.AgingReminder,
                new TickStatus(midnightUtc, TimeSpan.FromDays(1), midnightUtc, midnightUtc, 1, IsCatchUp: false));
            Assert.Equal(eventsBefore, (await ledger.TopicAsync(LedgerTopics.Account(customer))).Count);
            Assert.Equal(Moves[i].To, (await ledger.Invoice(customer, "INV-1").Get())!.AgingBucket);
        }

        // In the last bucket there is no next boundary: the reminder is gone.
        Assert.Empty(await ledger.Cluster.Store.ReadForGrainAsync("invoice", key));
    }

    [Fact]
    public async Task A_paid_invoice_drops_its_reminder_and_stops_moving_and_a_reversal_that_reopens_it_resumes_aging()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var customer = LedgerCluster.NewId("PAID");
        await ledger.OpenAsync(customer);
        await ledger.IssueAsync(customer, "INV-1", 300m, Issued, Due);
        var key = AccountGrain.InvoiceKey(customer, "INV-1");
        Assert.Single(await ledger.Cluster.Store.ReadForGrainAsync("invoice", key));

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(3));
        await ledger.PayAsync(customer, "PAY-1", 300m, ledger.Today(), "INV-1");
        var paid = (await ledger.Invoice(customer, "INV-1").Get())!;
        Assert.Equal((InvoiceStatus.Paid, 0m), (paid.Status, paid.OpenAmount.Amount));
        Assert.Empty(await ledger.Cluster.Store.ReadForGrainAsync("invoice", key));

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(64));
        Assert.Empty(await ledger.BucketMovesAsync(customer));

        // Bounced on 13 March: open again, 62 days past due, so it moves from the bucket it had straight to 61-90.
        LedgerCluster.Accepted(await ledger.Account(customer).ReversePayment(new ReversePayment("PAY-1"), LedgerCluster.Collector));
        var reopened = (await ledger.Invoice(customer, "INV-1").Get())!;
        Assert.Equal(("61-90", 300m), (reopened.AgingBucket, reopened.OpenAmount.Amount));
        var move = Assert.Single(await ledger.BucketMovesAsync(customer));
        Assert.Equal(("Current", "61-90", ledger.Today()), (move.From, move.To, move.On));
        Assert.Single(await ledger.Cluster.Store.ReadForGrainAsync("invoice", key));

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(30));
        Assert.Equal("91-120", (await ledger.Invoice(customer, "INV-1").Get())!.AgingBucket);
        Assert.Equal(2, (await ledger.BucketMovesAsync(customer)).Count);
    }

    [Fact]
    public async Task When_the_account_moves_to_another_time_zone_its_invoices_move_at_the_new_local_midnight()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var customer = LedgerCluster.NewId("MOVE");
        var account = await ledger.OpenAsync(customer, "Europe/Berlin");
        await ledger.IssueAsync(customer, "INV-1", 100m, Issued, Due);

        LedgerCluster.Accepted(await account.UpdateProfile(new UpdateAccountProfile(LedgerCluster.Profile(customer, "America/Los_Angeles")), LedgerCluster.Collector));

        // Berlin's midnight of 11 January (23:00 UTC on the 10th) passes without a move; Los Angeles' (08:00 UTC on the 11th) moves it.
        await ledger.Cluster.AdvanceTimeAsync(new DateTimeOffset(2026, 1, 11, 7, 59, 0, TimeSpan.Zero) - ledger.Clock.GetUtcNow());
        Assert.Empty(await ledger.BucketMovesAsync(customer));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(1));
        var move = Assert.Single(await ledger.BucketMovesAsync(customer));
        Assert.Equal((new DateOnly(2026, 1, 11), "1-30"), (move.On, move.To));
    }
}
