using System.Diagnostics;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains;
using ArActors.Grains.Workflow;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using static ArActors.Bench.Reminders.ReminderBenchSupport;

namespace ArActors.Bench.Escalation;

/// <summary>
/// Escalation day: N invoices over N/10 accounts (the collections grains in a silo on PostgreSQL, manual clock), 10% due
/// so that their ladder's +1 reminder step falls on the next day. The clock then crosses midnight: time until every step
/// is persisted and published (counted on the <c>ledger</c> topic as it commits), resident memory and bytes per active
/// invoice grain. Baseline in the same run: raw Npgsql INSERT of the same number of event rows (1,000 per statement).
/// </summary>
public sealed class EscalationDayBenchmark : IBenchmark
{
    private const int InvoicesPerAccount = 10;
    private const int Parallelism = 64;
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Issued = new(2026, 3, 1);
    // Due today: the +1 "reminder" step falls tomorrow. Due on the 20th: no step falls tomorrow (-3 is on the 17th).
    private static readonly DateOnly DueCrossing = new(2026, 3, 1);
    private static readonly DateOnly DueQuiet = new(2026, 3, 20);
    private static readonly CommandMeta Meta = new(new Actor("bench", ActorRole.Manager), "escalation-day benchmark");

    private static readonly HashSet<string> StepEvents =
    [
        nameof(CommunicationRequested), nameof(CommunicationSuppressed), nameof(CallTaskCreated), nameof(EscalationRaised),
        nameof(CreditHoldRequested), nameof(AgencyReferralProposed), nameof(WriteOffReviewProposed),
    ];

    public string Name => "escalation-day";

    public string Description => "1M invoices x scale over N/10 accounts; a day on which 10% cross a ladder step: time to persist+publish every step, memory";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (context.PostgresConnectionString is not { Length: > 0 } postgres)
        {
            Console.WriteLine("   ARACTORS_BENCH_PG is not set: skipping (run through bench/run.sh).");
            return [];
        }

        var invoices = Math.Max(1_000, (int)(1_000_000 * context.Scale)) / InvoicesPerAccount * InvoicesPerAccount;
        var accounts = invoices / InvoicesPerAccount;
        var crossing = invoices / 10;
        await using var database = await BenchDatabase.CreateAsync(postgres, "bench_escalation_");
        var connection = database.ConnectionString;
        await using var cluster = await TestCluster.StartAsync(o =>
        {
            o.GrainAssemblies.Add(typeof(AccountGrain).Assembly);
            o.StartTime = Start;
            o.StoreFactory = () => new PostgresStore(connection, TimeProvider.System, NullLogger<PostgresStore>.Instance);
            // The whole portfolio stays active through the day, as the goal is stated per active invoice grain.
            o.ConfigureSilo = s => s.DefaultIdleAge = TimeSpan.FromDays(7);
        });

