namespace ArActors.Runtime;

/// <summary>
/// Runs everything an activation executes one piece at a time: the start of each turn, its activation and
/// deactivation, and every continuation of grain code after an <c>await</c> (it is the synchronization context the
/// grain's code runs under, so awaits come back here). Turns of a reentrant grain therefore interleave at awaits but
/// never run in parallel, as in Orleans; code a grain starts with <c>Task.Run</c> or after <c>ConfigureAwait(false)</c>
/// leaves it. Pieces run on the thread pool, up to <see cref="Budget"/> in a row before the queue yields its thread.
/// </summary>
internal sealed class ActivationScheduler : SynchronizationContext, IThreadPoolWorkItem
{
    private const int Budget = 64;

    // Most activations never have two pieces waiting: the first waits in a field, a queue is made only for more.
    private object? _next;
    private Queue<object>? _more;
    private bool _scheduled;

    /// <summary>Queues a piece of work; it starts after every piece queued before it has run or reached an await.</summary>
    public void Schedule(IThreadPoolWorkItem work) => Enqueue(work);

    public override void Post(SendOrPostCallback d, object? state) => Enqueue(new Posted(d, state));

    /// <summary>Blocking until another piece of this activation has run could only deadlock the activation.</summary>
    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("An activation's code cannot wait synchronously for its own scheduler.");

    public override SynchronizationContext CreateCopy() => this;

    void IThreadPoolWorkItem.Execute()
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            for (var ran = 0; ; ran++)
            {
                object? next;
                lock (this)
                {
                    if (_next is null && (_more is null || _more.Count == 0))
                    {
                        _scheduled = false;
                        return;
                    }

                    if (ran == Budget)
                    {
                        // Still scheduled: the rest runs when the thread pool comes back to it.
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                        return;
                    }

                    next = _next ?? _more!.Dequeue();
                    _next = null;
                }

                if (next is Posted posted)
                {
                    posted.Callback(posted.State);
                }
                else
                {
                    ((IThreadPoolWorkItem)next).Execute();
                }
            }
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    private void Enqueue(object work)
    {
        lock (this)
        {
            if (_next is null && (_more is null || _more.Count == 0))
            {
                _next = work;
            }
            else
            {
                (_more ??= new Queue<object>(4)).Enqueue(work);
            }

            if (_scheduled)
            {
                return;
            }

            _scheduled = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    private sealed record Posted(SendOrPostCallback Callback, object? State);
}
