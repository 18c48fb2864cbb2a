using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArActors.Api.Idempotency;
using ArActors.Api.Security;

namespace ArActors.Api.Tests.Ledger;

/// <summary>The ledger over HTTP, end to end on PostgreSQL: status codes, problems that name fields, scoping, retries.</summary>
public sealed class LedgerApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Erp => host.As("erp", Roles.Integration);

    private HttpClient Manager => host.As("m-1", Roles.Manager);

    private async Task<string> OpenAccount(string id, string collector = "collector-1", string portfolio = "north")
    {
        var response = await Erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, collector, portfolio));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private async Task IssueInvoice(string account, string number, decimal amount, string issueDate = "2026-01-15")
    {
        var response = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/invoices", new { number, issueDate, amount });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, params string[] fields)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await LedgerApiHost.Json(response);
        var errors = problem.GetProperty("errors");
        foreach (var field in fields)
        {
            Assert.True(errors.TryGetProperty(field, out var reasons), $"no error for '{field}' in {errors}");
            Assert.Contains(reasons.EnumerateArray(), r => !string.IsNullOrWhiteSpace(r.GetString()));
        }

        return problem;
    }

    private async Task<JsonElement> Summary(string account) =>
        (await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}"))).GetProperty("summary");

    [Fact]
    public async Task An_opened_account_is_readable_with_its_profile_and_an_empty_summary()
    {
        var response = await Erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("ACC-OPEN"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/accounts/ACC-OPEN", response.Headers.Location?.OriginalString);
        var account = await LedgerApiHost.Json(await Manager.GetAsync("/api/v1/accounts/ACC-OPEN"));
        Assert.Equal("Customer ACC-OPEN", account.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal("active", account.GetProperty("status").GetString());
        Assert.Equal(0m, account.GetProperty("summary").GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task An_invalid_account_is_refused_naming_every_bad_field_and_nothing_is_created()
    {
        var response = await Erp.PostAsJsonAsync("/api/v1/accounts", new
        {
            customerId = "ACC-INVALID",
            name = "",
            country = "Germany",
            timeZone = "Mars/Olympus",
            currency = "EURO",
            terms = new { kind = "weekly", days = 7 },
            creditLimit = -1m,
            segment = "leasingCompany",
            portfolio = "north",
        });

        await AssertProblem(response, HttpStatusCode.BadRequest, "name", "country", "timeZone", "currency", "terms.kind", "creditLimit");
        Assert.Equal(HttpStatusCode.NotFound, (await Manager.GetAsync("/api/v1/accounts/ACC-INVALID")).StatusCode);
        var badId = await Erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("ACC BAD"));
        await AssertProblem(badId, HttpStatusCode.BadRequest, "customerId");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_naming_the_field_it_could_not_read()
    {
        await OpenAccount("ACC-JSON");
        using var content = new StringContent("""{"number":"INV-1","issueDate":"2026-13-45","amount":10}""", Encoding.UTF8, "application/json");

        var response = await Erp.PostAsync("/api/v1/accounts/ACC-JSON/invoices", content);

        await AssertProblem(response, HttpStatusCode.BadRequest, "issueDate");
    }

    [Fact]
    public async Task A_payment_quoting_an_invoice_pays_it_and_its_reversal_reopens_exactly_that()
    {
        var account = await OpenAccount("ACC-PAY");
        await IssueInvoice(account, "INV-1", 1000m);
        await IssueInvoice(account, "INV-2", 250m);

        var paid = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments", new
        {
            paymentId = "PAY-1", amount = 250m, valueDate = "2026-02-20", method = "directDebit", remittanceRefs = new[] { "INV-2" },
        });

        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        var invoice = await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}/invoices/INV-2"));
        Assert.Equal("paid", invoice.GetProperty("status").GetString());
        Assert.Equal(1000m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());

        var reversed = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments/PAY-1/reversal", new { reason = "direct debit returned" });

        Assert.Equal(HttpStatusCode.OK, reversed.StatusCode);
        invoice = await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}/invoices/INV-2"));
        Assert.Equal(250m, invoice.GetProperty("openAmount").GetProperty("amount").GetDecimal());
        Assert.Equal(1250m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task A_payment_in_another_currency_is_refused_with_its_code_and_changes_nothing()
    {
        var account = await OpenAccount("ACC-CUR");
        await IssueInvoice(account, "INV-1", 100m);

        var response = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments", new
        {
            paymentId = "PAY-USD", amount = 100m, currency = "USD", valueDate = "2026-02-20", method = "bankTransfer",
        });

        var problem = await AssertProblem(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("currency_mismatch", problem.GetProperty("code").GetString());
        Assert.Equal(100m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
        var history = await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}/history"));
        Assert.DoesNotContain(history.GetProperty("items").EnumerateArray(), e => e.GetProperty("$type").GetString() == "PaymentReceived");
    }

    [Fact]
    public async Task Twenty_concurrent_identical_payments_with_one_idempotency_key_apply_once_and_answer_alike()
    {
        var account = await OpenAccount("ACC-IDEM");
        await IssueInvoice(account, "INV-1", 500m);
        var body = JsonSerializer.Serialize(new { paymentId = "PAY-9", amount = 200m, valueDate = "2026-02-20", method = "bankTransfer" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/accounts/{account}/payments")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(IdempotencyMiddleware.HeaderName, "erp-batch-7-line-1");
            return await Erp.SendAsync(request);
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single((await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()))).Distinct());
        Assert.Single(responses.Select(r => r.Headers.Location?.OriginalString).Distinct());
        var history = await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}/history"));
        Assert.Single(history.GetProperty("items").EnumerateArray(), e => e.GetProperty("$type").GetString() == "PaymentReceived");
        Assert.Equal(300m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task Repeating_a_command_without_a_key_changes_nothing_and_says_so()
    {
        var account = await OpenAccount("ACC-REPEAT");
        await IssueInvoice(account, "INV-1", 80m);

        var again = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 80m });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await LedgerApiHost.Json(again)).GetProperty("unchanged").GetBoolean());
        Assert.Equal(80m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task A_write_off_above_collector_authority_waits_and_only_someone_with_authority_approves_it()
    {
        var account = await OpenAccount("ACC-WO", collector: "collector-7");
        await IssueInvoice(account, "INV-1", 400m);
        var collector = host.As("collector-7", Roles.Collector, "north");

        var requested = await collector.PostAsJsonAsync($"/api/v1/accounts/{account}/write-offs", new
        {
            writeOffId = "WO-1", invoiceNumber = "INV-1", amount = 400m, reason = "customer insolvent",
        });
        var collectorApproves = await collector.PostAsJsonAsync($"/api/v1/accounts/{account}/write-offs/WO-1/approval", new { reason = "me" });

        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, collectorApproves.StatusCode);
        Assert.Equal(400m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());

        var approved = await Manager.PostAsJsonAsync($"/api/v1/accounts/{account}/write-offs/WO-1/approval", new { reason = "insolvency confirmed" });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(0m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
        var invoice = await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}/invoices/INV-1"));
        Assert.Equal("writtenOff", invoice.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_team_lead_cannot_approve_beyond_their_authority()
    {
        var account = await OpenAccount("ACC-WO-BIG");
        await IssueInvoice(account, "INV-1", 9000m);
        var requested = await host.As("collector-1", Roles.Collector).PostAsJsonAsync(
            $"/api/v1/accounts/{account}/write-offs", new { writeOffId = "WO-1", invoiceNumber = "INV-1", amount = 9000m, reason = "settlement" });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var lead = host.As("lead-1", Roles.TeamLead, "north");

        var response = await lead.PostAsJsonAsync($"/api/v1/accounts/{account}/write-offs/WO-1/approval", new { reason = "ok" });

        var problem = await AssertProblem(response, HttpStatusCode.Forbidden);
        Assert.Equal("not_authorized", problem.GetProperty("code").GetString());
        Assert.Equal(9000m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task A_collector_sees_only_accounts_assigned_to_them_and_a_team_lead_only_their_portfolio()
    {
        await OpenAccount("ACC-MINE", collector: "collector-1", portfolio: "north");
        await OpenAccount("ACC-THEIRS", collector: "collector-2", portfolio: "south");

        Assert.Equal(HttpStatusCode.OK, (await host.As("collector-1", Roles.Collector).GetAsync("/api/v1/accounts/ACC-MINE")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.As("collector-1", Roles.Collector).GetAsync("/api/v1/accounts/ACC-THEIRS")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.As("lead-s", Roles.TeamLead, "south").GetAsync("/api/v1/accounts/ACC-THEIRS")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.As("lead-s", Roles.TeamLead, "south").GetAsync("/api/v1/accounts/ACC-MINE")).StatusCode);
        var dispute = await host.As("collector-1", Roles.Collector).PostAsJsonAsync("/api/v1/accounts/ACC-THEIRS/invoices/INV-1/dispute", new { reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, dispute.StatusCode);
    }

    [Fact]
    public async Task An_integration_key_imports_but_cannot_write_off()
    {
        var account = await OpenAccount("ACC-ERP");
        await IssueInvoice(account, "INV-1", 10m);

        var response = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/write-offs", new { writeOffId = "WO-1", invoiceNumber = "INV-1", amount = 10m, reason = "small" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Commands_on_an_unknown_account_are_404_problems()
    {
        var response = await Erp.PostAsJsonAsync("/api/v1/accounts/NOPE-1/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 10m });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unidentified_cash_waits_in_the_queue_with_its_age_until_allocated_to_an_account()
    {
        var account = await OpenAccount("ACC-SUSP");
        await IssueInvoice(account, "INV-1", 300m);

        var received = await Erp.PostAsJsonAsync("/api/v1/unallocated-cash", new
        {
            paymentId = "CASH-1", amount = 300m, currency = "EUR", valueDate = "2026-02-25", method = "bankTransfer", remittanceRefs = new[] { "unreadable" },
        });
        Assert.Equal(HttpStatusCode.Created, received.StatusCode);
        var ageBefore = await AgeOf("CASH-1");
        host.Clock.Advance(TimeSpan.FromDays(3));

        Assert.Equal(ageBefore + 3, await AgeOf("CASH-1"));

        var allocated = await Manager.PostAsJsonAsync("/api/v1/unallocated-cash/CASH-1/allocation", new { customerId = account, reason = "matched by phone" });

        Assert.Equal(HttpStatusCode.OK, allocated.StatusCode);
        var queue = await LedgerApiHost.Json(await Manager.GetAsync("/api/v1/unallocated-cash"));
        Assert.DoesNotContain(queue.GetProperty("items").EnumerateArray(), i => i.GetProperty("payment").GetProperty("paymentId").GetString() == "CASH-1");
        Assert.Equal(0m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }

    private async Task<int> AgeOf(string paymentId)
    {
        var queue = await LedgerApiHost.Json(await Manager.GetAsync("/api/v1/unallocated-cash"));
        var item = Assert.Single(queue.GetProperty("items").EnumerateArray(), i => i.GetProperty("payment").GetProperty("paymentId").GetString() == paymentId);
        return item.GetProperty("ageDays").GetInt32();
    }

    [Fact]
    public async Task Aging_as_of_a_past_date_is_rebuilt_from_history()
    {
        var account = await OpenAccount("ACC-ASOF");
        await IssueInvoice(account, "INV-1", 700m, issueDate: "2025-12-01");
        await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments", new { paymentId = "PAY-1", amount = 700m, valueDate = "2026-02-10", method = "bankTransfer" });

        var before = await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/accounts/{account}/aging?asOf=2026-01-31"));
        var badDate = await Manager.GetAsync($"/api/v1/accounts/{account}/aging?asOf=31.01.2026");

        Assert.Equal(700m, before.GetProperty("openBalance").GetProperty("amount").GetDecimal());
        Assert.Equal(700m, before.GetProperty("pastDueBalance").GetProperty("amount").GetDecimal());
        Assert.Equal(0m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
        await AssertProblem(badDate, HttpStatusCode.BadRequest, "asOf");
    }

    [Fact]
    public async Task Manual_allocation_moves_unapplied_credit_onto_an_invoice()
    {
        var account = await OpenAccount("ACC-ALLOC");
        await IssueInvoice(account, "INV-1", 100m, issueDate: "2026-01-10");
        await IssueInvoice(account, "INV-2", 100m, issueDate: "2026-01-20");
        await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments", new { paymentId = "PAY-1", amount = 250m, valueDate = "2026-02-10", method = "cheque" });
        Assert.Equal(50m, (await Summary(account)).GetProperty("unappliedCredit").GetProperty("amount").GetDecimal());
        await IssueInvoice(account, "INV-3", 80m, issueDate: "2026-02-15");

        var allocated = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments/PAY-1/allocations", new { allocationId = "A-1", invoiceNumber = "INV-3", amount = 50m });
        var tooMuch = await Erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments/PAY-1/allocations", new { allocationId = "A-2", invoiceNumber = "INV-3", amount = 1m });

        Assert.Equal(HttpStatusCode.OK, allocated.StatusCode);
        var summary = await Summary(account);
        Assert.Equal(0m, summary.GetProperty("unappliedCredit").GetProperty("amount").GetDecimal());
        Assert.Equal(30m, summary.GetProperty("openBalance").GetProperty("amount").GetDecimal());
        var problem = await AssertProblem(tooMuch, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("exceeds_payment_unapplied", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_is_refused_with_412_and_changes_nothing()
    {
        var account = await OpenAccount("ACC-ETAG");
        var read = await Manager.GetAsync($"/api/v1/accounts/{account}");
        var etag = read.Headers.ETag!.Tag;
        await IssueInvoice(account, "INV-1", 10m); // someone else changes the account

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/accounts/{account}") { Content = JsonContent.Create(LedgerApiHost.Account(account, collector: "collector-9")) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        var refused = await Erp.SendAsync(stale);

        var problem = await AssertProblem(refused, HttpStatusCode.PreconditionFailed, "If-Match");
        Assert.Equal("version_mismatch", problem.GetProperty("code").GetString());
        var current = await Manager.GetAsync($"/api/v1/accounts/{account}");
        Assert.Equal("collector-1", (await LedgerApiHost.Json(current)).GetProperty("profile").GetProperty("assignedCollector").GetString());
        Assert.NotEqual(etag, current.Headers.ETag!.Tag);

        using var fresh = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/accounts/{account}") { Content = JsonContent.Create(LedgerApiHost.Account(account, collector: "collector-9")) };
        fresh.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.Tag);
        var accepted = await Erp.SendAsync(fresh);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.NotEqual(current.Headers.ETag!.Tag, accepted.Headers.ETag!.Tag);
        Assert.Equal(accepted.Headers.ETag!.Tag, (await Manager.GetAsync($"/api/v1/accounts/{account}")).Headers.ETag!.Tag);
    }

    [Fact]
    public async Task An_if_match_that_names_no_version_is_a_400_naming_the_header()
    {
        var account = await OpenAccount("ACC-ETAG-BAD");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/accounts/{account}/invoices") { Content = JsonContent.Create(new { number = "INV-1", issueDate = "2026-01-15", amount = 5m }) };
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"3\"");

        var response = await Erp.SendAsync(request);

        await AssertProblem(response, HttpStatusCode.BadRequest, "If-Match");
        Assert.Equal(0m, (await Summary(account)).GetProperty("openBalance").GetProperty("amount").GetDecimal());
    }
}
