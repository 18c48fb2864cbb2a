using System.Threading.Channels;
using ArActors.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ArActors.Runtime.Storage;

/// <summary>Counters that show group commit at work: far fewer transactions than operations under concurrency.</summary>
public interface IGroupCommitStatistics
{
    /// <summary>Transactions the writer loops committed (or tried to commit).</summary>
    long Transactions { get; }

    /// <summary>Write operations that went through those transactions.</summary>
    long Operations { get; }
}

/// <summary>How the writer treats a failed batch transaction (nothing of it was committed).</summary>
internal enum BatchFailure
{
    /// <summary>Connection lost, disk error: every operation fails with the real exception.</summary>
    FailAll,

    /// <summary>Deadlock or serialization failure: run the same batch again.</summary>
    Retry,

    /// <summary>A statement was rejected (bad data): run each operation alone so only the culprit fails.</summary>
    Isolate,
}

/// <summary>
/// Queues plus writer loops: each loop takes everything pending on its queue (up to a cap), runs it as one transaction
/// through the provider's commit delegate, then raises the committed-events hook and completes each operation's task.
/// With more than one loop, operations that append events have a queue and a loop of their own: every such transaction
/// updates shared topic counters (the ledger topic above all) and holds them until its COMMIT, so they commit one at a
/// time whatever the loop count; several loops would only split what is pending into small transactions waiting on one
/// another. One loop takes everything that arrived during the previous commit instead. Operations without events
/// (state rows, reminders) share the other loops and commit side by side.
/// </summary>
internal sealed class GroupCommitWriter : IGroupCommitStatistics, IAsyncDisposable
{
    private const int MaxRetries = 3;

    private readonly Channel<GroupCommitOperation> _queue = NewQueue();

    // The queue of operations with events: _queue itself when there is one loop.
    private readonly Channel<GroupCommitOperation> _eventQueue;

    private readonly Func<IReadOnlyList<GroupCommitOperation>, CancellationToken, Task> _commitBatch;
    private readonly Func<Exception, BatchFailure> _classify;
    private readonly Action<IReadOnlyList<StoredEvent>> _onCommitted;
    private readonly ILogger _logger;
    private readonly int _maxBatch;
    private readonly Task[] _loops;
    private long _transactions;
    private long _operations;

    public GroupCommitWriter(
        int loopCount,
        int maxBatch,
        Func<IReadOnlyList<GroupCommitOperation>, CancellationToken, Task> commitBatch,
        Func<Exception, BatchFailure> classify,
        Action<IReadOnlyList<StoredEvent>> onCommitted,
        ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loopCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _commitBatch = commitBatch;
        _classify = classify;
        _onCommitted = onCommitted;
        _logger = logger;
        _maxBatch = maxBatch;
        _loops = new Task[loopCount];
        _eventQueue = loopCount == 1 ? _queue : NewQueue();
        _loops[0] = Task.Run(() => RunLoopAsync(_eventQueue.Reader));
        for (var i = 1; i < loopCount; i++)
        {
            _loops[i] = Task.Run(() => RunLoopAsync(_queue.Reader));
        }
    }

    public long Transactions => Interlocked.Read(ref _transactions);

    public long Operations => Interlocked.Read(ref _operations);

    public Task<TResult> EnqueueAsync<TResult>(GroupCommitOperation<TResult> operation)
    {
        if (operation.CancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(operation.CancellationToken);
        }

        var queue = operation.Events.Count > 0 ? _eventQueue : _queue;
        if (!queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(GroupCommitWriter), "The store is disposed; no more writes are accepted.");
        }

        return operation.Task;
    }

    /// <summary>Stops accepting writes, lets the loops drain (commit or fail) everything queued, then waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _eventQueue.Writer.TryComplete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    private static Channel<GroupCommitOperation> NewQueue() =>
        Channel.CreateUnbounded<GroupCommitOperation>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });

    private async Task RunLoopAsync(ChannelReader<GroupCommitOperation> reader)
    {
        var batch = new List<GroupCommitOperation>(_maxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var operation))
            {
                // A caller that gave up before the batch started gets its cancellation; afterwards it cannot be undone.
                if (operation.CancellationToken.IsCancellationRequested)
                {
                    operation.Cancel();
                }
                else
                {
                    batch.Add(operation);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<GroupCommitOperation> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var failure = await TryCommitAsync(batch).ConfigureAwait(false);
            if (failure is null)
            {
                Complete(batch);
                return;
            }

            var kind = _classify(failure);
            if (kind == BatchFailure.Retry && attempt < MaxRetries)
            {
                _logger.LogWarning(failure, "Group commit of {Count} operations hit a transient conflict; retrying (attempt {Attempt}).", batch.Count, attempt);
                continue;
            }

            if (kind != BatchFailure.FailAll && batch.Count > 1)
            {
                _logger.LogWarning(failure, "Group commit of {Count} operations was rejected; committing them one by one to isolate the culprit.", batch.Count);
                foreach (var operation in batch)
                {
                    await CommitAsync([operation]).ConfigureAwait(false);
                }

                return;
            }

            _logger.LogError(failure, "Group commit of {Count} operations failed; none of them was committed.", batch.Count);
            foreach (var operation in batch)
            {
                operation.Fail(failure);
            }

            return;
        }
    }

    private async Task<Exception?> TryCommitAsync(List<GroupCommitOperation> batch)
    {
        foreach (var operation in batch)
        {
            operation.ResetAttempt();
        }

        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _operations, batch.Count);
        RuntimeInstruments.StorageTransactions.Add(1);
        RuntimeInstruments.StorageBatched.Add(batch.Count);
        try
        {
            await _commitBatch(batch, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private void Complete(List<GroupCommitOperation> batch)
    {
        var committed = new List<StoredEvent>();
        foreach (var operation in batch)
        {
            if (operation.Conflict is null)
            {
                committed.AddRange(operation.CommittedEvents);
            }
        }

        // Subscribers hear about events before the writers' awaits resume, so a grain never outruns its own events.
        if (committed.Count > 0)
        {
            try
            {
                _onCommitted(committed);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "An EventsCommitted handler threw; the events are committed regardless.");
            }
        }

        foreach (var operation in batch)
        {
            operation.CompleteCommitted();
        }
    }
}
