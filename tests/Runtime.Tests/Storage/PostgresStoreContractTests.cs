using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ArActors.Runtime.Tests.Storage;

/// <summary>The contract on a fresh PostgreSQL database for this class; fresh storage is a new schema in it.</summary>
public sealed class PostgresStoreContractTests(PostgresDatabase database) : DurableProviderContract, IClassFixture<PostgresDatabase>
{
    protected override IDurableStore CreateStore() =>
        new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance);

    protected override Func<IDurableStore> CreateFreshStorage()
    {
        var options = new PostgresStoreOptions { Schema = "fresh_" + Guid.NewGuid().ToString("N")[..12] };
        return () => new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, options);
    }

    [Fact]
    public async Task The_schema_records_its_version_and_keeps_keys_unique()
    {
        Assert.Equal(2, await database.ScalarAsync<int>("SELECT MAX(version) FROM aractors.schema_version"));
        Assert.Equal(1, await database.ScalarAsync<int>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'aractors' AND tablename = 'grain_state' AND indexdef LIKE 'CREATE UNIQUE INDEX%'"));
        Assert.Equal(1, await database.ScalarAsync<int>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'aractors' AND indexname = 'reminders_due'"));
    }

    [Fact]
    public async Task Large_state_rows_are_compressed_with_lz4()
    {
        var id = NewId();
        var payload = "{\"items\":[" + string.Join(",", Enumerable.Range(0, 400).Select(i => $"{{\"number\":\"INV-{i:D5}\",\"amount\":{i}.50}}")) + "]}";
        await Store.WriteStateAsync(id, Json(payload), null, []);

        Assert.Equal("lz4", await database.ScalarAsync<string>(
            $"SELECT pg_column_compression(payload) FROM aractors.grain_state WHERE grain_type = '{id.GrainType}' AND grain_key = '{id.GrainKey}'"));
        Assert.Equal(payload, Text((await Store.ReadStateAsync(id))!.Payload));
    }

    [Fact]
    public async Task Sub_microsecond_times_are_truncated_consistently_so_keyset_paging_stays_exact()
    {
        var grainType = NewGrainType();
        var due = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var stored = await Store.UpsertAsync(new ReminderEntry(grainType, "g", "r", 1, due, TimeSpan.FromTicks(15), due));

        var read = (await Store.ReadForGrainAsync(grainType, "g")).Single();

        Assert.Equal(stored.NextDue, read.NextDue);
        Assert.Equal(stored.Period, read.Period);
        Assert.Empty(await Store.ReadDueAsync(due, new HashRange(1, 1), 10, after: read));
    }

    [Fact]
    public async Task When_the_transaction_fails_every_operation_in_it_fails_with_the_real_error_and_nothing_is_committed()
    {
        var options = new PostgresStoreOptions { Schema = "broken_" + Guid.NewGuid().ToString("N")[..12] };
        await using var store = new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, options);
        await store.InitializeAsync();
        await database.ScalarAsync<int>($"DROP TABLE {options.Schema}.events");
        var grainType = NewGrainType();
        var ids = Enumerable.Range(0, 40).Select(i => new GrainStateId(grainType, $"k{i}", "s")).ToList();

        var writes = ids.Select(id => store.WriteStateAsync(
            id, Json("{}"), null, [new EventDraft("t", "E", id.GrainType, id.GrainKey, Json("{}"), DateTimeOffset.UnixEpoch)])).ToList();

        foreach (var write in writes)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => write);
            Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        }

        foreach (var id in ids)
        {
            Assert.Null(await store.ReadStateAsync(id));
        }
    }

    [Fact]
    public async Task A_statement_the_server_rejects_fails_only_its_own_operation()
    {
        var poisoned = NewTopic();
        // A row the counter does not know about: the next append to this topic hits a primary key violation.
        await database.ScalarAsync<int>(
            $"INSERT INTO aractors.events VALUES ('{poisoned}', 1, 'E', 'S', 'k', '\\x00', now())");
        var grainType = NewGrainType();

        var good = Enumerable.Range(0, 50).Select(i => Store.WriteStateAsync(
            new GrainStateId(grainType, $"k{i}", "s"), Json("{}"), null,
            [new EventDraft(poisoned + "-ok", "E", grainType, $"k{i}", Json("{}"), DateTimeOffset.UnixEpoch)])).ToList();
        var bad = Store.AppendAsync([new EventDraft(poisoned, "E", grainType, "bad", Json("{}"), DateTimeOffset.UnixEpoch)]);

        var error = await Assert.ThrowsAsync<PostgresException>(() => bad);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal(50, (await Task.WhenAll(good)).Length);
        Assert.Equal(50, await Store.GetLastSequenceAsync(poisoned + "-ok"));
        Assert.Equal(0, await Store.GetLastSequenceAsync(poisoned));
    }

    [Fact]
    public async Task After_a_rejected_transaction_the_same_connection_commits_the_next_batch_on_its_own()
    {
        // One writer loop on a pool of one connection: the next batch runs on the connection whose transaction failed.
        var options = new PostgresStoreOptions { Schema = "reuse_" + Guid.NewGuid().ToString("N")[..12], WriterLoops = 1 };
        var oneConnection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var store = new PostgresStore(oneConnection, TimeProvider.System, NullLogger<PostgresStore>.Instance, options);
        await store.InitializeAsync();
        var poisoned = NewTopic();
        await database.ScalarAsync<int>($"INSERT INTO {options.Schema}.events VALUES ('{poisoned}', 1, 'E', 'S', 'k', '\\x00', now())");
        var grainType = NewGrainType();

        var bad = store.WriteStateAsync(new GrainStateId(grainType, "bad", "s"), Json("{}"), null,
            [new EventDraft(poisoned, "E", grainType, "bad", Json("{}"), DateTimeOffset.UnixEpoch)]);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, (await Assert.ThrowsAsync<PostgresException>(() => bad)).SqlState);

        var good = await store.WriteStateAsync(new GrainStateId(grainType, "good", "s"), Json("{\"n\":1}"), null,
            [new EventDraft(poisoned + "-ok", "E", grainType, "good", Json("{}"), DateTimeOffset.UnixEpoch)]);

        Assert.Equal(1, good.Events.Single().Sequence);
        Assert.Null(await store.ReadStateAsync(new GrainStateId(grainType, "bad", "s")));
        Assert.Equal(good.Etag, (await store.ReadStateAsync(new GrainStateId(grainType, "good", "s")))!.Etag);
        Assert.Equal(0, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM {options.Schema}.grain_state WHERE grain_key = 'bad'"));
        Assert.Equal(1, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM {options.Schema}.events WHERE topic = '{poisoned}-ok'"));
    }

    [Fact]
    public async Task A_connection_lost_mid_transaction_fails_its_operations_and_the_store_recovers()
    {
        var topic = NewTopic();
        var grainType = NewGrainType();
        // An uncommitted counter row makes the writers' transactions wait on a lock, where their backends can be killed.
        await using var blocker = new NpgsqlConnection(database.ConnectionString);
        await blocker.OpenAsync();
        await using var blockerTransaction = await blocker.BeginTransactionAsync();
        await using (var block = new NpgsqlCommand($"INSERT INTO aractors.topic_sequences VALUES ('{topic}', 0)", blocker, blockerTransaction))
        {
            await block.ExecuteNonQueryAsync();
        }

        var ids = Enumerable.Range(0, 10).Select(i => new GrainStateId(grainType, $"k{i}", "s")).ToList();
        var writes = ids.Select(id => Store.WriteStateAsync(
            id, Json("{}"), null, [new EventDraft(topic, "E", id.GrainType, id.GrainKey, Json("{}"), DateTimeOffset.UnixEpoch)])).ToList();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!writes.All(w => w.IsCompleted) && DateTime.UtcNow < deadline)
        {
            await database.ScalarAsync<int>(
                $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%topic_sequences%' AND pid <> {blocker.ProcessID}");
            await Task.Delay(50);
        }

        foreach (var write in writes)
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => write);
            Assert.IsNotType<InconsistentStateException>(error);
            Assert.IsAssignableFrom<NpgsqlException>(error);
        }

        await blockerTransaction.RollbackAsync();
        foreach (var id in ids)
        {
            Assert.Null(await Store.ReadStateAsync(id));
        }

        var retried = await Store.WriteStateAsync(ids[0], Json("{}"), null, [new EventDraft(topic, "E", grainType, "k0", Json("{}"), DateTimeOffset.UnixEpoch)]);
        Assert.Equal(1, retried.Events[0].Sequence);
    }
}
