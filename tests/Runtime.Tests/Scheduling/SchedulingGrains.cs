using System.Collections.Concurrent;

namespace ArActors.Runtime.Tests.Scheduling;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<CounterReport> Report();
}

public sealed record CounterReport(int Count, int MaxConcurrentTurns);

public sealed class CounterGrain : Grain, ICounterGrain
{
    private int _count;
    private int _inFlight;
    private int _maxInFlight;

    public async Task<int> Increment()
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        _maxInFlight = Math.Max(_maxInFlight, inFlight);
        var before = _count;
        await Task.Yield();
        _count = before + 1;
        Interlocked.Decrement(ref _inFlight);
        return _count;
    }

    public Task<CounterReport> Report() => Task.FromResult(new CounterReport(_count, _maxInFlight));
}

/// <summary>Records when each call starts and ends; calls hold until the test opens their gate.</summary>
public interface IProbeGrain : IGrainWithStringKey
{
    Task Hold(string label);

    [ReadOnly]
    Task HoldReadOnly(string label);

    [AlwaysInterleave]
    Task<string[]> Peek();
}

public interface IReentrantProbeGrain : IProbeGrain;

public interface IExclusiveProbeGrain : IProbeGrain;

public abstract class ProbeGrainBase : Grain
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Logs = new();

    public static string[] LogOf(string key) => Logs.TryGetValue(key, out var log) ? [.. log] : [];

    public Task Hold(string label) => RunAsync(label);

    public Task HoldReadOnly(string label) => RunAsync(label);

    public Task<string[]> Peek() => Task.FromResult(LogOf(GrainKey));

    private async Task RunAsync(string label)
    {
        var log = Logs.GetOrAdd(GrainKey, _ => new ConcurrentQueue<string>());
        log.Enqueue("start:" + label);
        Gates.Open($"{GrainKey}:started:{label}");
        await Gates.WaitAsync($"{GrainKey}:release:{label}");
        log.Enqueue("end:" + label);
    }
}

public sealed class ExclusiveProbeGrain : ProbeGrainBase, IExclusiveProbeGrain;

[Reentrant]
public sealed class ReentrantProbeGrain : ProbeGrainBase, IReentrantProbeGrain;

public interface ICycleGrain : IGrainWithStringKey
{
    /// <summary>Calls <paramref name="otherKey"/>, which calls back into this grain: a cycle.</summary>
    Task<string> CallAround(string otherKey);

    Task<string> CallBack(string originKey);

    Task<string> Hello();
}

public sealed class CycleGrain : Grain, ICycleGrain
{
    public Task<string> CallAround(string otherKey) => GrainFactory.GetGrain<ICycleGrain>(otherKey).CallBack(GrainKey);

    public Task<string> CallBack(string originKey) => GrainFactory.GetGrain<ICycleGrain>(originKey).Hello();

    public Task<string> Hello() => Task.FromResult("hello from " + GrainKey);
}

/// <summary>Counts how often two pieces of its code ran at the same instant: never, if the activation runs one piece at a time.</summary>
public interface IOverlapGrain : IGrainWithStringKey
{
    /// <summary>Busy sections separated by awaits that really suspend (a timer) or only yield.</summary>
    Task Work(int sections);

    /// <summary>The same sections in two branches of one turn, awaited together.</summary>
    Task WorkInBranches(int sections);

    Task<int> Overlaps();
}

[Reentrant]
public sealed class OverlapGrain : Grain, IOverlapGrain
{
    private int _inside;
    private int _overlaps;

    public async Task Work(int sections)
    {
        for (var i = 0; i < sections; i++)
        {
            Section();
            if (i % 2 == 0)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1);
            }
        }
    }

    public Task WorkInBranches(int sections) => Task.WhenAll(Work(sections), Work(sections));

    public Task<int> Overlaps() => Task.FromResult(_overlaps);

    private void Section()
    {
        if (Interlocked.Increment(ref _inside) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        // Long enough that two threads running this grain at once would meet here.
        Thread.SpinWait(20_000);
        Interlocked.Decrement(ref _inside);
    }
}
