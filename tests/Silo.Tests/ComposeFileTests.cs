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

    [Fact]
    public void Every_service_setting_in_the_compose_file_binds_to_a_known_option()
    {
        var settings = ReadServiceEnvironment();
        Assert.NotEmpty(settings);

        var known = typeof(ArActorsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => $"ArActors__{p.Name}")
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
            if (service is not null && line.Contains("src/Silo", StringComparison.Ordinal))
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
