using System.Collections.Concurrent;

namespace ArActors.Runtime.Tests.State;

public sealed record CustomerProfile(string Name, decimal CreditLimit, int Version);

public interface IProfileGrain : IGrainWithStringKey
{
    Task Rename(string name, decimal creditLimit);

    Task<CustomerProfile> Get();

    Task<bool> Exists();

    Task Clear();

    Task LeaveNow();
}

public sealed class ProfileGrain([PersistentState("profile")] IPersistentState<CustomerProfile> profile) : Grain, IProfileGrain
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Lifecycle = new();

    public static string[] LifecycleOf(string key) => Lifecycle.TryGetValue(key, out var log) ? [.. log] : [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Record($"activate:{profile.State.Name}:{profile.RecordExists}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Record("deactivate:" + reason);
        return Task.CompletedTask;
    }

    public async Task Rename(string name, decimal creditLimit)
    {
        profile.State = profile.State with { Name = name, CreditLimit = creditLimit, Version = profile.State.Version + 1 };
        await profile.WriteStateAsync();
    }

    public Task<CustomerProfile> Get() => Task.FromResult(profile.State);

    public Task<bool> Exists() => Task.FromResult(profile.RecordExists);

    public Task Clear() => profile.ClearStateAsync();

    public Task LeaveNow()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void Record(string entry) => Lifecycle.GetOrAdd(GrainKey, _ => new ConcurrentQueue<string>()).Enqueue(entry);
}

public interface IShortLivedGrain : IGrainWithStringKey
{
    Task<string> Touch();
}

[CollectionAgeLimit(Minutes = 2)]
public sealed class ShortLivedGrain : Grain, IShortLivedGrain
{
    public Task<string> Touch() => Task.FromResult(GrainKey);
}
