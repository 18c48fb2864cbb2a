namespace ArActors.Grains.Workflow;

/// <summary>
/// What an invoice grain persists for its ladder: the day it first saw the invoice (steps before it are skipped),
/// the execution keys of steps already run, the pauses it observed, and the next step date it computed.
/// </summary>
public sealed record InvoiceWorkflow
{
    public static InvoiceWorkflow New { get; } = new();

    public DateOnly? Since { get; init; }

    public ImmutableSortedSet<string> Executed { get; init; } = ImmutableSortedSet<string>.Empty;

    public ImmutableArray<LadderPause> Pauses { get; init; } = [];

    public DateOnly? NextStepOn { get; init; }

    /// <summary>True while an open pause holds steps.</summary>
    public bool Held { get; init; }

    /// <summary>
    /// Records the first day seen and opens or closes the dispute pause: only a dispute over all that is open holds the
    /// ladder; with a part disputed the steps go on for the undisputed open amount.
    /// </summary>
    public InvoiceWorkflow Observe(InvoiceState invoice, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var next = Since is null ? this with { Since = today } : this;
        var open = -1;
        for (var i = 0; i < next.Pauses.Length; i++)
        {
            if (next.Pauses[i] is { Kind: PauseKind.Dispute, Until: null })
            {
                open = i;
            }
        }

        var held = invoice.Disputed && invoice.UndisputedOpenAmount.IsZero;
        if (held && open < 0)
        {
            next = next with { Pauses = next.Pauses.Add(new LadderPause(PauseKind.Dispute, today, null)) };
        }
        else if (!held && open >= 0)
        {
            next = next with { Pauses = next.Pauses.SetItem(open, next.Pauses[open] with { Until = today }) };
        }

        return next;
    }

    /// <summary>Adds or replaces the pause with this id (promises, plans and manual holds set theirs from outside).</summary>
    public InvoiceWorkflow SetPause(LadderPause pause)
    {
        ArgumentNullException.ThrowIfNull(pause);
        var held = Pauses.FirstOrDefault(p => p.Id is not null && p.Id == pause.Id);
        return held == pause ? this : this with { Pauses = held is null ? Pauses.Add(pause) : Pauses.Replace(held, pause) };
    }

    public LadderFacts Facts(InvoiceState invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var paid = invoice.Allocations.Values.Where(a => !a.Reversed).Select(a => (DateOnly?)a.ValueDate).Max();
        return new LadderFacts(invoice.DueDate, Since ?? invoice.IssueDate, invoice.IsOpen, invoice.IsOpen ? paid : null, Pauses, Executed);
    }
}
