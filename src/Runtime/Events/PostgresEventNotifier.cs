using System.Threading.Channels;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ArActors.Runtime.Events;

/// <summary>
/// Wakes event readers in every process sharing a PostgreSQL database: commits here wake local watchers at once and
/// send NOTIFY (topic names only); a LISTEN connection wakes local watchers for commits made elsewhere. The event log
/// stays the source of truth: a woken reader re-reads it, so a lost, late or doubled signal causes no gap or duplicate,
/// and after a reconnect every watched topic is woken because signals may have been missed meanwhile.
/// </summary>
public sealed class PostgresEventNotifier : IEventCommitNotifier, IAsyncDisposable
{
    private const int MaxPayloadBytes = 7900;
    private readonly InProcessEventNotifier _local = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly ILogger _logger;
    private readonly Channel<string> _outgoing = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _sender;
    private Task? _listener;

    /// <param name="channel">The NOTIFY channel; processes of one deployment must use the same (default <c>aractors_events</c>).</param>
    public PostgresEventNotifier(string connectionString, ILogger<PostgresEventNotifier>? logger = null, string channel = "aractors_events")
    {
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { KeepAlive = 10 }.ConnectionString);
        _channel = channel;
        _logger = logger ?? NullLogger<PostgresEventNotifier>.Instance;
    }

    /// <summary>Completes once the first LISTEN is in place (tests wait for it before committing elsewhere).</summary>
    public Task Listening => _listening.Task;

    /// <summary>Starts the LISTEN loop and the NOTIFY sender; idempotent.</summary>
    public void Start()
    {
        lock (_outgoing)
        {
            _sender ??= Task.Run(SendLoopAsync);
            _listener ??= Task.Run(ListenLoopAsync);
        }
    }

    public void NotifyCommitted(IReadOnlyList<StoredEvent> events)
    {
        _local.NotifyCommitted(events);
        foreach (var topic in events.Select(e => e.Topic).Distinct(StringComparer.Ordinal))
        {
            _outgoing.Writer.TryWrite(topic);
        }
    }

    public IDisposable Watch(string topic, Action onCommitted) => _local.Watch(topic, onCommitted);

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        await _stopping.CancelAsync();
        foreach (var task in new[] { _sender, _listener })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await _dataSource.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task SendLoopAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                // Everything queued meanwhile goes in one round trip, each topic once.
                var topics = new HashSet<string>(StringComparer.Ordinal);
                while (reader.TryRead(out var topic))
                {
                    topics.Add(topic);
                }

                var payloads = topics.Select(t => _origin + "|" + t).Where(p => System.Text.Encoding.UTF8.GetByteCount(p) <= MaxPayloadBytes).ToArray();
                try
                {
                    await using var command = _dataSource.CreateCommand("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p");
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _channel });
                    command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = payloads });
                    await command.ExecuteNonQueryAsync(_stopping.Token);
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
                {
                    // Other processes miss this wake-up; their readers still catch up at the next commit or reconnect.
                    _logger.LogWarning(exception, "NOTIFY of {Count} topics failed", payloads.Length);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ListenLoopAsync()
    {
        var retry = TimeSpan.FromMilliseconds(200);
        var first = true;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(_stopping.Token);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN \"{_channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stopping.Token);
                }

                _listening.TrySetResult();
                if (!first)
                {
                    // Commits elsewhere while we were not listening sent signals we never got: wake every reader once.
                    _local.WakeTopics(_local.WatchedTopics());
                }

                first = false;
                retry = TimeSpan.FromMilliseconds(200);
                while (true)
                {
                    await connection.WaitAsync(_stopping.Token);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                first = false;
                _logger.LogWarning(exception, "LISTEN {Channel} lost; reconnecting in {Delay}", _channel, retry);
                try
                {
                    // Real time even under a manual clock: reconnecting is infrastructure, not engine logic.
                    await Task.Delay(retry, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private void OnNotification(string payload)
    {
        var bar = payload.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0 || payload.AsSpan(0, bar).SequenceEqual(_origin))
        {
            // Our own commit: local watchers were woken when it committed.
            return;
        }

        _local.WakeTopics([payload[(bar + 1)..]]);
    }
}
