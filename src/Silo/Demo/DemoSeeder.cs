using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using ArActors.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace ArActors.Silo.Demo;

/// <summary>
/// In demo mode, fills the store with the generated portfolio through the account grains (the same path as the API),
/// in the background once the silo runs. Every command carries its ids, so a restart that finds the portfolio
/// partly seeded completes it without duplicating anything; a store that already holds it is left alone.
/// </summary>
public sealed partial class DemoSeeder(
    IGrainFactory grains,
    IOptions<ArActorsOptions> options,
    TimeProvider timeProvider,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    public const int Seed = 20261122;

    private static readonly CommandMeta Meta = CommandMeta.System("demo portfolio");

    private readonly TaskCompletionSource<int> _seeded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the number of accounts once the portfolio is in the store.</summary>
    public Task<int> Seeded => _seeded.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Demo)
        {
            return;
        }

        try
        {
            var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
            var portfolio = DemoPortfolio.Generate(Seed, settings.DemoAccounts, today);
            if (portfolio.Count > 0 && await grains.GetGrain<IAccountGrain>(portfolio[^1].Profile.CustomerId).GetProfile() is not null)
            {
                LogAlreadySeeded(logger, portfolio.Count);
                _seeded.TrySetResult(portfolio.Count);
                return;
            }

            LogSeeding(logger, portfolio.Count);
            var done = 0;
            await Parallel.ForEachAsync(portfolio.Select((account, index) => (account, index)), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken }, async (item, _) =>
            {
                var (account, index) = item;
                await SeedAsync(grains.GetGrain<IAccountGrain>(account.Profile.CustomerId), account);
                await SeedWorkAsync(account, index, today);
                if (Interlocked.Increment(ref done) % 500 == 0)
                {
                    LogProgress(logger, done, portfolio.Count);
                }
            });
            LogSeeded(logger, portfolio.Count);
            _seeded.TrySetResult(portfolio.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _seeded.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
            _seeded.TrySetException(e);
        }
    }

    private static async Task SeedAsync(IAccountGrain account, DemoAccount demo)
    {
        Check(await Retry(() => account.OpenAccount(new OpenAccount(demo.Profile), Meta)), demo.Profile.CustomerId);
        foreach (var invoice in demo.Invoices)
        {
            Check(await Retry(() => account.IssueInvoice(invoice, Meta)), invoice.InvoiceNumber);
        }

        foreach (var payment in demo.Payments)
        {
            Check(await Retry(() => account.ReceivePayment(new ReceivePayment(demo.Profile.CustomerId, payment), Meta)), payment.PaymentId);
        }
    }

    /// <summary>
    /// Every 9th account has promised to pay its oldest open invoice within three weeks, every 13th disputes its newest:
    /// chosen by position, so a restart repeats the same ids and changes nothing.
    /// </summary>
    private async Task SeedWorkAsync(DemoAccount demo, int index, DateOnly today)
    {
        if (index % 9 != 0 && index % 13 != 5)
        {
            return;
        }

        var customerId = demo.Profile.CustomerId;
        var open = (await grains.GetGrain<IAccountGrain>(customerId).GetInvoices())
            .Where(i => i.Status is InvoiceStatus.Open or InvoiceStatus.PartiallyPaid or InvoiceStatus.Disputed)
            .OrderBy(i => i.DueDate)
            .ToList();
        if (open.Count == 0)
        {
            return;
        }

        if (index % 9 == 0)
        {
            var invoice = open[0];
            var promise = new PromiseToPay($"{customerId}-PTP-1", invoice.OpenAmount, today.AddDays(2 + index % 21), [invoice.Number], GraceDays: 2);
            var made = await Retry(async () => await grains.GetGrain<IPromiseGrain>(customerId).Make(promise, Meta));
            if (!made.Accepted)
            {
                LogSkipped(logger, promise.Id, made.Error!.ToString());
            }
        }

        if (index % 13 == 5 && open[^1].Status is not InvoiceStatus.Disputed)
        {
            Check(await Retry(() => grains.GetGrain<IAccountGrain>(customerId).DisputeInvoice(new DisputeInvoice(open[^1].Number), Meta)), open[^1].Number);
        }
    }

    /// <summary>Commands carry ids, so one that threw (a timeout, a failed invoice push after the commit) is sent again safely.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await send();
            }
            catch (Exception) when (attempt < 4)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    /// <summary>A refusal other than "already there" means the generator and the rules disagree: stop loudly.</summary>
    private static void Check(CommandResult result, string what)
    {
        if (!result.Accepted && result.Error!.Code is not (ErrorCodes.DuplicateAccount or ErrorCodes.DuplicateInvoiceNumber or ErrorCodes.DuplicatePayment))
        {
            throw new InvalidOperationException($"The demo portfolio could not be seeded: {what} was refused: {result.Error}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: seeding {Accounts} generated accounts")]
    private static partial void LogSeeding(ILogger logger, int accounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: {Done} of {Accounts} accounts seeded")]
    private static partial void LogProgress(ILogger logger, int done, int accounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: the portfolio of {Accounts} accounts is ready")]
    private static partial void LogSeeded(ILogger logger, int accounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: the store already holds the demo portfolio ({Accounts} accounts)")]
    private static partial void LogAlreadySeeded(ILogger logger, int accounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: {What} was not recorded: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo mode: seeding failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
