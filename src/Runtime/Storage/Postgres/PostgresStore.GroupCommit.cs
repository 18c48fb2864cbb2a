using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ArActors.Runtime.Storage.Postgres;

/// <summary>
/// The writer side: one group-commit batch as one transaction in at most two round trips. BEGIN travels with the
/// row statements; the event appends travel with COMMIT, so a topic's counter row is locked only while the server runs
/// the append and the commit, never while this process reads results or is slow to send the next statement.
/// </summary>
public sealed partial class PostgresStore
{
    private protected override async Task CommitBatchAsync(IReadOnlyList<GroupCommitOperation> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CommitBatchAsync(connection, batch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RollBackQuietlyAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    private async Task CommitBatchAsync(NpgsqlConnection connection, IReadOnlyList<GroupCommitOperation> batch, CancellationToken cancellationToken)
    {
        var now = StoreInput.TruncateToMicroseconds(_timeProvider.GetUtcNow()).UtcDateTime;
        var hasEvents = batch.Any(op => op.Events.Count > 0);

        // Every batch locks rows in the same order (state rows, reminders, then topic counters, each by key): no deadlocks.
        // A state write's reminder changes sort among the reminders, after every state row, so they run after the write
        // they depend on (Parent: their statement applies only if that write's ETag check passed).
        var rowOperations = batch
            .Where(op => op is not AppendEventsOperation)
            .SelectMany(WithReminders)
            .Select(x => (x.Operation, x.Parent, Key: LockKey(x.Operation)))
            .OrderBy(x => x.Key.Table)
            .ThenBy(x => x.Key.A, StringComparer.Ordinal)
            .ThenBy(x => x.Key.B, StringComparer.Ordinal)
            .ThenBy(x => x.Key.C, StringComparer.Ordinal)
            .Select(x => (x.Operation, x.Parent))
            .ToList();

        if (rowOperations.Count > 0)
        {
            await using var rows = new NpgsqlBatch(connection);
            rows.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            foreach (var (operation, parent) in rowOperations)
            {
                rows.BatchCommands.Add(parent is null ? RowCommand(operation, now) : ReminderWithStateCommand(operation, parent));
            }

            if (!hasEvents)
            {
                // Nothing to append: the whole transaction is one round trip.
                rows.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            }

            // BEGIN and COMMIT return no result set; the reader starts at the first row statement's outcome.
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (operation, parent) in rowOperations)
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("A store statement returned no outcome row.");
                }

                // A state write's reminder change has no outcome of its own: the write's decides.
                if (parent is null)
                {
                    var changed = reader.GetInt64(0);
                    var current = reader.IsDBNull(1) ? null : reader.GetString(1);
                    ApplyOutcome(operation, changed, current);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            // Runs to the end of the batch, so a failed COMMIT throws here rather than passing for committed.
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        if (hasEvents)
        {
            await AppendEventsAndCommitAsync(connection, batch, begin: rowOperations.Count == 0, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After a failed batch the transaction may still be open (aborted): end it before the pool reuses the connection.</summary>
    private async Task RollBackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The connection is broken; the server rolls the transaction back when the session ends.
            _logger.LogDebug(exception, "ROLLBACK after a failed group commit did not complete.");
        }
    }

    private static (int Table, string A, string B, string C) LockKey(GroupCommitOperation operation) => operation switch
    {
        WriteStateOperation w => (0, w.Id.GrainType, w.Id.GrainKey, w.Id.StateName),
        ClearStateOperation c => (0, c.Id.GrainType, c.Id.GrainKey, c.Id.StateName),
        UpsertReminderOperation u => (1, u.Entry.GrainType, u.Entry.GrainKey, u.Entry.Name),
        ReminderChangeOperation r => (1, r.GrainType, r.GrainKey, r.Name),
        _ => throw new InvalidOperationException($"Unknown store operation {operation.GetType().Name}."),
    };

    private static void ApplyOutcome(GroupCommitOperation operation, long changed, string? current)
    {
        switch (operation)
        {
            case WriteStateOperation write when changed == 0:
                write.Conflict = new InconsistentStateException(write.Id, write.ExpectedEtag, current);
                break;
            case ClearStateOperation clear when changed == 0:
                clear.Conflict = new InconsistentStateException(clear.Id, clear.ExpectedEtag, current);
                break;
            case ReminderChangeOperation change:
                change.Changed = changed > 0;
                break;
        }
    }

    private static void AddTextParameters(NpgsqlBatchCommand command, params string?[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text });
        }
    }

    private static NpgsqlParameter<DateTime> TimeParameter(DateTime utc) => new() { TypedValue = utc, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private NpgsqlBatchCommand RowCommand(GroupCommitOperation operation, DateTime now)
    {
        switch (operation)
        {
            case WriteStateOperation write:
            {
                var command = new NpgsqlBatchCommand(write.ExpectedEtag is null ? _sql.InsertState : _sql.UpdateState);
                AddTextParameters(command, write.Id.GrainType, write.Id.GrainKey, write.Id.StateName);
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = write.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
                AddTextParameters(command, write.NewEtag);
                command.Parameters.Add(TimeParameter(now));
                if (write.ExpectedEtag is not null)
                {
                    AddTextParameters(command, write.ExpectedEtag);
                }

                return command;
            }

            case ClearStateOperation clear:
            {
                var command = new NpgsqlBatchCommand(clear.ExpectedEtag is null ? _sql.ClearAbsentState : _sql.DeleteState);
                AddTextParameters(command, clear.Id.GrainType, clear.Id.GrainKey, clear.Id.StateName);
                if (clear.ExpectedEtag is not null)
                {
                    AddTextParameters(command, clear.ExpectedEtag);
                }

                return command;
            }

            case UpsertReminderOperation upsert:
                return ReminderCommand(_sql.UpsertReminder, upsert.Entry);

            case ReminderChangeOperation change when change.NextDue is { } nextDue:
            {
                var command = new NpgsqlBatchCommand(_sql.AdvanceReminder);
                AddTextParameters(command, change.GrainType, change.GrainKey, change.Name);
                command.Parameters.Add(TimeParameter(nextDue.UtcDateTime));
                AddTextParameters(command, change.NewEtag, change.ExpectedEtag);
                return command;
            }

            case ReminderChangeOperation change:
            {
                var command = new NpgsqlBatchCommand(_sql.RemoveReminder);
                AddTextParameters(command, change.GrainType, change.GrainKey, change.Name);
                return command;
            }

            default:
                throw new InvalidOperationException($"Unknown store operation {operation.GetType().Name}.");
        }
    }

    /// <summary>An upsert statement with the entry's eight columns as $1 - $8.</summary>
    private static NpgsqlBatchCommand ReminderCommand(string sql, ReminderEntry e)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddTextParameters(command, e.GrainType, e.GrainKey, e.Name);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.Hash, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(TimeParameter(e.FirstDue.UtcDateTime));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = e.Period, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(TimeParameter(e.NextDue.UtcDateTime));
        AddTextParameters(command, e.Etag);
        return command;
    }

    private static IEnumerable<(GroupCommitOperation Operation, WriteStateOperation? Parent)> WithReminders(GroupCommitOperation operation)
    {
        yield return (operation, null);
        if (operation is WriteStateOperation write)
        {
            foreach (var reminder in write.Reminders)
            {
                yield return (reminder, write);
            }
        }
    }

    /// <summary>A reminder change of <paramref name="write"/>, applied only if the write's ETag check passed in this transaction.</summary>
    private NpgsqlBatchCommand ReminderWithStateCommand(GroupCommitOperation operation, WriteStateOperation write)
    {
        NpgsqlBatchCommand command;
        switch (operation)
        {
            case UpsertReminderOperation upsert:
                command = ReminderCommand(_sql.UpsertReminderWithState, upsert.Entry);
                break;

            case ReminderChangeOperation { NextDue: null } removal:
                command = new NpgsqlBatchCommand(_sql.RemoveReminderWithState);
                AddTextParameters(command, removal.GrainType, removal.GrainKey, removal.Name);
                break;

            default:
                throw new InvalidOperationException($"A state write cannot carry a {operation.GetType().Name}.");
        }

        AddTextParameters(command, write.Id.GrainType, write.Id.GrainKey, write.Id.StateName, write.NewEtag);
        return command;
    }

    /// <summary>
    /// Appends the events of every operation that succeeded in one statement for all their topics, assigns their sequences and
    /// commits, all in one round trip (<paramref name="begin"/>: the transaction has not been opened yet).
    /// </summary>
    private async Task AppendEventsAndCommitAsync(
        NpgsqlConnection connection, IReadOnlyList<GroupCommitOperation> batch, bool begin, CancellationToken cancellationToken)
    {
        var byTopic = new SortedDictionary<string, List<(StoredEvent[] Target, int Index, EventDraft Draft)>>(StringComparer.Ordinal);
        var targets = new List<(GroupCommitOperation Operation, StoredEvent[] Events)>();
        foreach (var operation in batch)
        {
            if (operation.Conflict is not null || operation.Events.Count == 0)
            {
                continue;
            }

            var target = new StoredEvent[operation.Events.Count];
            targets.Add((operation, target));
            for (var i = 0; i < operation.Events.Count; i++)
            {
                var draft = operation.Events[i];
                if (!byTopic.TryGetValue(draft.Topic, out var list))
                {
                    byTopic[draft.Topic] = list = [];
                }

                list.Add((target, i, draft));
            }
        }

        await using var appends = new NpgsqlBatch(connection);
        if (begin)
        {
            appends.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        }

        if (byTopic.Count > 0)
        {
            var events = byTopic.SelectMany(t => t.Value.Select((d, i) => (Topic: t.Key, Back: (long)(t.Value.Count - 1 - i), d.Draft))).ToList();
            var command = new NpgsqlBatchCommand(_sql.AppendTopics);
            command.Parameters.Add(TextArray(byTopic.Keys));
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. byTopic.Values.Select(d => (long)d.Count)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            command.Parameters.Add(TextArray(events.Select(e => e.Topic)));
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. events.Select(e => e.Back)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            command.Parameters.Add(TextArray(events.Select(e => e.Draft.EventType)));
            command.Parameters.Add(TextArray(events.Select(e => e.Draft.SourceGrainType)));
            command.Parameters.Add(TextArray(events.Select(e => e.Draft.SourceGrainKey)));
            command.Parameters.Add(new NpgsqlParameter<byte[][]>
            {
                TypedValue = [.. events.Select(e => e.Draft.Payload.ToArray())],
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
            });
            command.Parameters.Add(new NpgsqlParameter<DateTime[]>
            {
                TypedValue = [.. events.Select(e => StoreInput.TruncateToMicroseconds(e.Draft.Timestamp).UtcDateTime)],
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            });
            appends.BatchCommands.Add(command);
        }

        // If every operation with events lost its ETag check, this is a bare COMMIT of the other rows.
        appends.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        await using (var reader = await appends.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var lastOf = new Dictionary<string, long>(byTopic.Count, StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                lastOf.Add(reader.GetString(0), reader.GetInt64(1));
            }

            foreach (var (topic, drafts) in byTopic)
            {
                if (!lastOf.TryGetValue(topic, out var last))
                {
                    throw new InvalidOperationException($"The event append statement returned no sequence for topic '{topic}'.");
                }

                var first = last - drafts.Count + 1;
                for (var i = 0; i < drafts.Count; i++)
                {
                    var (target, index, draft) = drafts[i];
                    target[index] = new StoredEvent(
                        draft.Topic, first + i, draft.EventType, draft.SourceGrainType, draft.SourceGrainKey,
                        draft.Payload, StoreInput.TruncateToMicroseconds(draft.Timestamp));
                }
            }

            // Past the COMMIT: only now are the sequences real (a failed COMMIT throws here).
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        foreach (var (operation, events) in targets)
        {
            operation.CommittedEvents = events;
        }
    }

    private static NpgsqlParameter<string[]> TextArray(IEnumerable<string> values) =>
        new() { TypedValue = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
}
