using System.Text.Json;
using ArActors.Runtime.Diagnostics;
using ArActors.Runtime.Invocation;
using ArActors.Runtime.Registration;
using ArActors.Runtime.State;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Timers;

namespace ArActors.Runtime;

/// <summary>
/// One in-memory instance of a grain and its mailbox. Turn-based: a request starts only when the scheduling rules
/// allow (exclusive by default; read-only with read-only; interleaving and reentrant always), and a turn lasts until
/// the method's task completes, across awaits. Whatever runs (turns, activation, deactivation) runs through the
/// activation's <see cref="ActivationScheduler"/>, one piece at a time.
/// </summary>
internal sealed class GrainActivation : IGrainActivationContext
{
    private enum Status
    {
        Created,
        Activating,
        Valid,
        Deactivating,
        Invalid,
    }

    // Per-activation memory matters (100,000s of grains): one queue doubles as the lock, the rest is allocated on demand.
    private readonly Queue<IWorkItem> _queue = new();
    private readonly List<IStateSlot> _stateSlots = new(1);
    private readonly ActivationScheduler _scheduler = new();
    private List<GrainTimer>? _timers;
    private List<EventDraft>? _staged;
    private List<StagedReminder>? _stagedReminders;
    private TaskCompletionSource? _deactivated;
    private Status _status;
    private int _runningWriters;
    private int _runningReaders;
    private int _runningInterleaved;
    private bool _deactivationRequested;
    private DeactivationReason _deactivationReason;
    private long _lastActiveTimestamp;

    public GrainActivation(Silo silo, GrainClassRegistration registration, GrainId grainId)
    {
        Silo = silo;
        Registration = registration;
        GrainId = grainId;
        _lastActiveTimestamp = silo.TimeProvider.GetTimestamp();
    }

    public Silo Silo { get; }

    public GrainClassRegistration Registration { get; }

    public GrainId GrainId { get; }

    public Grain? Grain { get; private set; }

    public IServiceProvider Services => Silo.Services;

