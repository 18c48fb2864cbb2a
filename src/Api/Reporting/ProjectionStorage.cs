using System.Collections.Immutable;
using System.Text.Json;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Storage;

namespace ArActors.Api.Reporting;

/// <summary>
/// The reporting projection's durable form: a small manifest row (cursor, version, and which row holds each shard) and one
/// row per shard: per (dimension, value) totals, accounts and invoices hashed by customer. The store commits one row
/// atomically, never several, so a page commits shadow-paging style: its changed shards go to NEW rows (ids carry the
/// version the manifest will get; written with "must not exist"), then ONE manifest write moves the cursor and points at
/// them. A crash before the manifest write leaves only unreferenced rows: a restart loads the old manifest and re-folds
/// the page from its cursor, so nothing is counted twice or lost. A writer first claims the manifest (a write with its
/// ETag), so a second node folding the same ledger cannot commit over it, and row ids never repeat across writers.
/// </summary>
public sealed class ProjectionStorage(IDurableStore store, string key)
{
    /// <summary>Invoices and accounts hash by customer into this many shards (about 250 invoices per shard at 1 M).</summary>
    public const int InvoiceShards = 4096;
    public const int AccountShards = 1024;

    private const string GrainType = "reporting";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<int, HashSet<string>> _invoiceKeys = [];
    private readonly Dictionary<int, HashSet<string>> _accountKeys = [];
    private readonly Dictionary<int, HashSet<string>> _receiptKeys = [];
    private readonly Dictionary<string, string> _rowEtags = new(StringComparer.Ordinal);
    private ProjectionManifest _manifest = ProjectionManifest.Empty;
    private string? _manifestEtag;
    private bool _writeAll;

    /// <summary>The manifest row: cursor and the row version of every shard.</summary>
    public GrainStateId ManifestId => new(GrainType, key, "manifest");

    /// <summary>The single row of the projection's first version; read once to migrate, then cleared.</summary>
    public GrainStateId LegacyId => new(GrainType, key, "state");

    public GrainStateId RowId(string shard, long version) => new(GrainType, key, $"{shard}@{version}");

    public static string TotalsShard(string totalsKey)
    {
        var (dimension, value, _) = ReportingState.ParseKey(totalsKey);
        return $"totals/{dimension}/{value}";
    }

