using System.Collections.Concurrent;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Cluster;

public sealed record Tally(int Count, string[] Applied);

/// <summary>Where a call ran: the silo endpoint that served it.</summary>
public sealed record Served(string Silo, Tally Tally);

/// <summary>A domain rule refused the call (a custom exception type must cross silos as itself).</summary>
public sealed class CollectionRuleException(string message) : Exception(message);

/// <summary>A domain exception that cannot be built from a message alone: it crosses silos as its nearest base type.</summary>
public sealed class LimitExceededException(decimal limit, decimal requested)
    : ArgumentException($"Requested {requested} exceeds the limit {limit}.")
{
    public decimal Limit { get; } = limit;

    public decimal Requested { get; } = requested;
}

public interface ITallyGrain : IGrainWithStringKey
{
    /// <summary>Throws InvalidOperationException wrapping InconsistentStateException wrapping TimeoutException.</summary>
    Task FailWithChain();

    Task ExceedLimit(decimal requested);

    /// <summary>Applies <paramref name="operationId"/> once (a retried id is not counted twice).</summary>
    Task<Served> Apply(string operationId);

    Task<Served> Get();

    Task<string> Where();

    Task Refuse(string message);

    Task<int> WaitUntilCanceled(CancellationToken cancellationToken);

    Task Hang();
}

public sealed class TallyGrain([PersistentState("tally")] IPersistentState<Tally> tally) : Grain, ITallyGrain
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Canceled = new();

    public static Task CanceledOn(string key) => Canceled.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async Task<Served> Apply(string operationId)
    {
        var applied = tally.State.Applied ?? [];
        if (!applied.Contains(operationId, StringComparer.Ordinal))
        {
            tally.State = new Tally(tally.State.Count + 1, [.. applied, operationId]);
            await tally.WriteStateAsync();
        }

        return new Served(Self(), tally.State);
    }

    public Task<Served> Get() => Task.FromResult(new Served(Self(), tally.State));

    public Task FailWithChain()
    {
        try
        {
            WriteThatTimesOut();
        }
        catch (InconsistentStateException e)
        {
            throw new InvalidOperationException("could not apply the payment", e);
        }

        return Task.CompletedTask;
    }

    public Task ExceedLimit(decimal requested) => throw new LimitExceededException(100m, requested);

    private static void WriteThatTimesOut()
    {
        try
        {
            throw new TimeoutException("store did not answer");
        }
        catch (TimeoutException e)
        {
            throw new InconsistentStateException("write of tally failed", e);
        }
    }

    public Task<string> Where() => Task.FromResult(Self());

    public Task Refuse(string message) => message.StartsWith("rule:", StringComparison.Ordinal)
        ? throw new CollectionRuleException(message)
        : throw new InvalidOperationException(message);

    public async Task<int> WaitUntilCanceled(CancellationToken cancellationToken)
    {
        Gates.Open("started:" + GrainKey);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException)
        {
            Canceled.GetOrAdd(GrainKey, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            throw;
        }
    }

    public Task Hang() => Gates.WaitAsync("hang:" + GrainKey);

    private string Self()
    {
        var silo = (Silo)ServiceProvider.GetService(typeof(Silo))!;
        return silo.Cluster?.Self.Endpoint ?? "local";
    }
}

public sealed record ClusterTick(string Key, DateTimeOffset Scheduled, string Silo, DateTimeOffset DeliveredAt);

public interface IClusterTickGrain : IGrainWithStringKey
{
    Task Start(TimeSpan dueTime, TimeSpan period);
}

/// <summary>Records every delivered tick with the silo that delivered it (statics: the test reads them directly).</summary>
public sealed class ClusterTickGrain : Grain, IClusterTickGrain, IRemindable
{
    public static ConcurrentQueue<ClusterTick> Ticks { get; } = new();

    public async Task Start(TimeSpan dueTime, TimeSpan period) => await RegisterOrUpdateReminder("tick", dueTime, period);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var silo = (Silo)ServiceProvider.GetService(typeof(Silo))!;
        Ticks.Enqueue(new ClusterTick(GrainKey, status.ScheduledTime, silo.Cluster?.Self.Endpoint ?? "local", TimeProvider.GetUtcNow()));
        return Task.CompletedTask;
    }
}
