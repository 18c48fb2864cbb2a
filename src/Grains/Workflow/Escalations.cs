namespace ArActors.Grains.Workflow;

public enum EscalationStatus
{
    Open,
    Acknowledged,
    Resolved,
}

/// <summary>
/// An escalation as a record: who it went to and why, from which step of which account, and where it stands. Portfolio
/// and collector are the account's when it was raised (what scopes the reads).
/// </summary>
public sealed record EscalationRecord(
    string Id,
    int Level,
    string Reason,
    string From,
    EscalationTarget To,
    string CustomerId,
    ImmutableArray<string> InvoiceNumbers,
    string StepId,
    string Portfolio,
    string? Collector,
    DateTimeOffset RaisedAt,
    DateOnly RaisedOn,
    Money OpenAmount)
{
    public EscalationStatus Status { get; init; } = EscalationStatus.Open;

    public Actor? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public string? AcknowledgementNote { get; init; }

    public Actor? ResolvedBy { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    public string? ResolutionNote { get; init; }
}

/// <summary>An escalation became a record (published once per record, with the id its acknowledgement and resolution use).</summary>
public sealed record EscalationRecorded(EscalationRecord Escalation);

public sealed record EscalationAcknowledged(EscalationRecord Escalation);

public sealed record EscalationResolved(EscalationRecord Escalation);

/// <summary>Escalation rules. Pure.</summary>
public static class EscalationRules
{
    public const int MaxNote = 1000;

    /// <summary>Level 1 goes to the team (team lead, sales owner), level 2 to a manager.</summary>
    public static int LevelOf(EscalationTarget to) => to == EscalationTarget.Manager ? 2 : 1;

    /// <summary>What makes a raised escalation the same one when its step runs again: account, step, day and invoices.</summary>
    public static string OriginKey(WorkOrigin origin, EscalationTarget to)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return $"{origin.CustomerId}/{origin.StepId}/{origin.On:yyyy-MM-dd}/{to}/{string.Join(",", origin.InvoiceNumbers)}";
    }

    public static EscalationRecord Record(string id, EscalationRaised raised, string? collector, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(raised);
        var origin = raised.Origin;
        return new EscalationRecord(id, LevelOf(raised.To), raised.Reason, collector is null ? $"workflow:{origin.StepId}" : $"{collector} (workflow:{origin.StepId})",
            raised.To, origin.CustomerId, origin.InvoiceNumbers, origin.StepId, raised.Portfolio, collector, at, origin.On, origin.OpenAmount);
    }

    /// <summary>Acknowledges an open escalation; one already acknowledged or resolved is unchanged (null).</summary>
    public static Result<EscalationRecord?> Acknowledge(EscalationRecord record, Actor actor, string? note, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (note is { Length: > MaxNote })
        {
            return LedgerError.Of("note", ErrorCodes.Invalid, $"A note is at most {MaxNote} characters.");
        }

        return record.Status != EscalationStatus.Open
            ? (EscalationRecord?)null
            : record with { Status = EscalationStatus.Acknowledged, AcknowledgedBy = actor, AcknowledgedAt = at, AcknowledgementNote = Clean(note) };
    }

    /// <summary>Resolves an open or acknowledged escalation with a note; one already resolved is unchanged (null).</summary>
    public static Result<EscalationRecord?> Resolve(EscalationRecord record, Actor actor, string? note, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Clean(note) is not { } text)
        {
            return LedgerError.Of("note", ErrorCodes.Required, "A resolution says what was done.");
        }

        if (text.Length > MaxNote)
        {
            return LedgerError.Of("note", ErrorCodes.Invalid, $"A note is at most {MaxNote} characters.");
        }

        return record.Status == EscalationStatus.Resolved
            ? (EscalationRecord?)null
            : record with { Status = EscalationStatus.Resolved, ResolvedBy = actor, ResolvedAt = at, ResolutionNote = text };
    }

    private static string? Clean(string? note) => string.IsNullOrWhiteSpace(note) ? null : note.Trim();
}
