using System.Diagnostics;
using ArActors.TestKit;

namespace ArActors.Silo.Tests;

/// <summary>Starts the real host process, as a user would, and checks what it prints and how fast it is ready.</summary>
public sealed class ProcessStartTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("aractors-proc-").FullName;

    [Fact]
    public async Task The_engine_answers_ready_within_15_seconds_and_serves_the_page()
    {
        var port = FreePort.Next();
        using var process = StartSilo($"--urls http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var clock = Stopwatch.StartNew();
        try
        {
            var ready = false;
            while (!ready && clock.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
            {
                try
                {
                    ready = (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(ready, $"not ready after {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Contains("ArActors", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(_workDirectory, "data", "aractors.db")), "the embedded store is created under ./data");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_postgres_ends_the_process_with_one_clear_line()
    {
        var closedPort = FreePort.Next();
        using var process = StartSilo($"--urls http://127.0.0.1:{FreePort.Next()} --ConnectionStrings:Postgres=Host=127.0.0.1;Port={closedPort};Username=x");

        var (exitCode, stderr) = await WaitForExitAsync(process);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ArActors cannot start: the store is unreachable: PostgreSQL at 127.0.0.1:" + closedPort, line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Postgres", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unwritable_data_folder_ends_the_process_with_one_clear_line()
    {
        // A folder below a regular file cannot be created, even by root.
        var blocker = Path.Combine(_workDirectory, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        using var process = StartSilo($"--urls http://127.0.0.1:{FreePort.Next()} --ArActors:DataDirectory={blocker}/data");

        var (exitCode, stderr) = await WaitForExitAsync(process);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ArActors cannot start: the data folder '{blocker}/data' is not writable", line, StringComparison.Ordinal);
        Assert.Contains("ArActors:DataDirectory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aging_buckets_that_do_not_increase_end_the_process_with_one_clear_line()
    {
        using var process = StartSilo(
            $"--urls http://127.0.0.1:{FreePort.Next()} --ArActors:DataDirectory={_workDirectory}/data "
            + "--ArActors:Aging:Buckets:0:Name=Current --ArActors:Aging:Buckets:0:MaxDays=0 "
            + "--ArActors:Aging:Buckets:1:Name=Late --ArActors:Aging:Buckets:1:MaxDays=0 "
            + "--ArActors:Aging:Buckets:2:Name=Very");

        var (exitCode, stderr) = await WaitForExitAsync(process);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ArActors cannot start: invalid aging buckets in section 'ArActors:Aging': Bucket 'Late' must have a MaxDays above", line, StringComparison.Ordinal);
    }

    private Process StartSilo(string arguments)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "ArActors.Silo.dll")}\" {arguments}")
        {
            WorkingDirectory = _workDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["ConnectionStrings__Postgres"] = "";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return Process.Start(info)!;
    }

    private static async Task<(int ExitCode, string Stderr)> WaitForExitAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stderr);
    }

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);
}
