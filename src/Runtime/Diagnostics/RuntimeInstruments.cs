using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ArActors.Runtime.Diagnostics;

/// <summary>The runtime's meter and activity source, both named <c>ArActors.Runtime</c>.</summary>
public static class RuntimeInstruments
{
    public const string Name = "ArActors.Runtime";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Calls = Meter.CreateCounter<long>("aractors.grain.calls", description: "Grain calls completed");

    internal static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>("aractors.grain.call.duration", "ms", "Grain call duration");

    internal static readonly UpDownCounter<long> ActiveActivations = Meter.CreateUpDownCounter<long>("aractors.activations.active", description: "Live activations");

    internal static readonly Counter<long> Activations = Meter.CreateCounter<long>("aractors.activations.created", description: "Activations created");

    internal static readonly Counter<long> Deactivations = Meter.CreateCounter<long>("aractors.activations.deactivated", description: "Activations deactivated");

    internal static readonly Counter<long> ReminderTicks = Meter.CreateCounter<long>("aractors.reminders.ticks", description: "Reminder ticks delivered");

    internal static readonly Histogram<double> ReminderLateness = Meter.CreateHistogram<double>("aractors.reminders.lateness", "ms", "Delivery time minus scheduled time");

    internal static readonly Counter<long> StorageOperations = Meter.CreateCounter<long>("aractors.storage.operations", description: "Store operations");

    internal static readonly Histogram<double> StorageLatency = Meter.CreateHistogram<double>("aractors.storage.duration", "ms", "Store operation latency");

    internal static readonly Counter<long> StorageTransactions = Meter.CreateCounter<long>("aractors.storage.transactions", description: "Group-commit transactions run");

    internal static readonly Counter<long> StorageBatched = Meter.CreateCounter<long>("aractors.storage.batched", description: "Write operations carried by those transactions");

    internal static readonly UpDownCounter<long> MailboxQueued = Meter.CreateUpDownCounter<long>("aractors.mailbox.queued", description: "Requests waiting in mailboxes");

    internal static void RecordStorage(string operation, string provider, long startedTimestamp)
    {
        var tags = new TagList { { "operation", operation }, { "provider", provider } };
        StorageOperations.Add(1, tags);
        StorageLatency.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, tags);
    }
}
