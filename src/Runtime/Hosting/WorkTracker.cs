namespace ArActors.Runtime;

/// <summary>Counts background work (timer ticks, reminder deliveries, activations) so a test can wait for quiet.</summary>
internal sealed class WorkTracker
{
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _idle;

    public void Enter()
    {
        lock (_lock)
        {
            _count++;
        }
    }

    public void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            if (--_count == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }
}
