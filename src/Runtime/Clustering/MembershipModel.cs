using System.Collections.Immutable;

namespace ArActors.Runtime.Clustering;

/// <summary>
/// One silo process: its HTTP base URL plus a generation unique per process start, so a restart on the same
/// address is a different silo (a silo declared dead never comes back under the same generation).
/// </summary>
public sealed record SiloAddress(string Endpoint, long Generation)
{
    /// <summary>Ordinal by endpoint, then generation: the same order in every process.</summary>
    public static IComparer<SiloAddress> Order { get; } = Comparer<SiloAddress>.Create(static (a, b) =>
    {
        var byEndpoint = string.CompareOrdinal(a.Endpoint, b.Endpoint);
        return byEndpoint != 0 ? byEndpoint : a.Generation.CompareTo(b.Generation);
    });

    /// <summary>A generation for a process starting now: its start time in ticks.</summary>
    public static SiloAddress ForNewProcess(string endpoint, TimeProvider timeProvider) =>
        new(endpoint, timeProvider.GetUtcNow().UtcTicks);

    public override string ToString() => $"{Endpoint}#{Generation}";
}

public enum SiloStatus
{
    Joining = 0,
    Active = 1,
    ShuttingDown = 2,
    Dead = 3,
}

/// <summary><paramref name="Voter"/> suspected the row's silo at <paramref name="At"/> (the voter's clock).</summary>
public sealed record SuspicionVote(SiloAddress Voter, DateTimeOffset At);

/// <summary>The content of one membership row, as a silo writes it.</summary>
public sealed record MembershipEntry(
    SiloAddress Silo,
    SiloStatus Status,
    DateTimeOffset StartTime,
    DateTimeOffset IAmAlive,
    ImmutableArray<SuspicionVote> Suspicions)
{
    public static MembershipEntry Joining(SiloAddress silo, DateTimeOffset now) => new(silo, SiloStatus.Joining, now, now, []);
}

/// <summary>A row as read, with its row version (bumped by every full update, not by heartbeats).</summary>
public sealed record MembershipRow(MembershipEntry Entry, long RowVersion);

/// <summary>All rows plus the table version; every insert or full update bumps the version by one.</summary>
public sealed record MembershipTableData(long Version, ImmutableArray<MembershipRow> Rows)
{
    public MembershipRow? Find(SiloAddress silo) => Rows.FirstOrDefault(r => r.Entry.Silo == silo);
}

/// <summary>What placement needs: the active silos (in <see cref="SiloAddress.Order"/>) at a table version.</summary>
public sealed record MembershipSnapshot(long Version, ImmutableArray<SiloAddress> ActiveSilos, ImmutableArray<MembershipEntry> Entries)
{
    public static readonly MembershipSnapshot Empty = new(-1, [], []);

    public static MembershipSnapshot From(MembershipTableData data) => new(
        data.Version,
        [.. data.Rows.Where(r => r.Entry.Status == SiloStatus.Active).Select(r => r.Entry.Silo).Order(SiloAddress.Order)],
        [.. data.Rows.Select(r => r.Entry)]);
}
