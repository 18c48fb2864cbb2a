namespace ArActors.Runtime.Clustering;

/// <summary>A process-local <see cref="IMembershipTable"/> for tests and single-process clusters.</summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SiloAddress, MembershipRow> _rows = [];
    private long _version;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(new MembershipTableData(
                _version,
                [.. _rows.Values.OrderBy(r => r.Entry.Silo, SiloAddress.Order)]));
        }
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_version != expectedTableVersion || _rows.ContainsKey(entry.Silo))
            {
                return Task.FromResult(false);
            }

            _rows[entry.Silo] = new MembershipRow(entry, 1);
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_version != expectedTableVersion
                || !_rows.TryGetValue(entry.Silo, out var current)
                || current.RowVersion != expectedRowVersion
                || current.Entry.Status == SiloStatus.Dead)
            {
                return Task.FromResult(false);
            }

            // The heartbeat column belongs to the heartbeat writer: a full update keeps the stored one.
            _rows[entry.Silo] = new MembershipRow(entry with { IAmAlive = current.Entry.IAmAlive, StartTime = current.Entry.StartTime }, current.RowVersion + 1);
            _version++;
            return Task.FromResult(true);
        }
    }

    public Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var expired = _rows.Values.Where(r => r.Entry.Status == SiloStatus.Dead && r.Entry.IAmAlive < heartbeatBefore).Select(r => r.Entry.Silo).ToList();
            foreach (var silo in expired)
            {
                _rows.Remove(silo);
            }

            return Task.FromResult(expired.Count);
        }
    }

    public Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(silo, out var current))
            {
                return Task.FromResult(false);
            }

            _rows[silo] = current with { Entry = current.Entry with { IAmAlive = iAmAlive } };
            return Task.FromResult(true);
        }
    }
}
