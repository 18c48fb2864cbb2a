using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Xunit.Abstractions;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Reporting;

/// <summary>
/// IBM's file replayed through the import API; the reports must equal figures computed here from the raw CSV rows,
/// with no engine code: open AR, aging buckets, DSO (simple and count-back), BPDSO for every month-end of 2012-2013.
/// </summary>
public sealed class IbmReportTests(IbmReportingHost fixture, ITestOutputHelper output) : IClassFixture<IbmReportingHost>
{
    private static readonly (int Min, int Max)[] Buckets = [(0, 0), (1, 30), (31, 60), (61, 90), (91, 120), (121, int.MaxValue)];

    private LedgerApiHost Host => fixture.Host;

    private HttpClient Manager => Host.As("m-1", Roles.Manager);

    private static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    private static IEnumerable<DateOnly> MonthEnds() =>
        Enumerable.Range(0, 24).Select(i => new DateOnly(2012, 1, 1).AddMonths(i + 1).AddDays(-1));

    private decimal Sales(int year, int month) => fixture.Rows.Where(r => r.Issued.Year == year && r.Issued.Month == month).Sum(r => r.Amount);

    private async Task<JsonElement> Get(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await LedgerApiHost.Json(response);
    }

    [Fact]
    public async Task Payment_behaviour_and_cash_collected_of_every_month_of_2012_and_2013_equal_the_raw_rows()
    {
        foreach (var end in MonthEnds())
        {
            var month = $"{end:yyyy-MM}";
            var settled = fixture.Rows.Where(r => r.Settled.Year == end.Year && r.Settled.Month == end.Month).ToList();
            var behaviour = Assert.Single((await Get(Manager, $"/api/v1/reports/payment-behaviour?month={month}")).GetProperty("rows").EnumerateArray());
            Assert.Equal(settled.Count, behaviour.GetProperty("settledInvoices").GetInt32());
            Assert.Equal(settled.Count(r => r.DaysLate == 0), behaviour.GetProperty("paidOnTime").GetInt32());
            if (settled.Count > 0)
            {
                Assert.Equal(Round2((decimal)settled.Average(r => r.DaysLate)), behaviour.GetProperty("averageDaysLate").GetDecimal());
                Assert.Equal(Round2(settled.Count(r => r.DaysLate == 0) * 100m / settled.Count), behaviour.GetProperty("paidOnTimePercent").GetDecimal());
            }

            var cash = Assert.Single((await Get(Manager, $"/api/v1/reports/cash-vs-target?month={month}")).GetProperty("rows").EnumerateArray());
            Assert.Equal(settled.Sum(r => r.Amount), cash.GetProperty("collected").GetDecimal());
            Assert.Equal(JsonValueKind.Null, cash.GetProperty("target").ValueKind); // no target configured
            // Every IBM settlement is a payment applied in full to its invoice: nothing stays unallocated at a month-end.
            Assert.Empty((await Get(Manager, $"/api/v1/reports/unallocated-cash?asOf={end:yyyy-MM-dd}")).GetProperty("rows").EnumerateArray());
        }
    }

