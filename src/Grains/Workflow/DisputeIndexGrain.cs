namespace ArActors.Grains.Workflow;

/// <summary>A dispute with the owners of its account when it last changed (for scoping reads to a portfolio or a collector).</summary>
public sealed record DisputeIndexEntry(Dispute Dispute, string Portfolio, string? Collector);

/// <summary>Which disputes a query asks for; null = any.</summary>
public sealed record DisputeFilter(DisputeStatus? Status = null, string? Reason = null, string? CustomerId = null, string? Portfolio = null, string? Collector = null)
{
    public bool Matches(DisputeIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var d = entry.Dispute;
        return (Status is null || d.Status == Status)
            && (Reason is null || d.Reason == Reason)
            && (CustomerId is null || d.CustomerId == CustomerId)
            && (Portfolio is null || entry.Portfolio == Portfolio)
            && (Collector is null || entry.Collector == Collector);
    }
}

/// <summary>
/// Every dispute of the engine, kept current by the account dispute grains after each change (one grain, key "default"):
/// the cross-account reads (lists by status, reason, account; counts and cycle times by reason).
/// </summary>
public interface IDisputeIndexGrain : IGrainWithStringKey
{
    /// <summary>Stores the dispute's latest state; an entry equal to the held one writes nothing.</summary>
    Task Upsert(DisputeIndexEntry entry);

    /// <summary>Matching disputes, oldest first, then by account and id.</summary>
    [ReadOnly]
    Task<ImmutableArray<DisputeIndexEntry>> Query(DisputeFilter filter);

    [ReadOnly]
    Task<ImmutableArray<DisputeReasonSummary>> Summary(DisputeFilter filter);
}

public sealed record DisputeIndexState
{
    public ImmutableDictionary<string, DisputeIndexEntry> Entries { get; init; } = ImmutableDictionary<string, DisputeIndexEntry>.Empty;
}

[GrainType("dispute-index")]
public sealed class DisputeIndexGrain([PersistentState("dispute-index")] IPersistentState<DisputeIndexState> state) : Grain, IDisputeIndexGrain
{
    public const string Key = "default";

    private static string EntryKey(Dispute dispute) => dispute.CustomerId + "/" + dispute.Id;

    public async Task Upsert(DisputeIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = EntryKey(entry.Dispute);

        // Pushes may arrive out of order after a retry: a resolved or escalated dispute never goes back to an earlier state.
        if (state.State.Entries.TryGetValue(key, out var held) && (held == entry || Later(held.Dispute, entry.Dispute)))
        {
            return;
        }

        await state.WriteStateAsync(state.State with { Entries = state.State.Entries.SetItem(key, entry) });
    }

    public Task<ImmutableArray<DisputeIndexEntry>> Query(DisputeFilter filter) => Task.FromResult(Select(filter).ToImmutableArray());

    public Task<ImmutableArray<DisputeReasonSummary>> Summary(DisputeFilter filter) => Task.FromResult(DisputeRules.Summarize(Select(filter).Select(e => e.Dispute)));

    private IEnumerable<DisputeIndexEntry> Select(DisputeFilter filter) =>
        state.State.Entries.Values.Where(filter.Matches)
            .OrderBy(e => e.Dispute.OpenedOn).ThenBy(e => e.Dispute.CustomerId, StringComparer.Ordinal).ThenBy(e => e.Dispute.Id, StringComparer.Ordinal);

    private static int Stage(Dispute d) => d.Status == DisputeStatus.Resolved ? 2 : d.EscalatedOn is not null ? 1 : 0;

    private static bool Later(Dispute held, Dispute pushed) => Stage(held) > Stage(pushed);
}
