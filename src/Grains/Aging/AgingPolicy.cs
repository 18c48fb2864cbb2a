namespace ArActors.Grains.Aging;

/// <summary>Which date an item's age is counted from.</summary>
public enum AgingBasis
{
    DueDate,
    InvoiceDate,
}

/// <summary>A bucket covers ages from the previous bucket's MaxDays + 1 up to MaxDays inclusive; null = no upper end.</summary>
public sealed record AgingBucket(string Name, int? MaxDays);

/// <summary>Contiguous buckets (the first open below, the last open above) and the basis date.</summary>
public sealed record AgingPolicy
{
    public AgingPolicy(AgingBasis basis, ImmutableArray<AgingBucket> buckets)
    {
        if (buckets.IsDefaultOrEmpty)
        {
            throw new ArgumentException("At least one bucket is required.", nameof(buckets));
        }

        for (var i = 0; i < buckets.Length - 1; i++)
        {
            if (buckets[i].MaxDays is not { } max || (i > 0 && max <= buckets[i - 1].MaxDays))
            {
                throw new ArgumentException($"Bucket '{buckets[i].Name}' must have a MaxDays above the previous bucket's.", nameof(buckets));
            }
        }

        if (buckets[^1].MaxDays is not null)
        {
            throw new ArgumentException("The last bucket must be open-ended (MaxDays null) so every age has a bucket.", nameof(buckets));
        }

        Basis = basis;
        Buckets = buckets;
    }

    public AgingBasis Basis { get; }

    public ImmutableArray<AgingBucket> Buckets { get; }

    /// <summary>Current (not yet past due), 1-30, 31-60, 61-90, 91-120, 120+ (121 days and more), by due date.</summary>
    public static AgingPolicy Default { get; } = new(AgingBasis.DueDate,
    [
        new AgingBucket("Current", 0),
        new AgingBucket("1-30", 30),
        new AgingBucket("31-60", 60),
        new AgingBucket("61-90", 90),
        new AgingBucket("91-120", 120),
        new AgingBucket("120+", null),
    ]);

    public AgingPolicy WithBasis(AgingBasis basis) => new(basis, Buckets);

    public bool Equals(AgingPolicy? other) => other is not null && Basis == other.Basis && Buckets.SequenceEqual(other.Buckets);

    public override int GetHashCode() => HashCode.Combine(Basis, Buckets.Length);
}
