namespace ArActors.Grains.Workflow;

/// <summary>Turns a due step into the work it produces. Pure.</summary>
public static class StepActions
{
    public static WorkflowEvent Produce(ScheduledStep scheduled, InvoiceState invoice, AccountProfile account, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(account);
        var step = scheduled.Step;
        // Dunning asks for the undisputed open amount: a disputed part is paused.
        var asked = invoice.UndisputedOpenAmount;
        var late = $"invoice {invoice.Number} is {invoice.DaysPastDue(asOf)} days past due ({asked} open), step '{step.Id}'";
        var origin = new WorkOrigin(invoice.CustomerId, [invoice.Number], step.Id, scheduled.On, asked);
        return step.Action switch
        {
            StepAction.SendReminder or StepAction.FinalNotice => Communicate(origin, step, account),
            StepAction.CreateCallTask => new CallTaskCreated(origin, account.AssignedCollector, Recipients.Choose(account.Contacts, ContactChannel.Phone).Recipient),
            StepAction.EscalateToTeamLead => new EscalationRaised(origin, EscalationTarget.TeamLead, account.Portfolio, late),
            StepAction.NotifySalesOwner => new EscalationRaised(origin, EscalationTarget.SalesOwner, account.Portfolio, late),
            StepAction.PlaceCreditHold => new CreditHoldRequested(origin, late),
            StepAction.ReferToAgency => new AgencyReferralProposed(origin, late),
            StepAction.ProposeWriteOff => new WriteOffReviewProposed(origin, late),
            _ => throw new ArgumentOutOfRangeException(nameof(scheduled), step.Action, "Unknown step action."),
        };
    }

    private static WorkflowEvent Communicate(WorkOrigin origin, StrategyStep step, AccountProfile account)
    {
        var channel = step.Channel ?? ContactChannel.Letter;
        var template = step.Template ?? step.Id;
        var (recipient, reason) = Recipients.Choose(account.Contacts, channel);
        return recipient is null
            ? new CommunicationSuppressed(origin, channel, template, reason!)
            : new CommunicationRequested(origin, channel, template, recipient, step.Action == StepAction.FinalNotice);
    }
}

/// <summary>Who receives a communication on a channel. Pure.</summary>
public static class Recipients
{
    /// <summary>
    /// The first contact reachable on the channel (not marked do-not-contact for it, with an address for it),
    /// preferring contacts whose preferred channel it is; otherwise null and the reason.
    /// </summary>
    public static (Recipient? Recipient, string? Reason) Choose(ImmutableArray<Contact> contacts, ContactChannel channel)
    {
        if (contacts.IsDefaultOrEmpty)
        {
            return (null, "The account has no contacts.");
        }

        var allowed = contacts.Where(c => !c.DoNotContact.HasFlag(Flag(channel))).ToList();
        if (allowed.Count == 0)
        {
            return (null, $"Every contact is marked do-not-contact for {channel}.");
        }

        var reachable = allowed.Where(c => Address(c, channel) is not null || channel == ContactChannel.Letter).ToList();
        if (reachable.Count == 0)
        {
            return (null, $"No contact allowed on {channel} has an address for it.");
        }

        var chosen = reachable.FirstOrDefault(c => c.PreferredChannel == channel) ?? reachable[0];
        return (new Recipient(chosen.Name, chosen.Role, Address(chosen, channel)), null);
    }

    public static DoNotContact Flag(ContactChannel channel) => channel switch
    {
        ContactChannel.Email => DoNotContact.Email,
        ContactChannel.Phone => DoNotContact.Phone,
        ContactChannel.Sms => DoNotContact.Sms,
        _ => DoNotContact.Letter,
    };

    // Letters go to the account's postal address, which the profile does not hold yet; the recipient is named only.
    private static string? Address(Contact contact, ContactChannel channel) => channel switch
    {
        ContactChannel.Email => string.IsNullOrWhiteSpace(contact.Email) ? null : contact.Email,
        ContactChannel.Phone or ContactChannel.Sms => string.IsNullOrWhiteSpace(contact.Phone) ? null : contact.Phone,
        _ => null,
    };
}
