namespace ArActors.Grains.Workflow;

/// <summary>
/// A collector's worklist (key = collector id): the accounts assigned to them that need action, highest priority first.
/// Kept current by pushes from the account grains (after each committed change; a reassignment removes the account
/// from the old collector's queue) and re-scored by a daily reminder, since days past due grow without any change.
/// </summary>
public interface ICollectorQueueGrain : IGrainWithStringKey
{
    /// <summary>The account's current inputs, with its change counter; an older version than the one held is ignored.</summary>
    Task Update(WorklistUpdate update);

    /// <summary>The account left this collector (reassigned or closed) as of that version.</summary>
    Task Remove(string customerId, long version);

    /// <summary>A promise of the account was broken: it counts in the account's priority from now on (once per promise).</summary>
    Task PromiseBroken(string customerId, string promiseId);

    /// <summary>The collector planned the next action on the account for this date (from a logged activity).</summary>
    Task SetNextAction(string customerId, DateOnly nextActionOn);

    /// <summary>The earliest deadline of the account's open disputes (null: none open); the priority's dispute-deadline input.</summary>
    Task SetDisputeDeadline(string customerId, DateOnly? deadline);

    /// <summary>The first <paramref name="count"/> entries in priority order, only those of <paramref name="portfolio"/> when given (a team lead's view).</summary>
    [ReadOnly]
    Task<WorklistPage> Top(int count, string? portfolio);
}

public sealed record WorklistUpdate(string CustomerId, string Name, string Portfolio, string Currency, long Version, PriorityInputs Inputs);

public sealed record WorklistEntry(string CustomerId, string Name, string Portfolio, string Currency, PriorityInputs Inputs, PriorityScore Score, DateOnly ScoredOn);

public sealed record WorklistPage(string CollectorId, int Total, ImmutableArray<WorklistEntry> Entries);

/// <summary>Published on "collector/{id}" when the worklist changes.</summary>
public sealed record WorklistEntryAdded(string CollectorId, WorklistEntry Entry);

public sealed record WorklistEntryReprioritized(string CollectorId, string CustomerId, int From, int To, PriorityScore Score);

public sealed record WorklistEntryRemoved(string CollectorId, string CustomerId, string Reason);

public sealed record CollectorQueueState
{
    /// <summary>Accounts in the worklist, by customer id.</summary>
    public ImmutableDictionary<string, WorklistEntry> Entries { get; init; } = ImmutableDictionary<string, WorklistEntry>.Empty;

    /// <summary>The last version seen per account, also for accounts not (or no longer) listed, so a late push cannot resurrect them.</summary>
    public ImmutableDictionary<string, long> Versions { get; init; } = ImmutableDictionary<string, long>.Empty;

    /// <summary>Broken promise ids per account; their count is the priority's broken-promises input.</summary>
    public ImmutableDictionary<string, ImmutableSortedSet<string>> BrokenPromises { get; init; } = ImmutableDictionary<string, ImmutableSortedSet<string>>.Empty;

    /// <summary>The next action date per account, from the latest activity that set one; the priority's next-action input.</summary>
    public ImmutableDictionary<string, DateOnly> NextActions { get; init; } = ImmutableDictionary<string, DateOnly>.Empty;

    /// <summary>The earliest open dispute deadline per account, from the dispute grain; the priority's dispute-deadline input.</summary>
    public ImmutableDictionary<string, DateOnly> DisputeDeadlines { get; init; } = ImmutableDictionary<string, DateOnly>.Empty;
}

/// <remarks>
/// Every account change of a collector's accounts lands here. The durable state is split into <see cref="ShardCount"/>
/// rows by customer id, so an update rewrites the row of its account's shard, not the whole worklist (a collector may
/// hold 10,000 accounts). The grain is reentrant and calls share writes per shard (<see cref="SharedStateWriter{TState}"/>):
/// a call changes its shard under the grain's gate and answers once a write that includes its change has committed;
/// calls that arrive while their shard's write is in flight are committed together by the next one. The in-memory order
/// follows every change at once, so a read may list an entry whose write is still in flight (the account change it
/// reflects is already committed; a failed write deactivates the grain and the account, which keeps its push pending,
/// sends it again). A worklist stored as one row by an earlier release is split into shards when it activates.
/// </remarks>
[GrainType("collector-queue")]
[Reentrant]
public sealed class CollectorQueueGrain([PersistentState("collector-queue")] IPersistentState<CollectorQueueState> legacy) : Grain, ICollectorQueueGrain, IRemindable
{
    public const string RescoreReminder = "rescore";

