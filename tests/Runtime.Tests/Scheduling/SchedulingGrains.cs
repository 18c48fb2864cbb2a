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
