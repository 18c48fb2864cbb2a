using ArActors.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace ArActors.Silo.Tests;

public sealed class ConfigurationBindingTests
{
    private static (ArActorsOptions Options, StoreSelection Store) Bind(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var options = configuration.GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>() ?? new ArActorsOptions();
        return (options, StoreSelection.From(configuration, options, "/srv/aractors"));
    }

    [Fact]
    public void Without_a_connection_string_the_store_is_sqlite_under_the_content_root()
    {
        var (options, store) = Bind();

        Assert.Equal(HostRole.Combined, options.Role);
        Assert.Equal(StoreKind.Sqlite, store.Kind);
        Assert.Contains("/srv/aractors/data/aractors.db", store.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_data_directory_is_used_as_given()
    {
        var (_, store) = Bind(("ArActors:DataDirectory", "/var/lib/aractors"));

        Assert.Contains("/var/lib/aractors/aractors.db", store.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_connection_string_switches_the_store_to_postgres()
    {
        var (_, store) = Bind(("ConnectionStrings:Postgres", "Host=db;Port=5433;Database=ar;Username=ar"));

        Assert.Equal(StoreKind.Postgres, store.Kind);
        Assert.Equal("PostgreSQL at db:5433/ar", store.Description);
    }

    [Theory]
    [InlineData("Combined", HostRole.Combined)]
    [InlineData("Silo", HostRole.Silo)]
    [InlineData("api", HostRole.Api)]
    public void Role_binds_case_insensitively(string value, HostRole expected) =>
        Assert.Equal(expected, Bind(("ArActors:Role", value)).Options.Role);

    [Fact]
    public void An_unknown_role_is_refused_when_bound()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bind(("ArActors:Role", "Bogus")));

        Assert.Contains("Bogus", error.InnerException?.Message ?? error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bare_demo_switch_becomes_configuration_and_other_arguments_pass_through()
    {
        var args = HostingExtensions.NormalizeArguments(["--demo", "--urls", "http://127.0.0.1:1"]);

        Assert.Equal(["--ArActors:Demo=true", "--ArActors:DemoSimulatorSeconds=5", "--urls", "http://127.0.0.1:1"], args);
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
        Assert.True(configuration.GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>()!.Demo);
        Assert.Equal(5, configuration.GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>()!.DemoSimulatorSeconds);
    }

    [Fact]
    public void The_demo_switch_keeps_a_simulator_interval_the_command_line_gives_and_demo_set_otherwise_runs_no_simulator()
    {
        var args = HostingExtensions.NormalizeArguments(["--demo", "--ArActors:DemoSimulatorSeconds=0"]);
        var configured = new ConfigurationBuilder().AddCommandLine(args).Build().GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>()!;
        Assert.True(configured.Demo);
        Assert.Equal(0, configured.DemoSimulatorSeconds);

        var bySetting = new ConfigurationBuilder().AddCommandLine(HostingExtensions.NormalizeArguments(["--ArActors:Demo=true"])).Build()
            .GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>()!;
        Assert.Equal(0, bySetting.DemoSimulatorSeconds);
    }
}
