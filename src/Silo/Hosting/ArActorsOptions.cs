using System.ComponentModel.DataAnnotations;

namespace ArActors.Silo.Hosting;

/// <summary>What this process hosts. Combined is the default single process: silo, API, hub and dashboard.</summary>
public enum HostRole
{
    Combined,
    Silo,
    Api,
}

/// <summary>The <c>ArActors</c> configuration section (environment variables: <c>ArActors__Key</c>).</summary>
public sealed class ArActorsOptions
{
    public const string SectionName = "ArActors";

    public HostRole Role { get; set; } = HostRole.Combined;

    /// <summary>Folder of the embedded SQLite store, relative to the content root (src/Silo under dotnet run); used when no PostgreSQL connection string is set.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Fill an empty store with a generated portfolio (also <c>--demo</c> or <c>ARACTORS_DEMO=1</c>).</summary>
    public bool Demo { get; set; }

    /// <summary>
    /// End-to-end tests only: the engine's clock becomes a test clock that <c>POST /api/v1/test-clock/advance</c>
    /// (admin) moves forward. Refused at start in the Production environment.
    /// </summary>
    public bool TestClock { get; set; }

    public const int DefaultDemoSimulatorSeconds = 5;

    /// <summary>
    /// Demo mode's simulator: seconds between its rounds of payments, promises and calls; 0 (the default) is off, and
    /// the <c>--demo</c> switch sets <see cref="DefaultDemoSimulatorSeconds"/> unless the command line gives a value.
    /// </summary>
    [Range(0, 3600)]
    public int DemoSimulatorSeconds { get; set; }

    /// <summary>How many accounts demo mode generates.</summary>
    [Range(0, 200_000)]
    public int DemoAccounts { get; set; } = 3000;

    /// <summary>Seconds a start-up store check may take before the process gives up with a clear message.</summary>
    [Range(1, 300)]
    public int StartupCheckSeconds { get; set; } = 10;

    /// <summary>
    /// Role Silo: the URL other silos forward grain calls to (<c>http://10.0.0.5:5080</c>). Defaults to the first
    /// <c>Urls</c> entry when that names a concrete host.
    /// </summary>
    public string? ClusterEndpoint { get; set; }
}
