using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Grains.Tests.Actors;

/// <summary>Accounts, invoices, the suspense queue and the aging reminders survive a silo restart on a durable store.</summary>
public abstract class LedgerPersistenceContract
{
    private static readonly DateOnly Jan5 = new(2026, 1, 5);

    protected abstract IDurableStore CreateStore();

    [Fact]
    public async Task Ledger_state_history_and_reminders_survive_a_silo_restart()
    {
        await using var ledger = await LedgerCluster.StartAsync(CreateStore);
        var c = LedgerCluster.NewId("DUR");
        var account = await ledger.OpenAsync(c, "Asia/Tokyo");
        await ledger.IssueAsync(c, "INV-1", 1_200m, Jan5, Jan5.AddDays(3), new ExternalRefs(Vin: "WVW123"));
        await ledger.IssueAsync(c, "INV-2", 800m, Jan5, Jan5.AddDays(30));
        await ledger.PayAsync(c, "PAY-1", 500m, Jan5, "WVW123");
        LedgerCluster.Accepted(await account.RequestWriteOff(new RequestWriteOff("WO-1", "INV-2", LedgerCluster.Usd(700m)), LedgerCluster.Collector));
        LedgerCluster.Accepted(await ledger.Suspense.Receive(new ReceiveUnidentifiedCash(
            new Payment(c + "-CASH", LedgerCluster.Usd(42m), Jan5, PaymentMethod.Card, [])), LedgerCluster.Collector));

        var ledgerBefore = LedgerFacts.From(await account.GetLedger()).Fingerprint();
        var profileBefore = (await account.GetProfile())!;
        var summaryBefore = LedgerCluster.Describe(await account.GetSummary());
        var historyBefore = string.Join("\n", (await account.GetHistory()).Select(e => e.GetType().Name + " " + e.Audit));
        var invoiceBefore = await ledger.Invoice(c, "INV-1").Get();

        await ledger.Cluster.RestartSiloAsync();

        account = ledger.Account(c);
        Assert.Equal(ledgerBefore, LedgerFacts.From(await account.GetLedger()).Fingerprint());
        var profile = (await account.GetProfile())!;
        Assert.Equal((profileBefore.Terms, profileBefore.TimeZone, profileBefore.Contacts.Single().InconvenientTimes.Single()),
            (profile.Terms, profile.TimeZone, profile.Contacts.Single().InconvenientTimes.Single()));
        Assert.Equal(summaryBefore, LedgerCluster.Describe(await account.GetSummary()));
        Assert.Equal(historyBefore, string.Join("\n", (await account.GetHistory()).Select(e => e.GetType().Name + " " + e.Audit)));
        Assert.Equal(invoiceBefore, await ledger.Invoice(c, "INV-1").Get());
        Assert.Equal(WriteOffStatus.Pending, (await account.GetLedger()).WriteOffs["WO-1"].Status);
        Assert.Contains(await ledger.Suspense.List(), e => e.Payment.PaymentId == c + "-CASH");

        // The pending write-off can still be approved, and INV-1's reminder still fires after the restart (Tokyo midnight of 9 January).
        LedgerCluster.Accepted(await account.ApproveWriteOff(new ApproveWriteOff("WO-1"), LedgerCluster.Manager));
        Assert.Equal(100m, (await ledger.Invoice(c, "INV-2").Get())!.OpenAmount.Amount);
        await ledger.Cluster.AdvanceTimeAsync(new DateTimeOffset(2026, 1, 8, 15, 0, 0, TimeSpan.Zero) - ledger.Clock.GetUtcNow());
        var move = Assert.Single(await ledger.BucketMovesAsync(c));
        Assert.Equal(("INV-1", "1-30", new DateOnly(2026, 1, 9), 700m), (move.InvoiceNumber, move.To, move.On, move.OpenAmount.Amount));
    }
}

public sealed class SqliteLedgerPersistenceTests : LedgerPersistenceContract, IDisposable
{
    private readonly SqliteFolder _folder = new("aractors-ledger-");

    protected override IDurableStore CreateStore() => _folder.OpenStore();

    public void Dispose() => _folder.Dispose();
}

public sealed class PostgresLedgerPersistenceTests(PostgresDatabase database) : LedgerPersistenceContract, IClassFixture<PostgresDatabase>
{
    protected override IDurableStore CreateStore() =>
        new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance);
}
