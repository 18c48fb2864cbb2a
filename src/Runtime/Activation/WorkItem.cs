using System.Diagnostics;
using ArActors.Runtime.Diagnostics;
using ArActors.Runtime.Invocation;

namespace ArActors.Runtime;

/// <summary>One turn waiting in (or running on) an activation's mailbox.</summary>
internal interface IWorkItem : IThreadPoolWorkItem
{
    InvocationFlags Flags { get; }

    /// <summary>Timer ticks belong to one activation and are dropped instead of following the grain to a new one.</summary>
    bool FollowsGrain { get; }

    /// <summary>Calls count as activity for idle collection; timer ticks do not.</summary>
    bool KeepsAlive { get; }

    /// <summary>The caller already has its answer or gave up (timeout, cancellation): the turn is skipped.</summary>
    bool IsAbandoned { get; }

    void Bind(GrainActivation activation);

    /// <summary>Runs the grain code and keeps its outcome for <see cref="Complete"/>.</summary>
    Task RunAsync(GrainActivation activation);

    /// <summary>Hands the outcome to the caller; called once the turn's bookkeeping is done.</summary>
    void Complete();

    void Fail(Exception exception);
}

/// <summary>
/// A request and the task its caller awaits, in one object: no extra completion source or async state machine per
/// call. The first completion wins (result, grain exception, timeout, cancellation) and does the call's bookkeeping.
/// </summary>
internal sealed class CallItem<TResult>(GrainRequest<TResult> request, GrainId target, Silo? silo)
    : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), IWorkItem, IPendingCall
{
    private GrainActivation? _activation;
    private int _completed;
    private TResult? _result;
    private Exception? _exception;

    public GrainRequest<TResult> Request => request;

    /// <summary>The call's span; grain code runs under it so calls it makes become child spans.</summary>
    public Activity? Activity { get; set; }

    public long Started { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Stopwatch timestamp after which the caller gets a <see cref="TimeoutException"/>.</summary>
    public long Deadline { get; set; }

    public int PendingSlot { get; set; } = -1;

    public InvocationFlags Flags => request.Flags;

    public bool FollowsGrain => request is not ITimerTick;

    public bool KeepsAlive => request is not ITimerTick;

    public bool IsAbandoned => Volatile.Read(ref _completed) != 0;

    public void Bind(GrainActivation activation) => _activation = activation;

    public void Execute() => _ = _activation!.RunTurnAsync(this);

    public async Task RunAsync(GrainActivation activation)
    {
        if (Activity is not null)
        {
            Activity.Current = Activity;
        }

        try
        {
            _result = await request.InvokeAsync(activation.Grain!);
            await activation.FlushStagedEventsAsync();
        }
        catch (Exception exception)
        {
            try
            {
                await activation.FlushStagedEventsAsync();
            }
            catch (Exception flushException)
            {
                activation.Silo.LogEventFlushFailure(activation.GrainId, flushException);
            }

            _exception = exception;
        }
    }

    public void Complete()
    {
        if (_exception is not null)
        {
            Fail(_exception);
        }
        else if (Claim())
        {
            Finish("ok");
            TrySetResult(_result!);
        }
    }

    public void Fail(Exception exception)
    {
        if (Claim())
        {
            Finish(exception is OperationCanceledException ? "canceled" : "error");
            TrySetException(exception);
        }
    }

    public void TimeOut(TimeSpan timeout)
    {
        if (Claim())
        {
            Finish("timeout");
            TrySetException(new TimeoutException($"{request.MethodId} on {target} did not answer within {timeout}."));
        }
    }

    private bool Claim() => Interlocked.Exchange(ref _completed, 1) == 0;

    private void Finish(string outcome)
    {
        if (silo is null)
        {
            return;
        }

        silo.PendingCalls.Remove(this);
        Registration.Unregister();
        var tags = new TagList { { "method", request.MethodId }, { "outcome", outcome } };
        RuntimeInstruments.Calls.Add(1, tags);
        RuntimeInstruments.CallDuration.Record(Stopwatch.GetElapsedTime(Started).TotalMilliseconds, tags);
        if (Activity is { } activity)
        {
            activity.SetTag("aractors.outcome", outcome);
            activity.Dispose();
        }
    }
}

/// <summary>Marks runtime-internal timer requests.</summary>
internal interface ITimerTick;
