using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Silo.Tests;

/// <summary>ArActors:Aging changes the buckets and the basis the account and invoice grains age by.</summary>
public sealed class AgingConfigurationTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "aractors-aging-" + Guid.NewGuid().ToString("N"));

    private WebApplicationFactory<Program> Engine(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ArActors:DataDirectory", _dataDirectory).UseSetting("ConnectionStrings:Postgres", "");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

    private static async Task<AccountSummary> SummaryWithOneInvoice(WebApplicationFactory<Program> engine, DateOnly issued)
    {
        var account = engine.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>("AGE-1");
        var meta = CommandMeta.System("test");
        var profile = new AccountProfile("AGE-1", "Aging Test", "US", "UTC", "USD", PaymentTerms.Net(30), 0m, CustomerSegment.Corporate, "north", null, []);
        Assert.True((await account.OpenAccount(new OpenAccount(profile), meta)).Accepted);
        Assert.True((await account.IssueInvoice(new IssueInvoice("AGE-1", "INV-1", issued, new Money(500m, "USD"), PaymentTerms.Net(30)), meta)).Accepted);
        return (await account.GetSummary())!;
    }

    [Fact]
    public async Task Configured_buckets_replace_the_default_ones()
    {
        await using var engine = Engine(
            ("ArActors:Aging:Buckets:0:Name", "Current"), ("ArActors:Aging:Buckets:0:MaxDays", "0"),
            ("ArActors:Aging:Buckets:1:Name", "1-15"), ("ArActors:Aging:Buckets:1:MaxDays", "15"),
            ("ArActors:Aging:Buckets:2:Name", "16-45"), ("ArActors:Aging:Buckets:2:MaxDays", "45"),
            ("ArActors:Aging:Buckets:3:Name", "46+"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var summary = await SummaryWithOneInvoice(engine, today.AddDays(-50)); // due 30 days after issue: 20 days past due

        Assert.Equal(["Current", "1-15", "16-45", "46+"], summary.Buckets.Select(b => b.Bucket));
        Assert.Equal(500m, summary.Buckets.Single(b => b.Bucket == "16-45").Amount);
    }

    [Fact]
    public async Task The_aging_report_buckets_by_the_configured_buckets_too()
    {
        await using var engine = Engine(
            ("ArActors:Auth:SigningKey", Convert.ToBase64String(new byte[32])),
            ("ArActors:Aging:Buckets:0:Name", "Current"), ("ArActors:Aging:Buckets:0:MaxDays", "0"),
            ("ArActors:Aging:Buckets:1:Name", "1-15"), ("ArActors:Aging:Buckets:1:MaxDays", "15"),
            ("ArActors:Aging:Buckets:2:Name", "16+"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await SummaryWithOneInvoice(engine, today.AddDays(-50));
        using var client = engine.CreateClient();
        var token = engine.Services.GetRequiredService<ArActors.Api.Security.SignedTokens>()
            .Issue(new ArActors.Api.Security.UserIdentity("m-1", "Manager", ArActors.Api.Security.Roles.Manager, null), TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        System.Text.Json.JsonElement report;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            report = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(client, $"/api/v1/reports/aging?asOf={today:yyyy-MM-dd}");
        }
        while (report.GetProperty("projection").GetProperty("lag").GetInt64() > 0 && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));

        var buckets = report.GetProperty("rows")[0].GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(["Current", "1-15", "16+"], buckets.Select(b => b.GetProperty("label").GetString()));
        Assert.Equal(500m, buckets[2].GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task The_invoice_date_basis_ages_from_the_issue_date()
    {
        await using var engine = Engine(("ArActors:Aging:Basis", "InvoiceDate"));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var summary = await SummaryWithOneInvoice(engine, today.AddDays(-50)); // 50 days since issue

        Assert.Equal(500m, summary.Buckets.Single(b => b.Bucket == "31-60").Amount);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
