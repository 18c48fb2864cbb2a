using System.Security.Claims;
using ArActors.Api.Events;
using ArActors.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ArActors.Api.Hub;

/// <summary>
/// The dashboards' hub at <c>/hubs/collections</c>. Clients join by identity, not by asking: on connect the server
/// subscribes the connection to its caller's topics (<see cref="TopicsFor"/>) from the current end and sends
/// <c>joined</c> with each topic and the sequence it starts after. Events arrive as <c>event</c> messages
/// (<see cref="EventMessage"/>) carrying their topic sequence. A client that reconnects calls
/// <c>Resync(topic, lastSequenceSeen)</c> for each of its topics and gets exactly what it missed, then live events.
/// No connection can follow a topic outside its identity's, so no client receives another portfolio's events.
/// </summary>
[Authorize]
public sealed class CollectionsHub(EventFanout fanout, IHubContext<CollectionsHub> hubContext) : Microsoft.AspNetCore.SignalR.Hub
{
    public const string Path = "/hubs/collections";
    public const string Joined = "joined";

    /// <summary>
    /// A collector follows their own accounts and announcements; a team lead their team's portfolio and announcements;
    /// managers and admins the whole ledger, imports, KPI snapshots and announcements; integrations the ledger and imports.
    /// </summary>
    public static IReadOnlyList<string> TopicsFor(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) switch
    {
        Roles.Collector when user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id => [EventTopics.CollectorPrefix + id, EventTopics.Announcements],
        Roles.TeamLead when user.FindFirstValue(ArActorsClaims.Team) is { } team => [EventTopics.PortfolioPrefix + team, EventTopics.Announcements],
        Roles.Manager or Roles.Admin => [EventTopics.Ledger, EventTopics.Imports, EventTopics.Kpi, EventTopics.Announcements],
        Roles.Integration => [EventTopics.Ledger, EventTopics.Imports],
        _ => [EventTopics.Announcements],
    };

    public override async Task OnConnectedAsync()
    {
        var subscriber = new HubClientSubscriber<CollectionsHub>(Context, hubContext);
        var joined = new List<SubscribeResult>();
        foreach (var topic in TopicsFor(Context.User!))
        {
            joined.Add(new SubscribeResult(topic, await fanout.SubscribeAsync(subscriber, topic, afterSequence: null, Context.ConnectionAborted)));
        }

        await Clients.Caller.SendAsync(Joined, joined, Context.ConnectionAborted);
    }

    /// <summary>Restarts one of this connection's topics after <paramref name="afterSequence"/>: the missed events first, then live ones.</summary>
    public async Task<SubscribeResult> Resync(string topic, long afterSequence)
    {
        var topics = TopicsFor(Context.User!);
        if (!topics.Contains(topic, StringComparer.Ordinal))
        {
            throw new HubException($"This connection follows {string.Join(", ", topics)}; '{topic}' is not one of them.");
        }

        if (afterSequence < 0)
        {
            throw new HubException("afterSequence must be 0 or more: the last sequence this client has seen.");
        }

        return new SubscribeResult(topic, await fanout.SubscribeAsync(new HubClientSubscriber<CollectionsHub>(Context, hubContext), topic, afterSequence, Context.ConnectionAborted));
    }

    public override Task OnDisconnectedAsync(Exception? exception) => fanout.RemoveSubscriberAsync(Context.ConnectionId);
}
