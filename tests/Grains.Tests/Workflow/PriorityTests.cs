using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>The documented cases of the worklist priority score (Priority.Score).</summary>
public sealed class PriorityTests
{
    private static readonly DateOnly Today = new(2026, 3, 1);

    private static PriorityScore Score(decimal pastDue, int daysPastDue, CustomerSegment segment = CustomerSegment.Corporate, int broken = 0, int? disputeInDays = null, int? nextActionInDays = null) =>
        Priority.Score(new PriorityInputs(pastDue, pastDue > 0 ? Today.AddDays(-daysPastDue) : null, segment, broken,
            disputeInDays is { } d ? Today.AddDays(d) : null, nextActionInDays is { } n ? Today.AddDays(n) : null), Today);

    [Fact]
    public void Nothing_past_due_and_nothing_pending_scores_zero_and_is_not_listed()
    {
        var score = Score(0m, 0);

        Assert.Equal(PriorityScore.None, score);
        Assert.False(score.NeedsAction);
    }

    [Theory]
    [InlineData(9, 10)]        // floor(10 * log10(10)) = 10
    [InlineData(999, 30)]
    [InlineData(99_999, 50)]
    [InlineData(50_000_000, 50)] // capped
    public void Amount_points_are_ten_per_power_of_ten_capped_at_50(decimal amount, int points) =>
        Assert.Equal(points, Score(amount, 1).Amount);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(30, 10)]
    [InlineData(90, 30)]
    [InlineData(400, 40)]
    public void Age_points_are_one_per_three_days_of_the_oldest_past_due_invoice_capped_at_40(int days, int points) =>
        Assert.Equal(points, Score(100m, days).Age);

    [Fact]
    public void The_total_adds_amount_age_and_segment_risk()
    {
        // 1,000 past due for 60 days by a consumer: 30 + 20 + 10.
        var score = Score(999m, 60, CustomerSegment.Consumer);

        Assert.Equal(new PriorityScore(60, 30, 20, 0, 0, 10, 0), score);
    }

    [Fact]
    public void Each_broken_promise_adds_15_up_to_30()
    {
        Assert.Equal(Score(999m, 30).Total + 15, Score(999m, 30, broken: 1).Total);
        Assert.Equal(Score(999m, 30).Total + 30, Score(999m, 30, broken: 5).Total);
    }

    [Fact]
    public void A_dispute_deadline_within_two_days_or_passed_adds_15_and_alone_lists_the_account()
    {
        Assert.Equal(15, Score(999m, 30, disputeInDays: 2).Dispute);
        Assert.Equal(15, Score(999m, 30, disputeInDays: -4).Dispute);
        Assert.Equal(0, Score(999m, 30, disputeInDays: 3).Dispute);
        Assert.True(Score(0m, 0, disputeInDays: 1).NeedsAction);
    }

    [Fact]
    public void A_follow_up_planned_for_later_pushes_the_account_down_but_keeps_it_listed_and_one_due_today_lifts_it()
    {
        var plain = Score(99m, 3);

        var later = Score(99m, 3, nextActionInDays: 5);
        var dueToday = Score(99m, 3, nextActionInDays: 0);

        Assert.Equal(1, later.Total);                   // 20 + 1 + 4 - 30, kept at 1 while anything is past due
        Assert.Equal(plain.Total + 10, dueToday.Total);
        Assert.True(Score(0m, 0, nextActionInDays: 0).NeedsAction);
        Assert.False(Score(0m, 0, nextActionInDays: 3).NeedsAction);
    }

    [Fact]
    public void Segment_risk_ranks_consumer_over_broker_over_leasing_over_corporate()
    {
        var scores = new[] { CustomerSegment.Consumer, CustomerSegment.Broker, CustomerSegment.LeasingCompany, CustomerSegment.Corporate }
            .Select(s => Score(500m, 20, s).Total).ToList();

        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal(4, scores.Distinct().Count());
    }
}
