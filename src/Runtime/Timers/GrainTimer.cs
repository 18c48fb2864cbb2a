using ArActors.Runtime.Invocation;

namespace ArActors.Runtime.Timers;

/// <summary>A grain timer; dispose it to stop it. Timers also stop when their activation deactivates.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes when the next tick happens and the period after it.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}

/// <summary>
/// A one-shot <see cref="ITimer"/> re-armed after each tick's turn completes, so ticks never overlap themselves.
/// Each tick is a turn of the activation, counted as background work for deterministic tests.
/// </summary>
internal sealed class GrainTimer(GrainActivation activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    : IGrainTimer
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopped = new();
    private ITimer? _timer;
    private TimeSpan _period = period;
    private bool _ticking;
    private bool _disposed;

    public void Start()
    {
        lock (_lock)
        {
            _timer = activation.Silo.TimeProvider.CreateTimer(static s => ((GrainTimer)s!).OnDue(), this, dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _period = period;
            if (!_ticking)
            {
                _timer?.Change(dueTime, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
        }

        _stopped.Cancel();
        activation.RemoveTimer(this);
    }

    private void OnDue()
    {
        lock (_lock)
        {
            if (_disposed || _ticking)
            {
                return;
            }

            _ticking = true;
        }

        var silo = activation.Silo;
        silo.BackgroundWork.Enter();
        var item = new CallItem<VoidResult>(new TimerTickRequest(callback, _stopped.Token), activation.GrainId, silo: null);
        if (!activation.TryEnqueue(item))
        {
            silo.BackgroundWork.Exit();
            Dispose();
            return;
        }

        _ = AwaitTickAsync(item);
    }

    private async Task AwaitTickAsync(CallItem<VoidResult> item)
    {
        var silo = activation.Silo;
        try
        {
            await item.Task;
        }
        catch (Exception exception)
        {
            silo.LogTimerFailure(activation.GrainId, exception);
        }

        lock (_lock)
        {
            _ticking = false;
            if (!_disposed && _period != Timeout.InfiniteTimeSpan)
            {
                _timer?.Change(_period, Timeout.InfiniteTimeSpan);
            }
        }

        silo.BackgroundWork.Exit();
    }

    private sealed class TimerTickRequest(Func<CancellationToken, Task> callback, CancellationToken stopped) : GrainRequest<VoidResult>, ITimerTick
    {
        public override string MethodId => "ArActors.Runtime.GrainTimer.Tick";

        public override ValueTask<VoidResult> InvokeAsync(object grain) => Complete(callback(stopped));
    }
}
