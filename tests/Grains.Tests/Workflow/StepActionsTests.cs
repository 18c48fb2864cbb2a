using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>What each step action produces, and who receives communications (do-not-contact honoured).</summary>
public sealed class StepActionsTests
{
    private static readonly DateOnly Due = new(2026, 3, 10);

    private static readonly InvoiceState Invoice = new("INV-1", "ACME", new DateOnly(2026, 2, 8), Due, LedgerCluster.Usd(700m), ExternalRefs.None) { OpenAmount = LedgerCluster.Usd(700m) };

    private static Contact Contact(string name, string? email, string? phone, ContactChannel preferred, DoNotContact dnc) =>
        new(name, "AP", email, phone, preferred, dnc, []);

    private static ScheduledStep Scheduled(StrategyStep step, int day) => new(step, Due.AddDays(day), Ladder.KeyOf(step, Due));

    [Fact]
    public void A_reminder_goes_to_the_contact_preferring_the_channel_and_not_to_one_marked_do_not_contact()
    {
        var account = LedgerCluster.Profile("ACME") with
        {
            Contacts = [Contact("Blocked", "blocked@example.com", null, ContactChannel.Email, DoNotContact.Email), Contact("Other", "other@example.com", null, ContactChannel.Phone, DoNotContact.None),
                Contact("Prefers mail", "pm@example.com", null, ContactChannel.Email, DoNotContact.None)],
        };

        var work = StepActions.Produce(Scheduled(new("reminder", 1, StepAction.SendReminder, ContactChannel.Email, "reminder"), 1), Invoice, account, Due.AddDays(1));

        var request = Assert.IsType<CommunicationRequested>(work);
        Assert.Equal(new Recipient("Prefers mail", "AP", "pm@example.com"), request.Recipient);
        Assert.Equal(("ACME", "reminder", Due.AddDays(1), LedgerCluster.Usd(700m)), (request.Origin.CustomerId, request.Origin.StepId, request.Origin.On, request.Origin.OpenAmount));
        Assert.Equal(["INV-1"], request.Origin.InvoiceNumbers.ToArray());
        Assert.False(request.FinalNotice);
    }

    [Fact]
    public void When_every_contact_is_do_not_contact_on_the_channel_the_communication_is_suppressed_with_the_reason()
    {
        var account = LedgerCluster.Profile("ACME") with { Contacts = [Contact("A", "a@example.com", "+1", ContactChannel.Email, DoNotContact.Email | DoNotContact.Letter)] };

        var work = StepActions.Produce(Scheduled(new("final", 60, StepAction.FinalNotice, ContactChannel.Letter, "final-notice"), 60), Invoice, account, Due.AddDays(60));

        var suppressed = Assert.IsType<CommunicationSuppressed>(work);
        Assert.Equal("Every contact is marked do-not-contact for Letter.", suppressed.Reason);
    }

    [Fact]
    public void Escalations_go_to_the_team_lead_or_sales_owner_of_the_accounts_portfolio_and_call_tasks_to_its_collector()
    {
        var account = LedgerCluster.Profile("ACME");

        var lead = Assert.IsType<EscalationRaised>(StepActions.Produce(Scheduled(new("e", 30, StepAction.EscalateToTeamLead), 30), Invoice, account, Due.AddDays(30)));
        var sales = Assert.IsType<EscalationRaised>(StepActions.Produce(Scheduled(new("s", 30, StepAction.NotifySalesOwner), 30), Invoice, account, Due.AddDays(30)));
        var call = Assert.IsType<CallTaskCreated>(StepActions.Produce(Scheduled(new("c", 7, StepAction.CreateCallTask), 7), Invoice, account, Due.AddDays(7)));

        Assert.Equal((EscalationTarget.TeamLead, "P1"), (lead.To, lead.Portfolio));
        Assert.Equal(EscalationTarget.SalesOwner, sales.To);
        Assert.Contains("30 days past due", lead.Reason, StringComparison.Ordinal);
        Assert.Equal("col-1", call.Collector);

        // The test profile's only contact is do-not-call, so the task names nobody to call.
        Assert.Null(call.Callee);
    }
}
