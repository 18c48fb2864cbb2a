using System.Collections.Concurrent;

namespace ArActors.Runtime.Tests.Timers;

public sealed class TimerStats
{
    private int _inFlight;
    private int _maxInFlight;
    private int _ticks;

    public int Ticks => Volatile.Read(ref _ticks);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int Enter()
    {
        var n = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, n);
        return Interlocked.Increment(ref _ticks);
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

public interface IPollingGrain : IGrainWithStringKey
{
    Task StartPolling(TimeSpan period, bool holdFirstTick);

    Task Leave();
}

/// <summary>A timer whose first tick can be held open by the test, to show ticks never overlap.</summary>
public sealed class PollingGrain : Grain, IPollingGrain
{
    public static ConcurrentDictionary<string, TimerStats> Stats { get; } = new();

    public Task StartPolling(TimeSpan period, bool holdFirstTick)
    {
        var stats = Stats.GetOrAdd(GrainKey, _ => new TimerStats());
        RegisterGrainTimer(
            async _ =>
            {
                var tick = stats.Enter();
                try
                {
                    if (holdFirstTick && tick == 1)
                    {
                        Gates.Open($"{GrainKey}:tick-started");
                        await Gates.WaitAsync($"{GrainKey}:tick-release");
                    }

                    await Task.Yield();
                }
                finally
                {
                    stats.Exit();
                }
            },
            period,
            period);
        return Task.CompletedTask;
    }

    public Task Leave()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
