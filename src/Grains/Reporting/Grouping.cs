namespace ArActors.Grains.Reporting;

public sealed record GroupedFigure<TKey, TFigure>(TKey Key, TFigure Figure);

public static class Grouping
{
    /// <summary>Computes <paramref name="figure"/> per group of <paramref name="keySelector"/> (portfolio, collector, country, ...), ordered by key.</summary>
    public static IReadOnlyList<GroupedFigure<TKey, TFigure>> By<TItem, TKey, TFigure>(
        IEnumerable<TItem> items, Func<TItem, TKey> keySelector, Func<IReadOnlyList<TItem>, TFigure> figure)
        where TKey : notnull =>
        items.GroupBy(keySelector)
            .OrderBy(g => g.Key)
            .Select(g => new GroupedFigure<TKey, TFigure>(g.Key, figure(g.ToList())))
            .ToList();
}
