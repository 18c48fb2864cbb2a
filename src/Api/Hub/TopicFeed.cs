using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace ArActors.Api.Hub;

/// <summary>The one runtime subscription of a topic in this process; it offers each event to every member, never waiting.</summary>
internal sealed class TopicFeed(string topic, IEventStream stream, IEventLog log, ILogger logger) : IDisposable
{
    // Store outages are I/O: retried on the real clock, like the runtime's call timeouts.
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TopicSubscription[] _members = [];

    /// <summary>Completes when the feed has fixed its start (the topic's head); every later commit reaches the members.</summary>
    public Task Ready => _ready.Task;

    public bool IsEmpty => _members.Length == 0;

    // Add and Remove run under the fan-out's lock; the loop reads the array without one.
    public void Add(TopicSubscription member) => _members = [.. _members, member];

    public bool Remove(TopicSubscription member)
    {
        var before = _members.Length;
        _members = [.. _members.Where(m => !ReferenceEquals(m, member))];
        return _members.Length != before;
    }

    private Task _loop = Task.CompletedTask;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Ends the runtime subscription; called once, when the last member left.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Dispose();
    }

    public void Dispose() => _stop.Dispose();

    private async Task RunAsync()
    {
        var cancellationToken = _stop.Token;
        long last;
        try
        {
            last = await log.GetLastSequenceAsync(topic, cancellationToken);
            _ready.TrySetResult();
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var stored in stream.SubscribeAsync(topic, last, cancellationToken))
                {
                    last = stored.Sequence;
                    foreach (var member in Volatile.Read(ref _members))
                    {
                        member.Offer(stored);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Event feed of topic {Topic} failed after sequence {Sequence}; retrying.", topic, last);
                try
                {
                    await Task.Delay(RetryDelay, TimeProvider.System, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
