using ArActors.Grains.Reporting;
using Xunit.Abstractions;
using AgingBucket = ArActors.Grains.Reporting.AgingBucket;
using InvoiceIssued = ArActors.Grains.Reporting.InvoiceIssued;
using InvoiceSettled = ArActors.Grains.Reporting.InvoiceSettled;

namespace ArActors.Grains.Tests.Reporting;

public sealed class AggregatesAndForecastTests(ITestOutputHelper output)
{
    private static IEnumerable<ReportingPeriod> MonthsOf2012And2013() =>
        Enumerable.Range(0, 24).Select(i => ReportingPeriod.Month(2012 + i / 12, i % 12 + 1));

    [Fact]
    public void Aggregates_folded_from_events_give_the_same_figures_as_the_full_scan()
    {
        var items = IbmData.Items;
        // Order-independence: settlements first, then issues, newest first.
        var events = MonthlyAggregates.EventsOf(items).OrderBy(e => e is InvoiceIssued).ThenByDescending(e => e.DueDate).ToList();
        var aggregates = MonthlyAggregates.Fold(events);

        foreach (var month in MonthsOf2012And2013())
        {
            Assert.Equal(Receivables.CreditSales(items, month), aggregates.CreditSales(month));
            Assert.Equal(Receivables.OpenAr(items, month.End), aggregates.OpenArAtMonthEnd(month));
            Assert.Equal(AgingFigures.AsOf(items, month.End).Buckets, aggregates.AgingAtMonthEnd(month).Buckets);
            Assert.Equal(Dso.Simple(items, month), aggregates.SimpleDso(month));
            Assert.Equal(Dso.BestPossible(items, month), aggregates.BestPossibleDso(month));
            Assert.Equal(Dso.CountBack(items, month), aggregates.CountBackDso(month));
            Assert.Equal(Cei.Compute(items, month), aggregates.Cei(month));
        }
    }

    [Fact]
    public void Ibm_headline_figures_are_printed_and_consistent()
    {
        var items = IbmData.Items;
        foreach (var month in new[] { ReportingPeriod.Month(2012, 12), ReportingPeriod.Month(2013, 6), ReportingPeriod.Month(2013, 12) })
        {
            var aging = AgingFigures.AsOf(items, month.End);
            var dso = Dso.Simple(items, month);
            var bpdso = Dso.BestPossible(items, month);
            var add = Dso.AverageDaysDelinquent(dso, bpdso);
            output.WriteLine($"{month.End:yyyy-MM-dd}: open AR {aging.Total}, sales {Receivables.CreditSales(items, month)}, DSO {dso}, count-back {Dso.CountBack(items, month)}, BPDSO {bpdso}, ADD {add}, CEI {Cei.Compute(items, month)}, past due {AgingFigures.PastDuePercent(aging)}%");
            Assert.Equal(dso - bpdso, add);
            Assert.InRange(Cei.Compute(items, month)!.Value, 0m, 100m);
        }
    }

    [Fact]
    public void Aggregates_refuse_a_second_currency()
    {
        var state = MonthlyAggregates.Empty.Apply(new InvoiceIssued("A", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31), 10m, "USD"));

