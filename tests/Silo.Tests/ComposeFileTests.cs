using System.Reflection;
using System.Text.RegularExpressions;
using ArActors.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace ArActors.Silo.Tests;

/// <summary>
/// docker compose cannot run here (no engine, no compose plugin), so this checks what the host can check: every setting the
/// compose file gives a service is one the host binds, with a value that binds.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] KnownAspNetKeys = ["ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT"];

    /// <summary>The option classes bound below <c>ArActors</c> whose scalar settings the compose file may give.</summary>
    private static readonly (string Key, Type Value)[] NestedSections =
    [
        (ArActors.Api.Security.SecurityOptions.SectionName, typeof(ArActors.Api.Security.SecurityOptions)),
        (EngineExtensions.SiloSectionName, typeof(ArActors.Runtime.SiloOptions)),
        (ArActors.Api.Hub.EventHubOptions.SectionName, typeof(ArActors.Api.Hub.EventHubOptions)),
        (ArActors.Api.Hub.HubSessionOptions.SectionName, typeof(ArActors.Api.Hub.HubSessionOptions)),
        (ArActors.Api.Webhooks.WebhookOptions.SectionName, typeof(ArActors.Api.Webhooks.WebhookOptions)),
    ];

    [Fact]
    public void Every_service_setting_in_the_compose_file_binds_to_a_known_option()
    {
        var settings = ReadServiceEnvironment();
        Assert.NotEmpty(settings);

        var known = typeof(ArActorsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => $"ArActors__{p.Name}")
            .Concat(NestedSections.SelectMany(section => section.Value.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => $"{section.Key.Replace(":", "__", StringComparison.Ordinal)}__{p.Name}")))
            .Append($"ConnectionStrings__{StoreSelection.PostgresConnectionName}")
            .Concat(KnownAspNetKeys)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = settings.Where(s => !known.Contains(s.Key)).Select(s => $"{s.Service}: {s.Key}").ToList();
        Assert.True(unknown.Count == 0, "Unknown settings in docker-compose.yml: " + string.Join(", ", unknown));

        foreach (var service in settings.GroupBy(s => s.Service))
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(service.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
                .Build();
            var options = configuration.GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>() ?? new ArActorsOptions();
            var store = StoreSelection.From(configuration, options, "/app");
            Assert.Equal(StoreKind.Postgres, store.Kind);
        }
    }

    [Fact]
    public void The_compose_file_runs_postgres_two_silos_and_one_api_node()
    {
        var roles = ReadServiceEnvironment().Where(s => s.Key == "ArActors__Role").Select(s => s.Value).ToList();

        Assert.Equal(2, roles.Count(r => r == nameof(HostRole.Silo)));
        Assert.Equal(1, roles.Count(r => r == nameof(HostRole.Api)));
        Assert.Contains("image: postgres:15", File.ReadAllText(ComposePath()), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_node_can_start_its_role_and_the_nodes_share_the_store_and_the_signing_key()
    {
        var text = File.ReadAllText(ComposePath());
        var services = ReadServiceEnvironment().GroupBy(s => s.Service).ToDictionary(g => g.Key, g => g.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        Assert.Equal(3, services.Count);

        foreach (var (service, environment) in services)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key == "ASPNETCORE_URLS" ? "urls" : e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
                .Build();
            var options = configuration.GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>()!;
            var store = StoreSelection.From(configuration, options, "/app");

            // The host's own start-up rule for the role (what would end the process with exit code 1).
            Assert.Null(ClusterRole.ProblemWith(configuration, options, store));
            var postgresHost = new Npgsql.NpgsqlConnectionStringBuilder(store.ConnectionString).Host;
            Assert.Matches(new Regex($@"(?m)^  {Regex.Escape(postgresHost!)}:\s*$"), text);
            if (options.Role == HostRole.Silo)
            {
                // Other silos forward to this address: the service's own name and the port it listens on.
                var endpoint = new Uri(ClusterRole.EndpointOf(configuration, options)!);
                Assert.Equal(service, endpoint.Host);
                Assert.Equal(new Uri(environment["ASPNETCORE_URLS"].Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port, endpoint.Port);
            }

            var key = environment.GetValueOrDefault("ArActors__Auth__SigningKey");
            Assert.False(string.IsNullOrEmpty(key), $"{service} has no ArActors__Auth__SigningKey: its tokens would not work on the other nodes");
            Assert.True(Convert.FromBase64String(key!).Length >= 32, $"{service}: the signing key must be at least 32 bytes");
        }

        Assert.Single(services.Values.Select(e => e["ArActors__Auth__SigningKey"]).Distinct());
        Assert.Single(services.Values.Select(e => e[$"ConnectionStrings__{StoreSelection.PostgresConnectionName}"]).Distinct());
        Assert.Equal(2, services.Values.Select(e => e.GetValueOrDefault("ArActors__ClusterEndpoint")).OfType<string>().Distinct().Count());
    }

    private static string ComposePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docker-compose.yml");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException("docker-compose.yml not found above the test output folder.");
    }

    /// <summary>Reads <c>environment:</c> maps of the services that run the host (src/Silo), in the block style the file uses.</summary>
    private static List<(string Service, string Key, string Value)> ReadServiceEnvironment()
    {
        var result = new List<(string Service, string Key, string Value)>();
        var hostServices = new HashSet<string>(StringComparer.Ordinal);
        string? service = null;
        var inEnvironment = false;
        foreach (var line in File.ReadAllLines(ComposePath()))
        {
            if (service is not null && (line.Contains("src/Silo", StringComparison.Ordinal) || line.Contains("ArActors.Silo.dll", StringComparison.Ordinal)))
            {
                hostServices.Add(service);
            }

            if (ServiceLine().Match(line) is { Success: true } s)
            {
                service = s.Groups[1].Value;
                inEnvironment = false;
            }
            else if (line.Trim() == "environment:")
            {
                inEnvironment = true;
            }
            else if (inEnvironment && service is not null && EnvironmentLine().Match(line) is { Success: true } e)
            {
                result.Add((service, e.Groups[1].Value, e.Groups[2].Value.Trim('"')));
            }
            else if (inEnvironment && line.Trim().Length > 0 && !line.StartsWith("      ", StringComparison.Ordinal))
            {
                inEnvironment = false;
            }
        }

        return result.Where(r => hostServices.Contains(r.Service)).ToList();
    }

    [GeneratedRegex(@"^  ([a-z0-9-]+):\s*$")]
    private static partial Regex ServiceLine();

    [GeneratedRegex(@"^      ([A-Za-z_]+): (.*)$")]
    private static partial Regex EnvironmentLine();
}
