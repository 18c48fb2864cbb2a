namespace ArActors.Grains.Workflow;

/// <summary>
/// A manual hold of an invoice's ladder: a pause (id <see cref="PauseId"/>) from the day it is placed to its end date,
/// known at once, so the later steps are re-dated immediately. One per invoice: placing it again moves its end;
/// releasing it ends it today. Pure.
/// </summary>
public static class ManualHolds
{
    public const string PauseId = "hold";
    public const int MaxDays = 366;

    public static LadderPause? Current(InvoiceWorkflow workflow) =>
        workflow?.Pauses.FirstOrDefault(p => p.Id == PauseId);

    /// <summary>The hold to set until <paramref name="until"/> (its first day kept when one is running), or the error naming <c>until</c>.</summary>
    public static Result<LadderPause> Place(InvoiceWorkflow workflow, DateOnly until, DateOnly today)
    {
        if (until <= today || until > today.AddDays(MaxDays))
        {
            return LedgerError.Of("until", ErrorCodes.Invalid, $"A hold ends after today ({today:yyyy-MM-dd}) and at most {MaxDays} days ahead.");
        }

        var from = Current(workflow) is { } held && held.Until > today ? held.From : today;
        return new LadderPause(PauseKind.ManualHold, from, until, PauseId);
    }

    /// <summary>The hold ended today, or null when none is running (a release again changes nothing).</summary>
    public static LadderPause? Release(InvoiceWorkflow workflow, DateOnly today) =>
        Current(workflow) is { } held && held.Until > today ? held with { Until = held.From > today ? held.From : today } : null;
}
