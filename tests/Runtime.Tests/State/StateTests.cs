using System.Text;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.State;

public sealed class StateTests
{
    [Fact]
    public async Task Idle_activation_is_deactivated_after_its_age_and_state_round_trips_into_the_next_one()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("profile");
        var grain = cluster.GetGrain<IProfileGrain>(key);
        await grain.Rename("ACME Corp", 5000m);
        var id = cluster.Silo.GetGrainId<IProfileGrain>(key);

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(10));
        Assert.True(cluster.Silo.IsActive(id));
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(6));
        Assert.False(cluster.Silo.IsActive(id));
        Assert.Equal("deactivate:IdleTimeout", ProfileGrain.LifecycleOf(key)[^1]);

        Assert.Equal(new CustomerProfile("ACME Corp", 5000m, 1), await grain.Get());
        Assert.Equal(["activate::False", "deactivate:IdleTimeout", "activate:ACME Corp:True"], ProfileGrain.LifecycleOf(key));
    }

    [Fact]
    public async Task Class_collection_age_attribute_overrides_the_default()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("short");
        await cluster.GetGrain<IShortLivedGrain>(key).Touch();
        var id = cluster.Silo.GetGrainId<IShortLivedGrain>(key);

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));

        Assert.False(cluster.Silo.IsActive(id));
    }

    [Fact]
    public async Task DeactivateOnIdle_runs_OnDeactivateAsync_and_the_next_call_reloads_state()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("leave");
        var grain = cluster.GetGrain<IProfileGrain>(key);
        await grain.Rename("Globex", 100m);

        await grain.LeaveNow();
        await cluster.WhenIdleAsync();

        Assert.False(cluster.Silo.IsActive(cluster.Silo.GetGrainId<IProfileGrain>(key)));
        Assert.Equal("deactivate:ApplicationRequested", ProfileGrain.LifecycleOf(key)[^1]);
        Assert.Equal(new CustomerProfile("Globex", 100m, 1), await grain.Get());
    }

    [Fact]
    public async Task Stale_etag_write_is_rejected_changes_nothing_and_the_grain_reloads()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("stale");
        var grain = cluster.GetGrain<IProfileGrain>(key);
        await grain.Rename("Initech", 1m);
        var stateId = new GrainStateId(cluster.Silo.GetGrainId<IProfileGrain>(key).Type, key, "profile");
        var current = await cluster.Store.ReadStateAsync(stateId);
        var external = Encoding.UTF8.GetBytes("""{"name":"Written elsewhere","creditLimit":7,"version":9}""");
        await cluster.Store.WriteStateAsync(stateId, external, current!.Etag, []);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Rename("Lost update", 2m));

        var stored = await cluster.Store.ReadStateAsync(stateId);
        Assert.Equal(external, stored!.Payload.ToArray());
        // The deactivation starts after the failed turn ends; wait for it (bounded) rather than assume it is done already.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (ProfileGrain.LifecycleOf(key)[^1] != "deactivate:StateConflict" && DateTime.UtcNow < deadline)
        {
            await cluster.WhenIdleAsync();
            await Task.Delay(10);
        }

        Assert.Equal("deactivate:StateConflict", ProfileGrain.LifecycleOf(key)[^1]);
        Assert.Equal(new CustomerProfile("Written elsewhere", 7m, 9), await grain.Get());
        await grain.Rename("Retried", 3m);
        Assert.Equal(new CustomerProfile("Retried", 3m, 10), await grain.Get());
    }

    [Fact]
    public async Task Clear_removes_the_record_and_resets_the_state()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IProfileGrain>(Clusters.NewKey("clear"));
        await grain.Rename("Umbrella", 9m);

        await grain.Clear();

        Assert.False(await grain.Exists());
        Assert.Null((await grain.Get()).Name);
    }

    [Fact]
    public async Task State_survives_a_silo_restart_on_the_same_store()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("restart");
        await cluster.GetGrain<IProfileGrain>(key).Rename("Stark", 42m);

        await cluster.RestartSiloAsync();

        Assert.Equal("deactivate:ShuttingDown", ProfileGrain.LifecycleOf(key)[^1]);
        Assert.Equal(new CustomerProfile("Stark", 42m, 1), await cluster.GetGrain<IProfileGrain>(key).Get());
    }
}
