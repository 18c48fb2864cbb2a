using System.Security.Claims;
using ArActors.Api.Events;
using ArActors.Api.Hub;
using ArActors.Api.Security;

namespace ArActors.Api.Tests.Reporting;

/// <summary>Topic <c>kpi</c>: managers and admins follow it on the hub and may read it; nobody else may.</summary>
public sealed class KpiTopicTests
{
    private static ClaimsPrincipal User(string role, string? team = null) => new(new ClaimsIdentity(
        new[] { new Claim(ClaimTypes.NameIdentifier, "u-1"), new Claim(ClaimTypes.Role, role) }
            .Concat(team is null ? [] : [new Claim(ArActorsClaims.Team, team)]), "test"));

    [Theory]
    [InlineData(Roles.Manager, true)]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.TeamLead, false)]
    [InlineData(Roles.Collector, false)]
    [InlineData(Roles.Integration, false)]
    public async Task Only_managers_and_admins_may_read_kpi_and_only_their_hub_connections_follow_it(string role, bool allowed)
    {
        var user = User(role, team: "north");

        var decision = await new EventTopics(new RoleOnlyAccountReadScope()).CanReadAsync(user, EventTopics.Kpi, CancellationToken.None);

        Assert.Equal(allowed ? TopicVerdict.Allowed : TopicVerdict.Forbidden, decision.Verdict);
        Assert.Equal(allowed, CollectionsHub.TopicsFor(user).Contains(EventTopics.Kpi));
    }
}
