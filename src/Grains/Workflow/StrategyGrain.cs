namespace ArActors.Grains.Workflow;

/// <summary>The ladder of one customer segment (key = segment name, e.g. "Corporate"); the default ladder until replaced.</summary>
public interface IStrategyGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<Strategy> Get();

    /// <summary>Validates and stores the strategy; a refusal names the field and changes nothing. Replacing with an equal strategy writes nothing.</summary>
    Task<StrategyResult> Replace(Strategy strategy, CommandMeta meta);
}

public sealed record StrategyResult(Strategy? Strategy, LedgerError? Error)
{
    public bool Accepted => Error is null;
}

/// <summary>Published to "ledger" when a segment's ladder is replaced; invoices use it from their next evaluation.</summary>
public sealed record StrategyReplaced(Strategy Strategy, AuditStamp Audit);

public sealed record StrategyGrainState
{
    public Strategy? Strategy { get; init; }
}

[GrainType("strategy")]
public sealed class StrategyGrain([PersistentState("strategy")] IPersistentState<StrategyGrainState> state) : Grain, IStrategyGrain
{
    public static string KeyOf(CustomerSegment segment) => segment.ToString();

    private CustomerSegment Segment => Enum.TryParse<CustomerSegment>(GrainKey, out var segment) && Enum.IsDefined(segment)
        ? segment
        : throw new InvalidOperationException($"'{GrainKey}' is not a customer segment.");

    public Task<Strategy> Get() => Task.FromResult(state.State.Strategy ?? Strategy.Default(Segment));

    public async Task<StrategyResult> Replace(Strategy strategy, CommandMeta meta)
    {
        if (meta?.Actor is null)
        {
            return new StrategyResult(null, LedgerError.NoActor);
        }

        if (strategy is null)
        {
            return new StrategyResult(null, LedgerError.Of("strategy", ErrorCodes.Required, "The strategy is missing."));
        }

        if (strategy.Segment != Segment)
        {
            return new StrategyResult(null, LedgerError.Of("segment", ErrorCodes.Invalid, $"The strategy names segment {strategy.Segment} but was sent to {Segment}."));
        }

        if (strategy.Validate() is { } error)
        {
            return new StrategyResult(null, error);
        }

        var current = await Get();
        if (current.ReanchorOnPartialPayment == strategy.ReanchorOnPartialPayment && current.StatutoryInterest == strategy.StatutoryInterest && current.Steps.SequenceEqual(strategy.Steps))
        {
            return new StrategyResult(current, null);
        }

        Publish(LedgerTopics.Ledger, new StrategyReplaced(strategy, new AuditStamp(meta.Actor, TimeProvider.GetUtcNow(), meta.Reason)));
        state.State = state.State with { Strategy = strategy };
        await state.WriteStateAsync();
        return new StrategyResult(strategy, null);
    }
}
