namespace ArActors.Grains.Workflow;

/// <summary>Why a ladder is held. <see cref="Until"/> is the first day it runs again; null while the pause is open.</summary>
public enum PauseKind
{
    Dispute,
    Promise,
    PaymentPlan,
    ManualHold,
}

/// <summary>A pause of the ladder; <see cref="Id"/> names one set from outside the invoice (e.g. "promise:P-1") so it can be replaced.</summary>
public sealed record LadderPause(PauseKind Kind, DateOnly From, DateOnly? Until, string? Id = null);

/// <summary>
/// What the ladder of one invoice knows: due date, the first day the workflow saw it (earlier steps are skipped, not
/// run, so an imported old invoice does not fire its whole ladder at once), the date of the last partial payment,
/// pauses, and the execution keys already run.
/// </summary>
public sealed record LadderFacts(DateOnly DueDate, DateOnly Since, bool Open, DateOnly? LastPartialPayment, ImmutableArray<LadderPause> Pauses, ImmutableSortedSet<string> Executed);

/// <summary>A step with the date it falls on and the key its execution is recorded under ("stepId@anchor").</summary>
public sealed record ScheduledStep(StrategyStep Step, DateOnly On, string Key);

/// <summary>Steps to run now (in ladder order), steps skipped because they fell before the workflow knew the invoice, and the next step date.</summary>
public sealed record LadderPlan(ImmutableArray<ScheduledStep> Due, ImmutableArray<ScheduledStep> Skipped, DateOnly? NextStepOn, bool Held);

/// <summary>
/// Which steps of a strategy are due for an invoice as of a date. Pure.
/// Pauses stop the ladder's clock: a step on or after a pause's first day moves later by the pause's length, and
/// while a pause is open no step on or after its first day is due. So when a pause ends the ladder resumes at the
/// step it had reached, with the same spacing between steps, instead of firing everything that fell inside it.
/// </summary>
public static class Ladder
{
    public static DateOnly Anchor(Strategy strategy, LadderFacts facts) =>
        strategy.ReanchorOnPartialPayment && facts.LastPartialPayment is { } paid && paid > facts.DueDate ? paid : facts.DueDate;

    public static string KeyOf(StrategyStep step, DateOnly anchor) => $"{step.Id}@{anchor:yyyy-MM-dd}";

    /// <summary>The date a step falls on after the pauses, or null while an open pause holds it.</summary>
    public static DateOnly? DateOf(int offsetDays, DateOnly anchor, ImmutableArray<LadderPause> pauses)
    {
        var date = anchor.AddDays(offsetDays);
        foreach (var (from, until) in Merge(pauses))
        {
            if (from > date)
            {
                break;
            }

            if (until is not { } end)
            {
                return null;
            }

            date = date.AddDays(end.DayNumber - from.DayNumber);
        }

        return date;
    }

    public static LadderPlan Plan(Strategy strategy, LadderFacts facts, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(facts);
        if (!facts.Open)
        {
            return new LadderPlan([], [], null, Held: false);
        }

        var anchor = Anchor(strategy, facts);
        var reanchored = anchor != facts.DueDate;
        var due = ImmutableArray.CreateBuilder<ScheduledStep>();
        var skipped = ImmutableArray.CreateBuilder<ScheduledStep>();
        DateOnly? next = null;
        var held = false;
        foreach (var step in strategy.Steps)
        {
            // A restarted ladder does not send pre-due reminders again.
            if (reanchored && step.OffsetDays <= 0)
            {
                continue;
            }

            var key = KeyOf(step, anchor);
            if (facts.Executed.Contains(key))
            {
                continue;
            }

            if (DateOf(step.OffsetDays, anchor, facts.Pauses) is not { } on)
            {
                held = true;
                continue;
            }

            if (on < facts.Since)
            {
                skipped.Add(new ScheduledStep(step, on, key));
            }
            else if (on <= asOf)
            {
                due.Add(new ScheduledStep(step, on, key));
            }
            else if (next is null || on < next)
            {
                next = on;
            }
        }

        return new LadderPlan(due.ToImmutable(), skipped.ToImmutable(), next, held);
    }

    /// <summary>Overlapping or touching pauses as disjoint spans in date order (an open span swallows all later ones).</summary>
    private static List<(DateOnly From, DateOnly? Until)> Merge(ImmutableArray<LadderPause> pauses)
    {
        var spans = new List<(DateOnly From, DateOnly? Until)>();
        if (pauses.IsDefaultOrEmpty)
        {
            return spans;
        }

        foreach (var pause in pauses.Where(p => p.Until is null || p.Until > p.From).OrderBy(p => p.From))
        {
            if (spans.Count > 0 && spans[^1] is var (lastFrom, lastUntil) && (lastUntil is null || pause.From <= lastUntil))
            {
                spans[^1] = (lastFrom, lastUntil is null || pause.Until is null ? null : Max(lastUntil.Value, pause.Until.Value));
            }
            else
            {
                spans.Add((pause.From, pause.Until));
            }
        }

        return spans;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