        var (heapBefore, workingSetBefore) = Memory();
        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (a, _) =>
        {
            var customer = CustomerId(a);
            var account = cluster.GetGrain<IAccountGrain>(customer);
            Accepted(await account.OpenAccount(new OpenAccount(Profile(customer, a)), Meta));
            for (var i = 0; i < InvoicesPerAccount; i++)
            {
                // Invoice 0 of every account is the one in ten that crosses a step tomorrow.
                var due = i == 0 ? DueCrossing : DueQuiet;
                Accepted(await account.IssueInvoice(new IssueInvoice(customer, $"INV-{i}", Issued, new Money(100m + i, "EUR"), PaymentTerms.Net(30), due), Meta));
            }
        });
        await cluster.WhenIdleAsync();
        var setupSeconds = setup.Elapsed.TotalSeconds;
        var (heapAfter, workingSetAfter) = Memory();
        var activations = cluster.Silo.ActivationCount;
        var bytesPerInvoice = (heapAfter - heapBefore) * 1048576.0 / invoices;
        Console.WriteLine($"   set up {accounts:N0} accounts, {invoices:N0} invoices in {F(setupSeconds)} s ({F(invoices / setupSeconds, "N0")} invoices/s); {activations:N0} activations");
        Console.WriteLine($"   GC heap {F(heapBefore)} -> {F(heapAfter)} MiB, working set {F(workingSetBefore)} -> {F(workingSetAfter)} MiB: {F(bytesPerInvoice, "N0")} B per active invoice (its account's share included)");

        // Untimed: up to five minutes before midnight, so the timed part is the day boundary itself.
        var last = await LastSequenceAsync(cluster.Events);
        await cluster.AdvanceTimeAsync(new DateTimeOffset(2026, 3, 1, 23, 55, 0, TimeSpan.Zero) - cluster.Clock.GetUtcNow());
        var before = await CountStepsAsync(cluster.Events, last);
        if (before.Steps != 0)
        {
            throw new InvalidOperationException($"{before.Steps} ladder steps ran before the day began; the set-up is wrong.");
        }

        last = before.Last;
        using var counting = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var day = Stopwatch.StartNew();
        var published = CountUntilAsync(cluster.Events, last, crossing, counting.Token);
        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(10));
        var (steps, otherEvents) = await published;
        var daySeconds = day.Elapsed.TotalSeconds;
        var (_, workingSetDay) = Memory();
        var after = await CountStepsAsync(cluster.Events, last);
        Console.WriteLine($"   midnight: {steps:N0} ladder steps persisted and published in {F(daySeconds, "N2")} s ({F(steps / daySeconds, "N0")}/s) with {otherEvents:N0} other events (aging buckets) on ledger; expected {crossing:N0}; after the advance {after.Steps:N0} steps in total; working set {F(workingSetDay)} MiB");
        if (after.Steps != crossing)
        {
            throw new InvalidOperationException($"expected {crossing} ladder steps, the ledger topic holds {after.Steps}.");
        }

        var raw = await RawInsertAsync(connection, crossing);
        Console.WriteLine($"   raw INSERT of {crossing:N0} event rows (1,000 per statement): {F(raw, "N3")} s");
        await cluster.StopSiloAsync();
        return
        [
            new BenchResult(Name, $"day, {crossing / 1000.0:N1}k of {invoices / 1000.0:N0}k invoices step", daySeconds, "s", $"raw INSERT {crossing / 1000.0:N1}k event rows", raw),
            new BenchResult(Name, "bytes per active invoice grain", bytesPerInvoice, "B"),
            new BenchResult(Name, "working set, all invoices active", workingSetAfter, "MiB", "silo before set-up", workingSetBefore),
            new BenchResult(Name, "set-up through grains (not the day)", invoices / setupSeconds, "inv/s"),
        ];
    }

    private static string CustomerId(int a) => "ESC-" + a.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    private static AccountProfile Profile(string customerId, int a) =>
        new(customerId, "Customer " + customerId, "DE", "UTC", "EUR", PaymentTerms.Net(30), 10_000_000m, CustomerSegment.Corporate, "north", "esc-c" + (a % 50),
            [new Contact("Ann Payable", "AP clerk", "ap@example.com", null, ContactChannel.Email, DoNotContact.None, [])]);

    private static void Accepted(CommandResult result)
    {
        if (!result.Accepted)
        {
            throw new InvalidOperationException($"refused: {result.Error}");
        }
    }

    private static async Task<long> LastSequenceAsync(IEventStream events)
    {
        long last = 0;
        while (true)
        {
            var page = await events.ReadAsync(LedgerTopics.Ledger, last, 5000);
            if (page.Count == 0)
            {
                return last;
            }

            last = page[^1].Sequence;
        }
    }

    private static async Task<(int Steps, long Last)> CountStepsAsync(IEventStream events, long after)
    {
        var steps = 0;
        while (true)
        {
            var page = await events.ReadAsync(LedgerTopics.Ledger, after, 5000);
            if (page.Count == 0)
            {
                return (steps, after);
            }

            steps += page.Count(e => StepEvents.Contains(e.EventType));
            after = page[^1].Sequence;
        }
    }

    /// <summary>Follows the ledger topic as events commit until <paramref name="expected"/> ladder steps have arrived.</summary>
    private static async Task<(int Steps, int Other)> CountUntilAsync(IEventStream events, long after, int expected, CancellationToken cancellationToken)
    {
        var steps = 0;
        var other = 0;
        await foreach (var e in events.SubscribeAsync(LedgerTopics.Ledger, after, cancellationToken))
        {
            if (StepEvents.Contains(e.EventType))
            {
                if (++steps == expected)
                {
                    break;
                }
            }
            else
            {
                other++;
            }
        }

        return (steps, other);
    }

    /// <summary>The floor: the same number of event rows (topic, sequence, type, JSON payload of a step's size) inserted raw.</summary>
    private static async Task<double> RawInsertAsync(string connectionString, int rows)
    {
        await BenchDatabase.ExecuteAsync(connectionString, "CREATE TABLE raw_step_events (topic text NOT NULL, sequence bigint NOT NULL, event_type text NOT NULL, payload jsonb NOT NULL, PRIMARY KEY (topic, sequence))");
        var payload = "{\"origin\":{\"customerId\":\"ESC-000000\",\"invoiceNumbers\":[\"INV-0\"],\"stepId\":\"reminder\",\"on\":\"2026-03-02\",\"open\":{\"amount\":100,\"currency\":\"EUR\"}},\"channel\":\"email\",\"template\":\"reminder\",\"recipient\":{\"name\":\"Ann Payable\",\"address\":\"ap@example.com\"},\"finalNotice\":false}";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var timer = Stopwatch.StartNew();
        for (var from = 0; from < rows; from += 1000)
        {
            var count = Math.Min(1000, rows - from);
            await using var insert = new NpgsqlCommand(
                "INSERT INTO raw_step_events SELECT 'ledger', s, 'CommunicationRequested', $2::jsonb FROM unnest($1) AS s", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = Enumerable.Range(from + 1, count).Select(i => (long)i).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            insert.Parameters.Add(new NpgsqlParameter { Value = payload });
            await insert.ExecuteNonQueryAsync();
        }

        return timer.Elapsed.TotalSeconds;
    }
}
