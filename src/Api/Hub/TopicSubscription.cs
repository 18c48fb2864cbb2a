using System.Threading.Channels;
using ArActors.Api.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace ArActors.Api.Hub;

/// <summary>
/// One subscriber's view of one topic: catch-up from the log, then live events from the shared feed through a bounded
/// buffer. Everything sent is deduplicated by sequence and gap-checked, so the catch-up/live seam neither repeats nor
/// skips an event.
/// </summary>
internal sealed class TopicSubscription(EventFanout fanout, IEventSubscriber subscriber, string topic, long afterSequence, int capacity) : IDisposable
{
    private const int PageSize = 500;

    // A client that cannot take the resync notice within this time is closed without it.
    private static readonly TimeSpan ResyncSendTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<StoredEvent> _live = Channel.CreateBounded<StoredEvent>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _overflow = new();
    private Task _pump = Task.CompletedTask;
    private volatile bool _overflowed;
    private long _lastSent;

    public string Topic => topic;

    private string FellBehind => $"The client fell more than {capacity} events behind on '{topic}'.";

    public IEventSubscriber Subscriber => subscriber;

    public void Start() => _pump = Task.Run(PumpAsync);

    /// <summary>Stops the pump and waits for it; called once, by whoever removed the subscription from the fan-out.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        Dispose();
    }

    public void Dispose()
    {
        _stop.Dispose();
        _overflow.Dispose();
    }

    /// <summary>Called by the feed for every committed event; never blocks. A full buffer ends the subscription.</summary>
    public void Offer(StoredEvent stored)
    {
        if (!_live.Writer.TryWrite(stored) && !_stop.IsCancellationRequested && !_overflowed)
        {
            _overflowed = true;
            _live.Writer.TryComplete();

            // Also interrupts a send the client is not taking; callbacks run off the feed's thread.
            try
            {
                _ = _overflow.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // Stopped meanwhile: nothing left to interrupt.
            }
        }
    }

    private async Task PumpAsync()
    {
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _overflow.Token);
        var cancellationToken = halt.Token;
        var last = _lastSent = afterSequence;
        var attached = false;
        try
        {
            // Catch up before joining the feed so a long backlog never fills the live buffer.
            last = await CopyFromLogAsync(last, long.MaxValue, cancellationToken);
            attached = true;
            await fanout.AttachAsync(this);

            // Commits between the first read and joining the feed are in the log; duplicates with the buffer are skipped below.
            last = await CopyFromLogAsync(last, long.MaxValue, cancellationToken);
            await foreach (var stored in _live.Reader.ReadAllAsync(cancellationToken))
            {
                if (_overflowed)
                {
                    break;
                }

                if (stored.Sequence <= last)
                {
                    continue;
                }

                if (stored.Sequence > last + 1)
                {
                    last = await CopyFromLogAsync(last, stored.Sequence - 1, cancellationToken);
                }

                await SendAsync(stored, cancellationToken);
                last = stored.Sequence;
            }

            if (_overflowed)
            {
                await ResyncAsync(FellBehind);
            }
        }
        catch (OperationCanceledException) when (_overflowed && !_stop.IsCancellationRequested)
        {
            await ResyncAsync(FellBehind);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Unsubscribed or disconnected.
        }
        catch (Exception ex)
        {
            fanout.Logger.LogWarning(ex, "Subscription of {Subscriber} to {Topic} failed after sequence {Sequence}.", subscriber.Id, topic, _lastSent);
            await ResyncAsync("The server could not continue this subscription.");
        }
        finally
        {
            if (attached)
            {
                fanout.Detach(this);
            }
        }
    }

    private async Task SendAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        await subscriber.SendAsync(EventMessage.From(stored), cancellationToken);
        _lastSent = stored.Sequence;
    }

    /// <summary>Tells the client to resume after the last event it was actually sent, also when a catch-up page was cut short.</summary>
    private async Task ResyncAsync(string reason)
    {
        fanout.Forget(this);
        using var timeout = new CancellationTokenSource(ResyncSendTimeout);
        try
        {
            await subscriber.ResyncAndCloseAsync(new ResyncRequired(topic, _lastSent, reason), timeout.Token);
        }
        catch (Exception ex)
        {
            fanout.Logger.LogDebug(ex, "Resync notice to {Subscriber} not delivered.", subscriber.Id);
        }
    }

    /// <summary>Sends logged events after <paramref name="after"/> up to <paramref name="upTo"/>; returns the last one sent.</summary>
    private async Task<long> CopyFromLogAsync(long after, long upTo, CancellationToken cancellationToken)
    {
        var last = after;
        while (true)
        {
            var page = await fanout.Stream.ReadAsync(topic, last, PageSize, cancellationToken);
            foreach (var stored in page)
            {
                if (stored.Sequence <= last)
                {
                    continue;
                }

                if (stored.Sequence > upTo)
                {
                    return last;
                }

                await SendAsync(stored, cancellationToken);
                last = stored.Sequence;
            }

            if (page.Count < PageSize)
            {
                return last;
            }
        }
    }
}