    [Fact]
    public async Task By_team_answers_the_portfolio_rows_and_a_team_lead_may_ask_for_their_team()
    {
        var byPortfolio = await Get(Manager, "/api/v1/reports/payment-behaviour?month=2013-06&by=portfolio");
        var byTeam = await Get(Manager, "/api/v1/reports/payment-behaviour?month=2013-06&by=team");
        Assert.Equal(byPortfolio.GetProperty("rows").ToString(), byTeam.GetProperty("rows").ToString());
        Assert.Equal("team", byTeam.GetProperty("by").GetString());
        var lead = await Get(Host.As("tl-1", Roles.TeamLead, team: "imported"), "/api/v1/reports/dso?month=2013-06&by=team");
        Assert.Equal("imported", Assert.Single(lead.GetProperty("rows").EnumerateArray()).GetProperty("group").GetString());
        var csv = await Manager.GetAsync("/api/v1/reports/payment-behaviour?month=2013-06&format=csv");
        Assert.StartsWith("group,month,settledInvoices,averageDaysLate,paidOnTime,paidOnTimePercent", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ar_and_aging_buckets_at_every_month_end_of_2012_and_2013_equal_the_raw_rows()
    {
        foreach (var end in MonthEnds())
        {
            var report = await Get(Manager, $"/api/v1/reports/aging?asOf={end:yyyy-MM-dd}");
            var row = Assert.Single(report.GetProperty("rows").EnumerateArray());
            var open = fixture.Rows.Where(r => r.Issued <= end && r.Settled > end).ToList();
            Assert.Equal(open.Sum(r => r.Amount), row.GetProperty("total").GetDecimal());
            var buckets = row.GetProperty("buckets").EnumerateArray().ToList();
            for (var b = 0; b < Buckets.Length; b++)
            {
                var inBucket = open.Where(r => Math.Max(0, end.DayNumber - r.Due.DayNumber) is var d && d >= Buckets[b].Min && d <= Buckets[b].Max).ToList();
                Assert.True(inBucket.Sum(r => r.Amount) == buckets[b].GetProperty("amount").GetDecimal(), $"{end} bucket {b}");
                Assert.Equal(inBucket.Count, buckets[b].GetProperty("count").GetInt32());
            }
        }
    }

    [Fact]
    public async Task Dso_simple_count_back_and_best_possible_at_every_month_end_of_2012_and_2013_equal_the_raw_rows()
    {
        var firstMonth = fixture.Rows.Min(r => new DateOnly(r.Issued.Year, r.Issued.Month, 1));
        foreach (var end in MonthEnds())
        {
            var report = await Get(Manager, $"/api/v1/reports/dso?month={end:yyyy-MM}");
            var row = Assert.Single(report.GetProperty("rows").EnumerateArray());
            var open = fixture.Rows.Where(r => r.Issued <= end && r.Settled > end).ToList();
            var ar = open.Sum(r => r.Amount);
            var current = open.Where(r => r.Due >= end).Sum(r => r.Amount);
            var sales = Sales(end.Year, end.Month);

            decimal? countBack = null;
            var remaining = ar;
            var days = 0m;
            for (var month = new DateOnly(end.Year, end.Month, 1); month >= firstMonth; month = month.AddMonths(-1))
            {
                var monthSales = Sales(month.Year, month.Month);
                var monthDays = DateTime.DaysInMonth(month.Year, month.Month);
                if (remaining > monthSales)
                {
                    remaining -= monthSales;
                    days += monthDays;
                    continue;
                }

                countBack = Round2(days + remaining / monthSales * monthDays);
                break;
            }

            Assert.Equal(sales, row.GetProperty("creditSales").GetDecimal());
            Assert.Equal(ar, row.GetProperty("endingAr").GetDecimal());
            Assert.True(Round2(ar / sales * end.Day) == row.GetProperty("dso").GetDecimal(), $"{end} simple DSO");
            Assert.True(countBack == row.GetProperty("countBackDso").GetDecimal(), $"{end} count-back DSO");
            Assert.True(Round2(current / sales * end.Day) == row.GetProperty("bestPossibleDso").GetDecimal(), $"{end} BPDSO");
            Assert.Equal(Round2(ar / sales * end.Day) - Round2(current / sales * end.Day), row.GetProperty("averageDaysDelinquent").GetDecimal());
        }
    }

    [Fact]
    public async Task Average_days_late_over_all_invoices_equals_the_files_mean_days_late()
    {
        var lastSettled = fixture.Rows.Max(r => r.Settled);

        var report = await Get(Manager, $"/api/v1/reports/dso?month={lastSettled:yyyy-MM}");

        var row = Assert.Single(report.GetProperty("rows").EnumerateArray());
        Assert.Equal(fixture.Rows.Count, row.GetProperty("settledInvoices").GetInt32());
        Assert.Equal(Round2((decimal)fixture.Rows.Average(r => r.DaysLate)), row.GetProperty("averageDaysLate").GetDecimal());
    }

    [Fact]
    public async Task Aging_by_country_splits_the_book_as_the_raw_rows_do_and_the_answer_shows_no_lag()
    {
        var end = new DateOnly(2013, 6, 30);
        var countries = File.ReadLines(ArActors.TestKit.SharedData.PathOf(ArActors.TestKit.SharedData.IbmReceivablesFile)).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(f => f[3], f => f[0]);

        var report = await Get(Manager, $"/api/v1/reports/aging?asOf={end:yyyy-MM-dd}&by=country");

        var expected = fixture.Rows.Where(r => r.Issued <= end && r.Settled > end).GroupBy(r => countries[r.Invoice])
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(r => r.Amount))).ToList();
        var actual = report.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("group").GetString()!, r.GetProperty("total").GetDecimal())).Where(r => r.Item2 != 0m).ToList();
        Assert.Equal(expected, actual);
        var last = await Host.Factory.Services.GetRequiredService<IDurableStore>().GetLastSequenceAsync(LedgerTopics.Ledger);
        Assert.Equal(last, report.GetProperty("projection").GetProperty("cursor").GetInt64());
        Assert.Equal(0, report.GetProperty("projection").GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task Csv_export_carries_the_same_figures_as_json_for_format_csv_and_accept_text_csv()
    {
        var json = await Get(Manager, "/api/v1/reports/aging?asOf=2012-12-31&by=country");
        var response = await Manager.GetAsync("/api/v1/reports/aging?asOf=2012-12-31&by=country&format=csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("group,Current,1-30,31-60,61-90,91-120,120+,total,pastDue,pastDuePercent", lines[0]);
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows.Count, lines.Length - 1);
        foreach (var (line, row) in lines.Skip(1).Zip(rows))
        {
            var fields = line.Split(',');
            Assert.Equal(row.GetProperty("group").GetString(), fields[0]);
            Assert.Equal(row.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("amount").GetDecimal()), fields[1..7].Select(f => decimal.Parse(f, CultureInfo.InvariantCulture)));
            Assert.Equal(row.GetProperty("total").GetDecimal(), decimal.Parse(fields[7], CultureInfo.InvariantCulture));
            Assert.Equal(row.GetProperty("pastDuePercent").ValueKind == JsonValueKind.Null ? "" : row.GetProperty("pastDuePercent").GetDecimal().ToString(CultureInfo.InvariantCulture), fields[9]);
        }

        var client = Manager;
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var dso = await client.GetAsync("/api/v1/reports/dso?month=2013-06");
        var dsoLines = (await dso.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var dsoJson = Assert.Single((await Get(Manager, "/api/v1/reports/dso?month=2013-06")).GetProperty("rows").EnumerateArray());
        Assert.Equal("group,month,creditSales,endingAr,currentAr,dso,countBackDso,bestPossibleDso,averageDaysDelinquent,settledInvoices,averageDaysLate", dsoLines[0]);
        var dsoFields = Assert.Single(dsoLines.Skip(1)).Split(',');
        Assert.Equal(new[] { "all", "2013-06" }, dsoFields[..2]);
        Assert.Equal(dsoJson.GetProperty("dso").GetDecimal(), decimal.Parse(dsoFields[5], CultureInfo.InvariantCulture));
        Assert.Equal(dsoJson.GetProperty("countBackDso").GetDecimal(), decimal.Parse(dsoFields[6], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Forecasts_report_their_backtest_errors_on_the_replayed_history()
    {
        var delinquency = await Get(Manager, "/api/v1/reports/forecast/delinquency?months=3");
        var report = delinquency.GetProperty("report");
        Assert.Equal(3, report.GetProperty("months").GetArrayLength());
        var backtest = report.GetProperty("backtest");
        Assert.Equal(12, backtest.GetProperty("fitMonths").GetInt32());
        Assert.True(backtest.GetProperty("testMonths").GetInt32() >= 12);
        var mae = backtest.GetProperty("meanAbsoluteError").GetDecimal();
        Assert.True(mae > 0m, "a pooled roll-rate model does not fit real history exactly");
        output.WriteLine($"roll-rate backtest from {report.GetProperty("from")}: {backtest}");

        // The same model backtested on month-end snapshots built here from the raw rows (2012 fit, 2013 test).
        var snapshots = MonthEnds().Select(end =>
        {
            var open = fixture.Rows.Where(r => r.Issued <= end && r.Settled > end).ToList();
            return new AgingBreakdown(end, Buckets.Select((b, i) => open.Where(r => Math.Max(0, end.DayNumber - r.Due.DayNumber) is var d && d >= b.Min && d <= b.Max).ToList())
                .Select((inBucket, i) => new BucketBalance(AgingFigures.DefaultBuckets[i].Label, inBucket.Sum(r => r.Amount), inBucket.Count)).ToList());
        }).ToList();
        var independent = RollRate.Backtest(snapshots, 12);
        Assert.Equal(independent.MeanAbsoluteError, mae);
        Assert.Equal(independent.MeanAbsolutePercentError, backtest.GetProperty("meanAbsolutePercentError").GetDecimal());

        var asOf = new DateOnly(2013, 6, 30);
        var cash = (await Get(Manager, $"/api/v1/reports/forecast/cash?asOf={asOf:yyyy-MM-dd}")).GetProperty("report");
        var forecast = cash.GetProperty("forecast");
        Assert.Equal(13, forecast.GetProperty("weeks").GetArrayLength());
        var expected = forecast.GetProperty("weeks").EnumerateArray().Sum(w => w.GetProperty("expected").GetDecimal()) + forecast.GetProperty("beyond").GetDecimal();
        Assert.Equal(fixture.Rows.Where(r => r.Issued <= asOf && r.Settled > asOf).Sum(r => r.Amount), expected);
        var cashBacktest = cash.GetProperty("backtest");
        Assert.True(cashBacktest.GetProperty("forecasts").GetInt32() >= 16);
        Assert.True(cashBacktest.GetProperty("weightedAbsolutePercentError").GetDecimal() > 0m);
        output.WriteLine($"cash backtest at {cash.GetProperty("backtestDates").GetArrayLength()} month-ends: {cashBacktest}");
    }

    [Theory]
    [InlineData("/api/v1/reports/aging?asOf=2013-02-30", "asOf")]
    [InlineData("/api/v1/reports/aging?asOf=2013-06-30&by=planet", "by")]
    [InlineData("/api/v1/reports/aging?asOf=2013-06-30&format=xml", "format")]
    [InlineData("/api/v1/reports/aging?asOf=2013-06-30&asOf=2013-07-31", "asOf")]
    [InlineData("/api/v1/reports/dso", "month")]
    [InlineData("/api/v1/reports/dso?month=2013-6", "month")]
    [InlineData("/api/v1/reports/cei?month=2013-13", "month")]
    [InlineData("/api/v1/reports/forecast/delinquency?months=0", "months")]
    [InlineData("/api/v1/reports/forecast/delinquency?fitMonths=x", "fitMonths")]
    [InlineData("/api/v1/reports/forecast/cash?asOf=yesterday", "asOf")]
    public async Task Bad_input_is_a_400_naming_the_field(string url, string field)
    {
        var response = await Manager.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await LedgerApiHost.Json(response);
        var errors = problem.GetProperty("errors");
        Assert.Equal(new[] { field }, errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Team_leads_see_their_portfolio_collectors_their_own_figures_and_integrations_no_reports()
    {
        var mine = await Get(Host.As("tl-1", Roles.TeamLead, team: "imported"), "/api/v1/reports/aging?asOf=2013-06-30&by=portfolio");
        Assert.Equal(new[] { "imported" }, mine.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("group").GetString()));
        var other = await Get(Host.As("tl-2", Roles.TeamLead, team: "north"), "/api/v1/reports/dso?month=2013-06");
        Assert.Empty(other.GetProperty("rows").EnumerateArray());
        var collector = await Get(Host.As("k-9", Roles.Collector), "/api/v1/reports/cei?month=2013-06");
        Assert.Empty(collector.GetProperty("rows").EnumerateArray());

        Assert.Equal(HttpStatusCode.Forbidden, (await Host.As("tl-1", Roles.TeamLead, team: "imported").GetAsync("/api/v1/reports/aging?by=country")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Host.As("k-9", Roles.Collector).GetAsync("/api/v1/reports/forecast/cash")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Host.As("erp", Roles.Integration).GetAsync("/api/v1/reports/aging")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Host.As("a-1", Roles.Admin).GetAsync("/api/v1/reports/forecast/delinquency")).StatusCode);
    }

    [Fact]
    public async Task Cei_for_a_month_follows_its_definition_on_the_raw_rows()
    {
        var month = new DateOnly(2013, 3, 1);
        var end = month.AddMonths(1).AddDays(-1);
        var beginning = fixture.Rows.Where(r => r.Issued < month && r.Settled >= month).Sum(r => r.Amount);
        var ending = fixture.Rows.Where(r => r.Issued <= end && r.Settled > end).ToList();
        var sales = Sales(2013, 3);
        var expected = Round2((beginning + sales - ending.Sum(r => r.Amount)) / (beginning + sales - ending.Where(r => r.Due >= end).Sum(r => r.Amount)) * 100m);

        var row = Assert.Single((await Get(Manager, "/api/v1/reports/cei?month=2013-03")).GetProperty("rows").EnumerateArray());

        Assert.Equal(beginning, row.GetProperty("beginningAr").GetDecimal());
        Assert.Equal(expected, row.GetProperty("cei").GetDecimal());
    }
}
