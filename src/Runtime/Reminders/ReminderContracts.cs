namespace ArActors.Runtime;

/// <summary>Implemented by grains that register reminders.</summary>
public interface IRemindable
{
    /// <summary>One tick. Delivery is at least once: handlers must be idempotent (key them by <see cref="TickStatus.ScheduledTime"/>).</summary>
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>
/// What a reminder tick stands for. A normal tick covers one occurrence. Occurrences that fell due while no silo was
/// running are delivered once, as a catch-up tick: <see cref="ScheduledTime"/> is the first missed occurrence,
/// <see cref="Occurrences"/> how many it covers, and the schedule then continues after <see cref="CurrentTickTime"/>.
/// </summary>
public readonly record struct TickStatus(
    DateTimeOffset FirstTickTime,
    TimeSpan Period,
    DateTimeOffset ScheduledTime,
    DateTimeOffset CurrentTickTime,
    int Occurrences,
    bool IsCatchUp)
{
    /// <summary>The last occurrence this tick covers.</summary>
    public DateTimeOffset LastScheduledTime => ScheduledTime + (Period * (Occurrences - 1));
}

/// <summary>A registered reminder as a grain sees it.</summary>
public interface IGrainReminder
{
    string ReminderName { get; }

    DateTimeOffset FirstDue { get; }

    TimeSpan Period { get; }

    DateTimeOffset NextDue { get; }
}

internal sealed record GrainReminder(string ReminderName, DateTimeOffset FirstDue, TimeSpan Period, DateTimeOffset NextDue) : IGrainReminder;
