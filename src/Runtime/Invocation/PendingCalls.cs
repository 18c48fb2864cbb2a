using System.Diagnostics;

namespace ArActors.Runtime;

/// <summary>A call waiting for its answer, as the timeout sweeper sees it.</summary>
internal interface IPendingCall
{
    long Deadline { get; set; }

    int PendingSlot { get; set; }

    void TimeOut(TimeSpan timeout);
}

/// <summary>
/// Response timeouts without a timer per call: calls wait in lock-striped sets and one sweeper fails the expired ones.
/// A call times out between <c>timeout</c> and <c>timeout + sweep period</c> after it was sent.
/// </summary>
internal sealed class PendingCalls : IDisposable
{
    private const int Stripes = 16;
    private readonly HashSet<IPendingCall>[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new HashSet<IPendingCall>(ReferenceEqualityComparer.Instance))];
    private readonly TimeSpan _timeout;
    private readonly long _timeoutTicks;
    private readonly ITimer? _sweeper;

    public PendingCalls(TimeSpan timeout)
    {
        _timeout = timeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 8, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));

        // Response timeouts are real time even under a manual clock, so a stuck call ends in tests too.
        _sweeper = TimeProvider.System.CreateTimer(static s => ((PendingCalls)s!).Sweep(), this, period, period);
    }

    public void Add(IPendingCall call)
    {
        if (_sweeper is null)
        {
            return;
        }

        var slot = Environment.CurrentManagedThreadId & (Stripes - 1);
        call.PendingSlot = slot;
        call.Deadline = Stopwatch.GetTimestamp() + _timeoutTicks;
        var stripe = _stripes[slot];
        lock (stripe)
        {
            stripe.Add(call);
        }
    }

    public void Remove(IPendingCall call)
    {
        if (call.PendingSlot < 0)
        {
            return;
        }

        var stripe = _stripes[call.PendingSlot];
        lock (stripe)
        {
            stripe.Remove(call);
        }
    }

    public void Dispose() => _sweeper?.Dispose();

    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        List<IPendingCall>? expired = null;
        foreach (var stripe in _stripes)
        {
            lock (stripe)
            {
                foreach (var call in stripe)
                {
                    if (call.Deadline <= now)
                    {
                        (expired ??= []).Add(call);
                    }
                }

                if (expired is not null)
                {
                    foreach (var call in expired)
                    {
                        stripe.Remove(call);
                    }
                }
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var call in expired)
        {
            call.TimeOut(_timeout);
        }
    }
}
