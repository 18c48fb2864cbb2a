using ArActors.Runtime.Testing;
using ArActors.Silo.Testing;

namespace ArActors.Silo.Tests.Testing;

/// <summary>The e2e test clock: real time plus an offset; an advance fires what fell due once, in due order.</summary>
public sealed class TestClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void It_follows_the_real_clock_and_adds_what_was_advanced()
    {
        var real = new ManualTimeProvider(Start);
        var clock = new TestClock(real);

        real.Advance(TimeSpan.FromMinutes(5));
        var advanced = clock.Advance(TimeSpan.FromDays(31));

        Assert.Equal(Start + TimeSpan.FromMinutes(5) + TimeSpan.FromDays(31), clock.GetUtcNow());
        Assert.Equal(clock.GetUtcNow(), advanced);
        Assert.Equal(TimeSpan.FromDays(31), clock.Offset);
    }

    [Fact]
    public void An_advance_fires_each_timer_that_fell_due_once_in_due_order_and_leaves_later_ones()
    {
        var clock = new TestClock(new ManualTimeProvider(Start));
        var fired = new List<string>();
        using var late = clock.CreateTimer(_ => fired.Add("day 10"), null, TimeSpan.FromDays(10), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add("day 2"), null, TimeSpan.FromDays(2), Timeout.InfiniteTimeSpan);
        using var after = clock.CreateTimer(_ => fired.Add("day 40"), null, TimeSpan.FromDays(40), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromDays(31));
        clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(["day 2", "day 10"], fired);
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_advance_and_re_arms_from_the_new_time()
    {
        var clock = new TestClock(new ManualTimeProvider(Start));
        var ticks = 0;
        using var timer = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, ticks);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, ticks);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, ticks);
    }

    [Fact]
    public void The_real_clock_wakes_a_timer_when_its_time_comes()
    {
        var real = new ManualTimeProvider(Start);
        var clock = new TestClock(real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromHours(2), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, fired);
        real.Advance(TimeSpan.FromHours(1));

        Assert.Equal(1, fired);
    }

    [Fact]
    public void A_disarmed_or_disposed_timer_never_fires_and_the_clock_never_goes_back()
    {
        var clock = new TestClock(new ManualTimeProvider(Start));
        var fired = 0;
        var disarmed = clock.CreateTimer(_ => fired++, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        var disposed = clock.CreateTimer(_ => fired++, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        disarmed.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        disposed.Dispose();

        clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(0, fired);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
        disarmed.Dispose();
    }
}
