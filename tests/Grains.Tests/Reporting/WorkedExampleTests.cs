using ArActors.Grains.Reporting;
using AgingBucket = ArActors.Grains.Reporting.AgingBucket;
using InvoiceIssued = ArActors.Grains.Reporting.InvoiceIssued;
using InvoiceSettled = ArActors.Grains.Reporting.InvoiceSettled;

namespace ArActors.Grains.Tests.Reporting;

/// <summary>Each test is a worked example in docs/metrics.md, with the same numbers.</summary>
public sealed class WorkedExampleTests
{
    private static readonly DateOnly _asOf = new(2024, 3, 31);

    [Fact]
    public void Simple_dso_is_ending_ar_over_sales_times_days()
    {
        Assert.Equal(40.00m, Dso.Simple(120_000m, 90_000m, 30));
    }

    [Fact]
    public void Simple_dso_without_credit_sales_is_undefined()
    {
        Assert.Null(Dso.Simple(120_000m, 0m, 30));
    }

    [Fact]
    public void Best_possible_dso_and_average_days_delinquent()
    {
        var bpdso = Dso.BestPossible(60_000m, 90_000m, 30);
        Assert.Equal(20.00m, bpdso);
        Assert.Equal(20.00m, Dso.AverageDaysDelinquent(Dso.Simple(120_000m, 90_000m, 30), bpdso));
    }

    [Fact]
    public void Count_back_dso_walks_months_newest_first()
    {
        var months = new[]
        {
            new MonthSales(ReportingPeriod.Month(2024, 3), 50_000m),
            new MonthSales(ReportingPeriod.Month(2024, 2), 40_000m),
            new MonthSales(ReportingPeriod.Month(2024, 1), 60_000m),
        };
        // 31 (March) + 29 (February 2024) + 30,000 / 60,000 x 31 (January) = 75.5
        Assert.Equal(75.50m, Dso.CountBack(120_000m, months));
    }

    [Fact]
    public void Count_back_dso_is_undefined_when_history_runs_out()
    {
        Assert.Null(Dso.CountBack(120_000m, [new MonthSales(ReportingPeriod.Month(2024, 3), 50_000m)]));
    }

    [Fact]
    public void Cei_example()
    {
        // (100,000 + 90,000 - 120,000) / (100,000 + 90,000 - 60,000) = 70,000 / 130,000
        Assert.Equal(53.85m, Cei.Compute(100_000m, 90_000m, 120_000m, 60_000m));
    }

    [Fact]
    public void Cei_with_zero_denominator_is_undefined_not_zero_or_hundred()
    {
        Assert.Null(Cei.Compute(0m, 0m, 0m, 0m));
        Assert.Null(Cei.Compute(10_000m, 0m, 10_000m, 10_000m));
    }

    [Fact]
    public void Aging_example_puts_the_due_date_in_current()
    {
        var items = new[]
        {
            Item("A", new DateOnly(2024, 4, 10), 100m),
            Item("B", new DateOnly(2024, 3, 31), 50m),
            Item("C", new DateOnly(2024, 3, 1), 200m),
            Item("D", new DateOnly(2024, 1, 30), 300m),
            Item("E", new DateOnly(2023, 11, 1), 400m),
            Item("F", new DateOnly(2024, 3, 15), 999m) with { SettledDate = new DateOnly(2024, 3, 31) },
        };

        var report = AgingFigures.AsOf(items, _asOf);

        Assert.Equal([150m, 200m, 0m, 300m, 0m, 400m], report.Buckets.Select(b => b.Amount));
        Assert.Equal(1050m, report.Total);
        Assert.Equal(900m, report.PastDue);
        Assert.Equal(85.71m, AgingFigures.PastDuePercent(report));
    }

    [Fact]
    public void Past_due_percent_example()
    {
        var report = new AgingBreakdown(_asOf, [new("Current", 60_000m, 1), new("1-30", 60_000m, 1)]);
        Assert.Equal(50.00m, AgingFigures.PastDuePercent(report));
    }

    [Fact]
    public void Average_days_late_counts_on_time_invoices_as_zero()
    {
        var due = new DateOnly(2024, 1, 31);
        var items = new[] { 0, 10, 20, -5 }
            .Select((late, i) => Item($"I{i}", due, 100m) with { SettledDate = due.AddDays(late) })
            .Append(Item("open", due, 100m))
            .ToList();

        Assert.Equal(7.50m, PaymentBehaviour.AverageDaysLate(items));
        Assert.Equal(15.00m, PaymentBehaviour.AverageDaysLateOfLateInvoices(items));
        Assert.Equal(50.00m, PaymentBehaviour.PercentPaidOnTime(items));
    }

    [Fact]
    public void Promise_kept_rate_counts_matured_promises_only()
    {
        var d = new DateOnly(2024, 3, 20);
        var promises = new[]
        {
            new PromiseRecord("P1", "C1", "K1", d, 1_000m, 1_000m),
            new PromiseRecord("P2", "C2", "K1", d, 500m, 600m),
            new PromiseRecord("P3", "C3", "K1", d, 800m, 799.99m),
            new PromiseRecord("P4", "C4", "K1", d, 200m, 200m),
            new PromiseRecord("P5", "C5", "K1", _asOf.AddDays(1), 300m, 0m),
        };

        Assert.Equal(75.00m, CollectionsActivity.PromiseKeptRate(promises, _asOf));
    }

