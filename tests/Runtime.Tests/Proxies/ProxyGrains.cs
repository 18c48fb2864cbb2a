namespace ArActors.Runtime.Tests.Proxies;

public sealed record InvoiceLine(string Sku, decimal Amount);

public sealed record Invoice(string Number, DateOnly DueDate, IReadOnlyList<InvoiceLine> Lines, string Currency = "EUR");

public sealed record Reminder(string Channel, int Attempt);

public interface IShapesGrain : IGrainWithStringKey
{
    Task Touch();

    Task<Invoice> Amend(Invoice invoice, InvoiceLine extra, int copies, string? note);

    ValueTask Ping(CancellationToken cancellationToken);

    ValueTask<decimal> Total(Invoice invoice, decimal discount);

    Task<string> Describe(Reminder reminder);

    Task<string> Describe(string text, int times);

    Task<int> Touches();
}

public sealed class ShapesGrain : Grain, IShapesGrain
{
    private int _touches;

    public Task Touch()
    {
        _touches++;
        return Task.CompletedTask;
    }

    public Task<Invoice> Amend(Invoice invoice, InvoiceLine extra, int copies, string? note) =>
        Task.FromResult(invoice with
        {
            Number = invoice.Number + (note ?? ""),
            Lines = [.. invoice.Lines, .. Enumerable.Repeat(extra, copies)],
        });

    public ValueTask Ping(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _touches++;
        return ValueTask.CompletedTask;
    }

    public ValueTask<decimal> Total(Invoice invoice, decimal discount) => ValueTask.FromResult(invoice.Lines.Sum(l => l.Amount) - discount);

    public Task<string> Describe(Reminder reminder) => Task.FromResult($"{reminder.Channel}#{reminder.Attempt}");

    public Task<string> Describe(string text, int times) => Task.FromResult(string.Concat(Enumerable.Repeat(text, times)));

    public Task<int> Touches() => Task.FromResult(_touches);
}
