namespace ArActors.Runtime.Clustering.Leases;

/// <summary>
/// A named lease as stored: who holds it, which generation of holding it is (bumped on every change of hands, so a
/// holder that lost it cannot renew it back), and when it expires (the writer's engine clock).
/// </summary>
public sealed record Lease(string Name, string Holder, long Generation, DateTimeOffset Expires);

/// <summary>
/// One row per lease name. Every change is one conditional write, so for each generation exactly one holder wins;
/// times are passed in by the caller (its engine <see cref="TimeProvider"/>), never read from the database clock.
/// </summary>
public interface ILeaseTable
{
    /// <summary>Creates or migrates the table. Idempotent; safe for several processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the lease for <paramref name="holder"/> until <paramref name="now"/> + <paramref name="duration"/> when it
    /// is unheld, expired at <paramref name="now"/>, or held by one of <paramref name="deadHolders"/> (a new
    /// generation); when <paramref name="holder"/> already holds it unexpired it is extended under the same generation.
    /// Returns the lease as stored, or null while someone else holds it.
    /// </summary>
    Task<Lease?> TryAcquireAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, IReadOnlyCollection<string> deadHolders, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease; false when <paramref name="holder"/> no longer holds <paramref name="generation"/> or it had expired at <paramref name="now"/>.</summary>
    Task<bool> RenewAsync(string name, string holder, long generation, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up at once (graceful stop), if <paramref name="holder"/> still holds <paramref name="generation"/>.</summary>
    Task ReleaseAsync(string name, string holder, long generation, CancellationToken cancellationToken = default);

    Task<Lease?> ReadAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>Leases in memory, for one process and tests.</summary>
public sealed class InMemoryLeaseTable : ILeaseTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Lease?> TryAcquireAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, IReadOnlyCollection<string> deadHolders, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(name, out var current))
            {
                return Task.FromResult<Lease?>(_leases[name] = new Lease(name, holder, 1, now + duration));
            }

            if (current.Holder == holder && current.Expires > now)
            {
                return Task.FromResult<Lease?>(_leases[name] = current with { Expires = now + duration });
            }

            if (current.Expires <= now || deadHolders.Contains(current.Holder))
            {
                return Task.FromResult<Lease?>(_leases[name] = new Lease(name, holder, current.Generation + 1, now + duration));
            }

            return Task.FromResult<Lease?>(null);
        }
    }

    public Task<bool> RenewAsync(string name, string holder, long generation, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_leases.TryGetValue(name, out var current) && current.Holder == holder && current.Generation == generation && current.Expires > now)
            {
                _leases[name] = current with { Expires = now + duration };
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        }
    }

    public Task ReleaseAsync(string name, string holder, long generation, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_leases.TryGetValue(name, out var current) && current.Holder == holder && current.Generation == generation)
            {
                _leases[name] = current with { Expires = DateTimeOffset.UnixEpoch };
            }

            return Task.CompletedTask;
        }
    }

    public Task<Lease?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_leases.GetValueOrDefault(name));
        }
    }
}
