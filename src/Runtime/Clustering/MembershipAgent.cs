using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Clustering;

/// <summary>A silo found its own membership row Dead: it must stop, and may come back only as a new generation.</summary>
public sealed class SiloDeclaredDeadException : Exception
{
    public SiloDeclaredDeadException() { }

    public SiloDeclaredDeadException(string message) : base(message) { }

    public SiloDeclaredDeadException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// One silo's membership protocol: joins (Joining, then Active), then every <see cref="MembershipOptions.HeartbeatPeriod"/>
/// writes its heartbeat, reads the table, and votes against silos whose heartbeat it has not seen change for
/// <see cref="MembershipOptions.SuspectAfter"/>; the vote that completes the quorum declares the silo Dead.
/// Several agents can run in one process, each on its own <see cref="TimeProvider"/>-driven timer.
/// </summary>
public sealed class MembershipAgent : IAsyncDisposable
{
    private readonly IMembershipTable _table;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<SiloAddress, (DateTimeOffset Value, DateTimeOffset SeenChangeAt)> _observed = [];
    private ITimer? _timer;
    private Task _tail = Task.CompletedTask;
    private int _queuedRounds;
    private bool _stopped;
    private volatile bool _declaredDead;
    private volatile bool _joined;
    private volatile MembershipSnapshot _snapshot = MembershipSnapshot.Empty;
    private long _lastHeartbeatTicks = DateTimeOffset.MinValue.UtcTicks;

    public MembershipAgent(SiloAddress self, IMembershipTable table, TimeProvider timeProvider, MembershipOptions? options = null, ILogger? logger = null)
    {
        Self = self;
        _table = table;
        _time = timeProvider;
        Options = options ?? new MembershipOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    public SiloAddress Self { get; }

    public MembershipOptions Options { get; }

    /// <summary>The table this agent joins (the host initializes its schema before the join).</summary>
    public IMembershipTable Table => _table;

    /// <summary>The membership as of the last successful read.</summary>
    public MembershipSnapshot Snapshot => _snapshot;

    public bool IsDeclaredDead => _declaredDead;

    /// <summary>When this silo last wrote its heartbeat successfully (its own clock).</summary>
    public DateTimeOffset LastHeartbeatWritten => new(Interlocked.Read(ref _lastHeartbeatTicks), TimeSpan.Zero);

    /// <summary>
    /// No heartbeat written for <see cref="MembershipOptions.SuspectAfter"/>: the others may already be declaring this
    /// silo dead and re-placing its grains, so the host should stop serving until it reaches the table again.
    /// </summary>
    public bool IsCutOff => _time.GetUtcNow() - LastHeartbeatWritten >= Options.SuspectAfter;

    /// <summary>Raised after <see cref="Snapshot"/> changes to a new table version.</summary>
    public event EventHandler<MembershipSnapshot>? Changed;

    /// <summary>Raised once when this silo reads its own row as Dead; its loops have stopped, the host should exit.</summary>
    public event EventHandler? DeclaredDead;

    /// <summary>Inserts this silo as Joining, marks it Active and starts the heartbeat loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await RetryAsync("join", async data =>
        {
            var row = data.Find(Self);
            ThrowIfDead(row);
            return row is not null || await _table.InsertRowAsync(MembershipEntry.Joining(Self, _time.GetUtcNow()), data.Version, cancellationToken);
        }, cancellationToken);

        await HeartbeatAsync(_time.GetUtcNow(), cancellationToken);
        await ChangeOwnStatusAsync(SiloStatus.Active, cancellationToken);
        await RetireOlderGenerationsAsync(cancellationToken);
        _joined = true;
        Apply(await _table.ReadAllAsync(cancellationToken));

        lock (_gate)
        {
            if (!_stopped)
            {
                _timer = _time.CreateTimer(_ => EnqueueRound(), null, Options.HeartbeatPeriod, Options.HeartbeatPeriod);
            }
        }

        _logger.LogInformation("Silo {Silo} joined the cluster as Active", Self);
    }

