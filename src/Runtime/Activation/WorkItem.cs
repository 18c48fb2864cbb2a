using System.Threading.Tasks.Sources;
using ArActors.Runtime.Invocation;

namespace ArActors.Runtime;

/// <summary>One turn waiting in (or running on) an activation's mailbox.</summary>
internal abstract class WorkItem : IThreadPoolWorkItem
{
    private GrainActivation? _activation;

    public abstract InvocationFlags Flags { get; }

    /// <summary>Timer ticks belong to one activation and are dropped instead of following the grain to a new one.</summary>
    public virtual bool FollowsGrain => true;

    /// <summary>Calls count as activity for idle collection; timer ticks do not.</summary>
    public virtual bool KeepsAlive => true;

    /// <summary>The caller already gave up (timeout or cancellation): the turn is skipped.</summary>
    public abstract bool IsAbandoned { get; }

    public void Bind(GrainActivation activation) => _activation = activation;

    public void Execute() => _ = _activation!.RunTurnAsync(this);

    /// <summary>Runs the grain code, then completes the caller.</summary>
    public abstract Task RunAsync(GrainActivation activation);

    public abstract void Fail(Exception exception);
}

/// <summary>
/// A request whose caller awaits a <typeparamref name="TResult"/>. The item is its own completion source (no
/// TaskCompletionSource per call); the first completion wins: result, grain exception, timeout or cancellation.
/// </summary>
internal sealed class CallItem<TResult>(GrainRequest<TResult> request, GrainId target) : WorkItem, IValueTaskSource<TResult>, IPendingCall
{
    private ManualResetValueTaskSourceCore<TResult> _core = new() { RunContinuationsAsynchronously = true };
    private int _completed;

    public GrainRequest<TResult> Request => request;

    public GrainId Target => target;

    /// <summary>The call's span; grain code runs under it so calls it makes become child spans.</summary>
    public System.Diagnostics.Activity? Activity { get; set; }

    /// <summary>Stopwatch timestamp after which the caller gets a <see cref="TimeoutException"/>.</summary>
    public long Deadline { get; set; }

    public int PendingSlot { get; set; } = -1;

    public bool TimedOut { get; private set; }

    public override InvocationFlags Flags => request.Flags;

    public override bool FollowsGrain => request is not ITimerTick;

    public override bool KeepsAlive => request is not ITimerTick;

    public override bool IsAbandoned => Volatile.Read(ref _completed) != 0;

    public ValueTask<TResult> AsValueTask() => new(this, _core.Version);

    public override async Task RunAsync(GrainActivation activation)
    {
        if (Activity is not null)
        {
            System.Diagnostics.Activity.Current = Activity;
        }

        try
        {
            var result = await request.InvokeAsync(activation.Grain!);
            await activation.FlushStagedEventsAsync();
            TrySetResult(result);
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

            Fail(exception);
        }
    }

    public override void Fail(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(exception);
        }
    }

    public void TimeOut(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            TimedOut = true;
            _core.SetException(new TimeoutException($"{request.MethodId} on {target} did not answer within {timeout}."));
        }
    }

    private void TrySetResult(TResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetResult(result);
        }
    }

    public TResult GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>Marks runtime-internal timer requests.</summary>
internal interface ITimerTick;
