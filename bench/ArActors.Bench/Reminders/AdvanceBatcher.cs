using System.Threading.Channels;
using ArActors.Runtime.Storage;

namespace ArActors.Bench.Reminders;

/// <summary>
/// Experiment (ARACTORS_BENCH_BATCH_ADVANCE=1), not the product: the silo's per-row advances collected and written as one
/// set-based statement per batch on a connection of the benchmark's own, outside the store's group commit. It answers how
/// much a batch advance in the store would shorten the burst before one is built there (src/Runtime/Storage).
/// </summary>
internal sealed class AdvanceBatcher : IAsyncDisposable
{
    private readonly Channel<(ReminderEntry Entry, DateTimeOffset Next, string Etag, TaskCompletionSource<bool> Done)> _queue =
        Channel.CreateUnbounded<(ReminderEntry, DateTimeOffset, string, TaskCompletionSource<bool>)>();
    private readonly Func<IReadOnlyList<(ReminderEntry Entry, DateTimeOffset Next, string Etag)>, Task<HashSet<(string, string, string)>>> _write;
    private readonly Task[] _loops;
    private readonly int _maxBatch;
    private long _batches;
    private long _rows;

    public AdvanceBatcher(
        Func<IReadOnlyList<(ReminderEntry Entry, DateTimeOffset Next, string Etag)>, Task<HashSet<(string, string, string)>>> write, int loops, int maxBatch)
    {
        _write = write;
        _maxBatch = maxBatch;
        _loops = [.. Enumerable.Range(0, loops).Select(_ => Task.Run(RunAsync))];
    }

    public long Batches => Interlocked.Read(ref _batches);

    public long Rows => Interlocked.Read(ref _rows);

    public Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((entry, nextDue, expectedEtag, done)) ? done.Task : Task.FromException<bool>(new ObjectDisposedException(nameof(AdvanceBatcher)));
    }

    private async Task RunAsync()
    {
        var batch = new List<(ReminderEntry Entry, DateTimeOffset Next, string Etag, TaskCompletionSource<bool> Done)>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var matched = await _write([.. batch.Select(b => (b.Entry, b.Next, b.Etag))]);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _rows, batch.Count);
                foreach (var (entry, _, _, done) in batch)
                {
                    done.TrySetResult(matched.Contains((entry.GrainType, entry.GrainKey, entry.Name)));
                }
            }
            catch (Exception exception)
            {
                // The whole batch failed: each advance reports it, and the silo retries those advances.
                foreach (var item in batch)
                {
                    item.Done.TrySetException(exception);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }
}