    /// <summary>Graceful leave: ShuttingDown, stop the loop, then Dead. The others drop it without voting.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        await ChangeOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken);
        await StopLoopAsync();
        await ChangeOwnStatusAsync(SiloStatus.Dead, cancellationToken);
        _logger.LogInformation("Silo {Silo} left the cluster", Self);
    }

    /// <summary>First step of a graceful stop: ShuttingDown, loop still running. The others drop this silo from their rings at their next read.</summary>
    public Task AnnounceShutdownAsync(CancellationToken cancellationToken = default) => ChangeOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken);

    /// <summary>Stops the loop without touching the table, as a crash would (tests use it to kill a silo).</summary>
    public Task KillAsync() => StopLoopAsync();

    /// <summary>Completes when every round started so far has finished (tests settle between clock steps with it).</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            return _tail;
        }
    }

    /// <summary>Runs one heartbeat-read-probe round now, after any round already queued.</summary>
    public Task RunRoundAsync()
    {
        EnqueueRound();
        return WhenIdleAsync();
    }

    public async ValueTask DisposeAsync() => await StopLoopAsync();

    private void EnqueueRound()
    {
        lock (_gate)
        {
            // One running plus one waiting is enough: a slow table must not make ticks pile up without bound.
            if (!_stopped && _queuedRounds < 2)
            {
                _queuedRounds++;
                _tail = ChainAsync(_tail);
            }
        }
    }

    private async Task ChainAsync(Task previous)
    {
        // Leave the caller (a timer callback holding _gate) first: rounds raise events and must never run under the lock.
        await Task.Yield();
        await previous;
        try
        {
            await RoundAsync();
        }
        catch (Exception ex)
        {
            // A round must never break the chain: the next one retries from a fresh read.
            _logger.LogWarning(ex, "Membership round of {Silo} failed", Self);
        }
        finally
        {
            lock (_gate)
            {
                _queuedRounds--;
            }
        }
    }

    private async Task RoundAsync()
    {
        if (_declaredDead || IsStopped())
        {
            return;
        }

        var now = _time.GetUtcNow();
        try
        {
            await HeartbeatAsync(now, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Keep reading: a silo that cannot heartbeat must still learn that it was declared dead.
            _logger.LogWarning(ex, "Silo {Silo} could not write its heartbeat", Self);
        }

        var data = await _table.ReadAllAsync();
        if (!Apply(data))
        {
            return;
        }

        Observe(data, now);
        if (data.Find(Self)?.Entry.Status != SiloStatus.Active)
        {
            return;
        }

        await DeleteExpiredDeadRowsAsync(data, now);
        foreach (var suspect in StaleSilos(data, now))
        {
            if (!await TrySuspectAsync(suspect, data, now))
            {
                return;
            }
        }
    }

    private async Task DeleteExpiredDeadRowsAsync(MembershipTableData data, DateTimeOffset now)
    {
        var before = now - Options.DeadRowRetention;
        if (!data.Rows.Any(r => r.Entry.Status == SiloStatus.Dead && r.Entry.IAmAlive < before))
        {
            return;
        }

        try
        {
            var deleted = await _table.DeleteDeadRowsAsync(before);
            _logger.LogInformation("Silo {Silo} deleted {Count} membership rows dead since before {Before:O}", Self, deleted, before);
        }
        catch (Exception ex)
        {
            // Housekeeping only: the next round tries again.
            _logger.LogWarning(ex, "Silo {Silo} could not delete expired dead membership rows", Self);
        }
    }

    private List<SiloAddress> StaleSilos(MembershipTableData data, DateTimeOffset now)
    {
        lock (_gate)
        {
            return [.. data.Rows
                .Where(r => r.Entry.Silo != Self && r.Entry.Status != SiloStatus.Dead)
                .Where(r => _observed.TryGetValue(r.Entry.Silo, out var seen) && MembershipRules.IsStale(seen.SeenChangeAt, now, Options.SuspectAfter))
                .Select(r => r.Entry.Silo)];
        }
    }

    /// <summary>Votes against <paramref name="suspect"/>, re-reading on conflict; false when this silo turned out dead.</summary>
    private async Task<bool> TrySuspectAsync(SiloAddress suspect, MembershipTableData data, DateTimeOffset now)
    {
        for (var attempt = 0; attempt < Options.MaxConflictRetries; attempt++)
        {
            var row = data.Find(suspect);
            if (row is null || !StaleSilos(data, now).Contains(suspect))
            {
                return true;
            }

            var update = MembershipRules.Suspect(data, row, Self, now, Options);
            if (update is null)
            {
                return true;
            }

            if (await _table.UpdateRowAsync(update, row.RowVersion, data.Version))
            {
                _logger.LogWarning("Silo {Voter} voted against {Suspect}: {Votes} votes, now {Status}", Self, suspect, update.Suspicions.Length, update.Status);
                return Apply(await _table.ReadAllAsync());
            }

            data = await _table.ReadAllAsync();
            if (!Apply(data))
            {
                return false;
            }

            Observe(data, now);
        }

        return true;
    }

    private async Task HeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await _table.UpdateIAmAliveAsync(Self, now, cancellationToken))
        {
            Interlocked.Exchange(ref _lastHeartbeatTicks, now.UtcTicks);
        }
    }

    /// <summary>Remembers when each heartbeat value was first seen: staleness is judged on this silo's clock only, so skew between silos does not matter.</summary>
    private void Observe(MembershipTableData data, DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var row in data.Rows)
            {
                if (row.Entry.Silo != Self
                    && (!_observed.TryGetValue(row.Entry.Silo, out var seen) || seen.Value != row.Entry.IAmAlive))
                {
                    _observed[row.Entry.Silo] = (row.Entry.IAmAlive, now);
                }
            }

            foreach (var gone in _observed.Keys.Where(s => data.Find(s) is not { Entry.Status: not SiloStatus.Dead }).ToList())
            {
                _observed.Remove(gone);
            }
        }
    }

    /// <summary>Publishes the snapshot; false (after raising <see cref="DeclaredDead"/>) when this silo's row is Dead, or gone after it joined.</summary>
    private bool Apply(MembershipTableData data)
    {
        var previous = _snapshot;
        if (data.Version > previous.Version)
        {
            var next = MembershipSnapshot.From(data);
            _snapshot = next;
            Changed?.Invoke(this, next);
        }

        // A row gone after joining counts as Dead: otherwise a wiped or cleaned-up table would let a zombie carry on.
        var own = data.Find(Self);
        if ((own is { Entry.Status: SiloStatus.Dead } || (own is null && _joined)) && !_declaredDead && !IsStopped())
        {
            _declaredDead = true;
            lock (_gate)
            {
                _stopped = true;
                _timer?.Dispose();
            }

            _logger.LogError("Silo {Silo} read its own row as Dead; stopping", Self);
            DeclaredDead?.Invoke(this, EventArgs.Empty);
            return false;
        }

        return !_declaredDead;
    }

    private async Task ChangeOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken) =>
        await RetryAsync($"become {status}", async data =>
        {
            var row = data.Find(Self) ?? throw new InvalidOperationException($"Silo {Self} has no membership row.");
            if (row.Entry.Status == status)
            {
                return true;
            }

            ThrowIfDead(row);
            if (!MembershipRules.IsAllowedTransition(row.Entry.Status, status))
            {
                throw new InvalidOperationException($"Silo {Self} cannot go from {row.Entry.Status} to {status}.");
            }

            return await _table.UpdateRowAsync(row.Entry with { Status = status }, row.RowVersion, data.Version, cancellationToken);
        }, cancellationToken);

    /// <summary>A new generation on the same endpoint proves the older ones are gone: declare them Dead without waiting for votes.</summary>
    private async Task RetireOlderGenerationsAsync(CancellationToken cancellationToken) =>
        await RetryAsync("retire older generations", async data =>
        {
            var older = data.Rows.FirstOrDefault(r =>
                r.Entry.Silo.Endpoint == Self.Endpoint && r.Entry.Silo.Generation < Self.Generation && r.Entry.Status != SiloStatus.Dead);
            if (older is null)
            {
                return true;
            }

            // Re-read either way: another older row may remain, or someone else changed the table first.
            await _table.UpdateRowAsync(older.Entry with { Status = SiloStatus.Dead }, older.RowVersion, data.Version, cancellationToken);
            return false;
        }, cancellationToken);

    /// <summary>Reads and attempts until <paramref name="attempt"/> reports done; a false means conflict (or more to do) and re-reads.</summary>
    private async Task RetryAsync(string what, Func<MembershipTableData, Task<bool>> attempt, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Options.MaxConflictRetries; i++)
        {
            var data = await _table.ReadAllAsync(cancellationToken);
            if (await attempt(data))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Silo {Self} could not {what}: the membership table kept changing.");
    }

    private void ThrowIfDead(MembershipRow? row)
    {
        if (row is { Entry.Status: SiloStatus.Dead })
        {
            _declaredDead = true;
            throw new SiloDeclaredDeadException($"Silo {Self} is Dead in the membership table; restart with a new generation.");
        }
    }

    private bool IsStopped()
    {
        lock (_gate)
        {
            return _stopped;
        }
    }

    private async Task StopLoopAsync()
    {
        Task tail;
        lock (_gate)
        {
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
            tail = _tail;
        }

        await tail;
    }
}
