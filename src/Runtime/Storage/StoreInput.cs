using System.Globalization;

namespace ArActors.Runtime.Storage;

/// <summary>Argument checks and value conventions shared by the durable store providers.</summary>
internal static class StoreInput
{
    /// <summary>A fresh opaque ETag; random so that a stale writer can never guess the next one.</summary>
    public static string NewEtag() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    /// <summary>Drops sub-microsecond ticks so that a value reads back exactly as it was written (PostgreSQL keeps microseconds).</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value)
    {
        var utcTicks = value.UtcTicks;
        return new DateTimeOffset(utcTicks - (utcTicks % 10), TimeSpan.Zero);
    }

    public static TimeSpan TruncateToMicroseconds(TimeSpan value) => new(value.Ticks - (value.Ticks % 10));

    public static void Key(string value, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        // PostgreSQL text cannot hold NUL; rejecting it up front keeps one bad key from failing a whole batch.
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Store keys and names must not contain NUL characters.", parameterName);
        }
    }

    public static void StateId(GrainStateId id)
    {
        Key(id.GrainType, nameof(id.GrainType));
        Key(id.GrainKey, nameof(id.GrainKey));
        Key(id.StateName, nameof(id.StateName));
    }

    /// <summary>
    /// Validates drafts and copies their payloads, since the caller may reuse its buffers while the write is queued;
    /// <paramref name="owned"/> (the runtime's own freshly serialized drafts, never touched again) skips the copies.
    /// </summary>
    public static IReadOnlyList<EventDraft> Events(IReadOnlyList<EventDraft>? events, bool owned = false)
    {
        if (events is null || events.Count == 0)
        {
            return [];
        }

        var copies = new EventDraft[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var draft = events[i] ?? throw new ArgumentException("Event drafts must not be null.", nameof(events));
            Key(draft.Topic, nameof(draft.Topic));
            Key(draft.EventType, nameof(draft.EventType));
            Key(draft.SourceGrainType, nameof(draft.SourceGrainType));
            Key(draft.SourceGrainKey, nameof(draft.SourceGrainKey));
            copies[i] = owned ? draft : draft with { Payload = draft.Payload.ToArray() };
        }

        return copies;
    }

    public static void Reminder(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Key(entry.GrainType, nameof(entry.GrainType));
        Key(entry.GrainKey, nameof(entry.GrainKey));
        Key(entry.Name, nameof(entry.Name));
        ArgumentOutOfRangeException.ThrowIfLessThan(entry.Period, TimeSpan.Zero, nameof(entry.Period));
    }
}
