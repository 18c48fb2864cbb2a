using System.Diagnostics;
using System.Globalization;

namespace ArActors.Bench.Ingest;

/// <summary>
/// CPU time spent per request during one measured phase, by process: this process (the load generator, and the
/// in-process endpoints of the baselines), every PostgreSQL process on the machine, and the engine when it runs.
/// Unlike ops/s on a shared host it shows where each request's cost goes.
/// </summary>
internal sealed class CpuUse
{
    private readonly EngineProcess? _engine;
    private readonly TimeSpan _self;
    private readonly TimeSpan _postgres;
    private readonly TimeSpan _engineStart;

    private CpuUse(EngineProcess? engine)
    {
        _engine = engine;
        _self = Process.GetCurrentProcess().TotalProcessorTime;
        _postgres = PostgresTime();
        _engineStart = engine?.CpuTime ?? TimeSpan.Zero;
    }

    public static CpuUse Start(EngineProcess? engine = null) => new(engine);

    /// <summary>Microseconds of CPU per request since the start, e.g. "engine 480 us, PostgreSQL 390 us, load generator 60 us".</summary>
    public string PerRequest(LoadResult result)
    {
        var requests = Math.Max(1, result.Succeeded + result.Failed);
        double Us(TimeSpan spent) => spent.TotalMicroseconds / requests;
        var self = Us(Process.GetCurrentProcess().TotalProcessorTime - _self);
        var postgres = Us(PostgresTime() - _postgres);
        return _engine is null
            ? string.Create(CultureInfo.InvariantCulture, $"CPU per request: this process {self:N0} us, PostgreSQL {postgres:N0} us")
            : string.Create(CultureInfo.InvariantCulture, $"CPU per request: engine {Us(_engine.CpuTime - _engineStart):N0} us, PostgreSQL {postgres:N0} us, load generator {self:N0} us");
    }

    /// <summary>User and system time of every process named postgres, from /proc (clock ticks of 10 ms).</summary>
    private static TimeSpan PostgresTime()
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // exited between the listing and the read
            }

            // pid (comm) state ppid ...: utime and stime are the 12th and 13th fields after the command's closing parenthesis.
            var close = stat.LastIndexOf(')');
            if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
