using System.Net;
using System.Net.Http.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>The late-payment claim over HTTP: off until the segment's strategy enables it, then the Act's worked figures.</summary>
public sealed class LatePaymentApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    [Fact]
    public async Task The_claim_is_refused_until_the_segment_enables_it_and_then_reads_interest_and_compensation()
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("LP-1", "lp-col", currency: "GBP"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts/LP-1/invoices", new { number = "INV-1", issueDate = "2025-01-05", dueDate = "2025-01-10", amount = 12_000m })).StatusCode);
        var collector = host.As("lp-col", Roles.Collector, "north");

        var off = await collector.GetAsync("/api/v1/accounts/LP-1/invoices/INV-1/late-payment-claim?asOf=2025-02-09");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "application/problem+json"), (off.StatusCode, off.Content.Headers.ContentType?.MediaType));
        Assert.True((await LedgerApiHost.Json(off)).GetProperty("errors").TryGetProperty("segment", out _));

        var admin = host.As("admin-1", Roles.Admin);
        var strategy = await LedgerApiHost.Json(await admin.GetAsync("/api/v1/strategies/leasingCompany"));
        var replaced = await admin.PutAsJsonAsync("/api/v1/strategies/leasingCompany", new { steps = strategy.GetProperty("steps"), reanchorOnPartialPayment = false, statutoryInterest = true });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var response = await collector.GetAsync("/api/v1/accounts/LP-1/invoices/INV-1/late-payment-claim?asOf=2025-02-09");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var claim = await LedgerApiHost.Json(response);
        Assert.Equal((30, 12.75m, 125.75m, 100m), (claim.GetProperty("daysLate").GetInt32(), claim.GetProperty("annualRatePercent").GetDecimal(),
            claim.GetProperty("interest").GetProperty("amount").GetDecimal(), claim.GetProperty("fixedCompensation").GetProperty("amount").GetDecimal()));

        var bad = await collector.GetAsync("/api/v1/accounts/LP-1/invoices/INV-1/late-payment-claim?asOf=09/02/2025");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await LedgerApiHost.Json(bad)).GetProperty("errors").TryGetProperty("asOf", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await host.As("other", Roles.Collector, "north").GetAsync("/api/v1/accounts/LP-1/invoices/INV-1/late-payment-claim")).StatusCode);
    }
}
