using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArActors.Api.Imports;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Runtime.Storage;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Imports;

/// <summary>Bulk import through the API on PostgreSQL: IBM's sample as published, generic CSV and JSON, row errors, progress.</summary>
public sealed class ImportApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Erp => host.As("erp", Roles.Integration);

    private async Task<JsonElement> ImportAndWait(string format, HttpContent content)
    {
        var response = await Erp.PostAsync($"/api/v1/imports?format={format}", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await LedgerApiHost.Json(response);
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/imports/{id}", response.Headers.Location?.OriginalString);
        await host.Factory.Services.GetRequiredService<ImportJobs>().WhenFinishedAsync(id).WaitAsync(TimeSpan.FromMinutes(3));
        return await LedgerApiHost.Json(await Erp.GetAsync($"/api/v1/imports/{id}"));
    }

    private static StringContent CsvContent(string text) => new(text, Encoding.UTF8, "text/csv");

    private sealed record IbmRow(string Customer, DateOnly Issued, DateOnly Settled, decimal Amount);

    private static List<IbmRow> ReadIbm() =>
        File.ReadLines(SharedData.PathOf(SharedData.IbmReceivablesFile)).Skip(1).Select(line => line.Split(','))
            .Select(f => new IbmRow(
                f[1],
                DateOnly.ParseExact(f[4], "M/d/yyyy", CultureInfo.InvariantCulture),
                DateOnly.ParseExact(f[8], "M/d/yyyy", CultureInfo.InvariantCulture),
                decimal.Parse(f[6], CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public async Task The_ibm_file_imports_as_published_with_progress_and_the_aging_at_month_ends_matches_the_file()
    {
        var file = await File.ReadAllTextAsync(SharedData.PathOf(SharedData.IbmReceivablesFile));

        var job = await ImportAndWait("ibm", CsvContent(file));

        Assert.True(job.GetProperty("errors").GetArrayLength() == 0, job.GetProperty("errors").ToString());
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(2_466, job.GetProperty("totalRows").GetInt32());
        Assert.Equal(2_466, job.GetProperty("succeededRows").GetInt32());
        Assert.Equal(0, job.GetProperty("failedRows").GetInt32());

        var store = host.Factory.Services.GetRequiredService<IDurableStore>();
        var progress = (await store.ReadAsync(ImportJobs.Topic, 0, 1000))
            .Where(e => e.SourceGrainKey == job.GetProperty("id").GetString())
            .Select(e => JsonSerializer.Deserialize<JsonElement>(e.Payload.Span))
            .ToList();
        Assert.True(progress.Count >= 3, $"{progress.Count} progress events: {string.Join(" | ", progress)}");
        Assert.Equal(progress.Select(p => p.GetProperty("processedRows").GetInt32()).Order(), progress.Select(p => p.GetProperty("processedRows").GetInt32()));
        Assert.Equal("completed", progress[^1].GetProperty("status").GetString());
        Assert.Equal(100, progress[^1].GetProperty("percentDone").GetInt32());

        var rows = ReadIbm();
        var manager = host.As("m-1", Roles.Manager);
        foreach (var monthEnd in new[] { new DateOnly(2012, 3, 31), new DateOnly(2012, 12, 31), new DateOnly(2013, 6, 30), new DateOnly(2013, 12, 31) })
        {
            decimal open = 0m, pastDue = 0m;
            foreach (var customer in rows.Select(r => r.Customer).Distinct())
            {
                var aging = await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/accounts/{customer}/aging?asOf={monthEnd:yyyy-MM-dd}"));
                open += aging.GetProperty("openBalance").GetProperty("amount").GetDecimal();
                pastDue += aging.GetProperty("pastDueBalance").GetProperty("amount").GetDecimal();
            }

            var stillOpen = rows.Where(r => r.Issued <= monthEnd && r.Settled > monthEnd).ToList();
            Assert.Equal(stillOpen.Sum(r => r.Amount), open);
            Assert.Equal(stillOpen.Where(r => r.Issued.AddDays(30) < monthEnd).Sum(r => r.Amount), pastDue);
        }
    }

    [Fact]
    public async Task Importing_the_same_accounts_again_changes_nothing()
    {
        const string csv = "customerId,name,country,timeZone,currency,termsKind,termsDays,creditLimit,segment,portfolio,assignedCollector\n"
            + "IMP-A1,Acme Leasing,DE,Europe/Berlin,EUR,net,30,10000,leasingCompany,north,collector-1\n";

        var first = await ImportAndWait("accounts", CsvContent(csv));
        var again = await ImportAndWait("accounts", CsvContent(csv));

        Assert.Equal(1, first.GetProperty("succeededRows").GetInt32());
        Assert.Equal(1, again.GetProperty("succeededRows").GetInt32());
        var history = await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/accounts/IMP-A1/history"));
        Assert.Single(history.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Bad_rows_are_reported_by_line_and_field_and_the_good_rows_still_import()
    {
        const string csv = "customerId,name,country,timeZone,currency,termsKind,termsDays,creditLimit,segment,portfolio\n"
            + "IMP-B1,Good Glass,GB,Europe/London,GBP,eom,30,5000,corporate,south\n"
            + "IMP-B2,Bad Money,GB,Europe/London,POUNDS,net,30,5000,corporate,south\n"
            + "IMP-B3,\"Quoted, Name\",NL,Europe/Amsterdam,EUR,net,14,abc,broker,south\n";

        var job = await ImportAndWait("accounts", CsvContent(csv));

        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(1, job.GetProperty("succeededRows").GetInt32());
        Assert.Equal(2, job.GetProperty("failedRows").GetInt32());
        var errors = job.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Contains((3, "currency"), errors);
        Assert.Contains((4, "creditLimit"), errors);
        var manager = host.As("m-1", Roles.Manager);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/api/v1/accounts/IMP-B1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync("/api/v1/accounts/IMP-B2")).StatusCode);
    }

    [Fact]
    public async Task A_json_invoice_import_reports_rows_for_unknown_accounts()
    {
        await Erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("IMP-J1"));
        var rows = new object[]
        {
            new { customerId = "IMP-J1", number = "J-1", issueDate = "2026-02-01", amount = 120.5m },
            new { customerId = "IMP-NOPE", number = "J-2", issueDate = "2026-02-01", amount = 10m },
            new { customerId = "IMP-J1", number = "J-3", issueDate = "not a date", amount = 10m },
        };

        var job = await ImportAndWait("invoices", JsonContent.Create(rows));

        Assert.Equal(1, job.GetProperty("succeededRows").GetInt32());
        var errors = job.GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("line").GetInt32() == 2 && e.GetProperty("message").GetString()!.Contains("unknown_account", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.GetProperty("line").GetInt32() == 3 && e.GetProperty("field").GetString() == "issueDate");
        var invoices = await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/accounts/IMP-J1/invoices"));
        Assert.Single(invoices.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_refused_before_any_job_starts()
    {
        var missingColumn = await Erp.PostAsync("/api/v1/imports?format=invoices", CsvContent("customerId,number\nX,1\n"));
        var unknownFormat = await Erp.PostAsync("/api/v1/imports?format=customers", CsvContent("a\n"));
        var brokenQuote = await Erp.PostAsync("/api/v1/imports?format=accounts", CsvContent("customerId,name\n\"open"));
        using var xml = new StringContent("<rows/>", Encoding.UTF8, "application/xml");
        var wrongType = await Erp.PostAsync("/api/v1/imports?format=accounts", xml);

        Assert.Equal(HttpStatusCode.BadRequest, missingColumn.StatusCode);
        Assert.Contains("issueDate", await missingColumn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownFormat.StatusCode);
        Assert.True((await LedgerApiHost.Json(unknownFormat)).GetProperty("errors").TryGetProperty("format", out _));
        Assert.Equal(HttpStatusCode.BadRequest, brokenQuote.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.All(new[] { missingColumn, unknownFormat, brokenQuote, wrongType }, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
    }

    [Fact]
    public async Task Only_integrations_managers_and_admins_import()
    {
        var response = await host.As("collector-1", Roles.Collector).PostAsync("/api/v1/imports?format=accounts", CsvContent("customerId\n"));
        var unknownJob = await Erp.GetAsync("/api/v1/imports/imp_nope");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
    }
}
