using System.Diagnostics;
using System.Net.Sockets;

namespace ArActors.Bench;

/// <summary>
/// The engine (ArActors.Silo.dll) as a process of its own on a free loopback port and the given PostgreSQL database,
/// with the per-caller rate limit lifted and logging quiet; ready when started, killed (with its work folder) on dispose.
/// </summary>
internal sealed class EngineProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _workDirectory;

    private EngineProcess(Process process, string workDirectory, Uri url)
    {
        _process = process;
        _workDirectory = workDirectory;
        Url = url;
    }

    private const string EnginePrefix = "ARACTORS_BENCH_ENGINE_";

    public Uri Url { get; }

    /// <summary>CPU time the engine process has used so far (user and system, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts the engine with <paramref name="settings"/> as extra environment variables and waits for /health/ready.</summary>
    public static async Task<EngineProcess> StartAsync(string siloDll, string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var workDirectory = Directory.CreateTempSubdirectory("aractors-bench-engine-").FullName;
        var info = new ProcessStartInfo("dotnet", $"\"{siloDll}\" --urls http://127.0.0.1:{port}") { WorkingDirectory = workDirectory, UseShellExecute = false };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__Postgres"] = connectionString;
        info.Environment["ArActors__Auth__RequestsPerSecond"] = "1000000";
        info.Environment["ArActors__Auth__Burst"] = "1000000";
        info.Environment["Logging__LogLevel__Default"] = "Error";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        // ARACTORS_BENCH_ENGINE_X=v sets X=v for the engine only (runtime knobs such as DOTNET_gcServer, to compare in one run).
        foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => ((string)e.Key, e.Value as string ?? "")).Where(e => e.Item1.StartsWith(EnginePrefix, StringComparison.Ordinal)))
        {
            info.Environment[key[EnginePrefix.Length..]] = value;
        }

        var engine = new EngineProcess(Process.Start(info)!, workDirectory, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await engine.WaitUntilReadyAsync();
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_workDirectory, recursive: true);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Url };
        var waited = Stopwatch.StartNew();
        while (!await IsReadyAsync(client))
        {
            if (waited.Elapsed > ReadyWithin || _process.HasExited)
            {
                throw new InvalidOperationException("the engine process did not become ready");
            }

            await Task.Delay(200);
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
