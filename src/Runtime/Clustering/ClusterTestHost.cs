using ArActors.Runtime.Testing;

namespace ArActors.Runtime.Clustering;

/// <summary>
/// Several <see cref="MembershipAgent"/>s over one table and one manual clock, for tests. Time moves in small steps
/// and each step waits for every agent's round to finish, so a slow (PostgreSQL) table sees the same schedule as an
/// in-memory one.
/// </summary>
public sealed class ClusterTestHost(IMembershipTable table, ManualTimeProvider clock, MembershipOptions? options = null) : IAsyncDisposable
{
    private readonly List<MembershipAgent> _agents = [];

    public static TimeSpan DefaultStep { get; } = TimeSpan.FromMilliseconds(100);

    public IMembershipTable Table => table;

    public ManualTimeProvider Clock => clock;

    public IReadOnlyList<MembershipAgent> Agents => _agents;

    /// <summary>Starts a silo at <paramref name="endpoint"/>; its generation is the clock's ticks unless given.</summary>
    public async Task<MembershipAgent> StartSiloAsync(string endpoint, long? generation = null, IMembershipTable? tableOverride = null)
    {
        var agent = new MembershipAgent(new SiloAddress(endpoint, generation ?? clock.GetUtcNow().UtcTicks), tableOverride ?? table, clock, options);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    /// <summary>Stops the silo's loops without leaving, as a crash would.</summary>
    public Task KillAsync(MembershipAgent agent) => agent.KillAsync();

    /// <summary>Moves the clock by <paramref name="duration"/> in steps, letting every round finish after each step.</summary>
    public async Task AdvanceAsync(TimeSpan duration, TimeSpan? step = null)
    {
        var end = clock.GetUtcNow() + duration;
        while (clock.GetUtcNow() < end)
        {
            var next = clock.GetUtcNow() + (step ?? DefaultStep);
            clock.SetUtcNow(next < end ? next : end);
            await SettleAsync();
        }
    }

    /// <summary>Advances until <paramref name="condition"/> holds; returns the time it took, or null if it did not within <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> AdvanceUntilAsync(Func<bool> condition, TimeSpan limit, TimeSpan? step = null)
    {
        var start = clock.GetUtcNow();
        while (!condition())
        {
            if (clock.GetUtcNow() - start >= limit)
            {
                return null;
            }

            await AdvanceAsync(step ?? DefaultStep, step);
        }

        return clock.GetUtcNow() - start;
    }

    public Task SettleAsync() => Task.WhenAll(_agents.Select(a => a.WhenIdleAsync()));

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }
}
