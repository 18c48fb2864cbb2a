using ArActors.Runtime.Clustering;

namespace ArActors.Runtime.Tests.Clustering;

/// <summary>The behaviour every <see cref="IMembershipTable"/> must have; a provider derives and says how to create an empty table.</summary>
public abstract class MembershipTableContract
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A new, empty, initialized table of its own.</summary>
    protected abstract Task<IMembershipTable> CreateTableAsync();

    private static SiloAddress Silo(int port) => new($"http://127.0.0.1:{port}", 638_000_000_000_000_000 + port);

    [Fact]
    public async Task An_inserted_row_reads_back_with_its_fields_and_bumps_the_table_version()
    {
        var table = await CreateTableAsync();
        var empty = await table.ReadAllAsync();
        var voter = Silo(5002);
        var entry = new MembershipEntry(Silo(5001), SiloStatus.Joining, T0, T0.AddSeconds(1), [new SuspicionVote(voter, T0.AddSeconds(2))]);

        Assert.Empty(empty.Rows);
        Assert.True(await table.InsertRowAsync(entry, empty.Version));

        var data = await table.ReadAllAsync();
        var row = Assert.Single(data.Rows);
        Assert.Equal(empty.Version + 1, data.Version);
        Assert.Equal(entry.Silo, row.Entry.Silo);
        Assert.Equal(SiloStatus.Joining, row.Entry.Status);
        Assert.Equal(T0, row.Entry.StartTime);
        Assert.Equal(T0.AddSeconds(1), row.Entry.IAmAlive);
        Assert.Equal([new SuspicionVote(voter, T0.AddSeconds(2))], row.Entry.Suspicions.ToArray());
    }

    [Fact]
    public async Task Inserting_with_a_stale_version_or_a_duplicate_silo_changes_nothing()
    {
        var table = await CreateTableAsync();
        var v0 = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), v0));

        Assert.False(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5002), T0), v0));
        Assert.False(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), v0 + 1));

        var data = await table.ReadAllAsync();
        Assert.Equal(v0 + 1, data.Version);
        Assert.Equal([Silo(5001)], data.Rows.Select(r => r.Entry.Silo).ToArray());
    }

    [Fact]
    public async Task An_update_with_a_stale_table_or_row_version_is_refused_and_a_current_one_applies()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), (await table.ReadAllAsync()).Version));
        var read = await table.ReadAllAsync();
        var row = read.Rows[0];
        var active = row.Entry with { Status = SiloStatus.Active };

        Assert.False(await table.UpdateRowAsync(active, row.RowVersion, read.Version - 1));
        Assert.False(await table.UpdateRowAsync(active, row.RowVersion + 1, read.Version));
        Assert.Equal(SiloStatus.Joining, (await table.ReadAllAsync()).Rows[0].Entry.Status);

        Assert.True(await table.UpdateRowAsync(active, row.RowVersion, read.Version));
        var after = await table.ReadAllAsync();
        Assert.Equal(read.Version + 1, after.Version);
        Assert.Equal(row.RowVersion + 1, after.Rows[0].RowVersion);
        Assert.Equal(SiloStatus.Active, after.Rows[0].Entry.Status);
        Assert.False(await table.UpdateRowAsync(active with { Status = SiloStatus.ShuttingDown }, row.RowVersion, read.Version));
    }

    [Fact]
    public async Task Of_concurrent_updates_at_one_version_exactly_one_wins_and_its_content_is_stored()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), (await table.ReadAllAsync()).Version));
        var read = await table.ReadAllAsync();
        var row = read.Rows[0];

        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() => table.UpdateRowAsync(
            row.Entry with { Suspicions = [new SuspicionVote(Silo(6000 + i), T0)] }, row.RowVersion, read.Version))).ToArray();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(r => r));
        var winner = 6000 + Array.IndexOf(results, true);
        var after = await table.ReadAllAsync();
        Assert.Equal(read.Version + 1, after.Version);
        Assert.Equal([Silo(winner)], after.Rows[0].Entry.Suspicions.Select(v => v.Voter).ToArray());
    }

    [Fact]
    public async Task Of_concurrent_inserts_at_one_version_exactly_one_wins()
    {
        var table = await CreateTableAsync();
        var v0 = (await table.ReadAllAsync()).Version;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => table.InsertRowAsync(MembershipEntry.Joining(Silo(5000 + i), T0), v0))));

        Assert.Equal(1, results.Count(r => r));
        var data = await table.ReadAllAsync();
        Assert.Equal([Silo(5000 + Array.IndexOf(results, true))], data.Rows.Select(r => r.Entry.Silo).ToArray());
    }

    [Fact]
    public async Task Heartbeats_bump_no_version_so_votes_written_concurrently_are_neither_refused_nor_lost()
    {
        var table = await CreateTableAsync();
        var suspect = Silo(5001);
        Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(suspect, T0), (await table.ReadAllAsync()).Version));

        // Heartbeats race with eight voters that each read, append their vote and retry on conflict.
        var heartbeats = Task.Run(async () =>
        {
            for (var i = 1; i <= 40; i++)
            {
                Assert.True(await table.UpdateIAmAliveAsync(suspect, T0.AddSeconds(i)));
            }
        });
        var voters = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            while (true)
            {
                var data = await table.ReadAllAsync();
                var row = data.Find(suspect)!;
                var voted = row.Entry with { Suspicions = [.. row.Entry.Suspicions, new SuspicionVote(Silo(6000 + i), T0)] };
                if (await table.UpdateRowAsync(voted, row.RowVersion, data.Version))
                {
                    return;
                }
            }
        })).ToArray();
        await Task.WhenAll([heartbeats, .. voters]);

        var after = (await table.ReadAllAsync()).Find(suspect)!;
        Assert.Equal(T0.AddSeconds(40), after.Entry.IAmAlive);
        Assert.Equal(
            Enumerable.Range(6000, 8).Select(Silo).ToHashSet(),
            after.Entry.Suspicions.Select(v => v.Voter).ToHashSet());
    }

    [Fact]
    public async Task A_heartbeat_between_read_and_update_does_not_make_the_update_stale_nor_get_overwritten()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), (await table.ReadAllAsync()).Version));
        var read = await table.ReadAllAsync();

        Assert.True(await table.UpdateIAmAliveAsync(Silo(5001), T0.AddSeconds(7)));
        Assert.True(await table.UpdateRowAsync(read.Rows[0].Entry with { Status = SiloStatus.Active }, read.Rows[0].RowVersion, read.Version));

        var row = (await table.ReadAllAsync()).Rows[0];
        Assert.Equal(SiloStatus.Active, row.Entry.Status);
        Assert.Equal(T0.AddSeconds(7), row.Entry.IAmAlive);
    }

    [Fact]
    public async Task A_dead_row_is_final()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), (await table.ReadAllAsync()).Version));
        var read = await table.ReadAllAsync();
        Assert.True(await table.UpdateRowAsync(read.Rows[0].Entry with { Status = SiloStatus.Dead }, read.Rows[0].RowVersion, read.Version));

        var dead = await table.ReadAllAsync();
        Assert.False(await table.UpdateRowAsync(dead.Rows[0].Entry with { Status = SiloStatus.Active }, dead.Rows[0].RowVersion, dead.Version));
        Assert.False(await table.InsertRowAsync(MembershipEntry.Joining(Silo(5001), T0), dead.Version));
        Assert.Equal(SiloStatus.Dead, (await table.ReadAllAsync()).Rows[0].Entry.Status);
    }

    [Fact]
    public async Task Only_dead_rows_with_a_heartbeat_before_the_cutoff_are_deleted_and_the_version_stays()
    {
        var table = await CreateTableAsync();
        foreach (var (port, beat) in new[] { (5001, T0), (5002, T0.AddHours(2)), (5003, T0) })
        {
            Assert.True(await table.InsertRowAsync(MembershipEntry.Joining(Silo(port), beat), (await table.ReadAllAsync()).Version));
        }

        // 5001: Dead long ago. 5002: Dead recently. 5003: Active with an old heartbeat (never deleted by this).
        foreach (var (port, status) in new[] { (5001, SiloStatus.Dead), (5002, SiloStatus.Dead), (5003, SiloStatus.Active) })
        {
            var read = await table.ReadAllAsync();
            var row = read.Find(Silo(port))!;
            Assert.True(await table.UpdateRowAsync(row.Entry with { Status = status }, row.RowVersion, read.Version));
        }

        var before = await table.ReadAllAsync();
        Assert.Equal(1, await table.DeleteDeadRowsAsync(T0.AddHours(1)));

        var after = await table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Equal([Silo(5002), Silo(5003)], after.Rows.Select(r => r.Entry.Silo).Order(SiloAddress.Order).ToArray());
        Assert.Equal(0, await table.DeleteDeadRowsAsync(T0.AddHours(1)));
    }

    [Fact]
    public async Task A_heartbeat_for_an_unknown_silo_reports_false()
    {
        var table = await CreateTableAsync();

        Assert.False(await table.UpdateIAmAliveAsync(Silo(5999), T0));
        Assert.Empty((await table.ReadAllAsync()).Rows);
    }
}

public sealed class InMemoryMembershipTableTests : MembershipTableContract
{
    protected override Task<IMembershipTable> CreateTableAsync() => Task.FromResult<IMembershipTable>(new InMemoryMembershipTable());
}
