using System.Net;
using System.Net.Http.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Escalation records over HTTP on PostgreSQL: scoped lists, acknowledge and resolve with events, refusals, Idempotency-Key.</summary>
public sealed class EscalationApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    /// <summary>An escalation as the workflow raises it (the ladder's +30 step), for an account of the given collector and portfolio.</summary>
    private async Task<string> RaiseAsync(string customerId, string collector, string portfolio, string step)
    {
        var raised = new EscalationRaised(new WorkOrigin(customerId, ["INV-1"], step, new DateOnly(2026, 3, 2), new Money(900m, "EUR")),
            EscalationTarget.TeamLead, portfolio, $"invoice INV-1 of {customerId} is 30 days past due");
        return (await host.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IEscalationGrain>(EscalationGrain.Key).Raise(raised, collector)).Id;
    }

    private Task<long> Sequence(string topic) => host.Factory.Services.GetRequiredService<IDurableStore>().GetLastSequenceAsync(topic);

    [Fact]
    public async Task A_team_lead_sees_the_teams_open_escalations_acknowledges_and_resolves_with_events()
    {
        var id = await RaiseAsync("ES-1", "es-col", "es-team-1", "escalate-team-lead");
        var other = await RaiseAsync("ES-2", "es-col-2", "es-south", "escalate-team-lead");
        var lead = host.As("es-lead", Roles.TeamLead, "es-team-1");

        var open = await LedgerApiHost.Json(await lead.GetAsync("/api/v1/escalations?status=open"));
        Assert.Equal([id], open.GetProperty("escalations").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var all = await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/escalations?status=open"));
        Assert.Contains(other, all.GetProperty("escalations").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        var collectorTopic = await Sequence("collector/es-col");
        var acknowledged = await lead.PostAsJsonAsync($"/api/v1/escalations/{id}/acknowledgement", new { note = "calling them today" });
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.Equal("acknowledged", (await LedgerApiHost.Json(acknowledged)).GetProperty("status").GetString());
        var resolved = await lead.PostAsJsonAsync($"/api/v1/escalations/{id}/resolution", new { note = "paid in full" });
        Assert.Equal(("resolved", "paid in full"), ((await LedgerApiHost.Json(resolved)).GetProperty("status").GetString(), (await LedgerApiHost.Json(await lead.GetAsync($"/api/v1/escalations/{id}"))).GetProperty("resolutionNote").GetString()));
        Assert.Equal(collectorTopic + 2, await Sequence("collector/es-col"));

        // Repeats change nothing and publish nothing.
        Assert.Equal(HttpStatusCode.OK, (await lead.PostAsJsonAsync($"/api/v1/escalations/{id}/resolution", new { note = "paid in full" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lead.PostAsJsonAsync($"/api/v1/escalations/{id}/acknowledgement", new { note = "late" })).StatusCode);
        Assert.Equal(collectorTopic + 2, await Sequence("collector/es-col"));
        Assert.Empty((await LedgerApiHost.Json(await lead.GetAsync("/api/v1/escalations?status=open"))).GetProperty("escalations").EnumerateArray());
    }

    [Fact]
    public async Task A_collector_cannot_see_or_resolve_another_portfolios_escalation_and_nothing_changes()
    {
        var id = await RaiseAsync("ES-3", "es-col-3", "es-east", "escalate-team-lead");
        var stranger = host.As("es-col-4", Roles.Collector, "es-west");
        var lead = host.As("es-lead-west", Roles.TeamLead, "es-west");
        var before = await Sequence("ledger");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"/api/v1/escalations/{id}/resolution", new { note = "not mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lead.PostAsJsonAsync($"/api/v1/escalations/{id}/acknowledgement", new { note = "not ours" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/escalations/{id}")).StatusCode);
        Assert.DoesNotContain(id, (await LedgerApiHost.Json(await stranger.GetAsync("/api/v1/escalations"))).GetProperty("escalations").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        Assert.Equal(before, await Sequence("ledger"));
        Assert.Equal("open", (await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync($"/api/v1/escalations/{id}"))).GetProperty("status").GetString());

        // Their own collector may act on it.
        Assert.Equal(HttpStatusCode.OK, (await host.As("es-col-3", Roles.Collector, "es-east").PostAsJsonAsync($"/api/v1/escalations/{id}/acknowledgement", new { })).StatusCode);
    }

    [Fact]
    public async Task A_resolution_without_a_note_is_refused_naming_the_field_and_a_bad_status_filter_too()
    {
        var id = await RaiseAsync("ES-5", "es-col-5", "es-north", "notify-sales");
        var manager = host.As("m-1", Roles.Manager);

        var refused = await manager.PostAsJsonAsync($"/api/v1/escalations/{id}/resolution", new { note = "" });
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (refused.StatusCode, refused.Content.Headers.ContentType?.MediaType));
        Assert.True((await LedgerApiHost.Json(refused)).GetProperty("errors").TryGetProperty("note", out _));
        Assert.Equal("open", (await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/escalations/{id}"))).GetProperty("status").GetString());

        var badStatus = await manager.GetAsync("/api/v1/escalations?status=sleepy");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.True((await LedgerApiHost.Json(badStatus)).GetProperty("errors").TryGetProperty("status", out _));
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_answer_and_refuses_another_body()
    {
        var id = await RaiseAsync("ES-6", "es-col-6", "es-north", "escalate-team-lead");
        var manager = host.As("m-1", Roles.Manager);
        HttpRequestMessage Post(string note)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/escalations/{id}/resolution") { Content = JsonContent.Create(new { note }) };
            request.Headers.Add("Idempotency-Key", "es-6-resolve");
            return request;
        }

        var first = await manager.SendAsync(Post("done"));
        var replay = await manager.SendAsync(Post("done"));
        var other = await manager.SendAsync(Post("something else"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity), (first.StatusCode, replay.StatusCode, other.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal("done", (await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/escalations/{id}"))).GetProperty("resolutionNote").GetString());
    }
}
