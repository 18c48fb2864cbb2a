using ArActors.Grains.Reporting;
using ReportBucket = ArActors.Grains.Reporting.AgingBucket;

namespace ArActors.Grains.Tests.Reporting;

/// <summary>Reports bucket by the engine's configured aging policy, the same as the account views.</summary>
public sealed class ConfiguredBucketTests
{
    [Fact]
    public void The_default_policy_gives_the_reports_default_buckets()
    {
        Assert.Equal(AgingFigures.DefaultBuckets, AgingFigures.BucketsOf(AgingPolicy.Default));
    }

    [Fact]
    public void Configured_buckets_run_from_the_previous_end_plus_one_to_their_own_end()
    {
        var policy = new AgingPolicy(AgingBasis.DueDate, [new("Current", 0), new("1-15", 15), new("16-45", 45), new("46+", null)]);

        var buckets = AgingFigures.BucketsOf(policy);

        Assert.Equal<ReportBucket>([new("Current", 0, 0), new("1-15", 1, 15), new("16-45", 16, 45), new("46+", 46, null)], buckets);
    }

    [Fact]
    public void An_invoice_20_days_past_due_lands_in_the_configured_bucket_that_holds_day_20()
    {
        var policy = new AgingPolicy(AgingBasis.DueDate, [new("Current", 0), new("1-15", 15), new("16-45", 45), new("46+", null)]);
        var asOf = new DateOnly(2026, 3, 31);
        var items = new[] { new ReceivableItem("I-1", "C-1", new DateOnly(2026, 2, 9), asOf.AddDays(-20), 100m, "USD", null) };

        var breakdown = AgingFigures.AsOf(items, asOf, AgingFigures.BucketsOf(policy));

        Assert.Equal(100m, breakdown.AmountOf("16-45"));
        Assert.Equal(100m, breakdown.PastDue);
    }
}
