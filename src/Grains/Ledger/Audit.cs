namespace ArActors.Grains.Ledger;

/// <summary>Who may do what: write-off limits and approval rights hang off the role.</summary>
public enum ActorRole
{
    System,
    Collector,
    TeamLead,
    Manager,
}

public sealed record Actor(string Id, ActorRole Role);

/// <summary>Who did it, when, and why: stamped on every ledger event.</summary>
public sealed record AuditStamp(Actor Actor, DateTimeOffset At, string Reason);

/// <summary>
/// Everything a decision needs besides state and command: the actor, the instant (from the grain's TimeProvider), the
/// business date in the account's time zone (effective date of changes that carry no date of their own), the reason,
/// and the write-off authority policy.
/// </summary>
public sealed record CommandContext(Actor Actor, DateTimeOffset At, DateOnly On, string Reason)
{
    public WriteOffPolicy WriteOffPolicy { get; init; } = WriteOffPolicy.Default;

    public AuditStamp Stamp => new(Actor, At, Reason);
}
