namespace ArActors.Runtime.Tests.Timers;

public sealed class TimerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Timer_ticks_each_period_on_the_manual_clock()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("poll");
        await cluster.GetGrain<IPollingGrain>(key).StartPolling(Period, holdFirstTick: false);

        await cluster.AdvanceTimeAsync(Period * 5);

        Assert.Equal(5, PollingGrain.Stats[key].Ticks);
    }

    [Fact]
    public async Task Timer_tick_never_overlaps_itself_while_a_tick_is_still_running()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("overlap");
        await cluster.GetGrain<IPollingGrain>(key).StartPolling(Period, holdFirstTick: true);

        cluster.Clock.Advance(Period);
        await Gates.WaitAsync($"{key}:tick-started");
        cluster.Clock.Advance(Period * 5);
        Assert.Equal(1, PollingGrain.Stats[key].Ticks);

        Gates.Open($"{key}:tick-release");
        await cluster.AdvanceTimeAsync(Period * 2);

        Assert.Equal(3, PollingGrain.Stats[key].Ticks);
        Assert.Equal(1, PollingGrain.Stats[key].MaxInFlight);
    }

    [Fact]
    public async Task Timer_stops_when_its_activation_deactivates()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("stop");
        var grain = cluster.GetGrain<IPollingGrain>(key);
        await grain.StartPolling(Period, holdFirstTick: false);
        await cluster.AdvanceTimeAsync(Period * 2);

        await grain.Leave();
        await cluster.WhenIdleAsync();
        await cluster.AdvanceTimeAsync(Period * 10);

        Assert.Equal(2, PollingGrain.Stats[key].Ticks);
        Assert.False(cluster.Silo.IsActive(cluster.Silo.GetGrainId<IPollingGrain>(key)));
    }
}
