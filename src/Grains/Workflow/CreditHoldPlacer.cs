using System.Text.Json;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArActors.Grains.Workflow;

/// <summary>
/// Places the credit holds that ladder steps ask for. The step runs inside an invoice grain's turn, and the account
/// grain often waits on that invoice, so the invoice cannot call the account back; instead this service follows topic
/// <c>ledger</c> after a stored cursor and, for each <see cref="CreditHoldRequested"/>, puts an account that is
/// <see cref="AccountStatus.Active"/> on <see cref="AccountStatus.CreditHold"/> (an account in dispute, with an agency,
/// closed or already on hold is left as it is). At least once: the cursor is stored after every placed hold and every
/// page, a repeat finds the account already on hold and changes nothing. Run it once per cluster (a lease).
/// </summary>
public sealed partial class CreditHoldPlacer(IEventStream events, IDurableStore store, IGrainFactory grains, ILogger<CreditHoldPlacer> logger)
    : BackgroundService
{
    /// <summary>Where the cursor is stored.</summary>
    public static readonly GrainStateId CursorId = new("credit-hold-placer", "default", "cursor");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private string? _etag;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store or an account is unreachable: start again from the stored cursor (holds are idempotent).
                LogRetrying(logger, e);
                await Task.Delay(RetryAfter, stoppingToken);
            }
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ReadStateAsync(CursorId, cancellationToken);
        _etag = stored?.Etag;
        var cursor = stored is null ? 0 : JsonSerializer.Deserialize<long>(stored.Payload.Span, Json);
        var saved = cursor;
        await foreach (var e in events.SubscribeAsync(LedgerTopics.Ledger, cursor, cancellationToken))
        {
            if (e.EventType == nameof(CreditHoldRequested)
                && JsonSerializer.Deserialize<WorkflowEvent>(e.Payload.Span, Json) is CreditHoldRequested request)
            {
                await PlaceAsync(request);
                await SaveAsync(e.Sequence, cancellationToken);
                saved = e.Sequence;
            }
            else if (e.Sequence - saved >= 1_000)
            {
                await SaveAsync(e.Sequence, cancellationToken);
                saved = e.Sequence;
            }
        }
    }

    private async Task PlaceAsync(CreditHoldRequested request)
    {
        var customerId = request.Origin.CustomerId;
        var account = grains.GetGrain<IAccountGrain>(customerId);
        if (await account.GetProfile() is not { Status: AccountStatus.Active })
        {
            return;
        }

        var result = await account.ChangeStatus(
            new ChangeAccountStatus(customerId, AccountStatus.CreditHold),
            CommandMeta.System($"ladder step '{request.Origin.StepId}' on {request.Origin.On:yyyy-MM-dd}: {request.Reason}"));
        if (result.Error is { } error)
        {
            LogRefused(logger, customerId, error.Code, error.Message);
        }
        else
        {
            LogPlaced(logger, customerId, request.Origin.StepId);
        }
    }

    private async Task SaveAsync(long cursor, CancellationToken cancellationToken)
    {
        var result = await store.WriteStateAsync(CursorId, JsonSerializer.SerializeToUtf8Bytes(cursor, Json), _etag, [], cancellationToken);
        _etag = result.Etag;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit hold placed on account {CustomerId} by ladder step {StepId}")]
    private static partial void LogPlaced(ILogger logger, string customerId, string stepId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit hold on account {CustomerId} refused: {Code} {Reason}")]
    private static partial void LogRefused(ILogger logger, string customerId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit hold placer stopped on an error; resuming from its stored cursor")]
    private static partial void LogRetrying(ILogger logger, Exception exception);
}