    public static int ShardOf(string customerId, int shards)
    {
        // FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in customerId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }

    /// <summary>Reads the committed state and claims the manifest, so this instance's later commits fail if another writes.</summary>
    public async Task<ReportingState> LoadAsync(CancellationToken cancellationToken)
    {
        _invoiceKeys.Clear();
        _accountKeys.Clear();
        _receiptKeys.Clear();
        _rowEtags.Clear();
        var stored = await store.ReadStateAsync(ManifestId, cancellationToken);
        ReportingState state;
        if (stored is null)
        {
            var legacy = await store.ReadStateAsync(LegacyId, cancellationToken);
            state = legacy is null ? ReportingState.Empty : JsonSerializer.Deserialize<ReportingState>(legacy.Payload.Span, Json)!;
            _manifest = ProjectionManifest.Empty;
            _manifestEtag = null;
            _writeAll = legacy is not null;
        }
        else
        {
            _manifest = JsonSerializer.Deserialize<ProjectionManifest>(stored.Payload.Span, Json)!;
            _manifestEtag = stored.Etag;
            _writeAll = false;
            state = await ReadShardsAsync(_manifest, cancellationToken);
        }

        foreach (var (invoiceKey, invoice) in state.Invoices)
        {
            Index(_invoiceKeys, ShardOf(invoice.CustomerId, InvoiceShards), invoiceKey);
        }

        foreach (var customer in state.Accounts.Keys)
        {
            Index(_accountKeys, ShardOf(customer, AccountShards), customer);
        }

        foreach (var (receiptKey, receipt) in state.Receipts)
        {
            Index(_receiptKeys, ShardOf(receipt.CustomerId, InvoiceShards), receiptKey);
        }

        await CommitManifestAsync(_manifest with { Version = _manifest.Version + 1 }, cancellationToken);
        if (_writeAll)
        {
            // Split the first version's single row now, at its own cursor, so the shards exist before anything new is folded.
            await SaveAsync(state, state, [], [], [], cancellationToken);
        }

        return state;
    }

    /// <summary>
    /// Commits a folded page: the shards that changed between <paramref name="before"/> and <paramref name="after"/> (those of
    /// <paramref name="customers"/> and any totals group whose value changed), then the manifest with the new cursor.
    /// <paramref name="issuedInvoices"/> and <paramref name="newReceipts"/> are the index keys the page may have added.
    /// </summary>
    public async Task SaveAsync(
        ReportingState before, ReportingState after, IReadOnlyCollection<string> customers, IReadOnlyCollection<string> issuedInvoices,
        IReadOnlyCollection<string> newReceipts, CancellationToken cancellationToken)
    {
        var version = _manifest.Version + 1;
        var rows = new Dictionary<string, ProjectionShard>(StringComparer.Ordinal);
        foreach (var customer in customers)
        {
            if (after.Accounts.ContainsKey(customer))
            {
                Index(_accountKeys, ShardOf(customer, AccountShards), customer);
            }
        }

        foreach (var invoiceKey in issuedInvoices)
        {
            if (after.Invoices.TryGetValue(invoiceKey, out var invoice))
            {
                Index(_invoiceKeys, ShardOf(invoice.CustomerId, InvoiceShards), invoiceKey);
            }
        }

        foreach (var receiptKey in newReceipts)
        {
            if (after.Receipts.TryGetValue(receiptKey, out var receipt))
            {
                Index(_receiptKeys, ShardOf(receipt.CustomerId, InvoiceShards), receiptKey);
            }
        }

        var invoiceShards = _writeAll ? _invoiceKeys.Keys.Union(_receiptKeys.Keys) : customers.Select(c => ShardOf(c, InvoiceShards)).Distinct();
        foreach (var shard in invoiceShards)
        {
            var keys = _invoiceKeys.GetValueOrDefault(shard);
            var receipts = _receiptKeys.GetValueOrDefault(shard);
            if (keys is not null || receipts is not null)
            {
                rows[$"invoices/{shard}"] = new ProjectionShard(null, null, (keys ?? []).ToDictionary(k => k, k => after.Invoices[k], StringComparer.Ordinal))
                {
                    Receipts = receipts?.ToDictionary(k => k, k => after.Receipts[k], StringComparer.Ordinal),
                };
            }
        }

        var accountShards = _writeAll ? _accountKeys.Keys : customers.Select(c => ShardOf(c, AccountShards)).Distinct();
        foreach (var shard in accountShards)
        {
            if (_accountKeys.TryGetValue(shard, out var keys))
            {
                rows[$"accounts/{shard}"] = new ProjectionShard(null, keys.ToDictionary(k => k, k => after.Accounts[k], StringComparer.Ordinal), null)
                {
                    Directory = keys.Where(after.Directory.ContainsKey).ToDictionary(k => k, k => after.Directory[k], StringComparer.Ordinal),
                };
            }
        }

        var changedTotals = after.Totals
            .Where(p => _writeAll || !ReferenceEquals(before.Totals.GetValueOrDefault(p.Key), p.Value))
            .Select(p => TotalsShard(p.Key))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var group in after.Totals.GroupBy(p => TotalsShard(p.Key), StringComparer.Ordinal).Where(g => changedTotals.Contains(g.Key)))
        {
            rows[group.Key] = new ProjectionShard(group.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), null, null);
        }

        var written = await Task.WhenAll(rows.Select(async row =>
        {
            var result = await store.WriteStateAsync(RowId(row.Key, version), JsonSerializer.SerializeToUtf8Bytes(row.Value, Json), null, [], cancellationToken);
            return (Shard: row.Key, result.Etag);
        }));

        var replaced = rows.Keys.Where(_manifest.Shards.ContainsKey).Select(s => (Id: RowId(s, _manifest.Shards[s]), Etag: _rowEtags.GetValueOrDefault(RowId(s, _manifest.Shards[s]).ToString()))).ToList();
        await CommitManifestAsync(new ProjectionManifest(after.Cursor, version, _manifest.Shards.SetItems(rows.Keys.Select(s => KeyValuePair.Create(s, version)))), cancellationToken);
        foreach (var (shard, etag) in written)
        {
            _rowEtags[RowId(shard, version).ToString()] = etag;
        }

