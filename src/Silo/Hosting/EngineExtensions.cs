using ArActors.Grains;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Storage.Sqlite;
using ArActors.Silo.Demo;
using Microsoft.Extensions.Options;

namespace ArActors.Silo.Hosting;

public static class EngineExtensions
{
    public const string SiloSectionName = "ArActors:Silo";

    /// <summary>
    /// Hosts a silo with the collections grains on the store this process's configuration selects
    /// (<see cref="StoreSelection"/>); silo settings bind from <c>ArActors:Silo</c>.
    /// </summary>
    public static IHostApplicationBuilder AddArActorsEngine(this IHostApplicationBuilder builder)
    {
        var siloSection = builder.Configuration.GetSection(SiloSectionName);
        builder.AddArActorsSilo(silo =>
        {
            silo.AddGrains(typeof(LedgerError).Assembly)
                .AddStore(SiloOptions.DefaultStorageName, OpenStore)
                .Configure(siloSection.Bind);
            ClusterRole.Configure(builder.Configuration, silo);
        });
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HostingExtensions.ReadyTag]);
        builder.Services.AddOptions<AgingOptions>().Bind(builder.Configuration.GetSection(AgingOptions.SectionName));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<AgingOptions>>().Value.ToPolicy());

        // After the silo (hosted services start in order): seeds the demo portfolio in the background when --demo is on, on one node of a cluster.
        builder.Services.AddSingleton<DemoSeeder>();
        builder.Services.AddLeasedHostedService<DemoSeeder>("demo-seeder");
        // The simulator waits for this node's seeder; in a cluster both leases go to the first node that asks, and a
        // simulator whose node did not seed idles.
        builder.Services.AddSingleton<DemoSimulator>();
        builder.Services.AddLeasedHostedService<DemoSimulator>("demo-simulator");

        // Places the credit holds that ladder steps ask for (an invoice grain cannot call its account back), once per cluster.
        builder.Services.AddSingleton<CreditHoldPlacer>();
        builder.Services.AddLeasedHostedService<CreditHoldPlacer>("credit-hold-placer");
        return builder;
    }

    private static IDurableStore OpenStore(IServiceProvider services)
    {
        var selection = services.GetRequiredService<StoreSelection>();
        var time = services.GetRequiredService<TimeProvider>();
        return selection.Kind == StoreKind.Postgres
            ? new PostgresStore(selection.ConnectionString, time, services.GetRequiredService<ILogger<PostgresStore>>())
            : new SqliteStore(selection.ConnectionString, time, services.GetRequiredService<ILogger<SqliteStore>>());
    }
}
