using System.Globalization;
using ArActors.Grains.Reporting;

namespace ArActors.Api.Reporting;

/// <summary>
/// One group's headline figures in a KPI snapshot. The first five are the original message; the rest were added after it
/// (a reader of the old shape ignores them): month-to-date DSO, CEI and ADD, the promise-kept rate of the month to date,
/// cash applied today and today's share of the group's cash target (null where no target applies).
/// </summary>
public sealed record KpiFigure(string Group, decimal OpenAr, decimal PastDue, decimal? PastDuePercent, decimal Current)
{
    public decimal? Dso { get; init; }

    public decimal? Cei { get; init; }

    public decimal? AverageDaysDelinquent { get; init; }

    public decimal? PromiseKeptRate { get; init; }

    public decimal CashCollectedToday { get; init; }

    public decimal? CashTargetToday { get; init; }
}

/// <summary>The event on topic <c>kpi</c>: one dimension's headline figures as of the engine's date, in the reporting currency.</summary>
public sealed record KpiSnapshot(string Dimension, DateOnly AsOf, string ReportingCurrency, long Cursor, DateTimeOffset At, IReadOnlyList<KpiFigure> Figures);

/// <summary>
/// Decides which KPI snapshots to push: one per dimension (the whole book and each portfolio) when its figures differ
/// from the last pushed ones, at most one per dimension per debounce interval. A change inside the interval is pushed
/// when the interval ends (the caller waits until the returned instant). Lives in memory: a restart pushes once again.
/// </summary>
internal sealed class KpiPublisher
{
    private static readonly string[] Dimensions = [ReportDimension.All, ReportDimension.Portfolio];

    private readonly Dictionary<string, (DateTimeOffset At, string Fingerprint)> _last = new(StringComparer.Ordinal);

    /// <summary>Pushes what changed and may go now; returns when the next held-back change may go, or null.</summary>
    public async Task<DateTimeOffset?> PushChangedAsync(
        ReportingState state,
        ReportingOptions options,
        TimeProvider time,
        Func<KpiSnapshot, CancellationToken, Task> publish,
        CancellationToken cancellationToken)
    {
        if (state.Totals.IsEmpty)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var asOf = DateOnly.FromDateTime(now.UtcDateTime);
        DateTimeOffset? next = null;
        foreach (var dimension in Dimensions)
        {
            IReadOnlyList<KpiFigure> figures;
            try
            {
                figures = Figures(state, dimension, asOf, options);
            }
            catch (MissingExchangeRateException)
            {
                // The reports name the missing rate; a snapshot without it would be wrong, so none goes out.
                continue;
            }

            var fingerprint = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + string.Concat(figures.Select(f => f.ToString()));
            if (_last.TryGetValue(dimension, out var last))
            {
                if (last.Fingerprint == fingerprint)
                {
                    continue;
                }

                if (now - last.At < options.KpiDebounce)
                {
                    var due = last.At + options.KpiDebounce;
                    next = next is { } n && n < due ? n : due;
                    continue;
                }
            }

            await publish(new KpiSnapshot(dimension, asOf, options.ReportingCurrency, state.Cursor, now, figures), cancellationToken);
            _last[dimension] = (now, fingerprint);
        }

        return next;
    }

    /// <summary>The tiles of one dimension as of <paramref name="asOf"/>; the month is the calendar month to date.</summary>
    public static IReadOnlyList<KpiFigure> Figures(ReportingState state, string dimension, DateOnly asOf, ReportingOptions options)
    {
        var rates = options.ExchangeRates();
        var monthToDate = new ReportingPeriod(new DateOnly(asOf.Year, asOf.Month, 1), asOf);
        var today = new ReportingPeriod(asOf, asOf);
        var dso = ReportFigures.Dso(state, dimension, monthToDate, rates).ToDictionary(r => r.Group, StringComparer.Ordinal);
        var cei = ReportFigures.Cei(state, dimension, monthToDate, rates).ToDictionary(r => r.Group, StringComparer.Ordinal);
        var promises = CollectionsFigures.Promises(state, dimension, monthToDate).ToDictionary(r => r.Group, StringComparer.Ordinal);
        var cash = CollectionsFigures.CashAgainstTarget(state, dimension, today, rates, options.CashTargets).ToDictionary(r => r.Group, StringComparer.Ordinal);
        return ReportFigures.Aging(state, dimension, asOf, rates)
            .Select(r => new KpiFigure(r.Group, r.Total, r.PastDue, r.PastDuePercent, r.Buckets[0].Amount)
            {
                Dso = dso.GetValueOrDefault(r.Group)?.Dso,
                Cei = cei.GetValueOrDefault(r.Group)?.Cei,
                AverageDaysDelinquent = dso.GetValueOrDefault(r.Group)?.AverageDaysDelinquent,
                PromiseKeptRate = promises.GetValueOrDefault(r.Group)?.PromiseKeptRate,
                CashCollectedToday = cash.GetValueOrDefault(r.Group)?.Collected ?? 0m,
                CashTargetToday = cash.GetValueOrDefault(r.Group)?.Target,
            })
            .ToList();
    }
}