    [Fact]
    public void Dispute_stats_by_reason()
    {
        var disputes = new[]
        {
            new DisputeRecord("D1", "I1", "Pricing", 100m, "USD", new DateOnly(2024, 3, 1), new DateOnly(2024, 3, 11)),
            new DisputeRecord("D2", "I2", "Pricing", 300m, "USD", new DateOnly(2024, 3, 1), new DateOnly(2024, 3, 21)),
            new DisputeRecord("D3", "I3", "Damaged goods", 50m, "USD", new DateOnly(2024, 3, 5), null),
        };

        var stats = CollectionsActivity.DisputesByReason(disputes);

        Assert.Equal(new DisputeStats("Damaged goods", 1, 1, 50m, null), stats[0]);
        Assert.Equal(new DisputeStats("Pricing", 2, 0, 400m, 15.00m), stats[1]);
    }

    [Fact]
    public void Cash_against_target_example()
    {
        Assert.Equal(new CashVersusTarget(95_000m, 100_000m, -5_000m, 95.00m), CollectionsActivity.CashAgainstTarget(95_000m, 100_000m));
        Assert.Null(CollectionsActivity.CashAgainstTarget(10m, 0m).PercentOfTarget);
    }

    [Fact]
    public void Unallocated_cash_by_age_example()
    {
        var receipts = new[]
        {
            new UnallocatedCashItem("R1", "C1", new DateOnly(2024, 3, 29), 100m, "USD"),
            new UnallocatedCashItem("R2", "C2", new DateOnly(2024, 3, 1), 200m, "USD"),
            new UnallocatedCashItem("R3", "C3", new DateOnly(2024, 1, 15), 300m, "USD"),
        };

        var byAge = CollectionsActivity.UnallocatedByAge(receipts, _asOf);

        Assert.Equal([100m, 200m, 0m, 300m], byAge.Select(b => b.Amount));
    }

    [Fact]
    public void Collector_performance_example()
    {
        var d = new DateOnly(2024, 3, 10);
        var activities = new[]
        {
            new CollectorActivity("K1", "A1", d, true, true),
            new CollectorActivity("K1", "A1", d.AddDays(1), false, false),
            new CollectorActivity("K1", "A2", d, true, false),
            new CollectorActivity("K2", "A3", d, false, false),
            new CollectorActivity("K2", "A3", new DateOnly(2024, 4, 1), true, true),
        };
        var cash = new[] { new CollectorCash("K1", d, 1_500m), new CollectorCash("K1", d, 500m), new CollectorCash("K2", d, 250m) };

        var perf = CollectionsActivity.CollectorPerformance(activities, cash, ReportingPeriod.Month(2024, 3));

        Assert.Equal(new CollectorPerformance("K1", 2, 3, 2, 1, 2_000m), perf[0]);
        Assert.Equal(new CollectorPerformance("K2", 1, 1, 0, 0, 250m), perf[1]);
    }

    [Fact]
    public void Conversion_uses_latest_rate_on_or_before_as_of()
    {
        var rates = new ExchangeRates("USD", [new ExchangeRate("EUR", new DateOnly(2024, 3, 1), 1.0850m), new ExchangeRate("EUR", new DateOnly(2024, 4, 1), 1.2000m)]);

        Assert.Equal(108.50m, rates.Convert(100m, "EUR", _asOf));
        Assert.Equal(100m, rates.Convert(100m, "USD", _asOf));
    }

    [Fact]
    public void Missing_exchange_rate_is_a_precise_error_not_one()
    {
        var rates = new ExchangeRates("USD", [new ExchangeRate("EUR", new DateOnly(2024, 3, 1), 1.0850m)]);

        var error = Assert.Throws<MissingExchangeRateException>(() => rates.ToReportingCurrency([Item("X", _asOf, 10m) with { Currency = "GBP" }], _asOf));
        Assert.Equal("No exchange rate GBP->USD effective on or before 2024-03-31.", error.Message);
        Assert.Equal("GBP", error.Currency);

        // A rate that only starts after the as-of date is missing too.
        Assert.Throws<MissingExchangeRateException>(() => rates.Convert(1m, "EUR", new DateOnly(2024, 2, 29)));
    }

    [Fact]
    public void Mixed_currencies_are_refused_instead_of_summed()
    {
        var items = new[] { Item("A", _asOf, 1m), Item("B", _asOf, 1m) with { Currency = "EUR" } };
        Assert.Throws<InvalidOperationException>(() => Receivables.OpenAr(items, _asOf));
    }

    [Fact]
    public void Grouping_by_a_key_selector_computes_the_figure_per_group()
    {
        var items = new[]
        {
            Item("A", new DateOnly(2024, 3, 1), 200m) with { Country = "DE" },
            Item("B", new DateOnly(2024, 4, 1), 100m) with { Country = "DE" },
            Item("C", new DateOnly(2024, 4, 1), 300m) with { Country = "FR" },
        };

        var byCountry = Grouping.By(items, i => i.Country!, g => AgingFigures.PastDuePercent(AgingFigures.AsOf(g, _asOf)));

        Assert.Equal([new GroupedFigure<string, decimal?>("DE", 66.67m), new GroupedFigure<string, decimal?>("FR", 0m)], byCountry);
    }

    [Fact]
    public void Custom_aging_buckets_must_tile_the_day_axis()
    {
        AgingBucket[] gap = [new("Current", 0, 0), new("2-30", 2, 30), new("31+", 31, null)];
        AgingBucket[] closed = [new("Current", 0, 0), new("1-30", 1, 30)];

        Assert.Throws<ArgumentException>(() => AgingFigures.AsOf([], _asOf, gap));
        Assert.Throws<ArgumentException>(() => AgingFigures.AsOf([], _asOf, closed));
    }

    private static ReceivableItem Item(string id, DateOnly due, decimal amount) =>
        new(id, "C-" + id, due.AddDays(-30), due, amount, "USD", null);
}
