using System.Collections.Immutable;

namespace ArActors.Runtime.Clustering;

/// <summary>The failure-detection rules as pure functions over table data.</summary>
public static class MembershipRules
{
    /// <summary>Dead is final; otherwise a silo only moves forward (Joining, Active, ShuttingDown, Dead).</summary>
    public static bool IsAllowedTransition(SiloStatus from, SiloStatus to) => from != SiloStatus.Dead && to >= from;

    /// <summary>Votes needed to kill <paramref name="suspect"/>: the configured quorum capped at the other active silos, at least 1.</summary>
    public static int VotesRequired(MembershipTableData data, SiloAddress suspect, int votesToKill)
    {
        var otherActive = data.Rows.Count(r => r.Entry.Status == SiloStatus.Active && r.Entry.Silo != suspect);
        return Math.Max(1, Math.Min(votesToKill, otherActive));
    }

    /// <summary>Whether the observed heartbeat has stayed unchanged for <paramref name="suspectAfter"/> or longer.</summary>
    public static bool IsStale(DateTimeOffset lastChangeSeenAt, DateTimeOffset now, TimeSpan suspectAfter) =>
        now - lastChangeSeenAt >= suspectAfter;

    /// <summary>
    /// The row <paramref name="voter"/> should write to suspect the row's silo: its fresh vote added to the other
    /// votes still inside the window, and status Dead when that completes the quorum. Null when there is nothing to
    /// write (the silo is already dead, or the voter's vote is already counted and the quorum is still short).
    /// </summary>
    public static MembershipEntry? Suspect(
        MembershipTableData data,
        MembershipRow suspect,
        SiloAddress voter,
        DateTimeOffset now,
        MembershipOptions options)
    {
        var entry = suspect.Entry;
        if (entry.Status == SiloStatus.Dead || entry.Silo == voter)
        {
            return null;
        }

        var fresh = entry.Suspicions.Where(v => now - v.At <= options.VoteWindow).ToList();
        var alreadyVoted = fresh.Any(v => v.Voter == voter);
        ImmutableArray<SuspicionVote> votes = [.. fresh.Where(v => v.Voter != voter), new SuspicionVote(voter, now)];
        var required = VotesRequired(data, entry.Silo, options.VotesToKill);
        if (votes.Length >= required)
        {
            return entry with { Status = SiloStatus.Dead, Suspicions = votes };
        }

        return alreadyVoted ? null : entry with { Suspicions = votes };
    }
}
