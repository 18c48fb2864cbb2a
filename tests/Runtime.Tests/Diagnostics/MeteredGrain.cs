namespace ArActors.Runtime.Tests.Diagnostics;

public interface IMeteredGrain : IGrainWithStringKey
{
    Task Hit();
}

public sealed class MeteredGrain : Grain, IMeteredGrain
{
    public Task Hit() => Task.CompletedTask;
}
