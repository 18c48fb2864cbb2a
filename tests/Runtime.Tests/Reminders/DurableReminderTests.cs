using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.Reminders;

/// <summary>
/// The reminder service over the durable stores, not only the in-memory reference: consecutive ticks of one registration
/// advance the same row, and catch-up after downtime reads what the store kept.
/// </summary>
public abstract class DurableReminderTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    protected abstract IDurableStore CreateStore();

    [Fact]
    public async Task Consecutive_ticks_each_arrive_once_on_time_and_the_row_keeps_up()
    {
        await using var cluster = await Clusters.StartAsync(o => o.StoreFactory = CreateStore);
        var key = Clusters.NewKey("durable-tick");
        var grain = cluster.GetGrain<IDunningGrain>(key);
        var start = cluster.Clock.GetUtcNow();
        await grain.Schedule("dunning", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(5));

        var log = await grain.Log();
        var expected = Enumerable.Range(1, 5).Select(i => start.AddMinutes(i)).ToList();
        Assert.Equal(expected, log.Applied.Select(t => t.ScheduledTime));
        Assert.Equal(expected, log.Applied.Select(t => t.DeliveredAt));
        Assert.Equal(5, log.Deliveries);
        var row = Assert.Single(await cluster.Store.ReadForGrainAsync(typeof(DunningGrain).FullName!, key));
        Assert.Equal(start.AddMinutes(6), row.NextDue);
    }

    [Fact]
    public async Task A_reminder_registered_with_a_state_write_is_stored_by_it_and_ticks_and_one_without_a_write_by_the_turn_end()
    {
        await using var cluster = await Clusters.StartAsync(o => o.StoreFactory = CreateStore);
        var key = Clusters.NewKey("durable-with-state");
        var grain = cluster.GetGrain<IDunningGrain>(key);
        var grainType = typeof(DunningGrain).FullName!;
        var start = cluster.Clock.GetUtcNow();

        await grain.ScheduleWithState("aging", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), write: true);
        Assert.Equal(start.AddMinutes(1), Assert.Single(await cluster.Store.ReadForGrainAsync(grainType, key)).NextDue);
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(Enumerable.Range(1, 3).Select(i => start.AddMinutes(i)), (await grain.Log()).Applied.Select(t => t.ScheduledTime));

        await grain.CancelWithState("aging");
        Assert.Empty(await cluster.Store.ReadForGrainAsync(grainType, key));
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(3, (await grain.Log()).Applied.Length);

        await grain.ScheduleWithState("late", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), write: false);
        Assert.Equal("late", Assert.Single(await cluster.Store.ReadForGrainAsync(grainType, key)).Name);
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("late", (await grain.Log()).Applied[^1].Reminder);
    }

    [Fact]
    public async Task Catch_up_after_downtime_is_one_tick_then_the_schedule_resumes()
    {
        await using var cluster = await Clusters.StartAsync(o => o.StoreFactory = CreateStore);
        var key = Clusters.NewKey("durable-catchup");
        var start = cluster.Clock.GetUtcNow();
        await cluster.GetGrain<IDunningGrain>(key).Schedule("daily", Day, Day);
        await cluster.StopSiloAsync();

        cluster.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        await cluster.StartSiloAsync();
        await cluster.WhenIdleAsync();
        await cluster.AdvanceTimeAsync(TimeSpan.FromDays(2));

        var all = (await cluster.GetGrain<IDunningGrain>(key).Log()).Applied;
        Assert.Equal([start + Day, start + (4 * Day), start + (5 * Day)], all.Select(t => t.ScheduledTime));
        Assert.Equal([true, false, false], all.Select(t => t.IsCatchUp));
    }
}

public sealed class SqliteReminderTests : DurableReminderTests, IDisposable
{
    private readonly SqliteFolder _folder = new("aractors-reminders-");

    protected override IDurableStore CreateStore() => _folder.OpenStore();

    public void Dispose() => _folder.Dispose();
}

public sealed class PostgresReminderTests(PostgresDatabase database) : DurableReminderTests, IClassFixture<PostgresDatabase>
{
    protected override IDurableStore CreateStore() =>
        new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance);
}
