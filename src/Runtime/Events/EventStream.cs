using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Events;

/// <summary>Committed events for host code: replay from a sequence, then live, in order, without gaps or duplicates.</summary>
public interface IEventStream
{
    /// <summary>Events of <paramref name="topic"/> after <paramref name="afterSequence"/>: the stored ones first, then new ones as they commit.</summary>
    IAsyncEnumerable<StoredEvent> SubscribeAsync(string topic, long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>One page of committed events (for <c>GET /events?after=N</c>).</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The sequence of the last committed event of <paramref name="topic"/> (0 when it has none).</summary>
    Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads from the durable log, which is the single source of order; the notifier only wakes the reader, so a missed or
/// duplicated signal can never cause a gap or a duplicate.
/// </summary>
public sealed class EventStream(IDurableStore store, IEventCommitNotifier notifier) : IEventStream
{
    private const int PageSize = 500;

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        store.ReadAsync(topic, afterSequence, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => store.GetLastSequenceAsync(topic, cancellationToken);

    public async IAsyncEnumerable<StoredEvent> SubscribeAsync(
        string topic,
        long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        // Watch before the first read so a commit between the read and the wait still wakes us.
        using var watch = notifier.Watch(topic, () => wake.Writer.TryWrite(true));
        var last = afterSequence;
        while (true)
        {
            var page = await store.ReadAsync(topic, last, PageSize, cancellationToken);
            foreach (var stored in page)
            {
                if (stored.Sequence <= last)
                {
                    continue;
                }

                last = stored.Sequence;
                yield return stored;
            }

            if (page.Count < PageSize)
            {
                await wake.Reader.ReadAsync(cancellationToken);
            }
        }
    }
}
