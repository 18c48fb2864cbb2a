using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Ledger;
using ArActors.Runtime;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArActors.Api.Imports;

public enum ImportStatus
{
    Running,
    Completed,
    Failed,

    /// <summary>The process running the job stopped before it finished; submitting the same file again completes it (rows are idempotent).</summary>
    Interrupted,
}

/// <summary>An import job as its URL shows it. Errors keep the first <see cref="ImportJobs.MaxReportedErrors"/> rows.</summary>
public sealed record ImportJobView(
    string Id,
    ImportFormat Format,
    ImportStatus Status,
    string SubmittedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    int TotalRows,
    int ProcessedRows,
    int SucceededRows,
    int FailedRows,
    ImmutableArray<ImportRowError> Errors)
{
    public int PercentDone => TotalRows == 0 ? 100 : (int)(100L * ProcessedRows / TotalRows);
}

/// <summary>Published on topic <see cref="ImportJobs.Topic"/> as a job starts, about every 5% of its rows, and when it ends.</summary>
public sealed record ImportProgressed(string JobId, ImportStatus Status, int TotalRows, int ProcessedRows, int FailedRows, int PercentDone);

/// <summary>
/// Runs imports in the background of the node that accepted them: rows of one account in file order (an account's
/// invoices before its payments), accounts in parallel. The job's state is kept in the durable store (so its URL
/// answers on any node) and its progress is published to the event outbox for the hub. Rows are ledger commands with
/// ids, so a job that was interrupted is completed by importing the same file again, with nothing applied twice.
/// </summary>
public sealed partial class ImportJobs(
    IGrainFactory grains,
    IDurableStore store,
    IEventCommitNotifier notifier,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ImportJobs> logger)
{
    public const string Topic = "imports";
    public const int MaxReportedErrors = 1000;
    private const string StateType = "api-import";
    private const int Parallelism = 8;
    private const int MaxAttempts = 4;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains = grains;
    private readonly IDurableStore _store = store;
    private readonly IEventCommitNotifier _notifier = notifier;
    private readonly TimeProvider _time = time;
    private readonly ILogger<ImportJobs> _logger = logger;

    internal async Task<ImportJobView> StartAsync(ImportFormat format, ParsedImport parsed, string submittedBy, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var id = "imp_" + Guid.CreateVersion7(now).ToString("N");
        var job = new Job(this, id, format, parsed, submittedBy, now);
        await job.SaveAsync(final: false, cancellationToken);
        var run = Task.Run(() => job.RunAsync(lifetime.ApplicationStopping), CancellationToken.None);
        _running[id] = run;
        _ = run.ContinueWith(_ => _running.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return job.View();
    }

    public async Task<ImportJobView?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var stored = await _store.ReadStateAsync(Id(id), cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var view = JsonSerializer.Deserialize<ImportJobView>(stored.Payload.Span, Json)!;
        return view.Status == ImportStatus.Running && !_running.ContainsKey(id) && _time.GetUtcNow() - view.UpdatedAt > TimeSpan.FromMinutes(1)
            ? view with { Status = ImportStatus.Interrupted }
            : view;
    }

    /// <summary>Completes when the job's background run has ended (tests and shutdown).</summary>
    public Task WhenFinishedAsync(string id) => _running.TryGetValue(id, out var run) ? run : Task.CompletedTask;

    private static GrainStateId Id(string jobId) => new(StateType, jobId, "job");

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {JobId} ({Format}) finished: {Succeeded} rows imported, {Failed} refused")]
    private static partial void LogFinished(ILogger logger, string jobId, ImportFormat format, int succeeded, int failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import {JobId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string jobId);

    private sealed class Job(ImportJobs owner, string id, ImportFormat format, ParsedImport parsed, string submittedBy, DateTimeOffset startedAt) : IDisposable
    {
        private readonly ConcurrentQueue<ImportRowError> _errors = new(parsed.Errors);
        private readonly SemaphoreSlim _saving = new(1, 1);
        private readonly int _step = Math.Max(1, parsed.TotalRows / 20);
        private int _processed = parsed.Errors.Select(e => e.Line).Distinct().Count();
        private int _failed = parsed.Errors.Select(e => e.Line).Distinct().Count();
        private ImportStatus _status = ImportStatus.Running;
        private DateTimeOffset? _finishedAt;
        private string? _etag;

        public ImportJobView View() => new(
            id, format, _status, submittedBy, startedAt, owner._time.GetUtcNow(), _finishedAt, parsed.TotalRows, Volatile.Read(ref _processed),
            Volatile.Read(ref _processed) - Volatile.Read(ref _failed), Volatile.Read(ref _failed),
            [.. _errors.OrderBy(e => e.Line).Take(MaxReportedErrors)]);

        public async Task RunAsync(CancellationToken stopping)
        {
            try
            {
                var meta = CommandMeta.System($"import {id} by {submittedBy}");
                var accounts = parsed.Rows.GroupBy(r => r.CustomerId, StringComparer.Ordinal);
                await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stopping }, async (rows, _) =>
                {
                    var account = owner._grains.GetGrain<IAccountGrain>(rows.Key);
                    foreach (var row in rows)
                    {
                        await RunRowAsync(account, row, meta);
                        if (Interlocked.Increment(ref _processed) % _step == 0)
                        {
                            await SaveAsync(final: false, CancellationToken.None);
                        }
                    }
                });
                _status = ImportStatus.Completed;
                LogFinished(owner._logger, id, format, _processed - _failed, _failed);
            }
            catch (Exception e)
            {
                _status = stopping.IsCancellationRequested ? ImportStatus.Interrupted : ImportStatus.Failed;
                LogFailed(owner._logger, e, id);
            }

            _finishedAt = owner._time.GetUtcNow();
            await SaveAsync(final: true, CancellationToken.None);
            Dispose();
        }

        public void Dispose() => _saving.Dispose();

        private async Task RunRowAsync(IAccountGrain account, ImportRow row, CommandMeta meta)
        {
            foreach (var step in row.Steps)
            {
                var result = await SendWithRetriesAsync(step, account, meta);

                if (!result.Accepted)
                {
                    _errors.Enqueue(new ImportRowError(row.Line, result.Error!.Field, $"{step.What}: {result.Error.Message} ({result.Error.Code})"));
                    Interlocked.Increment(ref _failed);
                    return;
                }
            }
        }

        /// <summary>
        /// A step that threw (a timeout, a store hiccup, an invoice push that failed after the account committed) is sent
        /// again: ledger commands carry ids, so a repeat applies nothing twice and completes what the first one left.
        /// </summary>
        private static async Task<CommandResult> SendWithRetriesAsync(ImportStep step, IAccountGrain account, CommandMeta meta)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await step.Send(account, meta);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (attempt == MaxAttempts)
                    {
                        return CommandResult.Refused(LedgerError.Of("row", "engine_error", $"{step.What} failed {MaxAttempts} times: {e.Message}"));
                    }

                    // Real time on purpose: this waits out a transient fault, it is not business time.
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
            }
        }

        /// <summary>Writes the job and publishes its progress; a save already under way makes an intermediate one unnecessary.</summary>
        public async Task SaveAsync(bool final, CancellationToken cancellationToken)
        {
            if (!final && _etag is not null && !await _saving.WaitAsync(0, cancellationToken))
            {
                return;
            }

            if (final || _etag is null)
            {
                await _saving.WaitAsync(cancellationToken);
            }

            try
            {
                var view = View();
                var progress = new ImportProgressed(id, view.Status, view.TotalRows, view.ProcessedRows, view.FailedRows, view.PercentDone);
                var draft = new EventDraft(Topic, nameof(ImportProgressed), StateType, id, JsonSerializer.SerializeToUtf8Bytes(progress, Json), owner._time.GetUtcNow());
                var written = await owner._store.WriteStateAsync(Id(id), JsonSerializer.SerializeToUtf8Bytes(view, Json), _etag, [draft], cancellationToken);
                _etag = written.Etag;
                owner._notifier.NotifyCommitted(written.Events);
            }
            finally
            {
                _saving.Release();
            }
        }
    }
}
