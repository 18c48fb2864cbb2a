using System.Collections.Concurrent;
using ArActors.Runtime;

namespace ArActors.Bench.Reminders;

/// <summary>Delivery instants of reminder ticks, kept by the benchmark; the first tick per grain is the measured one.</summary>
public sealed class TickLog
{
    private readonly ConcurrentDictionary<string, double> _latenessMs = new(StringComparer.Ordinal);
    private int _deliveries;

    public int Deliveries => Volatile.Read(ref _deliveries);

    public int Distinct => _latenessMs.Count;

    public double[] LatenessMs => [.. _latenessMs.Values];

    public void Record(string grainKey, DateTimeOffset scheduled)
    {
        // Real clock on purpose: lateness is wall time from the scheduled instant to the handler running.
        var lateness = (TimeProvider.System.GetUtcNow() - scheduled).TotalMilliseconds;
        Interlocked.Increment(ref _deliveries);
        _latenessMs.TryAdd(grainKey, lateness);
    }
}

public interface ITickGrain : IGrainWithStringKey
{
    Task<int> Ticks();
}

/// <summary>A trivial IRemindable: notes when the tick ran.</summary>
[GrainType("bench-tick")]
public sealed class TickGrain(TickLog log) : Grain, ITickGrain, IRemindable
{
    private int _ticks;

    public Task<int> Ticks() => Task.FromResult(_ticks);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks++;
        log.Record(GrainKey, status.ScheduledTime);
        return Task.CompletedTask;
    }
}

public sealed record LoadState(long Total, int Writes);

public interface ILoadGrain : IGrainWithStringKey
{
    Task<long> Add(long amount);
}

/// <summary>Load during the lateness run: every call is a durable state write through the same store as the reminders.</summary>
[GrainType("bench-load")]
public sealed class LoadGrain([PersistentState("load")] IPersistentState<LoadState> state) : Grain, ILoadGrain
{
    public async Task<long> Add(long amount)
    {
        state.State = state.State with { Total = state.State.Total + amount, Writes = state.State.Writes + 1 };
        await state.WriteStateAsync();
        return state.State.Total;
    }
}
