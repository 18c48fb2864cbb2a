using ArActors.Api.Events;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ArActors.Api.Hub;

/// <summary>What <c>Subscribe</c> answers: the position the subscription starts after.</summary>
public sealed record SubscribeResult(string Topic, long AfterSequence);

/// <summary>
/// Live events at <c>/hubs/events</c>. Clients call <c>Subscribe(topic, afterSequence)</c> and receive <c>event</c>
/// messages (<see cref="EventMessage"/>) in sequence order: first those after <c>afterSequence</c> from the log, then
/// live ones. A client that falls too far behind receives <c>resync</c> (<see cref="ResyncRequired"/>) and is closed.
/// </summary>
[Authorize]
public sealed class EventsHub(EventFanout fanout, EventTopics topics, IHubContext<EventsHub> hubContext) : Microsoft.AspNetCore.SignalR.Hub
{
    public const string Path = "/hubs/events";

    public async Task<SubscribeResult> Subscribe(string topic, long? afterSequence)
    {
        var decision = await topics.CanReadAsync(Context.User!, topic, Context.ConnectionAborted);
        if (!decision.IsAllowed)
        {
            throw new HubException(decision.Reason);
        }

        if (afterSequence < 0)
        {
            throw new HubException("afterSequence must be 0 or more (the last sequence already seen), or null for only new events.");
        }

        var after = await fanout.SubscribeAsync(new HubClientSubscriber<EventsHub>(Context, hubContext), topic, afterSequence, Context.ConnectionAborted);
        return new SubscribeResult(topic, after);
    }

    public Task Unsubscribe(string topic) => fanout.UnsubscribeAsync(Context.ConnectionId, topic);

    public override Task OnDisconnectedAsync(Exception? exception) => fanout.RemoveSubscriberAsync(Context.ConnectionId);
}

/// <summary>The messages the server sends to hub clients.</summary>
public static class EventsHubMessages
{
    public const string Event = "event";
    public const string Resync = "resync";
}
