using System.Text.Json;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime;

/// <summary>Settings of one silo. Defaults suit production; tests shorten timeouts and periods.</summary>
public sealed class SiloOptions
{
    public const string DefaultStorageName = "Default";

    /// <summary>How long a caller waits for a grain call before it gets a <see cref="TimeoutException"/>. Measured on the real clock.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an activation may sit idle before it is deactivated.</summary>
    public TimeSpan DefaultIdleAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Idle age per durable grain type name; wins over <see cref="CollectionAgeLimitAttribute"/>.</summary>
    public Dictionary<string, TimeSpan> IdleAgeByGrainType { get; } = new(StringComparer.Ordinal);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The shortest reminder period accepted.</summary>
    public TimeSpan ReminderMinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Reminders due within this window are held in memory and scheduled on the clock.</summary>
    public TimeSpan ReminderLookAhead { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the reminder table is read for reminders entering the window. Defaults to half the look-ahead.</summary>
    public TimeSpan? ReminderRefreshInterval { get; set; }

    /// <summary>Rows per reminder table query (keyset paging).</summary>
    public int ReminderPageSize { get; set; } = 1000;

    /// <summary>The most reminders held in memory; more due ones are loaded as these are delivered.</summary>
    public int ReminderWindowCapacity { get; set; } = 50_000;

    /// <summary>How long to wait before retrying a reminder tick that timed out or found no silo.</summary>
    public TimeSpan ReminderRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The grain-hash range whose reminders this silo delivers; a cluster splits the ring between silos.</summary>
    public HashRange ReminderHashRange { get; set; } = HashRange.Full;

    /// <summary>Serializer for persistent state and events; add source-generated contexts to its resolver chain.</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}
