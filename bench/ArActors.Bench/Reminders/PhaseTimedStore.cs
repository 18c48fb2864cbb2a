using System.Collections.Concurrent;
using System.Diagnostics;
using ArActors.Runtime.Storage;
using static ArActors.Bench.Reminders.ReminderBenchSupport;

namespace ArActors.Bench.Reminders;

/// <summary>
/// The store a burst runs on, with its reminder traffic timed: each due-read (rows, duration) and each advance (when it
/// was asked for and when it finished, on the wall clock), so a run can say which phase its tail waited for. With a
/// <see cref="AdvanceBatcher"/> the advances go to it instead of the store (the batch experiment).
/// </summary>
internal sealed class PhaseTimedStore(IDurableStore inner, AdvanceBatcher? batcher = null) : IDurableStore
{
    private readonly ConcurrentQueue<(long Start, long End, int Rows)> _reads = new();
    private readonly ConcurrentQueue<(long Start, long End)> _advances = new();
    private int _inFlight;
    private int _peakInFlight;

    public string ProviderName => inner.ProviderName;

    /// <summary>Prints the phases after <paramref name="instant"/>: reads, advance latency and drain rate, peak advances in flight.</summary>
    public void Print(DateTimeOffset instant)
    {
        // Stopwatch stamps are turned into wall-clock offsets from the instant through one pair taken now.
        var nowStamp = Stopwatch.GetTimestamp();
        var nowWall = TimeProvider.System.GetUtcNow();
        double SinceInstant(long stamp) => (nowWall - instant).TotalMilliseconds - Stopwatch.GetElapsedTime(stamp, nowStamp).TotalMilliseconds;
        double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

        var reads = _reads.Where(r => SinceInstant(r.End) >= 0).ToArray();
        var advances = _advances.ToArray();
        var ends = advances.Select(a => SinceInstant(a.End)).Order().ToArray();
        var latency = advances.Select(a => Ms(a.Start, a.End)).Order().ToArray();
        Console.WriteLine(
            $"   phases: {reads.Length:N0} due-reads after the instant, {reads.Sum(r => r.Rows):N0} rows, {F(reads.Sum(r => Ms(r.Start, r.End)), "N0")} ms in reads " +
            $"(p50 {F(Quantile([.. reads.Select(r => Ms(r.Start, r.End)).Order()], 0.5))} ms), last read ended {F(reads.Length == 0 ? 0 : reads.Max(r => SinceInstant(r.End)), "N0")} ms after the instant");
        Console.WriteLine(
            $"   phases: {advances.Length:N0} advances, latency p50 {F(Quantile(latency, 0.5))} / p99 {F(Quantile(latency, 0.99))} ms, up to {Volatile.Read(ref _peakInFlight):N0} in flight; " +
            $"finished after the instant (ms) 25% {F(Quantile(ends, 0.25), "N0")}, 50% {F(Quantile(ends, 0.5), "N0")}, 75% {F(Quantile(ends, 0.75), "N0")}, 100% {F(ends.LastOrDefault(), "N0")}");
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueInRangesAsync(
        DateTimeOffset dueBefore, IReadOnlyList<HashRange> ranges, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var rows = await inner.ReadDueInRangesAsync(dueBefore, ranges, limit, after, cancellationToken);
        _reads.Enqueue((start, Stopwatch.GetTimestamp(), rows.Count));
        return rows;
    }

    public async Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var inFlight = Interlocked.Increment(ref _inFlight);
        var peak = Volatile.Read(ref _peakInFlight);
        while (inFlight > peak && Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) != peak)
        {
            peak = Volatile.Read(ref _peakInFlight);
        }

        try
        {
            return await (batcher is null ? inner.AdvanceAsync(entry, nextDue, expectedEtag, cancellationToken) : batcher.AdvanceAsync(entry, nextDue, expectedEtag));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _advances.Enqueue((start, Stopwatch.GetTimestamp()));
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore, HashRange range, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        inner.ReadDueAsync(dueBefore, range, limit, after, cancellationToken);

    public Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

    public Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default) =>
        inner.RemoveAsync(grainType, grainKey, name, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default) =>
        inner.ReadForGrainAsync(grainType, grainKey, cancellationToken);

    public Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default) => inner.ReadStateAsync(id, cancellationToken);

    public Task<StateWriteResult> WriteStateAsync(
        GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) =>
        inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);

    public Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default) => inner.ClearStateAsync(id, expectedEtag, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) => inner.AppendAsync(events, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(topic, afterSequence, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(topic, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
