using ArActors.Runtime;

namespace ArActors.Bench.Runtime;

public interface IPingGrain : IGrainWithStringKey
{
    Task<int> Ping(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    private int _calls;

    public Task<int> Ping(int value) => Task.FromResult(value + ++_calls);
}

public sealed record SmallState(decimal Balance, int Payments);

public interface ISmallStateGrain : IGrainWithStringKey
{
    Task<int> Payments();
}

public sealed class SmallStateGrain([PersistentState("small")] IPersistentState<SmallState> state) : Grain, ISmallStateGrain
{
    public Task<int> Payments() => Task.FromResult(state.State.Payments);
}
