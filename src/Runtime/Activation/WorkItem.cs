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

/// <summary>A request whose caller awaits a <typeparamref name="TResult"/>.</summary>
internal sealed class CallItem<TResult>(GrainRequest<TResult> request) : WorkItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _abandoned;

    public GrainRequest<TResult> Request => request;

    /// <summary>The call's span; grain code runs under it so calls it makes become child spans.</summary>
    public System.Diagnostics.Activity? Activity { get; set; }

    public Task<TResult> Task => _completion.Task;

    public override InvocationFlags Flags => request.Flags;

    public override bool FollowsGrain => request is not ITimerTick;

    public override bool KeepsAlive => request is not ITimerTick;

    public override bool IsAbandoned => _abandoned || _completion.Task.IsCompleted;

    public void Abandon() => _abandoned = true;

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
            _completion.TrySetResult(result);
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

            _completion.TrySetException(exception);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>Marks runtime-internal timer requests.</summary>
internal interface ITimerTick;
