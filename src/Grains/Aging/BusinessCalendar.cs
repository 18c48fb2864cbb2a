namespace ArActors.Grains.Aging;

/// <summary>Business dates in an account's IANA time zone: "today" for an instant, and the instant a date begins.</summary>
public static class BusinessCalendar
{
    public static TimeZoneInfo Zone(string? timeZoneId) =>
        timeZoneId is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateOnly Today(DateTimeOffset now, string? timeZoneId) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone(timeZoneId)).DateTime);

    /// <summary>
    /// The UTC instant the local day <paramref name="date"/> starts. Where a DST change skips midnight the day starts
    /// at the first local time that exists.
    /// </summary>
    public static DateTimeOffset StartOfDay(DateOnly date, string? timeZoneId)
    {
        var zone = Zone(timeZoneId);
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        // An ambiguous midnight (clocks went back over it) starts at its first occurrence, the larger offset.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
