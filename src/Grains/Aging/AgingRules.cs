namespace ArActors.Grains.Aging;

/// <summary>Pure aging arithmetic: days past due, bucket as of a date, and when the bucket next changes.</summary>
public static class AgingRules
{
    /// <summary>Whole days after the due date; 0 on or before it.</summary>
    public static int DaysPastDue(DateOnly dueDate, DateOnly asOf) => Math.Max(0, asOf.DayNumber - dueDate.DayNumber);

    /// <summary>Age under the policy's basis: days past due, or days since the invoice date (never negative).</summary>
    public static int Age(DateOnly issueDate, DateOnly dueDate, DateOnly asOf, AgingPolicy policy) =>
        policy.Basis == AgingBasis.DueDate
            ? DaysPastDue(dueDate, asOf)
            : Math.Max(0, asOf.DayNumber - issueDate.DayNumber);

    public static AgingBucket BucketOf(int age, AgingPolicy policy) => policy.Buckets[IndexOf(age, policy)];

    public static AgingBucket BucketOf(DateOnly issueDate, DateOnly dueDate, DateOnly asOf, AgingPolicy policy) =>
        BucketOf(Age(issueDate, dueDate, asOf, policy), policy);

    public static int IndexOf(int age, AgingPolicy policy)
    {
        for (var i = 0; i < policy.Buckets.Length; i++)
        {
            if (policy.Buckets[i].MaxDays is not { } max || age <= max)
            {
                return i;
            }
        }

        return policy.Buckets.Length - 1;
    }

    /// <summary>
    /// The first date after <paramref name="asOf"/> on which the item lands in a different bucket, or null in the last
    /// bucket. The invoice grain sets its reminder for this date instead of polling daily.
    /// </summary>
    public static DateOnly? NextBoundaryDate(DateOnly issueDate, DateOnly dueDate, DateOnly asOf, AgingPolicy policy)
    {
        var age = Age(issueDate, dueDate, asOf, policy);
        if (policy.Buckets[IndexOf(age, policy)].MaxDays is not { } max)
        {
            return null;
        }

        var basisDate = policy.Basis == AgingBasis.DueDate ? dueDate : issueDate;

        // Age is clamped at 0, so before the basis date the next change is still basis + max + 1.
        return basisDate.AddDays(max + 1);
    }
}