    /// <summary>How many rows a worklist is stored in.</summary>
    public const int ShardCount = 64;

    // Guards every shard's state, the order and the writers' snapshots (all writers share it).
    private readonly object _gate = new();

    private Shard[] _shards = [];

    // The order is kept in memory, sorted on every change, so reading the top N never sorts the whole list.
    private ImmutableSortedSet<WorklistEntry> _order = ImmutableSortedSet<WorklistEntry>.Empty.WithComparer(ByPriority.Instance);

    // Entries per portfolio for the order they were counted from: a team lead's view counts once per change, not per read.
    private PortfolioCounts? _portfolioCounts;

    private sealed record PortfolioCounts(ImmutableSortedSet<WorklistEntry> Order, ImmutableDictionary<string, int> ByPortfolio);

    private sealed record Shard(IPersistentState<CollectorQueueState> State, SharedStateWriter<CollectorQueueState> Writer);

    // Registers the rescore reminder once per activation (it is never unregistered), so commits need not read it again.
    private Task? _rescore;

    private DateOnly Today => DateOnly.FromDateTime(TimeProvider.GetUtcNow().UtcDateTime);

    /// <summary>The shard row that holds <paramref name="customerId"/>'s entry and inputs (FNV-1a of the id, stable across processes).</summary>
    public static int ShardOf(string customerId)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var hash = 2166136261u;
        foreach (var c in customerId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % ShardCount);
    }

    public static string ShardName(int shard) => $"shard-{shard:D2}";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var states = await Task.WhenAll(Enumerable.Range(0, ShardCount).Select(i => OpenStateAsync<CollectorQueueState>(ShardName(i))));
        _shards = [.. states.Select(state => new Shard(state, CreateSharedWriter(state, _gate)))];
        if (legacy.RecordExists)
        {
            await SplitLegacyRowAsync();
        }

        _order = _order.Union(_shards.SelectMany(shard => shard.State.State.Entries.Values));
        if (!_order.IsEmpty)
        {
            await EnsureRescoreAsync();
        }
    }

    public Task Update(WorklistUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Change(update.CustomerId, (current, writer) =>
        {
            if (current.Versions.TryGetValue(update.CustomerId, out var seen) && update.Version < seen)
            {
                return current;
            }

            var today = Today;
            var inputs = update.Inputs with
            {
                BrokenPromises = current.BrokenPromises.GetValueOrDefault(update.CustomerId)?.Count ?? 0,
                NextActionOn = current.NextActions.TryGetValue(update.CustomerId, out var planned) ? planned : null,
                DisputeDeadline = current.DisputeDeadlines.TryGetValue(update.CustomerId, out var deadline) ? deadline : null,
            };
            var entry = new WorklistEntry(update.CustomerId, update.Name, update.Portfolio, update.Currency, inputs, Priority.Score(inputs, today), today);
            return Apply(current, entry, "no longer needs action", writer) with { Versions = current.Versions.SetItem(update.CustomerId, update.Version) };
        });
    }

    public Task Remove(string customerId, long version) => Change(customerId, (current, writer) =>
    {
        if (current.Versions.TryGetValue(customerId, out var seen) && version < seen)
        {
            return current;
        }

        var next = current with { Versions = current.Versions.SetItem(customerId, version) };
        if (next.Entries.ContainsKey(customerId))
        {
            writer.Publish(LedgerTopics.Collector(GrainKey), new WorklistEntryRemoved(GrainKey, customerId, "reassigned"));
            next = next with { Entries = next.Entries.Remove(customerId) };
        }

        return next;
    });

    public Task PromiseBroken(string customerId, string promiseId) => Change(customerId, (current, writer) =>
    {
        var broken = current.BrokenPromises.GetValueOrDefault(customerId) ?? ImmutableSortedSet<string>.Empty;
        if (broken.Contains(promiseId))
        {
            return current;
        }

        broken = broken.Add(promiseId);
        var next = current with { BrokenPromises = current.BrokenPromises.SetItem(customerId, broken) };
        if (next.Entries.GetValueOrDefault(customerId) is { } entry)
        {
            var inputs = entry.Inputs with { BrokenPromises = broken.Count };
            next = Apply(next, entry with { Inputs = inputs, Score = Priority.Score(inputs, Today), ScoredOn = Today }, "no longer needs action", writer);
        }

        return next;
    });

    public Task SetNextAction(string customerId, DateOnly nextActionOn) => Change(customerId, (current, writer) =>
    {
        var next = current with { NextActions = current.NextActions.SetItem(customerId, nextActionOn) };
        if (next.Entries.GetValueOrDefault(customerId) is { } entry && entry.Inputs.NextActionOn != nextActionOn)
        {
            var inputs = entry.Inputs with { NextActionOn = nextActionOn };
            next = Apply(next, entry with { Inputs = inputs, Score = Priority.Score(inputs, Today), ScoredOn = Today }, "no longer needs action", writer);
        }

        return next;
    });

    public Task SetDisputeDeadline(string customerId, DateOnly? deadline) => Change(customerId, (current, writer) =>
    {
        var next = current with
        {
            DisputeDeadlines = deadline is { } day ? current.DisputeDeadlines.SetItem(customerId, day) : current.DisputeDeadlines.Remove(customerId),
        };
        if (next.Entries.GetValueOrDefault(customerId) is { } entry && entry.Inputs.DisputeDeadline != deadline)
        {
            var inputs = entry.Inputs with { DisputeDeadline = deadline };
            next = Apply(next, entry with { Inputs = inputs, Score = Priority.Score(inputs, Today), ScoredOn = Today }, "no longer needs action", writer);
        }

        return next;
    });

    public Task<WorklistPage> Top(int count, string? portfolio)
    {
        var take = Math.Clamp(count, 0, 1000);
        var order = Volatile.Read(ref _order);
        return Task.FromResult(portfolio is null
            ? new WorklistPage(GrainKey, order.Count, [.. order.Take(take)])
            : new WorklistPage(GrainKey, CountIn(order, portfolio), [.. order.Where(e => e.Portfolio == portfolio).Take(take)]));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RescoreReminder)
        {
            return Task.CompletedTask;
        }

        // Re-scoring as of today is idempotent: a duplicate tick finds every score current and changes nothing.
        return Task.WhenAll(_shards.Select(shard => Change(shard, customerId: null, (current, writer) =>
        {
            var today = Today;
            var next = current;
            foreach (var entry in current.Entries.Values.Where(e => e.ScoredOn != today))
            {
                next = Apply(next, entry with { Score = Priority.Score(entry.Inputs, today), ScoredOn = today }, "no longer needs action", writer);
            }

            return next;
        })));
    }

    private Task Change(string customerId, Func<CollectorQueueState, SharedStateWriter<CollectorQueueState>, CollectorQueueState> change) =>
        Change(_shards[ShardOf(customerId)], customerId, change);

    /// <summary>
    /// Runs <paramref name="change"/> on the shard's state under the gate (its events published there too), keeps the
    /// order in step, and completes once the change (or, if it changed nothing, whatever it found) is durable.
    /// </summary>
    private async Task Change(Shard shard, string? customerId, Func<CollectorQueueState, SharedStateWriter<CollectorQueueState>, CollectorQueueState> change)
    {
        Task committed;
        bool listed;
        lock (_gate)
        {
            var previous = shard.State.State;
            var next = change(previous, shard.Writer);
            if (ReferenceEquals(next, previous) || next == previous)
            {
                committed = shard.Writer.WhenCommittedAsync();
                listed = false;
            }
            else
            {
                shard.State.State = next;
                Volatile.Write(ref _order, Reorder(_order, previous.Entries, next.Entries, customerId));
                committed = shard.Writer.CommitAsync();
                listed = !next.Entries.IsEmpty;
            }
        }

        await committed;
        if (listed)
        {
            await EnsureRescoreAsync();
        }
    }

    /// <summary>
    /// Moves a worklist stored as one row (before shards) into its shard rows, then deletes that row. Runs before the
    /// activation takes calls, so a crash in between only repeats the same split on the next activation.
    /// </summary>
    private async Task SplitLegacyRowAsync()
    {
        var whole = legacy.State;
        static ImmutableDictionary<string, T> Part<T>(ImmutableDictionary<string, T> all, int shard) =>
            all.Where(pair => ShardOf(pair.Key) == shard).ToImmutableDictionary(all.KeyComparer, all.ValueComparer);

        await Task.WhenAll(_shards.Select(async (shard, i) =>
        {
            var part = new CollectorQueueState
            {
                Entries = Part(whole.Entries, i),
                Versions = Part(whole.Versions, i),
                BrokenPromises = Part(whole.BrokenPromises, i),
                NextActions = Part(whole.NextActions, i),
                DisputeDeadlines = Part(whole.DisputeDeadlines, i),
            };
            if (part != new CollectorQueueState() || shard.State.RecordExists)
            {
                await shard.State.WriteStateAsync(part);
            }
        }));
        await legacy.ClearStateAsync();
    }

    /// <summary>
    /// The order after the entries changed from <paramref name="before"/> to <paramref name="after"/>: only
    /// <paramref name="customerId"/>'s entry when the change touched one account, every entry when it is null.
    /// </summary>
    private static ImmutableSortedSet<WorklistEntry> Reorder(
        ImmutableSortedSet<WorklistEntry> order,
        ImmutableDictionary<string, WorklistEntry> before,
        ImmutableDictionary<string, WorklistEntry> after,
        string? customerId)
    {
        if (customerId is not null)
        {
            var was = before.GetValueOrDefault(customerId);
            var now = after.GetValueOrDefault(customerId);
            if (was == now)
            {
                return order;
            }

            order = was is null ? order : order.Remove(was);
            return now is null ? order : order.Add(now);
        }

        foreach (var gone in before.Values.Where(e => after.GetValueOrDefault(e.CustomerId) != e))
        {
            order = order.Remove(gone);
        }

        foreach (var added in after.Values.Where(e => before.GetValueOrDefault(e.CustomerId) != e))
        {
            order = order.Add(added);
        }

        return order;
    }

    /// <summary>Adds, re-scores or removes one entry, publishing what changed.</summary>
    private CollectorQueueState Apply(CollectorQueueState current, WorklistEntry entry, string removal, SharedStateWriter<CollectorQueueState> writer)
    {
        var topic = LedgerTopics.Collector(GrainKey);
        var held = current.Entries.GetValueOrDefault(entry.CustomerId);
        if (!entry.Score.NeedsAction)
        {
            if (held is not null)
            {
                writer.Publish(topic, new WorklistEntryRemoved(GrainKey, entry.CustomerId, removal));
            }

            return held is null ? current : current with { Entries = current.Entries.Remove(entry.CustomerId) };
        }

        if (held is null)
        {
            writer.Publish(topic, new WorklistEntryAdded(GrainKey, entry));
        }
        else if (held.Score.Total != entry.Score.Total)
        {
            writer.Publish(topic, new WorklistEntryReprioritized(GrainKey, entry.CustomerId, held.Score.Total, entry.Score.Total, entry.Score));
        }
        else if (held == entry)
        {
            return current;
        }

        return current with { Entries = current.Entries.SetItem(entry.CustomerId, entry) };
    }

    /// <summary>Registers the daily rescore reminder unless this activation already saw it; concurrent calls share one attempt.</summary>
    private Task EnsureRescoreAsync()
    {
        lock (_gate)
        {
            if (_rescore is null || _rescore.IsFaulted || _rescore.IsCanceled)
            {
                _rescore = RegisterRescoreAsync();
            }

            return _rescore;
        }
    }

    private async Task RegisterRescoreAsync()
    {
        if (await GetReminder(RescoreReminder) is null)
        {
            var now = TimeProvider.GetUtcNow();
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            await RegisterOrUpdateReminder(RescoreReminder, midnight - now, TimeSpan.FromDays(1));
        }
    }

    /// <summary>How many entries of <paramref name="order"/> belong to <paramref name="portfolio"/>, counted once per order.</summary>
    private int CountIn(ImmutableSortedSet<WorklistEntry> order, string portfolio)
    {
        var counts = _portfolioCounts;
        if (counts is null || !ReferenceEquals(counts.Order, order))
        {
            counts = new PortfolioCounts(order, order.GroupBy(e => e.Portfolio, StringComparer.Ordinal).ToImmutableDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
            _portfolioCounts = counts;   // calls interleave: a whole record is swapped, never a half-updated one
        }

        return counts.ByPortfolio.GetValueOrDefault(portfolio);
    }

    /// <summary>Highest score first; ties by oldest past-due date, then customer id, so the order is total and stable.</summary>
    private sealed class ByPriority : IComparer<WorklistEntry>
    {
        public static readonly ByPriority Instance = new();

        public int Compare(WorklistEntry? x, WorklistEntry? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? 1 : -1;
            }

            var byScore = y.Score.Total.CompareTo(x.Score.Total);
            if (byScore != 0)
            {
                return byScore;
            }

            var byAge = Nullable.Compare(x.Inputs.OldestPastDueDate, y.Inputs.OldestPastDueDate);
            return byAge != 0 ? byAge : string.CompareOrdinal(x.CustomerId, y.CustomerId);
        }
    }
}
