using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Clustering;

/// <summary>Opt-in clustering of a silo: where it is reachable and how membership is detected.</summary>
public sealed class ClusterOptions
{
    /// <summary>This silo's HTTP base URL as the other silos reach it (e.g. <c>http://10.0.0.5:5081</c>).</summary>
    public string Endpoint { get; set; } = "";

    public MembershipOptions Membership { get; set; } = new();

    public int VirtualNodesPerSilo { get; set; } = ConsistentHashRing.DefaultVirtualNodesPerSilo;
}

/// <summary>The silo is cut off from the membership table or was declared dead; it serves no grain.</summary>
public sealed class SiloNotServingException(string message) : Exception(message);

/// <summary>
/// A silo's view of the cluster: its membership agent and the ring of Active silos built from the agent's latest
/// snapshot, so every grain key has one owner. Rebuilt on every membership change.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly int _virtualNodes;
    private volatile ConsistentHashRing _ring = ConsistentHashRing.Create([]);
    private readonly Lock _applyLock = new();
    private long _appliedVersion = -1;
    private volatile MembershipSnapshot _snapshot = MembershipSnapshot.Empty;
    private volatile bool _joined;
    private volatile bool _killed;
    private readonly MembershipAgent? _agent;
    private readonly ClientReader? _client;

    public SiloCluster(MembershipAgent agent, int virtualNodesPerSilo = ConsistentHashRing.DefaultVirtualNodesPerSilo, ILogger? logger = null)
    {
        _agent = agent;
        Self = agent.Self;
        _virtualNodes = virtualNodesPerSilo;
        _logger = logger ?? NullLogger.Instance;
        agent.Changed += (_, snapshot) => Apply(snapshot);
        agent.DeclaredDead += (_, _) => DeclaredDead?.Invoke(this, EventArgs.Empty);
    }

    private SiloCluster(SiloAddress self, IMembershipTable table, TimeProvider time, MembershipOptions options, int virtualNodesPerSilo, ILogger? logger)
    {
        Self = self;
        _virtualNodes = virtualNodesPerSilo;
        _logger = logger ?? NullLogger.Instance;
        _client = new ClientReader(this, table, time, options.HeartbeatPeriod);
    }

    /// <summary>
    /// A cluster client (an API-only node): it reads the membership table every heartbeat period, writes no row, is on
    /// no ring and owns nothing, so every call it makes is forwarded to the owning silo.
    /// </summary>
    public static SiloCluster ForClient(
        IMembershipTable table, TimeProvider time, MembershipOptions? options = null, int virtualNodesPerSilo = ConsistentHashRing.DefaultVirtualNodesPerSilo, ILogger? logger = null) =>
        new(new SiloAddress("client:" + Environment.MachineName + ":" + Guid.NewGuid().ToString("N")[..8], time.GetUtcNow().UtcTicks),
            table, time, options ?? new MembershipOptions(), virtualNodesPerSilo, logger);

    public bool IsClient => _client is not null;

    /// <summary>The membership agent of a member silo (a client has none).</summary>
    public MembershipAgent Agent => _agent ?? throw new InvalidOperationException("A cluster client has no membership agent.");

    public SiloAddress Self { get; }

    public ConsistentHashRing Ring => _ring;

    /// <summary>The latest membership snapshot this view applied (rows of every status).</summary>
    public MembershipSnapshot Snapshot => _snapshot;

    /// <summary>Raised after the ring changed, with the ring before and after.</summary>
    public event Action<ConsistentHashRing, ConsistentHashRing>? RingChanged;

    /// <summary>Raised once when this silo reads its own row as Dead.</summary>
    public event EventHandler? DeclaredDead;

    /// <summary>False before the join, once declared dead, and while no heartbeat was written for SuspectAfter (cut off).</summary>
    public bool IsServing => _joined && !_killed && (_agent is null || (!_agent.IsDeclaredDead && !_agent.IsCutOff));

    /// <summary>Why this silo refuses to serve, for the error a caller gets.</summary>
    public string NotServingReason =>
        !_joined ? $"silo {Self} has not joined the cluster"
        : _killed ? $"silo {Self} has left the cluster"
        : _agent is null ? $"cluster client {Self} is serving"
        : _agent.IsDeclaredDead ? $"silo {Self} was declared dead by the cluster"
        : $"silo {Self} is cut off from the membership table (no heartbeat written since {Agent.LastHeartbeatWritten:O})";

    /// <summary>The silo owning a grain: the ring position of its placement key's hash.</summary>
    public SiloAddress OwnerOf(GrainId grain)
    {
        var ring = _ring;
        if (ring.IsEmpty)
        {
            return IsClient ? throw new SiloUnavailableException($"No active silo in the cluster to take {grain}.") : Self;
        }

        return ring.Owner(GrainHash.Of(grain.PlacementKey));
    }

    public bool IsLocal(GrainId grain) => OwnerOf(grain) == Self;

    /// <summary>Whether this silo's ring ranges hold <paramref name="hash"/> (false while it is not on the ring).</summary>
    public bool OwnsHash(uint hash)
    {
        var ring = _ring;
        return !ring.IsEmpty && ring.Owner(hash) == Self;
    }

    /// <summary>The hash ranges whose reminders this silo delivers (none while it is not in the ring).</summary>
    public IReadOnlyList<HashRange> OwnRanges
    {
        get
        {
            var ring = _ring;
            return ring.IsEmpty ? [] : ring.RangesOf(Self);
        }
    }

    /// <summary>Joins the membership table (Joining, then Active) and builds the first ring.</summary>
    public async Task JoinAsync(CancellationToken cancellationToken = default)
    {
        if (_client is not null)
        {
            await _client.StartAsync(cancellationToken);
            _joined = true;
            return;
        }

        await Agent.Table.InitializeAsync(cancellationToken);
        await Agent.StartAsync(cancellationToken);
        _joined = true;
        await RefreshAsync();
    }

    /// <summary>Reads the table now (a caller that was told "not owner" refreshes its view before retrying).</summary>
    public async Task RefreshAsync()
    {
        if (_client is not null)
        {
            await _client.ReadAsync();
            return;
        }

        await Agent.RunRoundAsync();
        Apply(Agent.Snapshot);
    }

    /// <summary>
    /// Hands over before a graceful stop: writes ShuttingDown and re-reads, so this silo's own ring no longer holds it
    /// (its local calls go to the new owners, forwarded ones are answered "not owner") while it still finishes turns
    /// and writes state. The others learn at their next read, or at once when a call tells them "not owner".
    /// </summary>
    public async Task BeginShutdownAsync(CancellationToken cancellationToken = default)
    {
        if (_killed || !_joined || _client is not null || Agent.IsDeclaredDead)
        {
            return;
        }

        await Agent.AnnounceShutdownAsync(cancellationToken);
        await RefreshAsync();
    }

    /// <summary>Graceful leave: ShuttingDown, then Dead; the others drop this silo from their rings without voting.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        if (_client is not null)
        {
            _killed = true;
            _client.Dispose();
            return;
        }

        if (_killed || Agent.IsDeclaredDead)
        {
            return;
        }

        await Agent.LeaveAsync(cancellationToken);
        _killed = true;
    }

    /// <summary>Stops heartbeating without touching the table, as a crash would (tests).</summary>
    public Task KillAsync()
    {
        _killed = true;
        if (_client is not null)
        {
            _client.Dispose();
            return Task.CompletedTask;
        }

        return Agent.KillAsync();
    }

    public ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            _client.Dispose();
            return ValueTask.CompletedTask;
        }

        return Agent.DisposeAsync();
    }

    /// <summary>A client's view: the table read every period (one read at a time), no row of its own.</summary>
    private sealed class ClientReader(SiloCluster owner, IMembershipTable table, TimeProvider time, TimeSpan period) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private ITimer? _timer;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await table.InitializeAsync(cancellationToken);
            await ReadAsync();
            _timer = time.CreateTimer(static s => _ = ((ClientReader)s!).ReadAsync(), this, period, period);
        }

        public async Task ReadAsync()
        {
            await _gate.WaitAsync();
            try
            {
                owner.Apply(MembershipSnapshot.From(await table.ReadAllAsync()));
            }
            catch (Exception exception)
            {
                // The next period reads again; calls keep the last view meanwhile.
                owner._logger.LogWarning(exception, "Cluster client {Client} could not read the membership table", owner.Self);
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _timer?.Dispose();
    }

    private void Apply(MembershipSnapshot snapshot)
    {
        ConsistentHashRing before, after;
        lock (_applyLock)
        {
            // The agent's event and a refresh may race: never go back to an older table version.
            if (snapshot.Version < _appliedVersion)
            {
                return;
            }

            _appliedVersion = snapshot.Version;
            _snapshot = snapshot;
            before = _ring;
            if (before.Silos.SequenceEqual(snapshot.ActiveSilos))
            {
                return;
            }

            after = ConsistentHashRing.Create(snapshot.ActiveSilos, _virtualNodes);
            _ring = after;
        }

        _logger.LogInformation("Silo {Silo}: ring now has {Count} active silos (table version {Version})", Self, snapshot.ActiveSilos.Length, snapshot.Version);
        RingChanged?.Invoke(before, after);
    }
}
