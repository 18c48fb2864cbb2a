using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ArActors.TestKit;

namespace ArActors.Silo.Tests.Faults;

/// <summary>The engine (role Combined: silo, API and hub in one process) as a real process on a PostgreSQL database.</summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _workDirectory;

    private EngineProcess(Process process, string workDirectory, int port)
    {
        _process = process;
        _workDirectory = workDirectory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public static async Task<EngineProcess> StartAsync(string connectionString)
    {
        var workDirectory = Directory.CreateTempSubdirectory("aractors-engine-").FullName;
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "ArActors.Silo.dll")}\" --urls http://127.0.0.1:{port}")
        {
            WorkingDirectory = workDirectory,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__Postgres"] = connectionString;
        info.Environment["ArActors__Demo"] = "true";
        info.Environment["ArActors__DemoAccounts"] = "0";
        info.Environment["ArActors__Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        info.Environment["ArActors__Auth__RequestsPerSecond"] = "100000";
        info.Environment["ArActors__Auth__Burst"] = "100000";
        info.Environment["Logging__LogLevel__Default"] = "Critical";
        var engine = new EngineProcess(Process.Start(info)!, workDirectory, port);
        using var probe = new HttpClient { BaseAddress = engine.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(() => Poll.IsReadyAsync(probe), TimeSpan.FromSeconds(60), "the engine process answers /health/ready");
        return engine;
    }

    /// <summary>A client signed in as the demo manager (books accounts, invoices and payments).</summary>
    public async Task<HttpClient> ManagerClientAsync(TimeSpan requestTimeout)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = requestTimeout };
        using var response = await client.PostAsJsonAsync(new Uri("/api/v1/demo/sign-in", UriKind.Relative), new { userId = "manager" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("token").GetString());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_workDirectory, recursive: true);
    }
}

/// <summary>Polling over real processes (there is no clock to drive).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < limit, $"not reached within {limit}: {what}");
            await Task.Delay(100);
        }
    }

    public static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
