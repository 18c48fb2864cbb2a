using System.Diagnostics;
using System.Globalization;
using ArActors.TestKit;
using Xunit.Abstractions;

namespace ArActors.Grains.Tests.Actors;

/// <summary>
/// Replays IBM's accounts-receivable sample through the grains on a manual clock: each invoice is issued on its
/// InvoiceDate and paid in full (remittance = invoice number) on its SettledDate, in New York business days. Checked
/// against the file and against a computation written here from the rows alone.
/// </summary>
public sealed class IbmGrainReplayTests(ITestOutputHelper output)
{
    private const string Zone = "America/New_York";
    private static readonly Lazy<Task<Replay>> Replayed = new(RunAsync);
    private static readonly string[] BucketNames = ["Current", "1-30", "31-60", "61-90", "91-120", "120+"];

    private sealed record Row(string CustomerId, string Number, DateOnly InvoiceDate, DateOnly DueDate, DateOnly SettledDate, decimal Amount, int DaysToSettle, int DaysLate);

    /// <summary>Open AR, count and buckets: as the accounts summarize them, as the invoice grains hold them, and as of the date from history.</summary>
    private sealed record MonthEnd(Figures Accounts, Figures InvoiceGrains, Figures AsOfHistory);

    private sealed record Figures(decimal Open, int Count, string Buckets);

    private sealed record Replay(IReadOnlyList<Row> Rows, IReadOnlyDictionary<string, InvoiceState> Invoices, IReadOnlyDictionary<DateOnly, MonthEnd> MonthEnds, int BucketMoves, int Commands, TimeSpan Elapsed);

    private static readonly DateOnly[] MonthEndList =
    [
        new(2012, 3, 31), new(2012, 6, 30), new(2012, 9, 30), new(2012, 12, 31),
        new(2013, 3, 31), new(2013, 6, 30), new(2013, 9, 30), new(2013, 12, 31),
    ];

    public static TheoryData<DateOnly> MonthEndDates() => new(MonthEndList);

