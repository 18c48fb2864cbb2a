namespace ArActors.Runtime.Tests.Diagnostics;

public interface IMeteredGrain : IGrainWithStringKey
{
    Task Hit();

    Task Relay(string otherKey);
}

public sealed class MeteredGrain : Grain, IMeteredGrain
{
    public Task Hit() => Task.CompletedTask;

    public Task Relay(string otherKey) => GrainFactory.GetGrain<IMeteredGrain>(otherKey).Hit();
}
