using System.Globalization;
using ArActors.Grains.Reporting;
using ArActors.TestKit;
using AgingBucket = ArActors.Grains.Reporting.AgingBucket;
using InvoiceIssued = ArActors.Grains.Reporting.InvoiceIssued;
using InvoiceSettled = ArActors.Grains.Reporting.InvoiceSettled;

namespace ArActors.Grains.Tests.Reporting;

/// <summary>One raw row of the IBM sample, parsed here independently of the code under test.</summary>
public sealed record IbmRow(string Country, string Customer, string Invoice, DateTime InvoiceDate, DateTime DueDate, decimal Amount, bool Disputed, DateTime SettledDate, int DaysToSettle, int DaysLate);

public static class IbmData
{
    private static readonly Lazy<IReadOnlyList<IbmRow>> _rows = new(Load);

    public static IReadOnlyList<IbmRow> Rows => _rows.Value;

    public static IReadOnlyList<ReceivableItem> Items { get; } = Rows
        .Select(r => new ReceivableItem(r.Invoice, r.Customer, DateOnly.FromDateTime(r.InvoiceDate), DateOnly.FromDateTime(r.DueDate), r.Amount, "USD", DateOnly.FromDateTime(r.SettledDate), Country: r.Country))
        .ToList();

    private static List<IbmRow> Load()
    {
        var lines = File.ReadAllLines(SharedData.PathOf(SharedData.IbmReceivablesFile));
        Assert.Equal("countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate", lines[0]);
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',');
            return new IbmRow(f[0], f[1], f[3], Date(f[4]), Date(f[5]), decimal.Parse(f[6], CultureInfo.InvariantCulture), f[7] == "Yes", Date(f[8]),
                int.Parse(f[10], CultureInfo.InvariantCulture), int.Parse(f[11], CultureInfo.InvariantCulture));
        }).ToList();
    }

    private static DateTime Date(string text) => DateTime.ParseExact(text, "M/d/yyyy", CultureInfo.InvariantCulture);
}
