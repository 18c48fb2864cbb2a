using static ArActors.Grains.Tests.Dates;

namespace ArActors.Grains.Tests.Aging;

public class AgingRulesTests
{
    private static readonly DateOnly Due = new(2026, 3, 31);
    private static readonly DateOnly Issued = new(2026, 3, 1);

    [Theory]
    [InlineData(-5, 0, "Current")]
    [InlineData(0, 0, "Current")]
    [InlineData(1, 1, "1-30")]
    [InlineData(30, 30, "1-30")]
    [InlineData(31, 31, "31-60")]
    [InlineData(60, 60, "31-60")]
    [InlineData(61, 61, "61-90")]
    [InlineData(90, 90, "61-90")]
    [InlineData(91, 91, "91-120")]
    [InlineData(120, 120, "91-120")]
    [InlineData(121, 121, "120+")]
    [InlineData(400, 400, "120+")]
    public void Bucket_by_due_date_at_each_boundary(int daysAfterDue, int expectedDaysPastDue, string expectedBucket)
    {
        var asOf = Due.AddDays(daysAfterDue);
        Assert.Equal(expectedDaysPastDue, AgingRules.DaysPastDue(Due, asOf));
        Assert.Equal(expectedBucket, AgingRules.BucketOf(Issued, Due, asOf, AgingPolicy.Default).Name);
    }

    [Theory]
    [InlineData(-5, "2026-04-01")]
    [InlineData(0, "2026-04-01")]
    [InlineData(1, "2026-05-01")]
    [InlineData(30, "2026-05-01")]
    [InlineData(31, "2026-05-31")]
    [InlineData(60, "2026-05-31")]
    [InlineData(61, "2026-06-30")]
    [InlineData(90, "2026-06-30")]
    [InlineData(91, "2026-07-30")]
    [InlineData(120, "2026-07-30")]
    public void Next_boundary_is_the_first_day_in_the_next_bucket(int daysAfterDue, string expected)
    {
        var asOf = Due.AddDays(daysAfterDue);
        var next = AgingRules.NextBoundaryDate(Issued, Due, asOf, AgingPolicy.Default);
        Assert.Equal(D(expected), next);
        var here = AgingRules.BucketOf(Issued, Due, asOf, AgingPolicy.Default);
        Assert.Equal(here, AgingRules.BucketOf(Issued, Due, next!.Value.AddDays(-1), AgingPolicy.Default));
        Assert.NotEqual(here, AgingRules.BucketOf(Issued, Due, next.Value, AgingPolicy.Default));
    }

    [Fact]
    public void In_the_last_bucket_there_is_no_next_boundary() =>
        Assert.Null(AgingRules.NextBoundaryDate(Issued, Due, Due.AddDays(121), AgingPolicy.Default));

    [Fact]
    public void Invoice_date_basis_ages_from_the_issue_date_with_configured_buckets()
    {
        var policy = new AgingPolicy(AgingBasis.InvoiceDate, [new AgingBucket("0-30", 30), new AgingBucket("31-60", 60), new AgingBucket("60+", null)]);
        Assert.Equal("0-30", AgingRules.BucketOf(Issued, Due, Issued.AddDays(30), policy).Name);
        Assert.Equal("31-60", AgingRules.BucketOf(Issued, Due, Issued.AddDays(31), policy).Name);
        Assert.Equal("60+", AgingRules.BucketOf(Issued, Due, Issued.AddDays(61), policy).Name);
        Assert.Equal(Issued.AddDays(31), AgingRules.NextBoundaryDate(Issued, Due, Issued, policy));
    }

    [Fact]
    public void Buckets_must_be_increasing_and_open_ended()
    {
        Assert.Throws<ArgumentException>(() => new AgingPolicy(AgingBasis.DueDate, [new AgingBucket("a", 30), new AgingBucket("b", 30), new AgingBucket("c", null)]));
        Assert.Throws<ArgumentException>(() => new AgingPolicy(AgingBasis.DueDate, [new AgingBucket("a", 30), new AgingBucket("b", 60)]));
    }

    [Fact]
    public void Invoice_reports_its_reminder_date_only_while_open()
    {
        var ledger = new LedgerHarness().Account("C1").Issue("C1", "I1", 100m, Issued, Due);
        Assert.Equal(new DateOnly(2026, 4, 1), ledger.Invoice("I1").NextAgingBoundary(Due, AgingPolicy.Default));
        Assert.Equal(31, ledger.Invoice("I1").DaysPastDue(Due.AddDays(31)));
        ledger.Pay("C1", "P1", 100m, Due, "I1");
        Assert.Null(ledger.Invoice("I1").NextAgingBoundary(Due, AgingPolicy.Default));
    }
}
