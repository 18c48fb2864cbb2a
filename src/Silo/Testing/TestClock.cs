namespace ArActors.Silo.Testing;

/// <summary>
/// The engine's clock for end-to-end tests: real time plus an offset that only grows. It runs on its own, so
/// background work (projector, hub, timeouts) behaves as in production, and <see cref="Advance"/> jumps it forward,
/// firing every timer that fell due on the way once, in due order (periodic ones then re-arm from the new time), so
/// reminders, grain timers and ladders follow the jump as a catch-up.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly HashSet<ClockTimer> _armed = [];
    private readonly TimeProvider _real;
    private TimeSpan _offset;

    public TestClock(TimeProvider real) => _real = real;

    public TestClock() : this(System) { }

    public TimeSpan Offset
    {
        get
        {
            lock (_gate)
            {
                return _offset;
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _real.TimestampFrequency;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _real.GetUtcNow() + _offset;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _real.GetTimestamp() + (long)(_offset.TotalSeconds * _real.TimestampFrequency);
        }
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/> and fires what fell due; returns the new time.</summary>
    public DateTimeOffset Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        List<ClockTimer> due;
        DateTimeOffset now;
        lock (_gate)
        {
            _offset += delta;
            now = _real.GetUtcNow() + _offset;
            due = [.. _armed.Where(t => t.DueAt <= now).OrderBy(t => t.DueAt)];

            // The others are now closer in real time: their real wake-ups move earlier by the jump.
            foreach (var timer in _armed.Where(t => t.DueAt > now))
            {
                timer.Wake(now);
            }
        }

        foreach (var timer in due)
        {
            timer.FireIfDue();
        }

        return now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ClockTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>A timer due at a time on this clock: a real timer wakes it, and so does <see cref="Advance"/>.</summary>
    private sealed class ClockTimer : ITimer
    {
        private readonly TestClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _wake;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public ClockTimer(TestClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            _wake = clock._real.CreateTimer(static s => ((ClockTimer)s!).FireIfDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_clock._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _period = period;
                _clock._armed.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    _wake.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    return true;
                }

                Arm(_clock._real.GetUtcNow() + _clock._offset + dueTime);
                return true;
            }
        }

        /// <summary>Runs the callback when the clock has reached the due time (a real wake-up may come a little early).</summary>
        public void FireIfDue()
        {
            lock (_clock._gate)
            {
                var now = _clock._real.GetUtcNow() + _clock._offset;
                if (_disposed || !_clock._armed.Contains(this))
                {
                    return;
                }

                if (DueAt > now)
                {
                    _wake.Change(DueAt - now, Timeout.InfiniteTimeSpan);
                    return;
                }

                _clock._armed.Remove(this);
                if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
                {
                    Arm(now + _period);
                }
            }

            _callback(_state);
        }

        /// <summary>Re-arms the real wake-up for the due time as seen from <paramref name="now"/> (caller holds the clock's lock).</summary>
        public void Wake(DateTimeOffset now) => _wake.Change(DueAt - now, Timeout.InfiniteTimeSpan);

        private void Arm(DateTimeOffset dueAt)
        {
            DueAt = dueAt;
            _clock._armed.Add(this);
            var wait = dueAt - (_clock._real.GetUtcNow() + _clock._offset);
            _wake.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
        }

        public void Dispose()
        {
            lock (_clock._gate)
            {
                _disposed = true;
                _clock._armed.Remove(this);
            }

            _wake.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
