using System.Diagnostics;
using System.Text.Json;
using ArActors.Runtime.Diagnostics;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.State;

/// <summary>Loads before activation (the runtime calls <see cref="IStateSlot.LoadAsync"/>), serializes with System.Text.Json.</summary>
internal interface IStateSlot
{
    Task LoadAsync(CancellationToken cancellationToken);
}

internal sealed class PersistentState<TState>(
    GrainActivation activation,
    GrainStateId id,
    IDurableStore store,
    JsonSerializerOptions serializerOptions,
    Func<TState>? createDefault) : IPersistentState<TState>, IStateSlot
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public TState State { get; set; } = default!;

    public bool RecordExists { get; private set; }

    public string? Etag { get; private set; }

    public Task LoadAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var stored = await store.ReadStateAsync(id, cancellationToken);
        RuntimeInstruments.RecordStorage("read", store.ProviderName, started);
        if (stored is null)
        {
            State = CreateDefault();
            Etag = null;
            RecordExists = false;
            return;
        }

        State = JsonSerializer.Deserialize<TState>(stored.Payload.Span, serializerOptions)!;
        Etag = stored.Etag;
        RecordExists = true;
    }

    public Task WriteStateAsync(CancellationToken cancellationToken = default) => WriteStateAsync([], cancellationToken);

    /// <summary>
    /// Commits the state with the staged events and <paramref name="more"/>. The state is serialized and the events taken
    /// before this method first yields, so a caller holding a lock over its changes gets a snapshot consistent with them.
    /// </summary>
    internal async Task WriteStateAsync(IReadOnlyList<EventDraft> more, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(State, serializerOptions);
        // Taken for good: if this write fails its events fail with it. Committing them later on their own would publish a
        // change whose state was never stored (and a retried command would publish them twice); a grain that retries
        // the write re-publishes.
        var staged = activation.TakeStagedEvents();
        var events = more.Count == 0 ? staged : staged.Count == 0 ? more : [.. staged, .. more];

        // Reminder changes staged for this write go in its transaction when the reminder table is this store; with
        // another store they are applied first, each durable on its own (a failed write then leaves them applied; the
        // grain's next evaluation finds its reminder where its state did not expect it, which ticks re-check).
        var reminders = activation.TakeStagedReminders();
        var together = reminders.Count > 0 && store is GroupCommitStore && ReferenceEquals(store, activation.Silo.Reminders.Store);
        if (reminders.Count > 0 && !together)
        {
            await activation.ApplyRemindersAsync(reminders);
        }

        var started = Stopwatch.GetTimestamp();
        StateWriteResult result;
        IReadOnlyList<ReminderEntry> upserted = [];
        try
        {
            if (together)
            {
                (result, upserted) = await ((GroupCommitStore)store).WriteOwnedStateAsync(id, payload, Etag, events, reminders, cancellationToken);
            }
            else
            {
                result = await (store is GroupCommitStore owner
                    ? owner.WriteOwnedStateAsync(id, payload, Etag, events, cancellationToken)
                    : store.WriteStateAsync(id, payload, Etag, events, cancellationToken));
            }
        }
        catch (InconsistentStateException)
        {
            // In-memory state is stale: drop this turn's events with the failed write and reload on the next call.
            activation.RequestDeactivation(DeactivationReason.StateConflict);
            throw;
        }
        finally
        {
            RuntimeInstruments.RecordStorage("write", store.ProviderName, started);
        }

        Etag = result.Etag;
        RecordExists = true;
        activation.Silo.EventNotifier.NotifyCommitted(result.Events);
        if (together)
        {
            foreach (var entry in upserted)
            {
                activation.Silo.Reminders.OnUpserted(entry);
            }

            foreach (var removed in reminders.Where(r => r.Entry is null))
            {
                activation.Silo.Reminders.OnRemoved(removed.GrainType, removed.GrainKey, removed.Name);
            }
        }
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await store.ClearStateAsync(id, Etag, cancellationToken);
        }
        catch (InconsistentStateException)
        {
            activation.RequestDeactivation(DeactivationReason.StateConflict);
            throw;
        }
        finally
        {
            RuntimeInstruments.RecordStorage("clear", store.ProviderName, started);
        }

        Etag = null;
        RecordExists = false;
        State = CreateDefault();
    }

    private TState CreateDefault()
    {
        if (createDefault is not null)
        {
            return createDefault();
        }

        // Positional records have no parameterless constructor; an empty JSON object gives their defaults.
        try
        {
            return JsonSerializer.Deserialize<TState>(EmptyObject, serializerOptions)!;
        }
        catch (JsonException)
        {
            return default!;
        }
        catch (NotSupportedException)
        {
            return default!;
        }
    }
}
