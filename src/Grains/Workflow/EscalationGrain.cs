namespace ArActors.Grains.Workflow;

/// <summary>Which escalations a read asks for; null = any.</summary>
public sealed record EscalationFilter(EscalationStatus? Status = null, string? Portfolio = null, string? Collector = null, string? CustomerId = null)
{
    public bool Matches(EscalationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (Status is null || record.Status == Status)
            && (Portfolio is null || record.Portfolio == Portfolio)
            && (Collector is null || record.Collector == Collector)
            && (CustomerId is null || record.CustomerId == CustomerId);
    }
}

public sealed record EscalationResult(EscalationRecord? Escalation, LedgerError? Error, bool Unchanged = false)
{
    public bool Accepted => Error is null;
}

/// <summary>
/// The escalation records of the engine (one grain, key "default"): every <see cref="EscalationRaised"/> of a ladder step
/// or a broken promise becomes a record here, once per origin (account, step, day, target, invoices), so a step that runs
/// again after a failed write finds its record. Acknowledged and resolved by people; both published as events.
/// </summary>
public interface IEscalationGrain : IGrainWithStringKey
{
    /// <summary>The record of this escalation: created on first sight, the existing one for the same origin afterwards.</summary>
    Task<EscalationRecord> Raise(EscalationRaised raised, string? collector);

    Task<EscalationResult> Acknowledge(string escalationId, string? note, CommandMeta meta);

    Task<EscalationResult> Resolve(string escalationId, string? note, CommandMeta meta);

    [ReadOnly]
    Task<EscalationRecord?> Get(string escalationId);

    /// <summary>Matching records, oldest first.</summary>
    [ReadOnly]
    Task<ImmutableArray<EscalationRecord>> List(EscalationFilter filter);
}

public sealed record EscalationGrainState
{
    public ImmutableDictionary<string, EscalationRecord> Records { get; init; } = ImmutableDictionary<string, EscalationRecord>.Empty;

    /// <summary>Origin key -> record id: what makes raising idempotent.</summary>
    public ImmutableDictionary<string, string> ByOrigin { get; init; } = ImmutableDictionary<string, string>.Empty;

    public long LastNumber { get; init; }
}

[GrainType("escalations")]
public sealed class EscalationGrain([PersistentState("escalations")] IPersistentState<EscalationGrainState> state) : Grain, IEscalationGrain
{
    public const string Key = "default";

    public async Task<EscalationRecord> Raise(EscalationRaised raised, string? collector)
    {
        ArgumentNullException.ThrowIfNull(raised);
        var origin = EscalationRules.OriginKey(raised.Origin, raised.To);
        if (state.State.ByOrigin.TryGetValue(origin, out var known))
        {
            return state.State.Records[known];
        }

        var number = state.State.LastNumber + 1;
        var record = EscalationRules.Record($"ESC-{number:D6}", raised, collector, TimeProvider.GetUtcNow());
        Announce(new EscalationRecorded(record), record);
        await state.WriteStateAsync(state.State with
        {
            Records = state.State.Records.Add(record.Id, record),
            ByOrigin = state.State.ByOrigin.Add(origin, record.Id),
            LastNumber = number,
        });
        return record;
    }

    public Task<EscalationResult> Acknowledge(string escalationId, string? note, CommandMeta meta) =>
        ChangeAsync(escalationId, meta, record => EscalationRules.Acknowledge(record, meta.Actor, note, TimeProvider.GetUtcNow()), r => new EscalationAcknowledged(r));

    public Task<EscalationResult> Resolve(string escalationId, string? note, CommandMeta meta) =>
        ChangeAsync(escalationId, meta, record => EscalationRules.Resolve(record, meta.Actor, note, TimeProvider.GetUtcNow()), r => new EscalationResolved(r));

    public Task<EscalationRecord?> Get(string escalationId) =>
        Task.FromResult(escalationId is not null && state.State.Records.TryGetValue(escalationId, out var record) ? record : null);

    public Task<ImmutableArray<EscalationRecord>> List(EscalationFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Task.FromResult(state.State.Records.Values.Where(filter.Matches).OrderBy(r => r.RaisedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToImmutableArray());
    }

    private async Task<EscalationResult> ChangeAsync<TEvent>(string id, CommandMeta meta, Func<EscalationRecord, Result<EscalationRecord?>> change, Func<EscalationRecord, TEvent> announce)
        where TEvent : notnull
    {
        if (meta?.Actor is null)
        {
            return new EscalationResult(null, LedgerError.NoActor);
        }

        if (id is null || !state.State.Records.TryGetValue(id, out var record))
        {
            return new EscalationResult(null, LedgerError.Of("id", "unknown_escalation", $"There is no escalation '{id}'."));
        }

        var changed = change(record);
        if (!changed.IsOk)
        {
            return new EscalationResult(null, changed.Error);
        }

        if (changed.Value is not { } next)
        {
            return new EscalationResult(record, null, Unchanged: true);
        }

        Announce(announce(next), next);
        await state.WriteStateAsync(state.State with { Records = state.State.Records.SetItem(id, next) });
        return new EscalationResult(next, null);
    }

    /// <summary>Stages an event where the escalation itself was raised: ledger, the account, and its owners at the time.</summary>
    private void Announce<TEvent>(TEvent @event, EscalationRecord record)
        where TEvent : notnull
    {
        var type = typeof(TEvent).Name;
        Publish(LedgerTopics.Ledger, type, @event);
        Publish(LedgerTopics.Account(record.CustomerId), type, @event);
        if (record.Collector is { } collector)
        {
            Publish(LedgerTopics.Collector(collector), type, @event);
        }

        Publish(LedgerTopics.Portfolio(record.Portfolio), type, @event);
    }
}
