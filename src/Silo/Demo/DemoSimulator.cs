using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using ArActors.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace ArActors.Silo.Demo;

/// <summary>
/// Demo mode only, once the portfolio is seeded: every <c>ArActors:DemoSimulatorSeconds</c> on the engine's clock it
/// posts a payment, records a promise and logs a call on random demo accounts through the grains (the API's path), so
/// a first-time user sees worklists and KPIs move. Calls the compliance guard refuses are simply not logged.
/// </summary>
public sealed partial class DemoSimulator(
    IGrainFactory grains,
    DemoSeeder seeder,
    IOptions<ArActorsOptions> options,
    TimeProvider timeProvider,
    ILogger<DemoSimulator> logger) : BackgroundService
{
    private static readonly CommandMeta Meta = CommandMeta.System("demo simulator");

    private static readonly CallOutcome[] Outcomes = [CallOutcome.NoAnswer, CallOutcome.LeftMessage, CallOutcome.RightPartyContact];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Demo || settings.DemoSimulatorSeconds == 0 || settings.DemoAccounts == 0)
        {
            return;
        }

        try
        {
            await seeder.Seeded.WaitAsync(stoppingToken);
            var random = new Random(DemoSeeder.Seed);
            var interval = TimeSpan.FromSeconds(settings.DemoSimulatorSeconds);
            LogStarted(logger, settings.DemoSimulatorSeconds);
            for (var round = 1; !stoppingToken.IsCancellationRequested; round++)
            {
                await Task.Delay(interval, timeProvider, stoppingToken);
                try
                {
                    await RoundAsync(random, round, settings.DemoAccounts);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One failed round (a timeout under load) is not worth stopping the show for.
                    LogRoundFailed(logger, round, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RoundAsync(Random random, int round, int accounts)
    {
        // Ids name the process start and round, so a round never collides with an earlier run's on the same store.
        var run = $"{timeProvider.GetUtcNow():yyyyMMddHHmmss}-{round}";

        var (payer, payerInvoice) = await PickOpenInvoiceAsync(random, accounts);
        if (payerInvoice is not null)
        {
            var share = random.Next(3) == 0 ? 1m : 0.5m;
            var amount = Math.Max(0.01m, Math.Round(payerInvoice.OpenAmount.Amount * share, 2));
            var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
            await payer.ReceivePayment(new ReceivePayment(payerInvoice.CustomerId,
                new Payment($"SIM-PAY-{run}", new Money(amount, payerInvoice.OpenAmount.Currency), today, PaymentMethod.BankTransfer, [payerInvoice.Number])), Meta);
        }

        var (_, promised) = await PickOpenInvoiceAsync(random, accounts);
        if (promised is not null)
        {
            var date = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime).AddDays(random.Next(2, 15));
            await grains.GetGrain<IPromiseGrain>(promised.CustomerId).Make(
                new PromiseToPay($"SIM-PTP-{run}", promised.OpenAmount, date, [promised.Number], GraceDays: 2), Meta);
        }

        var (called, callInvoice) = await PickOpenInvoiceAsync(random, accounts);
        if (callInvoice is not null && await called.GetProfile() is { Contacts: [var contact, ..] })
        {
            await grains.GetGrain<IActivityGrain>(callInvoice.CustomerId).Log(
                new LogActivity($"SIM-CALL-{run}", ActivityKind.Call, contact.Name, callInvoice.Number, Outcomes[random.Next(Outcomes.Length)], null, "demo simulator"), Meta);
        }
    }

    private async Task<(IAccountGrain Account, InvoiceSnapshot? Invoice)> PickOpenInvoiceAsync(Random random, int accounts)
    {
        var account = grains.GetGrain<IAccountGrain>($"DEMO-{random.Next(accounts) + 1:D5}");
        var open = (await account.GetInvoices()).Where(i => i.Status is InvoiceStatus.Open or InvoiceStatus.PartiallyPaid).ToList();
        return (account, open.Count == 0 ? null : open[random.Next(open.Count)]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: the simulator posts payments, promises and calls every {Seconds} s")]
    private static partial void LogStarted(ILogger logger, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo mode: simulator round {Round} failed")]
    private static partial void LogRoundFailed(ILogger logger, int round, Exception exception);
}
