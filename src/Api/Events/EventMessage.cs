using System.Text.Json;
using ArActors.Runtime.Storage;

namespace ArActors.Api.Events;

/// <summary>One committed event as clients see it, on the hub and from <c>GET /api/v1/events</c>.</summary>
public sealed record EventMessage(string Topic, long Sequence, string EventType, DateTimeOffset OccurredAt, JsonElement Payload)
{
    public static EventMessage From(StoredEvent stored)
    {
        using var document = JsonDocument.Parse(stored.Payload);
        return new EventMessage(stored.Topic, stored.Sequence, stored.EventType, stored.Timestamp, document.RootElement.Clone());
    }
}

/// <summary>A page of a topic's events; <see cref="Next"/> is the <c>after</c> of the following page.</summary>
public sealed record EventPage(string Topic, IReadOnlyList<EventMessage> Items, long Next, bool HasMore);

/// <summary>Sent on the hub before the server closes a connection that fell too far behind.</summary>
public sealed record ResyncRequired(string Topic, long AfterSequence, string Reason);
