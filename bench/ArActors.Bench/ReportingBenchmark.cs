using System.Diagnostics;
using ArActors.Grains.Reporting;

namespace ArActors.Bench;

/// <summary>
/// Month-end AR figures (open AR, aging buckets, credit sales, DSO) from the reporting projection's per-day totals,
/// next to the raw baseline of computing them by scanning every invoice, for 1 M invoices (x scale) over three years.
/// </summary>
public sealed class ReportingBenchmark : IBenchmark
{
    public string Name => "reporting-month-end";

    public string Description => "Month-end aging + DSO from ReceivableTotals vs a full scan of 1M invoices; fold rate";

    public Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var count = Math.Max(10_000, (int)(1_000_000 * context.Scale));
        var random = new Random(7);
        var start = new DateOnly(2023, 1, 1);
        var end = new DateOnly(2025, 12, 31);
        var span = end.DayNumber - start.DayNumber;
        var items = new List<ReceivableItem>(count);
        for (var i = 0; i < count; i++)
        {
            var issued = start.AddDays(random.Next(span));
            var due = issued.AddDays(30);
            var settled = due.AddDays(random.Next(-20, 90));
            items.Add(new ReceivableItem($"INV-{i}", $"C-{i % 5000}", issued, due, random.Next(100, 1_000_000) / 100m, "USD", settled <= end ? settled : null));
        }

        var fold = Stopwatch.StartNew();
        var totals = ReceivableTotals.Empty("USD");
        foreach (var item in items)
        {
            totals = totals.Issue(item.IssueDate, item.DueDate, item.Amount);
            if (item.SettledDate is { } settled)
            {
                totals = totals.Reduce(item.DueDate, settled, item.Amount, 1).Settle(item.DueDate, settled);
            }
        }

        var foldSeconds = fold.Elapsed.TotalSeconds;
        var months = Enumerable.Range(0, 36).Select(m => ReportingPeriod.MonthOf(start.AddMonths(m))).ToList();

        var fromTotals = Stopwatch.StartNew();
        var viaTotals = months.Select(m => (Aging: totals.Aging(m.End), Dso: Dso.Simple(totals.OpenAr(m.End).Amount, totals.CreditSales(m), m.Days))).ToList();
        var totalsMs = fromTotals.Elapsed.TotalMilliseconds / months.Count;

        var scan = Stopwatch.StartNew();
        var viaScan = months.Select(m => (Aging: AgingFigures.AsOf(items, m.End), Dso: Dso.Simple(items, m))).ToList();
        var scanMs = scan.Elapsed.TotalMilliseconds / months.Count;

        for (var i = 0; i < months.Count; i++)
        {
            if (!viaTotals[i].Aging.Buckets.SequenceEqual(viaScan[i].Aging.Buckets) || viaTotals[i].Dso != viaScan[i].Dso)
            {
                throw new InvalidOperationException($"Totals and scan disagree at {months[i].End}.");
            }
        }

        var keys = totals.IssuedByDate.Count + totals.IssuedByDueDate.Count + totals.ReducedByDate.Count
            + totals.ReducedByDueDate.Sum(p => p.Value.Count) + totals.LatenessBySettledDate.Count;
        Console.WriteLine($"   {count:N0} invoices, {keys:N0} calendar keys in the totals; all 36 month-ends agree with the scan");
        return Task.FromResult<IReadOnlyList<BenchResult>>(
        [
            new BenchResult(Name, $"month-end aging+DSO, {count:N0} inv", totalsMs, "ms", "full scan of the invoices", scanMs),
            new BenchResult(Name, "fold issue+settlement", count / foldSeconds, "inv/s"),
            new BenchResult(Name, "calendar keys in totals", keys, "keys"),
        ]);
    }
}
