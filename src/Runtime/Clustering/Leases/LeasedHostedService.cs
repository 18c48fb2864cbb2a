using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Clustering.Leases;

/// <summary>
/// Lease timing. With the defaults a holder renews every 2 s, a lease it cannot renew expires 15 s after its last
/// renewal, and the holder has stopped its service at least 2 s before that (docs/clustering.md, "Singleton services").
/// </summary>
public sealed record LeaseOptions
{
    /// <summary>How long a taken or renewed lease lasts (engine clock of the writer).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a holder renews and a non-holder tries to take the lease; also the timeout of each attempt.</summary>
    public TimeSpan RenewPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A holder whose last renewal is older than <see cref="Duration"/> minus this stops its service. Three periods:
    /// a check can come up to two periods late (one attempt may take a period, and a tick during it is skipped), so the
    /// stop starts at least one period before the lease expires for the others.
    /// </summary>
    public TimeSpan StopMargin => RenewPeriod * 3;
}

/// <summary>
/// Runs <see cref="Inner"/> only while this node holds the lease <see cref="Name"/>: cluster-wide one instance of a
/// background service (webhook delivery, demo seeding). Without a cluster (the Combined single process) it runs the
/// service at once with no lease. The service is stopped (and later started again) when the lease is lost, when this
/// silo stops serving (cut off, declared dead), and when the host stops; it must resume from stored state on start.
/// </summary>
public sealed partial class LeasedHostedService : IHostedService, IAsyncDisposable
{
    private readonly ILeaseTable? _table;
    private readonly SiloCluster? _cluster;
    private readonly TimeProvider _time;
    private readonly LeaseOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITimer? _timer;
    private Lease? _held;
    private DateTimeOffset _renewedAt;
    private Task _tick = Task.CompletedTask;
    private volatile bool _stopping;

    public LeasedHostedService(string name, IHostedService inner, ILeaseTable? table, SiloCluster? cluster, TimeProvider time, LeaseOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Inner = inner;
        _table = table;
        _cluster = cluster;
        _time = time;
        _options = options ?? new LeaseOptions();
        _logger = logger ?? NullLogger.Instance;
        if (_options.Duration <= _options.StopMargin)
        {
            throw new ArgumentException($"LeaseOptions.Duration ({_options.Duration}) must be longer than three RenewPeriods ({_options.StopMargin}).", nameof(options));
        }
    }

    public string Name { get; }

    public IHostedService Inner { get; }

    /// <summary>Whether the service runs here now.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>The lease this node holds, or null (always null without a cluster).</summary>
    public Lease? Held => _held;

    private bool Leased => _table is not null && _cluster is not null;

    private string Holder => _cluster!.Self.ToString();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Leased)
        {
            await Inner.StartAsync(cancellationToken);
            IsRunning = true;
            return;
        }

        await _table!.InitializeAsync(cancellationToken);

        // One attempt now, so a lone silo starts its services without waiting a period.
        await TickAsync();
        _timer = _time.CreateTimer(static s => ((LeasedHostedService)s!).OnTimer(), this, _options.RenewPeriod, _options.RenewPeriod);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (!Leased)
        {
            IsRunning = false;
            await Inner.StopAsync(cancellationToken);
            return;
        }

        _timer?.Dispose();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StopInnerAsync("the host is stopping", cancellationToken);
            if (_held is { } lease)
            {
                _held = null;
                try
                {
                    // Graceful: the next taker need not wait for expiry.
                    await _table!.ReleaseAsync(Name, lease.Holder, lease.Generation, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReleaseFailed(_logger, e, Name);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Completes when the tick in progress (if any) has finished (tests on a manual clock).</summary>
    public Task WhenIdleAsync() => Volatile.Read(ref _tick);

    /// <summary>Stops ticking without stopping the service or releasing the lease, as a crashed process would (tests).</summary>
    public void Kill()
    {
        _stopping = true;
        _timer?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        await WhenIdleAsync();
        _gate.Dispose();
    }

    private void OnTimer()
    {
        if (_stopping || _gate.CurrentCount == 0)
        {
            // The previous attempt is still running (a slow table): skip rather than pile up.
            return;
        }

        Volatile.Write(ref _tick, TickAsync());
    }

    /// <summary>One round: stop if the lease can no longer be trusted, else renew it, or try to take it.</summary>
    internal async Task TickAsync()
    {
        if (!await _gate.WaitAsync(0))
        {
            return;
        }

        try
        {
            if (_stopping)
            {
                return;
            }

            var cluster = _cluster!;
            var now = _time.GetUtcNow();
            if (!cluster.IsServing)
            {
                // Cut off or declared dead: the others may take the lease once it is declared dead, so stop now.
                await StopInnerAsync(cluster.NotServingReason, CancellationToken.None);
                _held = null;
                return;
            }

            using var timeout = new CancellationTokenSource(_options.RenewPeriod, _time);
            if (_held is { } lease)
            {
                await RenewAsync(lease, now, timeout.Token);
            }
            else
            {
                await AcquireAsync(cluster, now, timeout.Token);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RenewAsync(Lease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool renewed;
        try
        {
            renewed = await _table!.RenewAsync(Name, lease.Holder, lease.Generation, now, _options.Duration, cancellationToken);
        }
        catch (Exception e)
        {
            LogRenewFailed(_logger, e, Name);
            if (_time.GetUtcNow() - _renewedAt >= _options.Duration - _options.StopMargin)
            {
                await StopInnerAsync($"lease not renewed since {_renewedAt:O}", CancellationToken.None);
                _held = null;
            }

            return;
        }

        if (renewed)
        {
            _renewedAt = now;
        }
        else
        {
            // Expired or taken over: another holder may already run the service.
            await StopInnerAsync($"lease generation {lease.Generation} lost", CancellationToken.None);
            _held = null;
        }
    }

    private async Task AcquireAsync(SiloCluster cluster, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var dead = cluster.Snapshot.Entries.Where(e => e.Status == SiloStatus.Dead).Select(e => e.Silo.ToString()).ToList();
        Lease? lease;
        try
        {
            lease = await _table!.TryAcquireAsync(Name, Holder, now, _options.Duration, dead, cancellationToken);
        }
        catch (Exception e)
        {
            LogAcquireFailed(_logger, e, Name);
            return;
        }

        if (lease is null)
        {
            return;
        }

        _held = lease;
        _renewedAt = now;
        LogAcquired(_logger, Name, lease.Generation, Holder);
        try
        {
            await Inner.StartAsync(CancellationToken.None);
            IsRunning = true;
        }
        catch (Exception e)
        {
            LogStartFailed(_logger, e, Name);
            _held = null;
            try
            {
                await _table.ReleaseAsync(Name, lease.Holder, lease.Generation, CancellationToken.None);
            }
            catch (Exception releaseFailure)
            {
                LogReleaseFailed(_logger, releaseFailure, Name);
            }
        }
    }

    private async Task StopInnerAsync(string reason, CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            return;
        }

        IsRunning = false;
        LogStopping(_logger, Name, reason);
        await Inner.StopAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {Name} generation {Generation} taken by {Holder}; starting the service")]
    private static partial void LogAcquired(ILogger logger, string name, long generation, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping the service of lease {Name}: {Reason}")]
    private static partial void LogStopping(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing lease {Name} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trying to take lease {Name} failed")]
    private static partial void LogAcquireFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing lease {Name} failed; it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "The service of lease {Name} failed to start; lease released")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string name);
}
