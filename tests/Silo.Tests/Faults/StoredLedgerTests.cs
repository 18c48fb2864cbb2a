using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Silo.Tests.Faults;

/// <summary>
/// What the fault tests' invariant check reads straight from PostgreSQL is what the grains hold: accounts rebuilt from
/// a snapshot and the journal after it, from a head that carries its own slice, and from the journal alone.
/// </summary>
public sealed class StoredLedgerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateOnly Jan5 = new(2026, 1, 5);
    private static readonly CommandMeta Collector = new(new Actor("col-1", ActorRole.Collector), "test");

    [Fact]
    public async Task The_ledger_read_from_postgresql_equals_the_grains_ledgers_for_snapshots_journals_and_heads_carrying_the_slice()
    {
        await using var cluster = await TestCluster.StartAsync(o =>
        {
            o.GrainAssemblies.Add(typeof(AccountGrain).Assembly);
            o.StoreFactory = () => new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance);
        });

        // Past a snapshot, with journal events after it.
        var snapshotted = await OpenAsync(cluster, "SNAP");
        for (var n = 1; n <= AccountJournal.SnapshotEvery + 5; n++)
        {
            await IssueAsync(snapshotted, "SNAP", $"INV-{n:D3}", 100m + n);
        }

        Accepted(await snapshotted.ReceivePayment(new ReceivePayment("SNAP", new Payment("PAY-1", Usd(250m), Jan5, PaymentMethod.BankTransfer, [])), Collector));

        // Identified cash: the head carries the slice until the next command's snapshot.
        var identified = await OpenAsync(cluster, "CASH");
        await IssueAsync(identified, "CASH", "CASH-INV-1", 80m);
        var suspense = cluster.GetGrain<IUnallocatedCashGrain>("default");
        Accepted(await suspense.Receive(new ReceiveUnidentifiedCash(new Payment("CASH-1", Usd(30m), Jan5, PaymentMethod.Card, [])), Collector));
        Accepted(await suspense.Allocate(new IdentifyCash("CASH-1", "CASH"), Collector));

        // A young account: the journal alone. (The merged book keys invoices by number, so numbers differ across accounts.)
        var young = await OpenAsync(cluster, "YOUNG");
        await IssueAsync(young, "YOUNG", "YOUNG-INV-1", 40m);

        var stored = await StoredLedger.ReadAsync(database.ConnectionString);

        var expected = new List<LedgerFacts>();
        foreach (var account in new[] { snapshotted, identified, young })
        {
            expected.Add(LedgerFacts.From(await account.GetLedger()));
        }

        var facts = LedgerFacts.From(stored);
        Assert.Equal(Lines(expected.SelectMany(f => f.Accounts)), Lines(facts.Accounts));
        Assert.Equal(Lines(expected.SelectMany(f => f.Invoices)), Lines(facts.Invoices));
        Assert.Equal(Lines(expected.SelectMany(f => f.Payments)), Lines(facts.Payments));
        Assert.Equal(Lines(expected.SelectMany(f => f.Allocations)), Lines(facts.Allocations));
        Assert.Equal(AccountJournal.SnapshotEvery + 5, facts.Invoices.Count(i => i.ToString().Contains("SNAP", StringComparison.Ordinal)));
        Assert.Empty(InvariantChecker.Check(stored));
    }

    private static async Task<IAccountGrain> OpenAsync(TestCluster cluster, string customerId)
    {
        var account = cluster.GetGrain<IAccountGrain>(customerId);
        Accepted(await account.OpenAccount(new OpenAccount(new AccountProfile(customerId, "Customer " + customerId, "DE", "Europe/Berlin", "USD",
            PaymentTerms.Net(30), 50_000m, CustomerSegment.Corporate, "P1", "col-1", [])), Collector));
        return account;
    }

    private static async Task IssueAsync(IAccountGrain account, string customerId, string number, decimal amount) =>
        Accepted(await account.IssueInvoice(new IssueInvoice(customerId, number, Jan5, Usd(amount), PaymentTerms.Net(30)), Collector));

    private static Money Usd(decimal amount) => new(amount, "USD");

    private static void Accepted(CommandResult result) => Assert.True(result.Accepted, $"Refused: {result.Error}");

    private static string[] Lines<T>(IEnumerable<T> facts) => [.. facts.Select(f => f!.ToString()!).Order(StringComparer.Ordinal)];
}
