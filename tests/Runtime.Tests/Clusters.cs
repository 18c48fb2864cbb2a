using ArActors.Runtime.Testing;

namespace ArActors.Runtime.Tests;

/// <summary>Starts a test cluster over this assembly's grains with test-friendly options.</summary>
internal static class Clusters
{
    public static Task<TestCluster> StartAsync(Action<TestClusterOptions>? configure = null) =>
        TestCluster.StartAsync(options =>
        {
            options.GrainAssemblies.Add(typeof(Clusters).Assembly);
            options.ConfigureSilo = silo =>
            {
                silo.ResponseTimeout = TimeSpan.FromSeconds(2);
                silo.ReminderMinimumPeriod = TimeSpan.Zero;
            };
            configure?.Invoke(options);
        });

    public static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>Signals between a test and grain code running on the silo, keyed by grain key and label.</summary>
internal static class Gates
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> All = new();

    public static TaskCompletionSource Get(string name) =>
        All.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static Task WaitAsync(string name) => Get(name).Task.WaitAsync(TimeSpan.FromSeconds(10));

    public static void Open(string name) => Get(name).TrySetResult();
}
