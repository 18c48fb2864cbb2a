using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Tests.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Runtime.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public async Task Host_runs_the_silo_and_stopping_it_deactivates_every_activation()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddArActorsSilo(silo => silo.AddGrains(typeof(HostingTests).Assembly).UseInMemoryStore());
        using var host = builder.Build();
        await host.StartAsync();
        var key = Clusters.NewKey("hosted");

        await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IProfileGrain>(key).Rename("Hosted", 1m);
        await host.StopAsync();

        Assert.Equal("deactivate:ShuttingDown", ProfileGrain.LifecycleOf(key)[^1]);
        Assert.NotNull(host.Services.GetRequiredService<IEventStream>());
        Assert.IsType<InMemoryStore>(host.Services.GetRequiredService<IDurableStore>());
        await Assert.ThrowsAsync<SiloUnavailableException>(() => host.Services.GetRequiredService<IGrainFactory>().GetGrain<IProfileGrain>(key).Get());
    }
}
