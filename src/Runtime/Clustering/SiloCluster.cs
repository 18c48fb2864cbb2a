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
    private volatile bool _joined;
    private volatile bool _killed;

    public SiloCluster(MembershipAgent agent, int virtualNodesPerSilo = ConsistentHashRing.DefaultVirtualNodesPerSilo, ILogger? logger = null)
    {
        Agent = agent;
        _virtualNodes = virtualNodesPerSilo;
        _logger = logger ?? NullLogger.Instance;
        agent.Changed += (_, snapshot) => Apply(snapshot);
        agent.DeclaredDead += (_, _) => DeclaredDead?.Invoke(this, EventArgs.Empty);
    }

    public MembershipAgent Agent { get; }

    public SiloAddress Self => Agent.Self;

    public ConsistentHashRing Ring => _ring;

    /// <summary>Raised after the ring changed, with the ring before and after.</summary>
    public event Action<ConsistentHashRing, ConsistentHashRing>? RingChanged;

    /// <summary>Raised once when this silo reads its own row as Dead.</summary>
    public event EventHandler? DeclaredDead;

    /// <summary>False before the join, once declared dead, and while no heartbeat was written for SuspectAfter (cut off).</summary>
    public bool IsServing => _joined && !_killed && !Agent.IsDeclaredDead && !Agent.IsCutOff;

    /// <summary>Why this silo refuses to serve, for the error a caller gets.</summary>
    public string NotServingReason =>
        !_joined ? $"silo {Self} has not joined the cluster"
        : _killed ? $"silo {Self} has left the cluster"
        : Agent.IsDeclaredDead ? $"silo {Self} was declared dead by the cluster"
        : $"silo {Self} is cut off from the membership table (no heartbeat written since {Agent.LastHeartbeatWritten:O})";

    /// <summary>The silo owning a grain: the ring position of its placement key's hash.</summary>
    public SiloAddress OwnerOf(GrainId grain)
    {
        var ring = _ring;
        return ring.IsEmpty ? Self : ring.Owner(GrainHash.Of(grain.PlacementKey));
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
        await Agent.Table.InitializeAsync(cancellationToken);
        await Agent.StartAsync(cancellationToken);
        _joined = true;
        await RefreshAsync();
    }

    /// <summary>Reads the table now (a caller that was told "not owner" refreshes its view before retrying).</summary>
    public async Task RefreshAsync()
    {
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
        if (_killed || !_joined || Agent.IsDeclaredDead)
        {
            return;
        }

        await Agent.AnnounceShutdownAsync(cancellationToken);
        await RefreshAsync();
    }

    /// <summary>Graceful leave: ShuttingDown, then Dead; the others drop this silo from their rings without voting.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
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
        return Agent.KillAsync();
    }

    public ValueTask DisposeAsync() => Agent.DisposeAsync();

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
