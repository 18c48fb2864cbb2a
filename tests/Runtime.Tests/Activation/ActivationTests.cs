namespace ArActors.Runtime.Tests.Activation;

public sealed class ActivationTests
{
    [Fact]
    public async Task Grain_exception_reaches_the_caller_with_its_type_and_message()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IFaultyGrain>(Clusters.NewKey("faulty"));

        var thrown = await Assert.ThrowsAsync<LedgerRuleViolationException>(() => grain.Fail("credit limit exceeded"));

        Assert.Equal("credit limit exceeded", thrown.Message);
        Assert.Equal("ok", await grain.Ok());
    }

    [Fact]
    public async Task Failed_activation_fails_that_call_with_the_real_exception_and_a_later_call_succeeds()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("flaky");
        var grain = cluster.GetGrain<IFlakyActivationGrain>(key);

        var thrown = await Assert.ThrowsAsync<ActivationBrokeException>(() => grain.Attempt());
        Assert.Equal($"activation 1 of {key} broke", thrown.Message);

        Assert.Equal(2, await grain.Attempt());
    }

    [Fact]
    public async Task Constructor_failure_fails_the_call_and_does_not_poison_the_grain()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IConstructorFailsGrain>(Clusters.NewKey("ctor"));
        ConstructorFailsGrain.FailNext[0] = true;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Ok());

        Assert.Equal("constructor refused", thrown.Message);
        Assert.Equal("constructed", await grain.Ok());
    }

    [Fact]
    public async Task Hundred_racing_first_calls_share_one_activation()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("race");

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => cluster.GetGrain<IActivationCountGrain>(key).ActivationsSoFar())));

        Assert.Equal(1, ActivationCountGrain.Of(key));
        Assert.All(answers, a => Assert.Equal(1, a));
    }

    [Fact]
    public async Task Call_arriving_during_deactivation_waits_and_goes_to_a_fresh_activation()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("goodbye");
        var grain = cluster.GetGrain<ISlowGoodbyeGrain>(key);
        Assert.Equal(1, await grain.Generation());

        await grain.Leave();
        await Gates.WaitAsync($"{key}:deactivating:1");
        var during = grain.Generation();
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        Assert.False(during.IsCompleted);

        Gates.Open($"{key}:goodbye:1");
        Assert.Equal(2, await during);
        Assert.Equal(1, SlowGoodbyeGrain.MaxLiveOf(key));
        Gates.Open($"{key}:goodbye:2");
    }

    [Fact]
    public async Task Calls_racing_repeated_deactivations_all_apply_once_and_never_meet_two_live_activations()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("churn");
        using var stop = new CancellationTokenSource();
        var churner = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await cluster.GetGrain<IChurnGrain>(key).Leave();
                await Task.Yield();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await cluster.GetGrain<IChurnGrain>(key).Increment();
            }
        })));
        await stop.CancelAsync();
        await churner;

        Assert.Equal(1000, await cluster.GetGrain<IChurnGrain>(key).Count());
        Assert.Equal(1, ChurnGrain.MaxLiveOf(key));
        Assert.True(ChurnGrain.ActivationsOf(key) > 1, "the churner should have forced reactivations");
    }
}
