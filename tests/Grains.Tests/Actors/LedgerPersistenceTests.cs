using System.Text.Json;
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

    [Fact]
    public async Task An_account_keeps_a_small_head_row_and_rebuilds_its_ledger_from_its_snapshot_and_the_events_after_it()
    {
        await using var ledger = await LedgerCluster.StartAsync(CreateStore);
        var c = LedgerCluster.NewId("JRN");
        var account = await ledger.OpenAsync(c);
        for (var n = 1; n <= AccountJournal.SnapshotEvery + 6; n++)
        {
            await ledger.IssueAsync(c, $"INV-{n:D3}", 100m + n, Jan5, Jan5.AddDays(n));
        }

        await ledger.PayAsync(c, "PAY-1", 350m, Jan5);
        var before = (Facts: LedgerFacts.From(await account.GetLedger()).Fingerprint(), Version: await account.GetVersion(), Summary: LedgerCluster.Describe(await account.GetSummary()));

        // 1 opening + 70 invoices + the payment and its allocations: the snapshot was taken at the 64th event, the rest is journal.
        var (head, headBytes) = await ReadAsync<AccountGrainState>(ledger, new GrainStateId("account", c, "account"));
        var (snapshot, snapshotBytes) = await ReadAsync<AccountSnapshot>(ledger, new GrainStateId("account", c, AccountJournal.SnapshotStateName));
        Assert.Null(head.Ledger);
        Assert.Equal((before.Version, (long)(await account.GetHistory()).Length), (head.Version, head.Journaled));
        Assert.Equal((64L, 64L), (snapshot.Version, snapshot.Journaled));
        Assert.True(headBytes < 300 && snapshotBytes > 20 * headBytes, $"head {headBytes} B, snapshot {snapshotBytes} B");

        await ledger.Cluster.RestartSiloAsync();

        account = ledger.Account(c);
        Assert.Equal(before, (LedgerFacts.From(await account.GetLedger()).Fingerprint(), await account.GetVersion(), LedgerCluster.Describe(await account.GetSummary())));
        var retry = LedgerCluster.Accepted(await account.ReceivePayment(
            new ReceivePayment(c, new Payment("PAY-1", LedgerCluster.Usd(350m), Jan5, PaymentMethod.BankTransfer, [])), LedgerCluster.Collector));
        Assert.True(retry.Unchanged);
        await ledger.PayAsync(c, "PAY-2", 200m, Jan5);
        Assert.Empty(InvariantChecker.Check(await account.GetLedger()));
        Assert.Equal(before.Version + 1, await account.GetVersion());
    }

    [Fact]
    public async Task Identified_cash_is_stored_with_the_whole_ledger_until_a_snapshot_holds_it_so_a_failed_snapshot_loses_nothing()
    {
        var faults = new SnapshotFaults(CreateStore());
        await using var ledger = await LedgerCluster.StartAsync(() => faults);
        var c = LedgerCluster.NewId("IDC");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5.AddDays(30));
        var cash = new Payment(c + "-CASH", LedgerCluster.Usd(60m), Jan5, PaymentMethod.Card, []);
        LedgerCluster.Accepted(await ledger.Suspense.Receive(new ReceiveUnidentifiedCash(cash), LedgerCluster.Collector));

        // The account decides against the suspense item, which its own events never added: replaying them could not
        // rebuild it, so until a snapshot holds it every head carries the ledger, even when the snapshot keeps failing.
        faults.Fail = true;
        LedgerCluster.Accepted(await ledger.Suspense.Allocate(new IdentifyCash(cash.PaymentId, c), LedgerCluster.Collector));
        await ledger.IssueAsync(c, "INV-2", 40m, Jan5, Jan5.AddDays(30));
        var (head, _) = await ReadAsync<AccountGrainState>(ledger, new GrainStateId("account", c, "account"));
        Assert.NotNull(head.Ledger);
        Assert.Equal(2, faults.Refused);
        var before = LedgerFacts.From(await account.GetLedger()).Fingerprint();

        await ledger.Cluster.RestartSiloAsync();
        account = ledger.Account(c);
        Assert.Equal(before, LedgerFacts.From(await account.GetLedger()).Fingerprint());
        Assert.Equal(c, (await account.GetLedger()).UnallocatedCash[cash.PaymentId].IdentifiedAs);

        // A retried identification decides to nothing; with the snapshot written the head leaves the ledger out again.
        faults.Fail = false;
        Assert.True(LedgerCluster.Accepted(await account.PostIdentifiedCash(new UnallocatedCash(cash, Jan5), LedgerCluster.Collector)).Unchanged);
        await ledger.IssueAsync(c, "INV-3", 10m, Jan5, Jan5.AddDays(30));
        await ledger.IssueAsync(c, "INV-4", 10m, Jan5, Jan5.AddDays(30));
        (head, _) = await ReadAsync<AccountGrainState>(ledger, new GrainStateId("account", c, "account"));
        Assert.Null(head.Ledger);
        before = LedgerFacts.From(await account.GetLedger()).Fingerprint();

        await ledger.Cluster.RestartSiloAsync();
        Assert.Equal(before, LedgerFacts.From(await ledger.Account(c).GetLedger()).Fingerprint());
        Assert.Equal(60m, (await ledger.Account(c).GetLedger()).Payments[cash.PaymentId].AppliedTotal);
    }

    [Fact]
    public async Task An_account_row_written_before_the_journal_is_read_and_moved_to_a_snapshot_by_its_next_command()
    {
        // The row as the account grain stored it before the journal: the whole slice in the head, no snapshot row.
        var c = LedgerCluster.NewId("OLD");
        var rules = new LedgerHarness().Account(c);
        rules.Issue(c, "INV-1", 500m);
        rules.Pay(c, "PAY-1", 200m, null);
        await using var ledger = await LedgerCluster.StartAsync(CreateStore);
        var row = JsonSerializer.SerializeToUtf8Bytes(new { ledger = rules.State, version = 3, unsyncedInvoices = Array.Empty<string>() }, Json);
        await ledger.Cluster.Store.WriteStateAsync(new GrainStateId("account", c, "account"), row, null, []);

        var account = ledger.Account(c);
        Assert.Equal(LedgerFacts.From(rules.State).Fingerprint(), LedgerFacts.From(await account.GetLedger()).Fingerprint());
        Assert.Equal(3, await account.GetVersion());

        await ledger.IssueAsync(c, "INV-2", 80m, Jan5, Jan5.AddDays(30));
        var (snapshot, _) = await ReadAsync<AccountSnapshot>(ledger, new GrainStateId("account", c, AccountJournal.SnapshotStateName));
        Assert.Equal(4, snapshot.Version);
        await ledger.PayAsync(c, "PAY-2", 30m, Jan5);
        var (head, _) = await ReadAsync<AccountGrainState>(ledger, new GrainStateId("account", c, "account"));
        Assert.Null(head.Ledger);
        var before = LedgerFacts.From(await account.GetLedger()).Fingerprint();

        await ledger.Cluster.RestartSiloAsync();
        Assert.Equal(before, LedgerFacts.From(await ledger.Account(c).GetLedger()).Fingerprint());
        Assert.Equal(5, await ledger.Account(c).GetVersion());
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<(T State, int Bytes)> ReadAsync<T>(LedgerCluster ledger, GrainStateId id)
    {
        var stored = await ledger.Cluster.Store.ReadStateAsync(id) ?? throw new InvalidOperationException($"no row {id}");
        return (JsonSerializer.Deserialize<T>(stored.Payload.Span, Json)!, stored.Payload.Length);
    }

    /// <summary>Refuses writes of account snapshots while <see cref="Fail"/> is set, as an unreachable store would.</summary>
    private sealed class SnapshotFaults(IDurableStore inner) : DelegatingStore(inner)
    {
        public volatile bool Fail;

        public int Refused;

        public override Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
        {
            if (Fail && id.StateName == AccountJournal.SnapshotStateName)
            {
                Interlocked.Increment(ref Refused);
                return Task.FromException<StateWriteResult>(new IOException("injected: the snapshot write failed"));
            }

            return base.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);
        }
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
