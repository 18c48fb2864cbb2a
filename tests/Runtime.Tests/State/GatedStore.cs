using ArActors.Runtime.Storage;
using ArActors.TestKit;

namespace ArActors.Runtime.Tests.State;

/// <summary>
/// A store (in memory, or any other one it wraps) that counts state writes per grain type and can hold or fail them:
/// while <see cref="Hold"/> is set, writes wait for it; while <see cref="FailWrites"/> is set, they fail without storing.
/// </summary>
internal sealed class GatedStore(IDurableStore inner) : DelegatingStore(inner)
{
    private int _writes;

    public GatedStore() : this(new InMemoryStore()) { }

    public volatile TaskCompletionSource? Hold;

    public volatile bool FailWrites;

    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Completes when a write is waiting on <see cref="Hold"/>.</summary>
    public TaskCompletionSource WriteWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        if (Hold is { } hold)
        {
            WriteWaiting.TrySetResult();
            await hold.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }

        if (FailWrites)
        {
            throw new IOException($"injected: the store is unreachable for {id.GrainType}");
        }

        return await Inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);
    }
}