    [Fact]
    public async Task Every_invoice_is_paid_with_the_files_days_late_and_days_to_settle()
    {
        var replay = await Replayed.Value;
        output.WriteLine($"{replay.Commands} commands over {replay.MonthEnds.Count} month-end checks, {replay.BucketMoves} bucket moves by reminder, in {replay.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(2_466, replay.Rows.Count);
        var mismatches = replay.Rows
            .Select(r => (r, i: replay.Invoices[r.Number]))
            .Where(x => x.i.Status != InvoiceStatus.Paid || x.i.DaysLate != x.r.DaysLate || x.i.DaysToSettle != x.r.DaysToSettle)
            .Select(x => $"{x.r.Number}: {x.i.Status}, late {x.i.DaysLate} vs {x.r.DaysLate}, settle {x.i.DaysToSettle} vs {x.r.DaysToSettle}")
            .ToList();
        Assert.Empty(mismatches);

        // Invoices paid after their due date moved out of Current by their own reminder at least once.
        Assert.True(replay.BucketMoves >= replay.Rows.Count(r => r.DaysLate > 0), $"{replay.BucketMoves} bucket moves");
    }

    [Theory]
    [MemberData(nameof(MonthEndDates))]
    public async Task Open_AR_and_aging_at_a_month_end_match_an_independent_computation_from_the_rows(DateOnly monthEnd)
    {
        var replay = await Replayed.Value;
        var expected = Independent(replay.Rows, monthEnd);
        var taken = replay.MonthEnds[monthEnd];

        Assert.Equal(expected, taken.Accounts);
        Assert.Equal(expected, taken.InvoiceGrains);
        Assert.Equal(expected, taken.AsOfHistory);
    }

    /// <summary>Open at the end of a day: invoiced on or before it and settled after it; age in days past the due date.</summary>
    private static Figures Independent(IReadOnlyList<Row> rows, DateOnly asOf)
    {
        var totals = new decimal[BucketNames.Length];
        var open = rows.Where(r => r.InvoiceDate <= asOf && r.SettledDate > asOf).ToList();
        foreach (var row in open)
        {
            var late = asOf.DayNumber - row.DueDate.DayNumber;
            totals[late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : late <= 120 ? 4 : 5] += row.Amount;
        }

        return new Figures(open.Sum(r => r.Amount), open.Count, Format(BucketNames.Zip(totals)));
    }

    private static string Format(IEnumerable<(string Name, decimal Amount)> buckets) =>
        string.Join(", ", buckets.Select(b => $"{b.Name}={b.Amount.ToString("0.00", CultureInfo.InvariantCulture)}"));

    private static List<Row> ReadRows()
    {
        var path = SharedData.PathOf(SharedData.IbmReceivablesFile);
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"Column {name} missing in {path}.");
        DateOnly Date(string text) => DateOnly.ParseExact(text, "M/d/yyyy", CultureInfo.InvariantCulture);
        int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Select(f => new Row(
            f[Col("customerID")], f[Col("invoiceNumber")], Date(f[Col("InvoiceDate")]), Date(f[Col("DueDate")]), Date(f[Col("SettledDate")]),
            decimal.Parse(f[Col("InvoiceAmount")], CultureInfo.InvariantCulture), Int(f[Col("DaysToSettle")]), Int(f[Col("DaysLate")])))];
    }

    private static async Task<Replay> RunAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var commands = 0;
        var rows = ReadRows();
        var first = rows.Min(r => r.InvoiceDate);
        var meta = new CommandMeta(new Actor("ibm-replay", ActorRole.System), "IBM sample replay");

        // Noon in New York is 16:00 or 17:00 UTC: 17:00 UTC is always the same business date there. Periodic runtime
        // housekeeping is slowed down so two simulated years do not stop the clock every few minutes.
        await using var ledger = await LedgerCluster.StartAsync(start: Noon(first), silo: o =>
        {
            o.ReminderLookAhead = TimeSpan.FromHours(12);
            o.CollectionScanInterval = TimeSpan.FromDays(1);
            o.DefaultIdleAge = TimeSpan.FromDays(400);
        });
        var customers = rows.Select(r => r.CustomerId).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var customer in customers)
        {
            LedgerCluster.Accepted(await ledger.Account(customer).OpenAccount(new OpenAccount(new AccountProfile(customer, "IBM sample " + customer, "US", Zone, "USD",
                PaymentTerms.Net(30), 1_000_000m, CustomerSegment.Corporate, "ibm-sample", null, [])), meta));
        }

        var issues = rows.ToLookup(r => r.InvoiceDate);
        var settlements = rows.ToLookup(r => r.SettledDate);
        var monthEnds = MonthEndList.ToHashSet();
        var stops = rows.Select(r => r.InvoiceDate).Concat(rows.Select(r => r.SettledDate)).Concat(monthEnds).Distinct().Order().ToList();
        var open = new Dictionary<string, Row>(StringComparer.Ordinal);
        var taken = new Dictionary<DateOnly, MonthEnd>();
        foreach (var day in stops)
        {
            await ledger.Cluster.AdvanceTimeAsync(Noon(day) - ledger.Clock.GetUtcNow());
            Assert.Equal(day, ledger.Today(Zone));

            // Issues before payments: a few invoices are settled the day they are issued.
            foreach (var row in issues[day].OrderBy(r => r.Number, StringComparer.Ordinal))
            {
                LedgerCluster.Accepted(await ledger.Account(row.CustomerId).IssueInvoice(
                    new IssueInvoice(row.CustomerId, row.Number, day, LedgerCluster.Usd(row.Amount), PaymentTerms.Net(30), row.DueDate), meta));
                commands++;
                open[row.Number] = row;
            }

            foreach (var row in settlements[day].OrderBy(r => r.Number, StringComparer.Ordinal))
            {
                LedgerCluster.Accepted(await ledger.Account(row.CustomerId).ReceivePayment(new ReceivePayment(row.CustomerId,
                    new Payment("PAY-" + row.Number, LedgerCluster.Usd(row.Amount), day, PaymentMethod.BankTransfer, [row.Number])), meta));
                commands++;
                open.Remove(row.Number);
            }

            if (monthEnds.Contains(day))
            {
                taken[day] = new MonthEnd(await AccountFigures(ledger, customers), await InvoiceGrainFigures(ledger, open.Values), default!);
            }
        }

        // As of each month-end again, now from the accounts' histories after everything was settled.
        foreach (var day in monthEnds)
        {
            var summaries = await Task.WhenAll(customers.Select(c => ledger.Account(c).GetSummaryAsOf(day)));
            taken[day] = taken[day] with { AsOfHistory = Sum(summaries!) };
        }

        var invoices = new Dictionary<string, InvoiceState>(StringComparer.Ordinal);
        var moves = 0;
        foreach (var customer in customers)
        {
            foreach (var invoice in (await ledger.Account(customer).GetLedger()).Invoices.Values)
            {
                invoices[invoice.Number] = invoice;
            }

            moves += (await ledger.BucketMovesAsync(customer)).Count;
        }

        return new Replay(rows, invoices, taken, moves, commands, stopwatch.Elapsed);
    }

    private static DateTimeOffset Noon(DateOnly day) => new(day.ToDateTime(new TimeOnly(17, 0)), TimeSpan.Zero);

    private static async Task<Figures> AccountFigures(LedgerCluster ledger, IEnumerable<string> customers) =>
        Sum((await Task.WhenAll(customers.Select(c => ledger.Account(c).GetSummary())))!);

    private static Figures Sum(AccountSummary?[] summaries) => new(
        summaries.Sum(s => s!.OpenBalance.Amount),
        summaries.Sum(s => s!.OpenInvoiceCount),
        Format(BucketNames.Select(name => (name, summaries.Sum(s => s!.Buckets.Single(b => b.Bucket == name).Amount)))));

    /// <summary>The buckets the invoice grains hold, set by their own reminders (not recomputed on read).</summary>
    private static async Task<Figures> InvoiceGrainFigures(LedgerCluster ledger, IEnumerable<Row> open)
    {
        var snapshots = await Task.WhenAll(open.Select(r => ledger.Invoice(r.CustomerId, r.Number).Get()));
        return new Figures(
            snapshots.Sum(s => s!.OpenAmount.Amount),
            snapshots.Length,
            Format(BucketNames.Select(name => (name, snapshots.Where(s => s!.AgingBucket == name).Sum(s => s!.OpenAmount.Amount)))));
    }
}
