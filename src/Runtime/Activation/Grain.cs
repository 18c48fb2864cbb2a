using ArActors.Runtime.Reminders;
using ArActors.Runtime.State;
using ArActors.Runtime.Timers;

namespace ArActors.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime constructs it (through generated code), loads its persistent
/// state, then calls <see cref="OnActivateAsync"/>; requests run one turn at a time unless the class or method opts out.
/// </summary>
public abstract class Grain
{
    private GrainActivation? _activation;

    private GrainActivation Activation => _activation
        ?? throw new InvalidOperationException("The grain is not attached to an activation yet (constructors cannot use runtime members).");

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => Activation.GrainId;

    /// <summary>This grain's string key, e.g. <c>ACME-001/INV-77</c>.</summary>
    public string GrainKey => Activation.GrainId.Key;

    protected IGrainFactory GrainFactory => Activation.Silo;

    /// <summary>The silo's clock; grains never read <see cref="DateTime.Now"/>.</summary>
    protected TimeProvider TimeProvider => Activation.Silo.TimeProvider;

    protected IServiceProvider ServiceProvider => Activation.Silo.Services;

    internal void Attach(GrainActivation activation) => _activation = activation;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current turn(s) finish; the next call gets a fresh one.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation(DeactivationReason.ApplicationRequested);

    /// <summary>
    /// Stages an event. The next <c>WriteStateAsync</c> commits it with the state; otherwise it is appended when the
    /// turn ends, before the caller sees the result.
    /// </summary>
    protected void Publish<TEvent>(string topic, TEvent @event)
        where TEvent : notnull => Activation.StageEvent(topic, typeof(TEvent).Name, @event);

    /// <summary>Stages an event under an explicit event type name.</summary>
    protected void Publish<TEvent>(string topic, string eventType, TEvent @event)
        where TEvent : notnull => Activation.StageEvent(topic, eventType, @event);

    /// <summary>
    /// A writer that lets the calls of a <see cref="ReentrantAttribute">[Reentrant]</see> grain share writes of
    /// <paramref name="state"/> (see <see cref="SharedStateWriter{TState}"/>); create it once, in or after <see cref="OnActivateAsync"/>.
    /// </summary>
    /// <remarks>Writers of several states of one grain may share <paramref name="gate"/>, so one lock guards all of them.</remarks>
    protected SharedStateWriter<TState> CreateSharedWriter<TState>(IPersistentState<TState> state, object? gate = null) =>
        state is PersistentState<TState> slot
            ? new SharedStateWriter<TState>(slot, Activation, gate ?? new object())
            : throw new ArgumentException("Only a state from [PersistentState] or OpenStateAsync can be written through a shared writer.", nameof(state));

    /// <summary>
    /// A durable state named at run time (for example one of a grain's shards), read from the store now; keep it for the
    /// life of the activation. Each name is its own row, written and ETag-checked on its own.
    /// </summary>
    protected async Task<IPersistentState<TState>> OpenStateAsync<TState>(string stateName, string storageName = SiloOptions.DefaultStorageName)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var slot = new PersistentState<TState>(Activation, new Storage.GrainStateId(Activation.Registration.GrainTypeName, GrainKey, stateName),
            Activation.Silo.GetStore(storageName), Activation.Silo.SerializerOptions, createDefault: null);
        await slot.ReadStateAsync();
        return slot;
    }

    /// <summary>Stages one event on each of <paramref name="topics"/> (serialized once), under an explicit event type name.</summary>
    protected void Publish<TEvent>(IEnumerable<string> topics, string eventType, TEvent @event)
        where TEvent : notnull => Activation.StageEvent(topics, eventType, @event);

    /// <summary>An in-memory timer whose ticks run as turns of this activation, never overlapping; stops on deactivation.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>A grain timer whose callback receives <paramref name="state"/>.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(cancellationToken => callback(state, cancellationToken), dueTime, period);

    /// <summary>Registers or replaces a durable reminder; ticks arrive at <see cref="IRemindable.ReceiveReminder"/>.</summary>
    protected Task<IGrainReminder> RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Activation.Silo.Reminders.RegisterAsync(GrainId, reminderName, dueTime, period);

    protected Task UnregisterReminder(string reminderName) => Activation.Silo.Reminders.UnregisterAsync(GrainId, reminderName);

    /// <summary>
    /// Registers or replaces a durable reminder together with this activation's next state write, in the same
    /// transaction: the reminder changes only if that write commits (on an ETag conflict neither does). Saves the
    /// separate commit <see cref="RegisterOrUpdateReminder"/> waits for. If the turn ends without a state write the
    /// change is applied then, before the caller sees the result. Validated now.
    /// </summary>
    protected void RegisterOrUpdateReminderWithState(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Activation.StageReminder(reminderName, Activation.Silo.Reminders.Prepare(GrainId, reminderName, dueTime, period));

    /// <summary>Removes a reminder together with this activation's next state write (see <see cref="RegisterOrUpdateReminderWithState"/>).</summary>
    protected void UnregisterReminderWithState(string reminderName)
    {
        ArgumentException.ThrowIfNullOrEmpty(reminderName);
        Activation.StageReminder(reminderName, null);
    }

    protected Task UnregisterReminder(IGrainReminder reminder) => UnregisterReminder(reminder.ReminderName);

    protected Task<IReadOnlyList<IGrainReminder>> GetReminders() => Activation.Silo.Reminders.GetRemindersAsync(GrainId);

    protected async Task<IGrainReminder?> GetReminder(string reminderName) =>
        (await GetReminders()).FirstOrDefault(r => r.ReminderName == reminderName);
}
