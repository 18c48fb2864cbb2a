using System.Diagnostics;
using System.Globalization;
using ArActors.TestKit;

namespace ArActors.Silo.Tests.Faults;

/// <summary>
/// A PostgreSQL cluster of the test's own (initdb + pg_ctl on a free loopback port, as tools/throwaway-postgres.sh
/// does), so a fault test may stop and start it without touching any server other tests use.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgresUser;

    private ThrowawayPostgres(string bin, string directory, int port, bool asPostgresUser)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .LastOrDefault()
            : null;
        Assert.True(bin is not null, "PostgreSQL server binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql; ./test.sh installs them");

        var directory = Directory.CreateTempSubdirectory("aractors-faultpg-").FullName;
        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres", directory]);
        }

        var postgres = new ThrowawayPostgres(bin, directory, FreePort.Next(), asPostgresUser);
        await postgres.PgAsync("initdb", ["-D", postgres.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await postgres.StartServerAsync();
        return postgres;
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Starts the server and returns once it accepts connections.</summary>
    public Task StartServerAsync() => PgAsync("pg_ctl", [
        "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off", "start"]);

    /// <summary>Stops the server the way an operator would (<c>pg_ctl stop -m fast</c>: sessions are terminated).</summary>
    public Task StopServerAsync() => PgAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "stop"]);
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Already stopped.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Task PgAsync(string tool, string[] arguments) => _asPostgresUser
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
        : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
    }
}
