using System.Collections.Concurrent;

namespace ArActors.Runtime.Tests.Reminders;

public sealed record TickRecord(string Reminder, DateTimeOffset ScheduledTime, bool IsCatchUp, int Occurrences, DateTimeOffset DeliveredAt);

public sealed record ReminderLog(TickRecord[] Applied, int Deliveries);

public interface IDunningGrain : IGrainWithStringKey
{
    Task Schedule(string reminder, TimeSpan dueTime, TimeSpan period);

    Task Cancel(string reminder);

    /// <summary>Stages the registration for a state write; <paramref name="write"/> false ends the turn without one.</summary>
    Task ScheduleWithState(string reminder, TimeSpan dueTime, TimeSpan period, bool write);

    Task CancelWithState(string reminder);

    Task<string[]> ListReminders();

    Task<ReminderLog> Log();
}

/// <summary>Applies each occurrence once, keyed by its scheduled time, however often it is delivered.</summary>
public sealed class DunningGrain([PersistentState("reminders")] IPersistentState<ReminderLog> log) : Grain, IDunningGrain, IRemindable
{
    public async Task Schedule(string reminder, TimeSpan dueTime, TimeSpan period) => await RegisterOrUpdateReminder(reminder, dueTime, period);

    public Task Cancel(string reminder) => UnregisterReminder(reminder);

    public async Task ScheduleWithState(string reminder, TimeSpan dueTime, TimeSpan period, bool write)
    {
        RegisterOrUpdateReminderWithState(reminder, dueTime, period);
        if (write)
        {
            await log.WriteStateAsync();
        }
    }

    public async Task CancelWithState(string reminder)
    {
        UnregisterReminderWithState(reminder);
        await log.WriteStateAsync();
    }

    public async Task<string[]> ListReminders() => [.. (await GetReminders()).Select(r => r.ReminderName)];

    public Task<ReminderLog> Log() => Task.FromResult(log.State);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var applied = log.State.Applied ?? [];
        var alreadyApplied = applied.Any(t => t.Reminder == reminderName && t.ScheduledTime == status.ScheduledTime);
        log.State = new ReminderLog(
            alreadyApplied ? applied : [.. applied, new TickRecord(reminderName, status.ScheduledTime, status.IsCatchUp, status.Occurrences, TimeProvider.GetUtcNow())],
            log.State.Deliveries + 1);
        await log.WriteStateAsync();
    }
}

public interface IPagedReminderGrain : IGrainWithStringKey
{
    Task<int> Noop();
}

/// <summary>Counts ticks in memory (statics) so 20,000 reminders stay cheap.</summary>
public sealed class PagedReminderGrain : Grain, IPagedReminderGrain, IRemindable
{
    public static ConcurrentDictionary<(string Key, string Name, DateTimeOffset Scheduled), int> Ticks { get; } = new();

    /// <summary>The ticks of the grains whose keys are "<paramref name="prefix"/>-...", one test's reminders.</summary>
    public static List<KeyValuePair<(string Key, string Name, DateTimeOffset Scheduled), int>> TicksOf(string prefix) =>
        [.. Ticks.Where(t => t.Key.Key.StartsWith(prefix + "-", StringComparison.Ordinal))];

    /// <summary>Each of the <paramref name="minutes"/> minutes from <paramref name="first"/> ticked <paramref name="count"/> of the prefix's reminders, each once, and nothing else ticked.</summary>
    public static void AssertEachMinuteTickedOnce(string prefix, DateTimeOffset first, int minutes, int count)
    {
        var ticks = TicksOf(prefix);
        foreach (var minute in Enumerable.Range(0, minutes).Select(m => first.AddMinutes(m)))
        {
            Assert.Equal(count, ticks.Count(t => t.Key.Scheduled == minute));
        }

        Assert.All(ticks, t => Assert.Equal(1, t.Value));
        Assert.Equal(minutes * count, ticks.Count);
    }

    public Task<int> Noop() => Task.FromResult(0);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.AddOrUpdate((GrainKey, reminderName, status.ScheduledTime), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
