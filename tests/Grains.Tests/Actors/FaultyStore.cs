using ArActors.Runtime.Storage;
using ArActors.TestKit;

namespace ArActors.Grains.Tests.Actors;

/// <summary>An in-memory store whose state writes fail for one grain type while <see cref="FailWritesOf"/> names it.</summary>
internal sealed class FaultyStore() : DelegatingStore(new InMemoryStore())
{
    public volatile string? FailWritesOf;

    public override string ProviderName => "faulty-" + Inner.ProviderName;

    public override Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) =>
        id.GrainType == FailWritesOf
            ? Task.FromException<StateWriteResult>(new IOException($"injected: the store is unreachable for {id.GrainType}"))
            : Inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);
}
