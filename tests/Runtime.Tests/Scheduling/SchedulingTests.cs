namespace ArActors.Runtime.Tests.Scheduling;

public sealed class SchedulingTests
{
    // Negative observations ("did not start") give a broken scheduler this long to misbehave.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Thousand_concurrent_increments_run_one_turn_at_a_time_and_all_count()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("counter");

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => cluster.GetGrain<ICounterGrain>(key).Increment())));

        var report = await cluster.GetGrain<ICounterGrain>(key).Report();
        Assert.Equal(1, report.MaxConcurrentTurns);
        Assert.Equal(1000, report.Count);
    }

    [Fact]
    public async Task Non_reentrant_grain_starts_the_second_call_only_after_the_first_finishes()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("exclusive");
        var grain = cluster.GetGrain<IExclusiveProbeGrain>(key);

        var first = grain.Hold("1");
        await Gates.WaitAsync($"{key}:started:1");
        var second = grain.Hold("2");
        await Task.Delay(Settle);
        Assert.DoesNotContain("start:2", ProbeGrainBase.LogOf(key));

        Gates.Open($"{key}:release:1");
        Gates.Open($"{key}:release:2");
        await Task.WhenAll(first, second);
        Assert.Equal(["start:1", "end:1", "start:2", "end:2"], ProbeGrainBase.LogOf(key));
    }

    [Fact]
    public async Task Reentrant_grain_starts_the_second_call_while_the_first_is_awaiting()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("reentrant");
        var grain = cluster.GetGrain<IReentrantProbeGrain>(key);

        var first = grain.Hold("1");
        await Gates.WaitAsync($"{key}:started:1");
        var second = grain.Hold("2");
        await Gates.WaitAsync($"{key}:started:2");
        Gates.Open($"{key}:release:2");
        await second;
        Gates.Open($"{key}:release:1");
        await first;

        Assert.Equal(["start:1", "start:2", "end:2", "end:1"], ProbeGrainBase.LogOf(key));
    }

    [Fact]
    public async Task Reentrant_turns_interleave_at_awaits_but_never_run_at_the_same_time()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IOverlapGrain>(Clusters.NewKey("overlap"));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => grain.Work(40))));

        Assert.Equal(0, await grain.Overlaps());
    }

    [Fact]
    public async Task Branches_of_one_turn_awaited_together_never_run_at_the_same_time()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IOverlapGrain>(Clusters.NewKey("branches"));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => grain.WorkInBranches(40))));

        Assert.Equal(0, await grain.Overlaps());
    }

    [Fact]
    public async Task Read_only_calls_run_together_but_never_alongside_a_write()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("readonly");
        var grain = cluster.GetGrain<IExclusiveProbeGrain>(key);

        var readA = grain.HoldReadOnly("a");
        var readB = grain.HoldReadOnly("b");
        await Gates.WaitAsync($"{key}:started:a");
        await Gates.WaitAsync($"{key}:started:b");
        var write = grain.Hold("w");
        var readC = grain.HoldReadOnly("c");
        await Task.Delay(Settle);
        var log = ProbeGrainBase.LogOf(key);
        Assert.DoesNotContain("start:w", log);
        Assert.DoesNotContain("start:c", log);

        Gates.Open($"{key}:release:a");
        Gates.Open($"{key}:release:b");
        await Gates.WaitAsync($"{key}:started:w");
        await Task.Delay(Settle);
        Assert.DoesNotContain("start:c", ProbeGrainBase.LogOf(key));

        Gates.Open($"{key}:release:w");
        Gates.Open($"{key}:release:c");
        await Task.WhenAll(readA, readB, write, readC);
        log = ProbeGrainBase.LogOf(key);
        Assert.True(Array.IndexOf(log, "end:w") < Array.IndexOf(log, "start:c"));
        Assert.True(Array.IndexOf(log, "end:a") < Array.IndexOf(log, "start:w"));
        Assert.True(Array.IndexOf(log, "end:b") < Array.IndexOf(log, "start:w"));
    }

    [Fact]
    public async Task Always_interleave_call_runs_while_a_turn_is_blocked()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("interleave");
        var grain = cluster.GetGrain<IExclusiveProbeGrain>(key);

        var blocked = grain.Hold("1");
        await Gates.WaitAsync($"{key}:started:1");
        var waiting = grain.Hold("2");

        var seen = await grain.Peek();

        Assert.Equal(["start:1"], seen);
        Gates.Open($"{key}:release:1");
        Gates.Open($"{key}:release:2");
        await Task.WhenAll(blocked, waiting);
    }

    [Fact]
    public async Task Call_cycle_times_out_for_the_callers_and_both_grains_answer_afterwards()
    {
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s => s.ResponseTimeout = TimeSpan.FromSeconds(1));
        var a = Clusters.NewKey("cycle-a");
        var b = Clusters.NewKey("cycle-b");

        await Assert.ThrowsAsync<TimeoutException>(() => cluster.GetGrain<ICycleGrain>(a).CallAround(b));

        Assert.Equal("hello from " + a, await cluster.GetGrain<ICycleGrain>(a).Hello());
        Assert.Equal("hello from " + b, await cluster.GetGrain<ICycleGrain>(b).Hello());
    }

    [Fact]
    public async Task Queued_request_whose_caller_timed_out_is_dropped_not_run()
    {
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s => s.ResponseTimeout = TimeSpan.FromSeconds(1));
        var key = Clusters.NewKey("dropped");
        var grain = cluster.GetGrain<IExclusiveProbeGrain>(key);
        var blocked = grain.Hold("1");
        await Gates.WaitAsync($"{key}:started:1");

        await Assert.ThrowsAsync<TimeoutException>(() => grain.Hold("2"));
        Gates.Open($"{key}:release:1");
        Gates.Open($"{key}:release:3");
        await Record.ExceptionAsync(() => blocked); // its own caller may or may not have timed out by now
        await grain.Hold("3");

        Assert.Equal(["start:1", "end:1", "start:3", "end:3"], ProbeGrainBase.LogOf(key));
    }
}
