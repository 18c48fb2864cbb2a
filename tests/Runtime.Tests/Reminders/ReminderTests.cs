using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Reminders;

public sealed class ReminderTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task Reminder_ticks_on_schedule_as_a_grain_turn()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IDunningGrain>(Clusters.NewKey("tick"));
        var start = cluster.Clock.GetUtcNow();
        await grain.Schedule("dunning", TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(75));

        var ticks = (await grain.Log()).Applied;
        Assert.Equal([start.AddMinutes(10), start.AddMinutes(40), start.AddMinutes(70)], ticks.Select(t => t.ScheduledTime));
        Assert.All(ticks, t => Assert.False(t.IsCatchUp));
        Assert.Equal(ticks.Select(t => t.ScheduledTime), ticks.Select(t => t.DeliveredAt));
    }

    [Fact]
    public async Task Missed_occurrences_after_downtime_arrive_once_as_a_catch_up_then_the_daily_schedule_resumes()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("catchup");
        var start = cluster.Clock.GetUtcNow();
        await cluster.GetGrain<IDunningGrain>(key).Schedule("daily", Day, Day);
        await cluster.StopSiloAsync();

        cluster.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        await cluster.StartSiloAsync();
        await cluster.WhenIdleAsync();

        var afterStart = (await cluster.GetGrain<IDunningGrain>(key).Log()).Applied;
        var catchUp = Assert.Single(afterStart);
        Assert.True(catchUp.IsCatchUp);
        Assert.Equal(start + Day, catchUp.ScheduledTime);
        Assert.Equal(3, catchUp.Occurrences);

        await cluster.AdvanceTimeAsync(TimeSpan.FromDays(2));

        var all = (await cluster.GetGrain<IDunningGrain>(key).Log()).Applied;
        Assert.Equal([start + Day, start + (4 * Day), start + (5 * Day)], all.Select(t => t.ScheduledTime));
        Assert.Equal([true, false, false], all.Select(t => t.IsCatchUp));
    }

    [Fact]
    public async Task Duplicate_delivery_of_a_tick_is_not_applied_twice()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("dup");
        var grain = cluster.GetGrain<IDunningGrain>(key);
        var start = cluster.Clock.GetUtcNow();
        await grain.Schedule("dunning", TimeSpan.FromMinutes(5), Day);
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(5));

        var redelivered = new TickStatus(start.AddMinutes(5), Day, start.AddMinutes(5), cluster.Clock.GetUtcNow(), 1, IsCatchUp: false);
        await cluster.DeliverReminderAsync<IDunningGrain>(key, "dunning", redelivered);

        var log = await grain.Log();
        Assert.Equal(2, log.Deliveries);
        Assert.Equal([start.AddMinutes(5)], log.Applied.Select(t => t.ScheduledTime));
    }

    [Fact]
    public async Task Unregistered_reminder_stops_ticking()
    {
        await using var cluster = await Clusters.StartAsync();
        var grain = cluster.GetGrain<IDunningGrain>(Clusters.NewKey("unreg"));
        await grain.Schedule("a", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await grain.Schedule("b", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        Assert.Equal(["a", "b"], await grain.ListReminders());

        await grain.Cancel("a");
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(["b"], await grain.ListReminders());
        Assert.Equal(["b", "b", "b"], (await grain.Log()).Applied.Select(t => t.Reminder));
    }

    [Fact]
    public async Task Reminder_below_the_minimum_period_is_refused()
    {
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s => s.ReminderMinimumPeriod = TimeSpan.FromMinutes(1));
        var grain = cluster.GetGrain<IDunningGrain>(Clusters.NewKey("min"));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.Schedule("fast", TimeSpan.Zero, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Twenty_thousand_reminders_fire_exactly_once_while_memory_holds_only_the_window()
    {
        const int Count = 20_000;
        const int Capacity = 1_000;
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s =>
        {
            s.ReminderLookAhead = TimeSpan.FromMinutes(2);
            s.ReminderPageSize = 250;
            s.ReminderWindowCapacity = Capacity;
        });
        var prefix = Clusters.NewKey("paged");
        var grainType = cluster.Silo.GetGrainId<IPagedReminderGrain>(prefix).Type;
        var start = cluster.Clock.GetUtcNow();
        for (var i = 0; i < Count; i++)
        {
            var key = $"{prefix}-{i % 200}";
            var due = start.AddMinutes(1).AddSeconds(6 * (i % 100));
            await cluster.Store.UpsertAsync(new ReminderEntry(grainType, key, $"r{i}", GrainHash.OfGrainKey(key), due, Day, due));
        }

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(15));

        var mine = PagedReminderGrain.TicksOf(prefix);
        Assert.Equal(Count, mine.Count);
        Assert.All(mine, t => Assert.Equal(1, t.Value));
        Assert.InRange(cluster.Silo.PeakRemindersInMemory, 1, Capacity);
        Assert.Equal(0, cluster.Silo.RemindersInMemory);
    }

    [Fact]
    public async Task A_full_window_of_short_period_reminders_does_not_starve_the_due_ones_left_in_the_table()
    {
        // Twice the window capacity, all due at once with a period inside the look-ahead: delivered ones come back due
        // a minute later and must not take the window from those still waiting since the first minute.
        const int Count = 200;
        const int Capacity = 100;
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s =>
        {
            s.ReminderLookAhead = TimeSpan.FromMinutes(5);
            s.ReminderPageSize = 30;
            s.ReminderWindowCapacity = Capacity;
        });
        var prefix = Clusters.NewKey("starve");
        var grainType = cluster.Silo.GetGrainId<IPagedReminderGrain>(prefix).Type;
        var first = cluster.Clock.GetUtcNow().AddMinutes(1);
        for (var i = 0; i < Count; i++)
        {
            var key = $"{prefix}-{i}";
            await cluster.Store.UpsertAsync(new ReminderEntry(grainType, key, "minutely", GrainHash.OfGrainKey(key), first, TimeSpan.FromMinutes(1), first));
        }

        await cluster.RestartSiloAsync();
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));

        PagedReminderGrain.AssertEachMinuteTickedOnce(prefix, first, 3, Count);
        Assert.InRange(cluster.Silo.PeakRemindersInMemory, 1, Capacity);
    }

    [Fact]
    public async Task Reminder_registered_inside_the_window_is_scheduled_without_waiting_for_a_page_load()
    {
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s =>
        {
            s.ReminderLookAhead = TimeSpan.FromHours(1);
            s.ReminderRefreshInterval = TimeSpan.FromHours(1);
        });
        var grain = cluster.GetGrain<IDunningGrain>(Clusters.NewKey("soon"));
        var start = cluster.Clock.GetUtcNow();

        await grain.Schedule("soon", TimeSpan.FromSeconds(30), Day);
        await cluster.AdvanceTimeAsync(TimeSpan.FromSeconds(30));

        var tick = Assert.Single((await grain.Log()).Applied);
        Assert.Equal(start.AddSeconds(30), tick.DeliveredAt);
    }

    [Fact]
    public async Task Single_occurrence_missed_during_downtime_is_delivered_as_a_catch_up()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("missed-one");
        var start = cluster.Clock.GetUtcNow();
        await cluster.GetGrain<IDunningGrain>(key).Schedule("daily", TimeSpan.FromHours(1), Day);
        await cluster.StopSiloAsync();

        cluster.Clock.Advance(TimeSpan.FromHours(2));
        await cluster.StartSiloAsync();
        await cluster.WhenIdleAsync();

        var tick = Assert.Single((await cluster.GetGrain<IDunningGrain>(key).Log()).Applied);
        Assert.True(tick.IsCatchUp);
        Assert.Equal(1, tick.Occurrences);
        Assert.Equal(start.AddHours(1), tick.ScheduledTime);
    }

    [Fact]
    public async Task Silo_delivers_only_the_reminders_of_its_hash_range()
    {
        var mine = Clusters.NewKey("mine");
        var theirs = Clusters.NewKey("theirs");
        var myHash = GrainHash.OfGrainKey(mine);
        Assert.NotEqual(myHash, GrainHash.OfGrainKey(theirs));
        await using var cluster = await Clusters.StartAsync(o => o.ConfigureSilo += s => s.ReminderHashRange = new HashRange(myHash, myHash));
        var grainType = cluster.Silo.GetGrainId<IPagedReminderGrain>(mine).Type;
        var due = cluster.Clock.GetUtcNow().AddMinutes(1);
        foreach (var key in new[] { mine, theirs })
        {
            await cluster.Store.UpsertAsync(new ReminderEntry(grainType, key, "r", GrainHash.OfGrainKey(key), due, Day, due));
        }

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(10));

        Assert.Contains(PagedReminderGrain.Ticks.Keys, k => k.Key == mine);
        Assert.DoesNotContain(PagedReminderGrain.Ticks.Keys, k => k.Key == theirs);
    }
}
