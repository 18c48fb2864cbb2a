namespace ArActors.Grains.Workflow;

/// <summary>
/// What the priority of an account in its collector's worklist is computed from. Amounts are in the account's
/// currency and are not converted (a queue mixing currencies compares their magnitudes only).
/// </summary>
public sealed record PriorityInputs(
    decimal PastDueAmount,
    DateOnly? OldestPastDueDate,
    CustomerSegment Segment,
    int BrokenPromises = 0,
    DateOnly? DisputeDeadline = null,
    DateOnly? NextActionOn = null);

/// <summary>The score and the points behind it, so a worklist can say why an account ranks where it does.</summary>
public sealed record PriorityScore(int Total, int Amount, int Age, int Promises, int Dispute, int Segment, int NextAction)
{
    public static PriorityScore None { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Zero means the account needs no action and is not in the worklist.</summary>
    public bool NeedsAction => Total > 0;
}

/// <summary>
/// The worklist priority of an account as of a date. Pure; higher ranks first. Points:
/// <list type="bullet">
/// <item>amount past due: 10 per power of ten (floor(10 * log10(1 + amount))), at most 50 (1,000 = 30, 100,000 = 50);</item>
/// <item>days past due of the oldest past-due invoice: one point per 3 days, at most 40 (120 days);</item>
/// <item>broken promises: 15 each, at most 30;</item>
/// <item>dispute deadline: 15 when it is within 2 days or passed;</item>
/// <item>segment risk: consumer 10, broker 8, leasing 6, corporate 4 (only when something is past due);</item>
/// <item>next action date: a follow-up planned for later takes 30 points off (never below 1 while anything is past
/// due); one due today or overdue adds 10, and alone puts the account in the worklist.</item>
/// </list>
/// Nothing past due, no dispute deadline near and no follow-up due: 0, not in the worklist.
/// </summary>
public static class Priority
{
    public static PriorityScore Score(PriorityInputs inputs, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var pastDue = inputs.PastDueAmount > 0m && inputs.OldestPastDueDate is { } oldest && oldest < today;
        var amount = pastDue ? Math.Min(50, (int)Math.Floor(10 * Math.Log10(1 + (double)inputs.PastDueAmount))) : 0;
        var age = pastDue ? Math.Min(40, (today.DayNumber - inputs.OldestPastDueDate!.Value.DayNumber) / 3) : 0;
        var promises = Math.Min(30, 15 * Math.Max(0, inputs.BrokenPromises));
        var dispute = inputs.DisputeDeadline is { } deadline && deadline.DayNumber - today.DayNumber <= 2 ? 15 : 0;
        var segment = pastDue ? SegmentRisk(inputs.Segment) : 0;
        var action = inputs.NextActionOn is { } next ? (next > today ? -30 : 10) : 0;

        var total = amount + age + promises + dispute + segment + action;
        total = pastDue ? Math.Max(1, total) : Math.Max(0, total);
        return new PriorityScore(total, amount, age, promises, dispute, segment, action);
    }

    public static int SegmentRisk(CustomerSegment segment) => segment switch
    {
        CustomerSegment.Consumer => 10,
        CustomerSegment.Broker => 8,
        CustomerSegment.LeasingCompany => 6,
        _ => 4,
    };

    /// <summary>What an account's ledger slice says about its priority today (promises, disputes and activities add to it later).</summary>
    public static PriorityInputs Of(LedgerState ledger, AccountProfile profile, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(profile);
        // Only the undisputed part of an invoice is past due: a disputed amount is paused from dunning.
        var pastDue = ledger.InvoicesOf(profile.CustomerId).Where(i => i.IsOpen && i.UndisputedOpenAmount.IsPositive && i.DueDate < today).ToList();
        return new PriorityInputs(
            pastDue.Sum(i => i.UndisputedOpenAmount.Amount),
            pastDue.Count == 0 ? null : pastDue.Min(i => i.DueDate),
            profile.Segment);
    }
}
