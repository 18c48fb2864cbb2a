using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ArActors.Bench.Push;

/// <summary>
/// Push latency: 500 <c>@microsoft/signalr</c> clients (bench/push/push.mjs, one Node process), one per collector, and
/// 1,000 payments/s POSTed through the engine's HTTP API; latency from the driver's 2xx to the client's receipt of
/// that payment's event, and sequence gaps per topic. Baseline in the same run: a bare SignalR hub in Kestrel (no
/// engine, no store) that sends the same message to the collector's group and then answers 201, same clients, same rate.
/// </summary>
public sealed class PushBenchmark : IBenchmark
{
    private const int Clients = 500;
    private const int Rate = 1000;
    private static readonly JsonSerializerOptions ToolJson = new(JsonSerializerDefaults.Web);

    public string Name => "push";

    public string Description => "500 SignalR clients, 1,000 payments/s through the API: 2xx-to-receipt p50/p99 and gaps vs a bare hub";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var tool = Environment.GetEnvironmentVariable("ARACTORS_BENCH_PUSH_TOOL");
        var silo = Environment.GetEnvironmentVariable("ARACTORS_BENCH_SILO");
        if (context.PostgresConnectionString is not { Length: > 0 } postgres || tool is null || !File.Exists(tool) || silo is null || !File.Exists(silo))
        {
            Console.WriteLine("   ARACTORS_BENCH_PG, ARACTORS_BENCH_SILO or ARACTORS_BENCH_PUSH_TOOL missing: skipping (run through bench/run.sh).");
            return [];
        }

        var seconds = Math.Max(5, (int)Math.Round(20 * context.Scale));
        var bare = await BareHubAsync(tool, seconds);
        Report("bare hub", bare);
        await using var database = await BenchDatabase.CreateAsync(postgres, "bench_push_");
        var connection = database.ConnectionString;
        var engine = await EngineAsync(tool, silo, connection, seconds);
        Report("engine", engine);
        return
        [
            new BenchResult(Name, "2xx-to-receipt p50", engine.P50 ?? double.NaN, "ms", "bare hub p50", bare.P50),
            new BenchResult(Name, "2xx-to-receipt p99", engine.P99 ?? double.NaN, "ms", "bare hub p99", bare.P99),
            new BenchResult(Name, "request-sent-to-receipt p50", engine.SendP50 ?? double.NaN, "ms", "bare hub p50", bare.SendP50),
            new BenchResult(Name, "request-sent-to-receipt p99", engine.SendP99 ?? double.NaN, "ms", "bare hub p99", bare.SendP99),
            new BenchResult(Name, "acknowledged payments/s", engine.AckedPerSecond, "ops/s", "bare hub POST/s", bare.AckedPerSecond),
            new BenchResult(Name, "sequence gaps", engine.Gaps, "events", "bare hub gaps", bare.Gaps),
            new BenchResult(Name, "acknowledged, never received", engine.Missing, "events", "bare hub missing", bare.Missing),
        ];
    }

    private sealed record PushRun(string Mode, int Clients, double Seconds, int Sent, int Acked, int Failed, string? FirstFailure,
        double AckedPerSecond, double SentPerSecond, int Received, int Missing, int Gaps, int Repeats, double? P50, double? P99, double? Max, double? SendP50, double? SendP99, int EarlierThanAck, double LoopDelayP99);

    private static void Report(string what, PushRun r) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"   {what}: {r.Clients} clients, {r.Sent:N0} sent ({r.SentPerSecond:N0}/s offered), {r.Acked:N0} acknowledged ({r.AckedPerSecond:N0}/s from first request to last 2xx), {r.Failed} failed{(r.FirstFailure is { } f ? " (first: " + f + ")" : "")}, {r.Received:N0} received, {r.Missing} missing, {r.Gaps} gaps, {r.Repeats} repeats; 2xx-to-receipt p50 {r.P50:N1} ms, p99 {r.P99:N1} ms, max {r.Max:N1} ms; request-sent-to-receipt p50 {r.SendP50:N1} ms, p99 {r.SendP99:N1} ms ({r.EarlierThanAck:N0} arrived before their 2xx); Node event-loop delay p99 {r.LoopDelayP99:N1} ms"));

    /// <summary>The ceiling of SignalR on this machine: each POST sends one message to the collector's group, then answers 201.</summary>
    private static async Task<PushRun> BareHubAsync(string tool, int seconds)
    {
        var port = EngineProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSignalR();
        await using var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<BareHub>("/hub");
        var sequences = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        app.MapPost("/pay/{collector}", async (string collector, JsonElement payment, IHubContext<BareHub> hub) =>
        {
            var topic = "collector/" + collector;
            var sequence = sequences.AddOrUpdate(topic, 1, (_, s) => s + 1);
            await hub.Clients.Group(topic).SendAsync("event", new { topic, sequence, eventType = "PaymentReceived", occurredAt = DateTimeOffset.UtcNow, payload = new { customerId = collector, payment } });
            return TypedResults.Created($"/pay/{collector}/{sequence}", new { sequence });
        });
        await app.StartAsync();
        try
        {
            return await RunToolAsync(tool, $"--mode bare --url http://127.0.0.1:{port} --clients {Clients} --rate {Rate} --seconds {seconds}");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Joins the connection to its collector's group and says where the topic starts, as the engine's hub does.</summary>
    private sealed class BareHub : Hub
    {
        public override async Task OnConnectedAsync()
        {
            var topic = "collector/" + Context.GetHttpContext()!.Request.Query["collector"];
            await Groups.AddToGroupAsync(Context.ConnectionId, topic);
            await Clients.Caller.SendAsync("joined", new[] { new { topic, afterSequence = 0L } });
        }
    }

    /// <summary>The engine as a process on its own database, rate limit lifted, signing key known to the Node tool.</summary>
    private static async Task<PushRun> EngineAsync(string tool, string siloDll, string connectionString, int seconds)
    {
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var engine = await EngineProcess.StartAsync(siloDll, connectionString, new Dictionary<string, string> { ["ArActors__Auth__SigningKey"] = signingKey });
        return await RunToolAsync(tool, $"--mode engine --url {engine.Url.GetLeftPart(UriPartial.Authority)} --signing-key {signingKey} --clients {Clients} --rate {Rate} --seconds {seconds}");
    }

    private static async Task<PushRun> RunToolAsync(string tool, string arguments)
    {
        var info = new ProcessStartInfo("node", $"\"{tool}\" {arguments}")
        {
            WorkingDirectory = Path.GetDirectoryName(tool)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null || !last.StartsWith('{'))
        {
            throw new InvalidOperationException($"bench/push/push.mjs {arguments.Split(' ')[1]} failed with exit code {process.ExitCode}: {output}");
        }

        return JsonSerializer.Deserialize<PushRun>(last, ToolJson)!;
    }
}
