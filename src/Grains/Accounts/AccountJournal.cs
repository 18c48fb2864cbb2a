using System.Globalization;
using ArActors.Runtime.Storage;

namespace ArActors.Grains.Accounts;

/// <summary>
/// An account's ledger slice as of <see cref="Version"/>, stored apart from the account's small head row (state
/// "account-ledger"). The account's ledger events after <see cref="Sequence"/> in its topic fold it forward to the head.
/// </summary>
public sealed record AccountSnapshot
{
    public LedgerState Ledger { get; init; } = LedgerState.Empty;

    public long Version { get; init; }

    /// <summary>The head's <see cref="AccountGrainState.Journaled"/> count at <see cref="Version"/>.</summary>
    public long Journaled { get; init; }

    /// <summary>
    /// A sequence of topic "account/{id}" at or after the last event this snapshot includes and before the account's
    /// next one (the topic's last sequence when the snapshot was written); the journal is read after it.
    /// </summary>
    public long Sequence { get; init; }
}

/// <summary>
/// How an account's ledger is kept: each command writes the small head row with its events in one transaction (the
/// events are the journal, in the account's topic), and every <see cref="SnapshotEvery"/> events, or whenever a commit
/// cannot be replayed from its own events, the whole slice goes to the snapshot row. A head whose snapshot may not reach
/// its version carries the ledger itself (rows written before the journal do too). Both the grain and readers of the
/// database directly (the invariant checker's tests) rebuild the ledger with <see cref="Rebuild"/>.
/// </summary>
public static class AccountJournal
{
    public const string SnapshotStateName = "account-ledger";

    /// <summary>At most this many ledger events are folded on activation; a snapshot rewrites the whole slice.</summary>
    public const int SnapshotEvery = 64;

    /// <summary>Whether a stored event in the account's topic is one of the account's ledger events (the topic also carries its invoices' notices).</summary>
    public static bool IsJournalEntry(StoredEvent stored, string customerId) =>
        stored.SourceGrainType == "account" && stored.SourceGrainKey == customerId;

    /// <summary>
    /// The ledger as of the head: the head's own copy when it carries one, else the snapshot folded with the account's
    /// ledger events after it, which must be exactly the ones the head counted since.
    /// </summary>
    public static LedgerState Rebuild(string customerId, AccountGrainState head, AccountSnapshot snapshot, IReadOnlyList<LedgerEvent> after)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(after);
        if (head.Ledger is { } inline)
        {
            return inline;
        }

        var expected = head.Journaled - snapshot.Journaled;
        if (snapshot.Version > head.Version || after.Count != expected)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Account '{customerId}' cannot be rebuilt: its head (version {head.Version}) counts {expected} ledger events after its snapshot (version {snapshot.Version}, sequence {snapshot.Sequence}), its topic holds {after.Count}."));
        }

        return LedgerRules.Fold(snapshot.Ledger, after);
    }
}
