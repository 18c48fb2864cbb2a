using System.Collections.Immutable;
using ArActors.Grains.Aging;

namespace ArActors.Silo.Hosting;

/// <summary>
/// <c>ArActors:Aging</c>: the aging basis (<c>DueDate</c> or <c>InvoiceDate</c>) and the buckets, each a name and the
/// highest age in days it holds (the last without one). Left out: Current, 1-30, 31-60, 61-90, 91-120, 120+ by due date.
/// </summary>
public sealed class AgingOptions
{
    public const string SectionName = "ArActors:Aging";

    public AgingBasis Basis { get; set; } = AgingBasis.DueDate;

    public List<AgingBucketOption> Buckets { get; set; } = [];

    /// <summary>The policy these settings describe; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public AgingPolicy ToPolicy() =>
        Buckets.Count == 0
            ? AgingPolicy.Default.WithBasis(Basis)
            : new AgingPolicy(Basis, [.. Buckets.Select((b, i) => new AgingBucket(
                string.IsNullOrWhiteSpace(b.Name) ? throw new ArgumentException($"{SectionName}:Buckets:{i}:Name is required.") : b.Name,
                b.MaxDays))]);
}

public sealed class AgingBucketOption
{
    public string Name { get; set; } = "";

    public int? MaxDays { get; set; }
}
