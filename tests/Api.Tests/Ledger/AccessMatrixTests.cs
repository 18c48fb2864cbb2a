using System.Net;
using System.Net.Http.Json;
using ArActors.Api.Security;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Ledger;

/// <summary>
/// Every ledger endpoint x every role x an account inside and outside the caller's portfolio: either the request gets
/// past authorization (2xx or a ledger refusal) or it is refused with 403/404 and nothing is committed.
/// </summary>
public sealed class AccessMatrixTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>, IAsyncLifetime
{
    private const string Own = "MX-OWN";
    private const string Other = "MX-OTHER";

    private static readonly string[] All = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Integration, Roles.Admin];
    private static readonly string[] Bookkeepers = [Roles.Integration, Roles.Manager, Roles.Admin];
    private static readonly string[] People = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];
    private static readonly string[] Approvers = [Roles.TeamLead, Roles.Manager, Roles.Admin];

    /// <summary>Method, path ({a} = the account), body, roles allowed.</summary>
    private static readonly (HttpMethod Method, string Path, object? Body, string[] Roles)[] Endpoints =
    [
        (HttpMethod.Get, "/api/v1/accounts/{a}", null, All),
        (HttpMethod.Put, "/api/v1/accounts/{a}", "profile", Bookkeepers),
        (HttpMethod.Post, "/api/v1/accounts/{a}/status", new { status = "active", reason = "matrix" }, Approvers),
        (HttpMethod.Get, "/api/v1/accounts/{a}/invoices", null, All),
        (HttpMethod.Get, "/api/v1/accounts/{a}/invoices/INV-1", null, All),
        (HttpMethod.Get, "/api/v1/accounts/{a}/history", null, All),
        (HttpMethod.Get, "/api/v1/accounts/{a}/aging?asOf=2026-02-28", null, All),
        (HttpMethod.Post, "/api/v1/accounts/{a}/invoices", new { number = "INV-MX", issueDate = "2026-02-01", amount = 5m }, Bookkeepers),
        (HttpMethod.Post, "/api/v1/accounts/{a}/invoices/NO-SUCH/cancellation", new { reason = "matrix" }, Bookkeepers),
        (HttpMethod.Post, "/api/v1/accounts/{a}/invoices/NO-SUCH/dispute", new { reason = "matrix" }, People),
        (HttpMethod.Post, "/api/v1/accounts/{a}/invoices/NO-SUCH/dispute-resolution", new { reason = "matrix" }, People),
        (HttpMethod.Post, "/api/v1/accounts/{a}/invoices/NO-SUCH/credits", new { creditId = "CR-MX", amount = 1m, creditDate = "2026-02-01", reason = "matrix" }, [.. Approvers, Roles.Integration]),
        (HttpMethod.Post, "/api/v1/accounts/{a}/payments", new { paymentId = "PAY-MX", amount = 1m, valueDate = "2026-02-01", method = "card" }, All),
        (HttpMethod.Post, "/api/v1/accounts/{a}/payments/NO-SUCH/reversal", new { reason = "matrix" }, All),
        (HttpMethod.Post, "/api/v1/accounts/{a}/payments/NO-SUCH/allocations", new { allocationId = "AL-MX", invoiceNumber = "INV-1", amount = 1m }, All),
        (HttpMethod.Post, "/api/v1/accounts/{a}/payments/NO-SUCH/allocations/AL-1/deallocation", new { reason = "matrix" }, All),
        (HttpMethod.Post, "/api/v1/accounts/{a}/payments/NO-SUCH/allocations/AL-1/reallocation", new { newAllocationId = "AL-2", toInvoiceNumber = "INV-1" }, All),
        (HttpMethod.Post, "/api/v1/accounts/{a}/write-offs", new { writeOffId = "WO-MX", invoiceNumber = "NO-SUCH", amount = 1m, reason = "matrix" }, People),
        (HttpMethod.Post, "/api/v1/accounts/{a}/write-offs/NO-SUCH/approval", new { reason = "matrix" }, Approvers),
        (HttpMethod.Post, "/api/v1/accounts/{a}/write-offs/NO-SUCH/rejection", new { reason = "matrix" }, Approvers),
    ];

    public async Task InitializeAsync()
    {
        var erp = host.As("erp", Roles.Integration);
        foreach (var (id, collector, portfolio) in new[] { (Own, "collector-1", "north"), (Other, "collector-2", "south") })
        {
            (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, collector, portfolio))).EnsureSuccessStatusCode();
            (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 100m })).EnsureSuccessStatusCode();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The caller of a role: collector-1 and the north team lead own MX-OWN; nobody scoped owns MX-OTHER.</summary>
    private HttpClient Caller(string role) => role switch
    {
        Roles.Collector => host.As("collector-1", role, "north"),
        Roles.TeamLead => host.As("lead-north", role, "north"),
        _ => host.As(role + "-1", role),
    };

    private static bool Scoped(string role) => role is Roles.Collector or Roles.TeamLead;

    private async Task<long> LedgerEvents() =>
        await host.Factory.Services.GetRequiredService<IDurableStore>().GetLastSequenceAsync("ledger");

    [Fact]
    public async Task Every_role_reaches_exactly_the_endpoints_and_accounts_it_may()
    {
        var failures = new List<string>();
        foreach (var (method, path, body, allowed) in Endpoints)
        {
            foreach (var role in All)
            {
                foreach (var account in new[] { Own, Other })
                {
                    var mayReach = allowed.Contains(role) && !(Scoped(role) && account == Other);
                    using var request = new HttpRequestMessage(method, path.Replace("{a}", account, StringComparison.Ordinal));
                    if (body is not null)
                    {
                        request.Content = JsonContent.Create(body as string == "profile" ? LedgerApiHost.Account(account, account == Own ? "collector-1" : "collector-2", account == Own ? "north" : "south") : body);
                    }

                    var before = await LedgerEvents();
                    var response = await Caller(role).SendAsync(request);
                    var after = await LedgerEvents();
                    var refused = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized;
                    if (mayReach == refused)
                    {
                        failures.Add($"{role} {method} {path} on {account}: {(int)response.StatusCode}, expected {(mayReach ? "reached" : "refused")}");
                    }

                    if (refused && after != before)
                    {
                        failures.Add($"{role} {method} {path} on {account}: refused but {after - before} ledger events were committed");
                    }
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task The_account_wide_endpoints_follow_their_roles()
    {
        foreach (var role in All)
        {
            var client = Caller(role);
            var open = await client.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("MX-NEW-" + role));
            var queue = await client.GetAsync("/api/v1/unallocated-cash");
            var import = await client.PostAsync("/api/v1/imports?format=accounts", new StringContent("customerId\n", System.Text.Encoding.UTF8, "text/csv"));

            Assert.Equal(Bookkeepers.Contains(role) ? HttpStatusCode.Created : HttpStatusCode.Forbidden, open.StatusCode);
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
            Assert.Equal(Bookkeepers.Contains(role) ? HttpStatusCode.BadRequest : HttpStatusCode.Forbidden, import.StatusCode);
        }
    }
}