    /// <summary>Completes when this activation is gone (deactivated or failed to activate).</summary>
    public Task Deactivated
    {
        get
        {
            lock (_queue)
            {
                return _status == Status.Invalid
                    ? Task.CompletedTask
                    : (_deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    public bool IsValid
    {
        get
        {
            lock (_queue)
            {
                return _status == Status.Valid && !_deactivationRequested;
            }
        }
    }

    /// <summary>Adds a turn; false when the activation is gone and the caller must route to a fresh one.</summary>
    public bool TryEnqueue(IWorkItem item)
    {
        var activate = false;
        var startNow = false;
        lock (_queue)
        {
            if (_status == Status.Invalid)
            {
                return false;
            }

            item.Bind(this);
            var interleaves = Registration.IsReentrant || (item.Flags & InvocationFlags.AlwaysInterleave) != 0;
            if (_status == Status.Valid && !_deactivationRequested && (interleaves || _queue.Count == 0) && CanStart(item))
            {
                // Fast path: nothing waits ahead of it (interleaving turns never wait behind a blocked head anyway).
                CountStarted(item);
                startNow = true;
            }
            else
            {
                activate = _status == Status.Created;
                if (activate)
                {
                    _status = Status.Activating;
                }

                _queue.Enqueue(item);
            }
        }

        if (startNow)
        {
            _scheduler.Schedule(item);
            return true;
        }

        RuntimeInstruments.MailboxQueued.Add(1);
        if (activate)
        {
            Silo.BackgroundWork.Enter();
            _scheduler.Post(static a => _ = ((GrainActivation)a!).ActivateAsync(), this);
        }
        else
        {
            Pump();
        }

        return true;
    }

    public void RequestDeactivation(DeactivationReason reason)
    {
        lock (_queue)
        {
            if (_deactivationRequested || _status is Status.Deactivating or Status.Invalid)
            {
                return;
            }

            _deactivationRequested = true;
            _deactivationReason = reason;
        }

        Pump();
    }

    /// <summary>True when nothing runs or waits and the last request finished at least <paramref name="age"/> ago.</summary>
    public bool IsIdleFor(TimeSpan age)
    {
        // A collection scan visits every activation: one active within the age is passed over without the mailbox lock
        // (the timestamp only moves forward, so a stale read only errs toward taking the lock and looking properly).
        if (Silo.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastActiveTimestamp)) < age)
        {
            return false;
        }

        lock (_queue)
        {
            return _status == Status.Valid
                && _queue.Count == 0
                && _runningReaders + _runningWriters + _runningInterleaved == 0
                && Silo.TimeProvider.GetElapsedTime(_lastActiveTimestamp) >= age;
        }
    }

    public async Task RunTurnAsync(IWorkItem item)
    {
        try
        {
            if (!item.IsAbandoned)
            {
                await item.RunAsync(this);
            }
        }
        finally
        {
            lock (_queue)
            {
                if ((item.Flags & InvocationFlags.AlwaysInterleave) != 0 || Registration.IsReentrant)
                {
                    _runningInterleaved--;
                }
                else if ((item.Flags & InvocationFlags.ReadOnly) != 0)
                {
                    _runningReaders--;
                }
                else
                {
                    _runningWriters--;
                }

                if (item.KeepsAlive)
                {
                    Volatile.Write(ref _lastActiveTimestamp, Silo.TimeProvider.GetTimestamp());
                }
            }

            // The caller sees its answer only once the turn is over, so what it does next never finds the activation busy,
            // and only after what the turn's end starts (the next turn, or a deactivation it asked for) counts as work,
            // so a caller that then waits for background work to settle also waits for that deactivation.
            Pump();
            item.Complete();
        }
    }

    /// <summary>Starts every queued turn the scheduling rules allow, or the deactivation once nothing runs.</summary>
    private void Pump()
    {
        while (true)
        {
            IWorkItem? next = null;
            var deactivate = false;
            lock (_queue)
            {
                if (_status != Status.Valid)
                {
                    return;
                }

                if (_deactivationRequested)
                {
                    if (_runningReaders + _runningWriters + _runningInterleaved == 0)
                    {
                        _status = Status.Deactivating;
                        deactivate = true;
                    }
                }
                else if (_queue.TryPeek(out var head) && CanStart(head))
                {
                    next = _queue.Dequeue();
                    CountStarted(next);
                }
            }

            if (deactivate)
            {
                Silo.BackgroundWork.Enter();
                _scheduler.Post(static a => _ = ((GrainActivation)a!).DeactivateAsync(), this);
                return;
            }

            if (next is null)
            {
                return;
            }

            RuntimeInstruments.MailboxQueued.Add(-1);
            _scheduler.Schedule(next);
        }
    }

    private void CountStarted(IWorkItem item)
    {
        if ((item.Flags & InvocationFlags.AlwaysInterleave) != 0 || Registration.IsReentrant)
        {
            _runningInterleaved++;
        }
        else if ((item.Flags & InvocationFlags.ReadOnly) != 0)
        {
            _runningReaders++;
        }
        else
        {
            _runningWriters++;
        }
    }

    private bool CanStart(IWorkItem item)
    {
        if (Registration.IsReentrant || (item.Flags & InvocationFlags.AlwaysInterleave) != 0)
        {
            return true;
        }

        return (item.Flags & InvocationFlags.ReadOnly) != 0 ? _runningWriters == 0 : _runningWriters + _runningReaders == 0;
    }

    private async Task ActivateAsync()
    {
        try
        {
            try
            {
                var grain = Registration.Activator(this);
                grain.Attach(this);
                Grain = grain;
                foreach (var slot in _stateSlots)
                {
                    await slot.LoadAsync(CancellationToken.None);
                }

                await grain.OnActivateAsync(CancellationToken.None);
            }
            catch (Exception exception)
            {
                FailActivation(exception);
                return;
            }

            lock (_queue)
            {
                _status = Status.Valid;
            }

            RuntimeInstruments.Activations.Add(1);
            RuntimeInstruments.ActiveActivations.Add(1);
            Silo.OnActivated();
            Pump();
        }
        finally
        {
            Silo.BackgroundWork.Exit();
        }
    }

    private void FailActivation(Exception exception)
    {
        Silo.LogActivationFailure(GrainId, exception);
        StopTimers();
        Silo.RemoveActivation(this);
        IWorkItem[] failed;
        TaskCompletionSource? deactivated;
        lock (_queue)
        {
            _status = Status.Invalid;
            failed = [.. _queue];
            _queue.Clear();
            deactivated = _deactivated;
        }

        RuntimeInstruments.MailboxQueued.Add(-failed.Length);
        foreach (var item in failed)
        {
            item.Fail(exception);
        }

        deactivated?.TrySetResult();
    }

    private async Task DeactivateAsync()
    {
        try
        {
            StopTimers();
            try
            {
                await Grain!.OnDeactivateAsync(_deactivationReason, CancellationToken.None);
            }
            catch (Exception exception)
            {
                Silo.LogDeactivationFailure(GrainId, exception);
            }

            Silo.RemoveActivation(this);
            IWorkItem[] leftovers;
            TaskCompletionSource? deactivated;
            lock (_queue)
            {
                _status = Status.Invalid;
                leftovers = [.. _queue];
                _queue.Clear();
                deactivated = _deactivated;
            }

            RuntimeInstruments.MailboxQueued.Add(-leftovers.Length);
            RuntimeInstruments.Deactivations.Add(1);
            RuntimeInstruments.ActiveActivations.Add(-1);
            Silo.OnDeactivated(this, _deactivationReason);
            deactivated?.TrySetResult();

            // Requests that arrived while deactivating go to a fresh activation.
            foreach (var item in leftovers)
            {
                Silo.Redispatch(GrainId, item);
            }
        }
        finally
        {
            Silo.BackgroundWork.Exit();
        }
    }

    public IPersistentState<TState> GetPersistentState<TState>(string stateName, string storageName, Func<TState>? createDefault)
    {
        var id = new GrainStateId(Registration.GrainTypeName, GrainId.Key, stateName);
        var slot = new PersistentState<TState>(this, id, Silo.GetStore(storageName), Silo.SerializerOptions, createDefault);
        _stateSlots.Add(slot);
        return slot;
    }

    public TService GetService<TService>()
        where TService : notnull =>
        Silo.Services.GetService(typeof(TService)) is TService service
            ? service
            : throw new InvalidOperationException($"Grain {Registration.GrainClass.Name} needs {typeof(TService).FullName}, which is not registered.");

    public void StageEvent<TEvent>(string topic, string eventType, TEvent @event)
    {
        var draft = PrepareEvent(topic, eventType, @event);
        lock (_queue)
        {
            (_staged ??= []).Add(draft);
        }
    }

    /// <summary>Stages one event on several topics, serialized once.</summary>
    public void StageEvent<TEvent>(IEnumerable<string> topics, string eventType, TEvent @event)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(@event, Silo.SerializerOptions);
        var now = Silo.TimeProvider.GetUtcNow();
        var drafts = topics.Select(topic => new EventDraft(topic, eventType, Registration.GrainTypeName, GrainId.Key, payload, now)).ToList();
        lock (_queue)
        {
            (_staged ??= []).AddRange(drafts);
        }
    }

    /// <summary>An event of this grain, serialized now, for a write to commit (staged by <see cref="StageEvent"/> or handed to a write directly).</summary>
    public EventDraft PrepareEvent<TEvent>(string topic, string eventType, TEvent @event) =>
        new(topic, eventType, Registration.GrainTypeName, GrainId.Key, JsonSerializer.SerializeToUtf8Bytes(@event, Silo.SerializerOptions), Silo.TimeProvider.GetUtcNow());

    public IReadOnlyList<EventDraft> TakeStagedEvents()
    {
        lock (_queue)
        {
            if (_staged is not { Count: > 0 })
            {
                return [];
            }

            var events = _staged.ToArray();
            _staged.Clear();
            return events;
        }
    }

    public void RestageEvents(IReadOnlyList<EventDraft> events)
    {
        lock (_queue)
        {
            (_staged ??= []).InsertRange(0, events);
        }
    }

    /// <summary>Stages a reminder registration (or, <paramref name="entry"/> null, a removal) for the next state write.</summary>
    public void StageReminder(string name, ReminderEntry? entry)
    {
        var change = new StagedReminder(GrainId.Type, GrainId.Key, name, entry);
        lock (_queue)
        {
            // The latest change of a name wins: a write applies one per reminder.
            (_stagedReminders ??= []).RemoveAll(r => r.Name == name);
            _stagedReminders.Add(change);
        }
    }

    public IReadOnlyList<StagedReminder> TakeStagedReminders()
    {
        lock (_queue)
        {
            // Handed over and dropped, not cleared: most activations stage a reminder rarely, and an empty list kept
            // for the rest of their life costs about 90 bytes each (a million invoice grains hold one after set-up).
            var reminders = _stagedReminders;
            _stagedReminders = null;
            return reminders is { Count: > 0 } ? reminders : [];
        }
    }

    /// <summary>Applies reminder changes staged but not written with a state write: in order, each durable before the next.</summary>
    public async Task ApplyRemindersAsync(IReadOnlyList<StagedReminder> reminders)
    {
        foreach (var reminder in reminders)
        {
            if (reminder.Entry is { } entry)
            {
                Silo.Reminders.OnUpserted(await Silo.Reminders.Store.UpsertAsync(entry));
            }
            else
            {
                await Silo.Reminders.UnregisterAsync(GrainId, reminder.Name);
            }
        }
    }

    /// <summary>
    /// Appends events and applies reminder changes still staged at the end of a turn, so a completed call means its
    /// events and reminders are durable.
    /// </summary>
    public async Task FlushStagedEventsAsync()
    {
        var reminders = TakeStagedReminders();
        if (reminders.Count > 0)
        {
            await ApplyRemindersAsync(reminders);
        }

        var events = TakeStagedEvents();
        if (events.Count == 0)
        {
            return;
        }

        var store = Silo.DefaultStore;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IReadOnlyList<StoredEvent> committed;
        try
        {
            committed = await store.AppendAsync(events);
        }
        catch
        {
            RestageEvents(events);
            throw;
        }
        finally
        {
            RuntimeInstruments.RecordStorage("append", store.ProviderName, started);
        }

        Silo.EventNotifier.NotifyCommitted(committed);
    }

    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period);
        lock (_queue)
        {
            (_timers ??= []).Add(timer);
        }

        timer.Start();
        return timer;
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_queue)
        {
            _timers?.Remove(timer);
        }
    }

    private void StopTimers()
    {
        GrainTimer[] timers;
        lock (_queue)
        {
            if (_timers is null)
            {
                return;
            }

            timers = [.. _timers];
            _timers = null;
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }
}