        if (_writeAll)
        {
            _writeAll = false;
            await ClearQuietlyAsync(LegacyId, (await store.ReadStateAsync(LegacyId, cancellationToken))?.Etag, cancellationToken);
        }

        // Rows the manifest no longer names are garbage; removing them is best effort (a leftover is never read).
        foreach (var (id, etag) in replaced)
        {
            _rowEtags.Remove(id.ToString());
            await ClearQuietlyAsync(id, etag, cancellationToken);
        }
    }

    private async Task ClearQuietlyAsync(GrainStateId id, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null)
        {
            return;
        }

        try
        {
            await store.ClearStateAsync(id, etag, cancellationToken);
        }
        catch (InconsistentStateException)
        {
            // Someone else removed or replaced it; either way this instance no longer refers to it.
        }
    }

    private async Task CommitManifestAsync(ProjectionManifest next, CancellationToken cancellationToken)
    {
        var result = await store.WriteStateAsync(ManifestId, JsonSerializer.SerializeToUtf8Bytes(next, Json), _manifestEtag, [], cancellationToken);
        _manifest = next;
        _manifestEtag = result.Etag;
    }

    private async Task<ReportingState> ReadShardsAsync(ProjectionManifest manifest, CancellationToken cancellationToken)
    {
        var accounts = ImmutableDictionary.CreateBuilder<string, AccountDimensions>(StringComparer.Ordinal);
        var invoices = ImmutableDictionary.CreateBuilder<string, IndexedInvoice>(StringComparer.Ordinal);
        var totals = ImmutableDictionary.CreateBuilder<string, ReceivableTotals>(StringComparer.Ordinal);
        var directory = ImmutableSortedDictionary.CreateBuilder<string, DirectoryEntry>(StringComparer.Ordinal);
        var receipts = ImmutableDictionary.CreateBuilder<string, IndexedReceipt>(StringComparer.Ordinal);
        foreach (var chunk in manifest.Shards.Chunk(64))
        {
            var reads = await Task.WhenAll(chunk.Select(async s =>
            {
                var id = RowId(s.Key, s.Value);
                var row = await store.ReadStateAsync(id, cancellationToken)
                    ?? throw new InvalidOperationException($"Reporting projection row {id} named by the manifest is missing.");
                return (Id: id, Row: row);
            }));
            foreach (var (id, row) in reads)
            {
                _rowEtags[id.ToString()] = row.Etag;
                var shard = JsonSerializer.Deserialize<ProjectionShard>(row.Payload.Span, Json)!;
                accounts.AddRange(shard.Accounts ?? []);
                invoices.AddRange(shard.Invoices ?? []);
                totals.AddRange(shard.Totals ?? []);
                directory.AddRange(shard.Directory ?? []);
                receipts.AddRange(shard.Receipts ?? []);
            }
        }

        return new ReportingState(manifest.Cursor, accounts.ToImmutable(), invoices.ToImmutable(), totals.ToImmutable()) { Directory = directory.ToImmutable(), Receipts = receipts.ToImmutable() };
    }

    private static void Index(Dictionary<int, HashSet<string>> index, int shard, string key)
    {
        if (!index.TryGetValue(shard, out var keys))
        {
            index[shard] = keys = new HashSet<string>(StringComparer.Ordinal);
        }

        keys.Add(key);
    }
}

/// <summary>The projection's committed position: the cursor and, per shard, the version of the row that holds it.</summary>
public sealed record ProjectionManifest(long Cursor, long Version, ImmutableDictionary<string, long> Shards)
{
    public static ProjectionManifest Empty { get; } = new(0, 0, ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal));
}

/// <summary>One shard row: a totals group, a slice of accounts (with their directory entries) or a slice of invoices.</summary>
public sealed record ProjectionShard(
    Dictionary<string, ReceivableTotals>? Totals,
    Dictionary<string, AccountDimensions>? Accounts,
    Dictionary<string, IndexedInvoice>? Invoices)
{
    public Dictionary<string, DirectoryEntry>? Directory { get; init; }

    public Dictionary<string, IndexedReceipt>? Receipts { get; init; }
}
