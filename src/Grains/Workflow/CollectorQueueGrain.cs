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

[GrainType("collector-queue")]
public sealed class CollectorQueueGrain([PersistentState("collector-queue")] IPersistentState<CollectorQueueState> state) : Grain, ICollectorQueueGrain, IRemindable
{
    public const string RescoreReminder = "rescore";

    // The order is kept in memory, sorted on every change, so reading the top N never sorts the whole list.
    private ImmutableSortedSet<WorklistEntry> _order = ImmutableSortedSet<WorklistEntry>.Empty.WithComparer(ByPriority.Instance);

    // Entries per portfolio for the order they were counted from: a team lead's view counts once per change, not per read.
    private PortfolioCounts? _portfolioCounts;

    private sealed record PortfolioCounts(ImmutableSortedSet<WorklistEntry> Order, ImmutableDictionary<string, int> ByPortfolio);

    // This activation saw the rescore reminder in the store (it is never unregistered), so commits need not read it again.
    private bool _rescoreRegistered;

    private DateOnly Today => DateOnly.FromDateTime(TimeProvider.GetUtcNow().UtcDateTime);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _order = _order.Union(state.State.Entries.Values);
        if (!state.State.Entries.IsEmpty)
        {
            await EnsureRescoreAsync();
        }
    }

    public async Task Update(WorklistUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (state.State.Versions.TryGetValue(update.CustomerId, out var seen) && update.Version < seen)
        {
            return;
        }

        var today = Today;
        var inputs = update.Inputs with
        {
            BrokenPromises = state.State.BrokenPromises.GetValueOrDefault(update.CustomerId)?.Count ?? 0,
            NextActionOn = state.State.NextActions.TryGetValue(update.CustomerId, out var planned) ? planned : null,
            DisputeDeadline = state.State.DisputeDeadlines.TryGetValue(update.CustomerId, out var deadline) ? deadline : null,
        };
        var entry = new WorklistEntry(update.CustomerId, update.Name, update.Portfolio, update.Currency, inputs, Priority.Score(inputs, today), today);
        var next = Apply(state.State, entry, "no longer needs action") with { Versions = state.State.Versions.SetItem(update.CustomerId, update.Version) };
        await CommitAsync(next);
    }

    public async Task Remove(string customerId, long version)
    {
        if (state.State.Versions.TryGetValue(customerId, out var seen) && version < seen)
        {
            return;
        }

        var next = state.State with { Versions = state.State.Versions.SetItem(customerId, version) };
        if (next.Entries.ContainsKey(customerId))
        {
            Publish(LedgerTopics.Collector(GrainKey), new WorklistEntryRemoved(GrainKey, customerId, "reassigned"));
            next = next with { Entries = next.Entries.Remove(customerId) };
        }

        await CommitAsync(next);
    }

    public async Task PromiseBroken(string customerId, string promiseId)
    {
        var broken = state.State.BrokenPromises.GetValueOrDefault(customerId) ?? ImmutableSortedSet<string>.Empty;
        if (broken.Contains(promiseId))
        {
            return;
        }

        broken = broken.Add(promiseId);
        var next = state.State with { BrokenPromises = state.State.BrokenPromises.SetItem(customerId, broken) };
        if (next.Entries.GetValueOrDefault(customerId) is { } entry)
        {
            var inputs = entry.Inputs with { BrokenPromises = broken.Count };
            next = Apply(next, entry with { Inputs = inputs, Score = Priority.Score(inputs, Today), ScoredOn = Today }, "no longer needs action");
        }

        await CommitAsync(next);
    }

    public async Task SetNextAction(string customerId, DateOnly nextActionOn)
    {
        var next = state.State with { NextActions = state.State.NextActions.SetItem(customerId, nextActionOn) };
        if (next.Entries.GetValueOrDefault(customerId) is { } entry && entry.Inputs.NextActionOn != nextActionOn)
        {
            var inputs = entry.Inputs with { NextActionOn = nextActionOn };
            next = Apply(next, entry with { Inputs = inputs, Score = Priority.Score(inputs, Today), ScoredOn = Today }, "no longer needs action");
        }

        await CommitAsync(next);
    }

    public async Task SetDisputeDeadline(string customerId, DateOnly? deadline)
    {
        var next = state.State with
        {
            DisputeDeadlines = deadline is { } day ? state.State.DisputeDeadlines.SetItem(customerId, day) : state.State.DisputeDeadlines.Remove(customerId),
        };
        if (next.Entries.GetValueOrDefault(customerId) is { } entry && entry.Inputs.DisputeDeadline != deadline)
        {
            var inputs = entry.Inputs with { DisputeDeadline = deadline };
            next = Apply(next, entry with { Inputs = inputs, Score = Priority.Score(inputs, Today), ScoredOn = Today }, "no longer needs action");
        }

        await CommitAsync(next);
    }

    public Task<WorklistPage> Top(int count, string? portfolio)
    {
        var take = Math.Clamp(count, 0, 1000);
        return Task.FromResult(portfolio is null
            ? new WorklistPage(GrainKey, _order.Count, [.. _order.Take(take)])
            : new WorklistPage(GrainKey, CountIn(portfolio), [.. _order.Where(e => e.Portfolio == portfolio).Take(take)]));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RescoreReminder)
        {
            return;
        }

        // Re-scoring as of today is idempotent: a duplicate tick finds every score current and changes nothing.
        var today = Today;
        var next = state.State;
        foreach (var entry in state.State.Entries.Values.Where(e => e.ScoredOn != today))
        {
            next = Apply(next, entry with { Score = Priority.Score(entry.Inputs, today), ScoredOn = today }, "no longer needs action");
        }

        await CommitAsync(next);
    }

    /// <summary>Adds, re-scores or removes one entry, publishing what changed.</summary>
    private CollectorQueueState Apply(CollectorQueueState current, WorklistEntry entry, string removal)
    {
        var topic = LedgerTopics.Collector(GrainKey);
        var held = current.Entries.GetValueOrDefault(entry.CustomerId);
        if (!entry.Score.NeedsAction)
        {
            if (held is not null)
            {
                Publish(topic, new WorklistEntryRemoved(GrainKey, entry.CustomerId, removal));
            }

            return held is null ? current : current with { Entries = current.Entries.Remove(entry.CustomerId) };
        }

        if (held is null)
        {
            Publish(topic, new WorklistEntryAdded(GrainKey, entry));
        }
        else if (held.Score.Total != entry.Score.Total)
        {
            Publish(topic, new WorklistEntryReprioritized(GrainKey, entry.CustomerId, held.Score.Total, entry.Score.Total, entry.Score));
        }
        else if (held == entry)
        {
            return current;
        }

        return current with { Entries = current.Entries.SetItem(entry.CustomerId, entry) };
    }

    private async Task CommitAsync(CollectorQueueState next)
    {
        if (next == state.State)
        {
            return;
        }

        var previous = state.State;
        await state.WriteStateAsync(next);

        foreach (var gone in previous.Entries.Values.Where(e => next.Entries.GetValueOrDefault(e.CustomerId) != e))
        {
            _order = _order.Remove(gone);
        }

        foreach (var added in next.Entries.Values.Where(e => previous.Entries.GetValueOrDefault(e.CustomerId) != e))
        {
            _order = _order.Add(added);
        }

        if (!next.Entries.IsEmpty)
        {
            await EnsureRescoreAsync();
        }
    }

    private async Task EnsureRescoreAsync()
    {
        if (_rescoreRegistered)
        {
            return;
        }

        if (await GetReminder(RescoreReminder) is null)
        {
            var now = TimeProvider.GetUtcNow();
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            await RegisterOrUpdateReminder(RescoreReminder, midnight - now, TimeSpan.FromDays(1));
        }

        _rescoreRegistered = true;
    }

    /// <summary>Highest score first; ties by oldest past-due date, then customer id, so the order is total and stable.</summary>
    private int CountIn(string portfolio)
    {
        var counts = _portfolioCounts;
        if (counts is null || !ReferenceEquals(counts.Order, _order))
        {
            var order = _order;
            counts = new PortfolioCounts(order, order.GroupBy(e => e.Portfolio, StringComparer.Ordinal).ToImmutableDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
            _portfolioCounts = counts;   // read-only calls may interleave: a whole record is swapped, never a half-updated one
        }

        return counts.ByPortfolio.GetValueOrDefault(portfolio);
    }

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
