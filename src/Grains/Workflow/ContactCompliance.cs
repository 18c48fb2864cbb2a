namespace ArActors.Grains.Workflow;

public enum CallOutcome
{
    NoAnswer,
    LeftMessage,
    RightPartyContact,
    WrongParty,
    Refused,
}

/// <summary>A contact attempt already made: who, about which debt, on which channel, when, and for calls the outcome.</summary>
public sealed record PastAttempt(string ContactName, string Debt, ContactChannel Channel, DateTimeOffset At, CallOutcome? Outcome);

/// <summary>
/// The contact rules of a segment: allowed local hours, call attempts per person per debt in a rolling window, and the
/// quiet period after a right-party conversation (US Reg F 12 CFR 1006.14(b)(2) by default: 7 calls in 7 days, none
/// within 7 days after a conversation). Do-not-contact channels and inconvenient times are always honoured.
/// </summary>
public sealed record ContactPolicy(bool Enabled, TimeOnly Earliest, TimeOnly Latest, int MaxCallAttempts, int WindowDays, int QuietDaysAfterConversation)
{
    /// <summary>On by default for consumers only.</summary>
    public static ContactPolicy For(CustomerSegment segment) => new(segment == CustomerSegment.Consumer, new TimeOnly(8, 0), new TimeOnly(21, 0), 7, 7, 7);
}

/// <summary>Allowed, or refused with a plain reason and the next time the attempt would be allowed (null: never, e.g. do-not-contact).</summary>
public sealed record ComplianceDecision(bool Allowed, string? Reason, DateTimeOffset? NextPermitted)
{
    public static ComplianceDecision Allow { get; } = new(true, null, null);
}

/// <summary>Whether a contact attempt may be made now. Pure.</summary>
public static class ContactCompliance
{
    public static ComplianceDecision Check(Contact contact, string debt, ContactChannel channel, DateTimeOffset at, string timeZone, ContactPolicy policy, IEnumerable<PastAttempt> history)
    {
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(policy);
        var past = history?.Where(h => h.ContactName == contact.Name && h.Debt == debt).ToList() ?? [];

        // Do-not-contact is honoured whatever the policy says.
        if (contact.DoNotContact.HasFlag(Recipients.Flag(channel)))
        {
            return new ComplianceDecision(false, $"{contact.Name} is marked do-not-contact for {channel}.", null);
        }

        var first = Refusal(contact, channel, at, timeZone, policy, past);
        if (first is null)
        {
            return ComplianceDecision.Allow;
        }

        // Move to each refusal's earliest end until every rule allows it (bounded: the rules only ever push forward).
        var candidate = first.Value.Until;
        for (var i = 0; i < 64; i++)
        {
            if (Refusal(contact, channel, candidate, timeZone, policy, past) is not { } next)
            {
                return new ComplianceDecision(false, first.Value.Reason, candidate);
            }

            candidate = next.Until;
        }

        return new ComplianceDecision(false, first.Value.Reason, null);
    }

    private static (string Reason, DateTimeOffset Until)? Refusal(Contact contact, ContactChannel channel, DateTimeOffset at, string timeZone, ContactPolicy policy, List<PastAttempt> past)
    {
        var zone = BusinessCalendar.Zone(timeZone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var date = DateOnly.FromDateTime(local.DateTime);

        foreach (var window in contact.InconvenientTimes.IsDefault ? [] : contact.InconvenientTimes)
        {
            if ((window.Day is null || window.Day == local.DayOfWeek) && time >= window.From && time < window.To)
            {
                return ($"{contact.Name} marked {window.From:HH\\:mm}-{window.To:HH\\:mm}{(window.Day is { } d ? " on " + d : "")} as inconvenient.", At(date, window.To, zone));
            }
        }

        if (!policy.Enabled)
        {
            return null;
        }

        if (time < policy.Earliest)
        {
            return ($"It is {time:HH\\:mm} for the contact; contact is allowed from {policy.Earliest:HH\\:mm} to {policy.Latest:HH\\:mm} their time.", At(date, policy.Earliest, zone));
        }

        if (time >= policy.Latest)
        {
            return ($"It is {time:HH\\:mm} for the contact; contact is allowed from {policy.Earliest:HH\\:mm} to {policy.Latest:HH\\:mm} their time.", At(date.AddDays(1), policy.Earliest, zone));
        }

        if (channel != ContactChannel.Phone)
        {
            return null;
        }

        var window7 = TimeSpan.FromDays(policy.WindowDays);
        var conversation = past.Where(p => p.Outcome == CallOutcome.RightPartyContact && p.At <= at && at - p.At < TimeSpan.FromDays(policy.QuietDaysAfterConversation))
            .Select(p => (DateTimeOffset?)p.At).Max();
        if (conversation is { } talked)
        {
            return ($"A right-party conversation about this debt took place on {talked.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC; no call for {policy.QuietDaysAfterConversation} days after it.",
                talked + TimeSpan.FromDays(policy.QuietDaysAfterConversation));
        }

        var calls = past.Where(p => p.Channel == ContactChannel.Phone && p.At <= at && at - p.At < window7).OrderBy(p => p.At).ToList();
        if (calls.Count >= policy.MaxCallAttempts)
        {
            // Allowed again when enough of the window's calls have aged out of it.
            var release = calls[calls.Count - policy.MaxCallAttempts].At + window7;
            return ($"{calls.Count} call attempts to {contact.Name} about this debt in the last {policy.WindowDays} days; at most {policy.MaxCallAttempts}.", release);
        }

        return null;
    }

    private static DateTimeOffset At(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
