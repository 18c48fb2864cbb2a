using System.Globalization;
using System.Net;
using System.Text;
using ArActors.Api.Imports;
using ArActors.Api.Reporting;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains.Ledger;
using ArActors.Runtime.Storage;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Reporting;

/// <summary>One raw row of IBM's sample, parsed in the test, independently of the engine.</summary>
public sealed record IbmCsvRow(string Customer, string Invoice, DateOnly Issued, DateOnly Due, decimal Amount, DateOnly Settled, int DaysLate)
{
    public static IReadOnlyList<IbmCsvRow> ReadFile() =>
        File.ReadLines(SharedData.PathOf(SharedData.IbmReceivablesFile)).Skip(1).Where(l => l.Length > 0).Select(line => line.Split(','))
            .Select(f => new IbmCsvRow(f[1], f[3], Date(f[4]), Date(f[5]), decimal.Parse(f[6], CultureInfo.InvariantCulture), Date(f[8]), int.Parse(f[11], CultureInfo.InvariantCulture)))
            .ToList();

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "M/d/yyyy", CultureInfo.InvariantCulture);
}

/// <summary>The engine on PostgreSQL with IBM's file imported through the API and the reporting projection caught up.</summary>
public sealed class IbmReportingHost : IAsyncLifetime
{
    public LedgerApiHost Host { get; } = new();

    public IReadOnlyList<IbmCsvRow> Rows { get; } = IbmCsvRow.ReadFile();

    public async Task InitializeAsync()
    {
        await Host.InitializeAsync();
        await ImportAsync(Host, await File.ReadAllTextAsync(SharedData.PathOf(SharedData.IbmReceivablesFile)));
        await CatchUpAsync(Host);
    }

    public Task DisposeAsync() => Host.DisposeAsync();

    /// <summary>Imports an IBM-format file through the API and waits for the job.</summary>
    public static async Task ImportAsync(LedgerApiHost host, string csv)
    {
        var response = await host.As("erp", Roles.Integration).PostAsync("/api/v1/imports?format=ibm", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await LedgerApiHost.Json(response)).GetProperty("id").GetString()!;
        await host.Factory.Services.GetRequiredService<ImportJobs>().WhenFinishedAsync(id).WaitAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>Waits until the host's projection has folded every ledger event committed so far.</summary>
    public static async Task CatchUpAsync(LedgerApiHost host)
    {
        var last = await host.Factory.Services.GetRequiredService<IDurableStore>().GetLastSequenceAsync(LedgerTopics.Ledger);
        await host.Factory.Services.GetRequiredService<ReportingProjector>().WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(2));
    }
}
