namespace ArActors.Grains.Workflow;

/// <summary>What a ladder step does. Every action produces work (events), never a letter or an e-mail.</summary>
public enum StepAction
{
    SendReminder,
    CreateCallTask,
    EscalateToTeamLead,
    NotifySalesOwner,
    PlaceCreditHold,
    FinalNotice,
    ReferToAgency,
    ProposeWriteOff,
}

/// <summary>
/// One rung of a dunning ladder: due <see cref="OffsetDays"/> after the anchor (the due date, or the partial payment
/// date after a re-anchor; negative = before). Channel and template apply to reminders and final notices only.
/// </summary>
public sealed record StrategyStep(string Id, int OffsetDays, StepAction Action, ContactChannel? Channel = null, string? Template = null)
{
    public bool IsCommunication => Action is StepAction.SendReminder or StepAction.FinalNotice;
}

/// <summary>
/// The escalation ladder of one customer segment. Steps run in list order; their offsets must not decrease.
/// <see cref="ReanchorOnPartialPayment"/>: a partial payment after the due date restarts the ladder's non-negative steps from the payment date.
/// </summary>
public sealed record Strategy(CustomerSegment Segment, ImmutableArray<StrategyStep> Steps, bool ReanchorOnPartialPayment = false, bool StatutoryInterest = false)
{
    public const int MaxSteps = 50;

    /// <summary>The first problem with a strategy, naming the field as the API's JSON path.</summary>
    public LedgerError? Validate()
    {
        if (Steps.IsDefaultOrEmpty)
        {
            return LedgerError.Of("steps", ErrorCodes.Required, "A strategy needs at least one step.");
        }

        if (Steps.Length > MaxSteps)
        {
            return LedgerError.Of("steps", ErrorCodes.Invalid, $"A strategy has at most {MaxSteps} steps.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Steps.Length; i++)
        {
            var step = Steps[i];
            var at = $"steps[{i}]";
            if (step is null)
            {
                return LedgerError.Of(at, ErrorCodes.Required, "A step is missing.");
            }

            if (string.IsNullOrWhiteSpace(step.Id) || step.Id.Length > 64 || step.Id.Contains('@', StringComparison.Ordinal))
            {
                return LedgerError.Of(at + ".id", ErrorCodes.Invalid, "A step id is 1-64 characters without '@'.");
            }

            if (!ids.Add(step.Id))
            {
                return LedgerError.Of(at + ".id", ErrorCodes.IdConflict, $"Step id '{step.Id}' is used twice.");
            }

            if (step.OffsetDays is < -365 or > 3650)
            {
                return LedgerError.Of(at + ".offsetDays", ErrorCodes.Invalid, "An offset is between -365 and 3650 days from the due date.");
            }

            if (i > 0 && step.OffsetDays < Steps[i - 1].OffsetDays)
            {
                return LedgerError.Of(at + ".offsetDays", ErrorCodes.Invalid, $"Offsets may not decrease: {step.OffsetDays} follows {Steps[i - 1].OffsetDays}.");
            }

            if (!Enum.IsDefined(step.Action))
            {
                return LedgerError.Of(at + ".action", ErrorCodes.Invalid, "Unknown action.");
            }

            if (step.IsCommunication && (step.Channel is null || string.IsNullOrWhiteSpace(step.Template)))
            {
                return LedgerError.Of(at + (step.Channel is null ? ".channel" : ".template"), ErrorCodes.Required,
                    "A reminder or final notice needs a channel and a template id.");
            }

            if (step.Channel is { } channel && !Enum.IsDefined(channel))
            {
                return LedgerError.Of(at + ".channel", ErrorCodes.Invalid, "Unknown channel.");
            }
        }

        return null;
    }

    /// <summary>The default ladder of the issue; leasing allows nothing unpaid beyond 30 days, so its later steps all run at +30.</summary>
    public static Strategy Default(CustomerSegment segment)
    {
        var leasing = segment == CustomerSegment.LeasingCompany;
        return new Strategy(segment,
        [
            new("courtesy-reminder", -3, StepAction.SendReminder, ContactChannel.Email, "courtesy-reminder"),
            new("reminder", 1, StepAction.SendReminder, ContactChannel.Email, "reminder"),
            new("call-task", 7, StepAction.CreateCallTask),
            new("second-notice", 15, StepAction.SendReminder, ContactChannel.Email, "second-notice"),
            new("escalate-team-lead", 30, StepAction.EscalateToTeamLead),
            new("notify-sales", 30, StepAction.NotifySalesOwner),
            new("credit-hold", 30, StepAction.PlaceCreditHold),
            new("final-notice", leasing ? 30 : 60, StepAction.FinalNotice, ContactChannel.Letter, "final-notice"),
            new("agency-referral", leasing ? 30 : 90, StepAction.ReferToAgency),
            new("write-off-review", leasing ? 30 : 90, StepAction.ProposeWriteOff),
        ]);
    }
}
