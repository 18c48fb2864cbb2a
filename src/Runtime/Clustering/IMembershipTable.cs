namespace ArActors.Runtime.Clustering;

/// <summary>
/// The shared membership table. Changes are optimistic: an insert names the table version it read, an update also
/// the row version; a stale version changes nothing and returns false (the caller re-reads and retries).
/// A Dead row is final: updates to it are refused. Heartbeats touch only <see cref="MembershipEntry.IAmAlive"/>
/// and bump no version, so they never conflict with (or erase) suspicion votes written concurrently.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates or migrates the table. Idempotent; safe for several processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>All rows and the table version, read as one consistent snapshot.</summary>
    Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a row; false when the table version moved or a row for the silo already exists.</summary>
    Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default);

    /// <summary>Replaces the row's status and votes; false when either version moved or the row is Dead or missing.</summary>
    Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default);

    /// <summary>Sets the row's heartbeat time only; false when the row does not exist.</summary>
    Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes Dead rows whose last heartbeat is before <paramref name="heartbeatBefore"/>; returns how many. Bumps no
    /// version: the active silos do not change. Rows of any other status are never removed.
    /// </summary>
    Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default);
}
