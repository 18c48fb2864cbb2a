namespace ArActors.Runtime.Clustering;

/// <summary>
/// Failure-detection timing. With the defaults a silo that stops is declared Dead at most 5 s after its last
/// heartbeat, and every other silo knows it at most 1 s later (docs/clustering.md has the arithmetic).
/// </summary>
public sealed record MembershipOptions
{
    /// <summary>How often a silo writes its heartbeat, reads the table and probes the others.</summary>
    public TimeSpan HeartbeatPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose heartbeat an observer has not seen change for this long (observer's clock) is suspected: 3 missed beats.</summary>
    public TimeSpan SuspectAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Votes older than this no longer count towards the quorum.</summary>
    public TimeSpan VoteWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Votes needed to declare a silo dead, capped at the number of other active silos.</summary>
    public int VotesToKill { get; init; } = 2;

    /// <summary>
    /// Dead rows whose last heartbeat is older than this are deleted by any Active silo's round, so one row per process
    /// start does not pile up. Far longer than any partition a silo could come back from (it would find its row gone
    /// and stop, as if declared dead).
    /// </summary>
    public TimeSpan DeadRowRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How often a join, leave or vote re-reads and retries after an optimistic conflict before giving up.</summary>
    public int MaxConflictRetries { get; init; } = 20;
}