        Assert.Throws<InvalidOperationException>(() => state.Apply(new InvoiceIssued("B", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31), 10m, "EUR")));
        Assert.Equal(10m, state.OpenArAtMonthEnd(ReportingPeriod.Month(2024, 1)));
    }

    [Fact]
    public void Roll_rate_fit_and_forecast_on_a_small_history()
    {
        static AgingBreakdown Snapshot(params decimal[] amounts) =>
            new(default, amounts.Select((a, i) => new BucketBalance(AgingFigures.DefaultBuckets[i].Label, a, 0)).ToList());

        var history = new[] { Snapshot(1000m, 400m, 100m, 0m, 0m, 0m), Snapshot(1000m, 500m, 200m, 50m, 0m, 0m), Snapshot(1000m, 500m, 250m, 100m, 25m, 0m) };

        var model = RollRate.Fit(history);

        // Current -> 1-30: (500 + 500) / (1000 + 1000) = 0.5; 1-30 -> 31-60: (200 + 250) / (400 + 500) = 0.5.
        Assert.Equal(0.5m, model.Rates[0]);
        Assert.Equal(0.5m, model.Rates[1]);
        Assert.Equal(0.5m, model.Rates[2]);
        Assert.Equal(0.5m, model.Rates[3]);

        var next = RollRate.Forecast(model, history[^1], 1)[0];
        Assert.Equal([1000m, 500m, 250m, 125m, 50m, 0m], next.Buckets.Select(b => b.Amount));
        Assert.Equal(925m, next.PastDue);
    }

    [Fact]
    public void Roll_rate_forecast_reports_write_offs_rolling_into_the_last_bucket()
    {
        var labels = AgingFigures.DefaultBuckets.Select(b => b.Label).ToList();
        var model = new RollRateModel(labels, [0.5m, 0.5m, 0.5m, 0.5m, 0.5m], LastBucketRetention: 0.5m, NewCurrentPerMonth: 1000m);
        var start = new AgingBreakdown(default, new[] { 1000m, 500m, 250m, 100m, 50m, 40m }.Select((a, i) => new BucketBalance(labels[i], a, 0)).ToList());

        var months = RollRate.Forecast(model, start, 2);

        Assert.Equal([1000m, 500m, 250m, 125m, 50m, 45m], months[0].Buckets.Select(b => b.Amount));
        Assert.Equal(25m, months[0].ExpectedWriteOff);
        Assert.Equal(970m, months[0].PastDue);
        Assert.Equal([1000m, 500m, 250m, 125m, 62.5m, 47.5m], months[1].Buckets.Select(b => b.Amount));
        Assert.Equal(25m, months[1].ExpectedWriteOff);
        Assert.Equal(985m, months[1].PastDue);
    }

    [Fact]
    public void Roll_rate_backtest_on_ibm_history_returns_a_finite_error()
    {
        var snapshots = MonthsOf2012And2013().Select(m => AgingFigures.AsOf(IbmData.Items, m.End)).ToList();

        var result = RollRate.Backtest(snapshots, fitMonths: 12);

        output.WriteLine($"Roll-rate backtest (fit Jan-Dec 2012, one-month-ahead past-due balance Jan-Dec 2013): MAE {result.MeanAbsoluteError} USD, MAPE {result.MeanAbsolutePercentError}% over {result.TestMonths} months");
        output.WriteLine($"Fitted rates (full 2012-2013): {string.Join(", ", RollRate.Fit(snapshots).Rates.Select(r => r.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
        output.WriteLine($"Mean actual past due 2013: {snapshots.Skip(12).Average(s => s.PastDue):0.00}");
        Assert.Equal(12, result.TestMonths);
        Assert.True(result.MeanAbsoluteError > 0m);
        Assert.NotNull(result.MeanAbsolutePercentError);
        Assert.InRange(result.MeanAbsolutePercentError!.Value, 0.01m, 1000m);
    }

    [Fact]
    public void Cash_forecast_shifts_due_dates_by_customer_history_with_portfolio_fallback()
    {
        var asOf = new DateOnly(2024, 3, 31);
        var items = new[]
        {
            // History: customer A pays 10 days late on average, B 0, so the portfolio mean is 5.
            new ReceivableItem("H1", "A", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31), 1m, "USD", new DateOnly(2024, 2, 10)),
            new ReceivableItem("H2", "B", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31), 1m, "USD", new DateOnly(2024, 1, 20)),
            // Open: A due Apr 1 -> expected Apr 11 (week 2); C (no history) due Apr 10 -> Apr 15 (week 3); B due Mar 1 -> past, week 1.
            new ReceivableItem("O1", "A", new DateOnly(2024, 3, 2), new DateOnly(2024, 4, 1), 100m, "USD", null),
            new ReceivableItem("O2", "C", new DateOnly(2024, 3, 11), new DateOnly(2024, 4, 10), 200m, "USD", null),
            new ReceivableItem("O3", "B", new DateOnly(2024, 1, 31), new DateOnly(2024, 3, 1), 50m, "USD", null),
            new ReceivableItem("O4", "B", new DateOnly(2024, 3, 31), new DateOnly(2024, 9, 1), 70m, "USD", null),
        };

        var forecast = CashForecast.Forecast(items, asOf);

        Assert.Equal(13, forecast.Weeks.Count);
        Assert.Equal(new DateOnly(2024, 4, 1), forecast.Weeks[0].Start);
        Assert.Equal(new DateOnly(2024, 4, 7), forecast.Weeks[0].End);
        Assert.Equal([50m, 100m, 200m], forecast.Weeks.Take(3).Select(w => w.Expected));
        Assert.All(forecast.Weeks.Skip(3), w => Assert.Equal(0m, w.Expected));
        Assert.Equal(70m, forecast.Beyond);
    }

    [Fact]
    public void Cash_forecast_backtest_on_ibm_history_returns_a_finite_error()
    {
        // Month ends from June 2012 (some history) to September 2013 (13 weeks of actuals still inside the file).
        var asOfDates = Enumerable.Range(5, 16).Select(i => ReportingPeriod.Month(2012 + i / 12, i % 12 + 1).End).ToList();

        var result = CashForecast.Backtest(IbmData.Items, asOfDates);
        var naive = CashForecast.Backtest(IbmData.Items.Select(i => i with { CustomerId = "all" }).ToList(), asOfDates);

        output.WriteLine($"13-week cash forecast backtest ({result.Forecasts} month-end forecasts Jun 2012-Sep 2013): weekly MAE {result.WeeklyMeanAbsoluteError} USD, WAPE {result.WeightedAbsolutePercentError}%");
        output.WriteLine($"Same with portfolio-only shift (no per-customer history): weekly MAE {naive.WeeklyMeanAbsoluteError} USD, WAPE {naive.WeightedAbsolutePercentError}%");
        Assert.Equal(16, result.Forecasts);
        Assert.NotNull(result.WeightedAbsolutePercentError);
        Assert.InRange(result.WeightedAbsolutePercentError!.Value, 0.01m, 200m);
    }

    [Fact]
    public void Csv_export_quotes_per_rfc_4180_in_invariant_culture()
    {
        var csv = CsvExport.Write(
            ["customer", "amount", "date", "note"],
            [["Acme, Inc.", 1234.5m, new DateOnly(2024, 3, 31), "said \"next week\""], ["Plain", -0.01m, null, "line1\nline2"]]);

        Assert.Equal(
            "customer,amount,date,note\r\n\"Acme, Inc.\",1234.5,2024-03-31,\"said \"\"next week\"\"\"\r\nPlain,-0.01,,\"line1\nline2\"\r\n",
            csv);
    }
}
