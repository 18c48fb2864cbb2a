using ArActors.Runtime.State;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime;

/// <summary>
/// Group commit inside one activation, for a <see cref="ReentrantAttribute">[Reentrant]</see> grain whose calls each
/// change the same state (a worklist fed by many accounts). A call changes <see cref="IPersistentState{T}.State"/> and
/// announces the change with <see cref="Publish"/>, both while holding <see cref="Gate"/>, then awaits
/// <see cref="CommitAsync"/>. While one write is in flight, every change made meanwhile waits for the next write, which
/// commits the state as it is when that write starts together with all of their events: one write per store round trip
/// instead of one per call, and each caller still hears back only after its change is durable.
/// </summary>
/// <remarks>
/// Reentrant turns may run at the same time on different threads, so every read and change of the state must hold
/// <see cref="Gate"/>; the writer takes its snapshot (state and events) under the same lock. The events are handed to
/// the write, never staged, so no other turn's end-of-turn flush can commit them without their state.
/// A write that fails fails every caller waiting on it and every later commit of this activation (its memory holds
/// changes the store may not have), and the activation is deactivated: the next call gets a fresh one with the stored
/// state, and the callers retry.
/// </remarks>
public sealed class SharedStateWriter<TState>
{
    private readonly PersistentState<TState> _state;
    private readonly GrainActivation _activation;
    private List<EventDraft> _events = [];
    private TaskCompletionSource? _inFlight;
    private TaskCompletionSource? _next;
    private Exception? _failure;

    internal SharedStateWriter(PersistentState<TState> state, GrainActivation activation, object gate)
    {
        _state = state;
        _activation = activation;
        Gate = gate;
    }

    /// <summary>Hold this lock while reading or changing the state and while publishing.</summary>
    public object Gate { get; }

    /// <summary>Prepares an event for the next write; call it under <see cref="Gate"/>, together with the change it announces.</summary>
    public void Publish<TEvent>(string topic, TEvent @event)
        where TEvent : notnull
    {
        var draft = _activation.PrepareEvent(topic, typeof(TEvent).Name, @event);
        lock (Gate)
        {
            _events.Add(draft);
        }
    }

    /// <summary>Completes when a write that includes every change made so far has committed.</summary>
    public Task CommitAsync()
    {
        lock (Gate)
        {
            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }

            var next = _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight is null)
            {
                StartLocked();
            }

            return next.Task;
        }
    }

    /// <summary>
    /// Completes when every change made so far is durable, writing nothing itself: for a call that changed nothing but
    /// must not answer before the change it found (perhaps still in flight) is committed.
    /// </summary>
    public Task WhenCommittedAsync()
    {
        lock (Gate)
        {
            return _failure is not null ? Task.FromException(_failure)
                : _next is not null ? _next.Task
                : _inFlight is not null ? _inFlight.Task
                : Task.CompletedTask;
        }
    }

    private void StartLocked()
    {
        var batch = _next!;
        _next = null;
        _inFlight = batch;
        var events = _events;
        _events = [];
        Task write;
        try
        {
            // Serializes the state and takes the events before it first yields, i.e. under the gate this method holds.
            write = _state.WriteStateAsync(events, CancellationToken.None);
        }
        catch (Exception exception)
        {
            write = Task.FromException(exception);
        }

        _ = FinishAsync(write, batch);
    }

    private async Task FinishAsync(Task write, TaskCompletionSource batch)
    {
        Exception? failure = null;
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failure = exception;
        }

        TaskCompletionSource? abandoned = null;
        lock (Gate)
        {
            _inFlight = null;
            if (failure is not null)
            {
                _failure = failure;
                abandoned = _next;
                _next = null;
                _events.Clear();
            }
            else if (_next is not null)
            {
                StartLocked();
            }
        }

        if (failure is null)
        {
            batch.SetResult();
            return;
        }

        _activation.RequestDeactivation(DeactivationReason.StateConflict);
        batch.SetException(failure);
        abandoned?.SetException(failure);
    }
}
