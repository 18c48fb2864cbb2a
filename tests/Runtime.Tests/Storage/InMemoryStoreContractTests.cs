using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Storage;

/// <summary>The in-memory store (tests' default) keeps the same contract as the durable providers, except durability.</summary>
public sealed class InMemoryStoreContractTests : DurableStoreContract
{
    protected override bool Persists => false;

    protected override IDurableStore CreateStore() => new InMemoryStore();

    protected override Func<IDurableStore> CreateFreshStorage() => () => new InMemoryStore();
}
