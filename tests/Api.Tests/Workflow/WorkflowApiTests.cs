using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Strategies and invoice ladders over HTTP, on PostgreSQL: reads, replacement, refusals as problem+json naming fields.</summary>
public sealed class WorkflowApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Manager => host.As("m-1", Roles.Manager);

    private static object Step(string id, int offsetDays, string action, string? channel = null, string? template = null) => new { id, offsetDays, action, channel, template };

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await LedgerApiHost.Json(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons), $"no error for '{field}' in {problem}");
        Assert.False(string.IsNullOrWhiteSpace(reasons[0].GetString()));
        return problem;
    }

    private async Task<string[]> StepIds(string segment) =>
        [.. (await LedgerApiHost.Json(await Manager.GetAsync($"/api/v1/strategies/{segment}"))).GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    [Fact]
    public async Task A_segment_without_its_own_strategy_shows_the_default_ladder()
    {
        var response = await Manager.GetAsync("/api/v1/strategies/corporate");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var strategy = await LedgerApiHost.Json(response);
        Assert.Equal("corporate", strategy.GetProperty("segment").GetString());
        var steps = strategy.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([-3, 1, 7, 15, 30, 30, 30, 60, 90, 90], steps.Select(s => s.GetProperty("offsetDays").GetInt32()));
        Assert.Equal(("sendReminder", "email", "courtesy-reminder"),
            (steps[0].GetProperty("action").GetString(), steps[0].GetProperty("channel").GetString(), steps[0].GetProperty("template").GetString()));
    }

    [Fact]
    public async Task A_manager_replaces_a_segments_strategy_and_reads_it_back_and_a_repeat_changes_nothing()
    {
        var body = new { steps = new[] { Step("nudge", 2, "sendReminder", "sms", "nudge-sms"), Step("call", 5, "createCallTask"), Step("hold", 20, "placeCreditHold") }, reanchorOnPartialPayment = true };

        var first = await Manager.PutAsJsonAsync("/api/v1/strategies/broker", body);
        var repeat = await Manager.PutAsJsonAsync("/api/v1/strategies/broker", body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(["nudge", "call", "hold"], await StepIds("broker"));
        Assert.True((await LedgerApiHost.Json(await Manager.GetAsync("/api/v1/strategies/broker"))).GetProperty("reanchorOnPartialPayment").GetBoolean());
    }

    [Fact]
    public async Task An_invalid_strategy_is_refused_naming_the_field_and_the_stored_one_is_unchanged()
    {
        var before = await StepIds("consumer");

        var decreasing = await Manager.PutAsJsonAsync("/api/v1/strategies/consumer", new { steps = new[] { Step("a", 10, "createCallTask"), Step("b", 3, "createCallTask") } });
        var noTemplate = await Manager.PutAsJsonAsync("/api/v1/strategies/consumer", new { steps = new[] { Step("a", 1, "sendReminder", "email") } });
        var unknownAction = await Manager.PutAsJsonAsync("/api/v1/strategies/consumer", new { steps = new[] { Step("a", 1, "sendFax") } });
        var empty = await Manager.PutAsJsonAsync("/api/v1/strategies/consumer", new { steps = Array.Empty<object>() });

        var problem = await AssertProblem(decreasing, HttpStatusCode.BadRequest, "steps[1].offsetDays");
        Assert.Contains("may not decrease", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertProblem(noTemplate, HttpStatusCode.BadRequest, "steps[0].template");
        await AssertProblem(unknownAction, HttpStatusCode.BadRequest, "steps[0].action");
        await AssertProblem(empty, HttpStatusCode.BadRequest, "steps");
        Assert.Equal(before, await StepIds("consumer"));
    }

    [Fact]
    public async Task Only_managers_and_admins_touch_strategies_and_an_unknown_segment_is_not_found()
    {
        var body = new { steps = new[] { Step("call", 5, "createCallTask") } };

        var byCollector = await host.As("collector-1", Roles.Collector).PutAsJsonAsync("/api/v1/strategies/corporate", body);
        var byLead = await host.As("lead-1", Roles.TeamLead, "north").GetAsync("/api/v1/strategies/corporate");
        var unknown = await Manager.GetAsync("/api/v1/strategies/pirates");

        Assert.Equal(HttpStatusCode.Forbidden, byCollector.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byLead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(10, (await StepIds("corporate")).Length);
    }

    [Fact]
    public async Task An_invoices_ladder_shows_its_next_step_to_those_who_can_see_the_account()
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("WF-API-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts/WF-API-1/invoices", new { number = "INV-1", issueDate = "2026-03-01", amount = 100m })).StatusCode);

        var own = await host.As("collector-1", Roles.Collector).GetAsync("/api/v1/accounts/WF-API-1/invoices/INV-1/workflow");
        var other = await host.As("collector-2", Roles.Collector).GetAsync("/api/v1/accounts/WF-API-1/invoices/INV-1/workflow");
        var missing = await Manager.GetAsync("/api/v1/accounts/WF-API-1/invoices/NOPE/workflow");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var view = await LedgerApiHost.Json(own);
        Assert.Equal("leasingCompany", view.GetProperty("segment").GetString());

        // Due 31 March (net 30): the leasing ladder's first step is the courtesy reminder three days before.
        Assert.Equal("2026-03-28", view.GetProperty("workflow").GetProperty("nextStepOn").GetString());
        Assert.Empty(view.GetProperty("workflow").GetProperty("executed").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
