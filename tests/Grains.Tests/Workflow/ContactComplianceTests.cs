using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>The contact compliance guard (consumer policy by default): hours in the contact's zone, call caps, quiet period, do-not-contact.</summary>
public sealed class ContactComplianceTests
{
    private const string Zone = "America/New_York";   // UTC-5 in January
    private static readonly ContactPolicy Consumer = ContactPolicy.For(CustomerSegment.Consumer);
    private static readonly Contact Debtor = new("Dana Debtor", "self", "dana@example.com", "+1 212 555 0100", ContactChannel.Phone, DoNotContact.None, []);

    private static DateTimeOffset NewYork(int day, int hour, int minute = 0) => new(2026, 1, day, hour, minute, 0, TimeSpan.FromHours(-5));

    private static ComplianceDecision Call(DateTimeOffset at, params PastAttempt[] history) =>
        ContactCompliance.Check(Debtor, "INV-1", ContactChannel.Phone, at, Zone, Consumer, history);

    private static PastAttempt Attempt(DateTimeOffset at, CallOutcome outcome = CallOutcome.NoAnswer, string debt = "INV-1") =>
        new(Debtor.Name, debt, ContactChannel.Phone, at, outcome);

    [Fact]
    public void A_call_at_21_05_contact_local_time_is_refused_with_8_00_the_next_morning_as_the_next_permitted_time()
    {
        var decision = Call(NewYork(14, 21, 5));   // 02:05 UTC on the 15th

        Assert.False(decision.Allowed);
        Assert.Equal("It is 21:05 for the contact; contact is allowed from 08:00 to 21:00 their time.", decision.Reason);
        Assert.Equal(NewYork(15, 8), decision.NextPermitted);
        Assert.True(Call(NewYork(14, 20, 59)).Allowed);
        Assert.Equal(NewYork(14, 8), Call(NewYork(14, 7, 30)).NextPermitted);
    }

    [Fact]
    public void The_8th_call_in_7_days_is_refused_until_the_oldest_of_them_leaves_the_window()
    {
        var seven = Enumerable.Range(0, 7).Select(i => Attempt(NewYork(10 + i, 10))).ToArray();   // 10-16 Jan, 10:00

        var eighth = Call(NewYork(16, 15), seven);
        var sixPlusOne = Call(NewYork(16, 15), seven[1..]);
        var otherDebt = Call(NewYork(16, 15), [.. seven.Select(a => a with { Debt = "INV-2" })]);

        Assert.False(eighth.Allowed);
        Assert.Equal("7 call attempts to Dana Debtor about this debt in the last 7 days; at most 7.", eighth.Reason);
        Assert.Equal(NewYork(17, 10), eighth.NextPermitted);
        Assert.True(sixPlusOne.Allowed);
        Assert.True(otherDebt.Allowed);
    }

    [Fact]
    public void A_call_3_days_after_a_right_party_conversation_is_refused_until_7_days_after_it()
    {
        var talked = Attempt(NewYork(10, 11), CallOutcome.RightPartyContact);

        var decision = Call(NewYork(13, 11), talked);

        Assert.False(decision.Allowed);
        Assert.StartsWith("A right-party conversation about this debt took place on 2026-01-10 16:00 UTC", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(NewYork(17, 11), decision.NextPermitted);
        Assert.True(Call(NewYork(17, 11), talked).Allowed);
    }

    [Fact]
    public void The_next_permitted_time_satisfies_every_rule_at_once()
    {
        // The quiet period ends at 22:00 local, outside the allowed hours: next permitted is 08:00 the morning after.
        var talked = Attempt(NewYork(10, 22), CallOutcome.RightPartyContact);

        var decision = Call(NewYork(12, 12), talked);

        Assert.Equal(NewYork(18, 8), decision.NextPermitted);
    }

    [Fact]
    public void Do_not_contact_and_inconvenient_times_are_honoured_even_where_the_policy_is_off()
    {
        var corporate = ContactPolicy.For(CustomerSegment.Corporate);
        var noCalls = Debtor with { DoNotContact = DoNotContact.Phone };
        var lunch = Debtor with { InconvenientTimes = [new InconvenientTime(null, new TimeOnly(12, 0), new TimeOnly(13, 0))] };

        var dnc = ContactCompliance.Check(noCalls, "INV-1", ContactChannel.Phone, NewYork(14, 10), Zone, corporate, []);
        var inconvenient = ContactCompliance.Check(lunch, "INV-1", ContactChannel.Phone, NewYork(14, 12, 30), Zone, corporate, []);
        var late = ContactCompliance.Check(Debtor, "INV-1", ContactChannel.Phone, NewYork(14, 23), Zone, corporate, []);

        Assert.Equal((false, "Dana Debtor is marked do-not-contact for Phone.", (DateTimeOffset?)null), (dnc.Allowed, dnc.Reason, dnc.NextPermitted));
        Assert.Equal((false, NewYork(14, 13)), (inconvenient.Allowed, inconvenient.NextPermitted!.Value));
        Assert.True(late.Allowed);
        Assert.False(corporate.Enabled);
        Assert.True(Consumer.Enabled);
    }
}
