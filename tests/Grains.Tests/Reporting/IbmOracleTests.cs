using ArActors.Grains.Reporting;
using AgingBucket = ArActors.Grains.Reporting.AgingBucket;
using InvoiceIssued = ArActors.Grains.Reporting.InvoiceIssued;
using InvoiceSettled = ArActors.Grains.Reporting.InvoiceSettled;

namespace ArActors.Grains.Tests.Reporting;

/// <summary>
/// Figures from the reporting functions against a straightforward computation over the raw CSV rows, written here
/// without using the code under test, for every month end of 2012 and 2013.
/// </summary>
public sealed class IbmOracleTests
{
    private static readonly string[] _bucketLabels = ["Current", "1-30", "31-60", "61-90", "91-120", "120+"];

    public static TheoryData<int, int> MonthEnds()
    {
        var data = new TheoryData<int, int>();
        for (var year = 2012; year <= 2013; year++)
        {
            for (var month = 1; month <= 12; month++)
            {
                data.Add(year, month);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MonthEnds))]
    public void Open_ar_aging_and_dso_match_a_raw_replay(int year, int month)
    {
        var rows = IbmData.Rows;
        var start = new DateTime(year, month, 1);
        var end = start.AddMonths(1).AddDays(-1);
        var days = (end - start).Days + 1;

        // Oracle: replay of the raw rows.
        var open = rows.Where(r => r.InvoiceDate <= end && r.SettledDate > end).ToList();
        var openAr = open.Sum(r => r.Amount);
        var sales = rows.Where(r => r.InvoiceDate >= start && r.InvoiceDate <= end).Sum(r => r.Amount);
        var buckets = new decimal[6];
        foreach (var r in open)
        {
            var pastDue = (end - r.DueDate).Days;
            var index = pastDue <= 0 ? 0 : pastDue <= 30 ? 1 : pastDue <= 60 ? 2 : pastDue <= 90 ? 3 : pastDue <= 120 ? 4 : 5;
            buckets[index] += r.Amount;
        }

        var simpleDso = Math.Round(openAr / sales * days, 2, MidpointRounding.AwayFromZero);
        var bestPossible = Math.Round(buckets[0] / sales * days, 2, MidpointRounding.AwayFromZero);
        var countBack = OracleCountBack(rows, end, openAr);

        // Under test.
        var period = ReportingPeriod.Month(year, month);
        var items = IbmData.Items;
        var aging = AgingFigures.AsOf(items, period.End);

        Assert.Equal(openAr, Receivables.OpenAr(items, period.End));
        Assert.Equal(openAr, aging.Total);
        Assert.Equal(_bucketLabels, aging.Buckets.Select(b => b.Label));
        Assert.Equal(buckets, aging.Buckets.Select(b => b.Amount));
        Assert.Equal(open.Count, aging.Buckets.Sum(b => b.Count));
        Assert.Equal(simpleDso, Dso.Simple(items, period));
        Assert.Equal(bestPossible, Dso.BestPossible(items, period));
        Assert.Equal(countBack, Dso.CountBack(items, period));
    }

    [Fact]
    public void Average_days_late_over_all_invoices_equals_the_mean_of_the_days_late_column()
    {
        var expected = Math.Round(IbmData.Rows.Average(r => (decimal)r.DaysLate), 2, MidpointRounding.AwayFromZero);

        Assert.Equal(expected, PaymentBehaviour.AverageDaysLate(IbmData.Items));
    }

    [Fact]
    public void Percent_paid_on_time_matches_the_count_of_zero_days_late()
    {
        var rows = IbmData.Rows;
        var expected = Math.Round(rows.Count(r => r.DaysLate == 0) * 100m / rows.Count, 2, MidpointRounding.AwayFromZero);

        Assert.Equal(2466, rows.Count);
        Assert.Equal(877, rows.Count(r => r.DaysLate > 0));
        Assert.Equal(expected, PaymentBehaviour.PercentPaidOnTime(IbmData.Items));
    }

    [Fact]
    public void The_file_agrees_with_its_own_date_columns()
    {
        Assert.All(IbmData.Rows, r =>
        {
            Assert.Equal((r.SettledDate - r.InvoiceDate).Days, r.DaysToSettle);
            Assert.Equal(Math.Max(0, (r.SettledDate - r.DueDate).Days), r.DaysLate);
        });
    }

    /// <summary>Walks calendar months back from the month of <paramref name="end"/> to January 2012.</summary>
    private static decimal? OracleCountBack(IReadOnlyList<IbmRow> rows, DateTime end, decimal openAr)
    {
        var remaining = openAr;
        var total = 0m;
        for (var monthStart = new DateTime(end.Year, end.Month, 1); monthStart >= new DateTime(2012, 1, 1); monthStart = monthStart.AddMonths(-1))
        {
            var monthEnd = monthStart.AddMonths(1).AddDays(-1);
            var monthDays = DateTime.DaysInMonth(monthStart.Year, monthStart.Month);
            var sales = rows.Where(r => r.InvoiceDate >= monthStart && r.InvoiceDate <= monthEnd).Sum(r => r.Amount);
            if (remaining <= sales)
            {
                return Math.Round(total + remaining / sales * monthDays, 2, MidpointRounding.AwayFromZero);
            }

            remaining -= sales;
            total += monthDays;
        }

        return null;
    }
}
