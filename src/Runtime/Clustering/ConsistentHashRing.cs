using System.Collections.Immutable;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Clustering;

/// <summary>
/// Consistent-hash placement over the active silos. Each silo has <c>virtualNodesPerSilo</c> points on the uint
/// circle at <see cref="StableHash.Of"/>("{endpoint}#{generation}#{i}"); a hash belongs to the first point at or
/// after it, wrapping past uint.MaxValue to the lowest point. Pure and deterministic: the same silos give the
/// same ring in every process, whatever order they are passed in.
/// </summary>
public sealed class ConsistentHashRing
{
    public const int DefaultVirtualNodesPerSilo = 128;

    private readonly uint[] _points;
    private readonly SiloAddress[] _pointOwners;
    private readonly ImmutableArray<(HashRange Range, SiloAddress Owner)> _segments;

    private ConsistentHashRing(ImmutableArray<SiloAddress> silos, uint[] points, SiloAddress[] pointOwners)
    {
        Silos = silos;
        _points = points;
        _pointOwners = pointOwners;
        _segments = BuildSegments(points, pointOwners);
    }

    /// <summary>The silos on the ring, in <see cref="SiloAddress.Order"/>.</summary>
    public ImmutableArray<SiloAddress> Silos { get; }

    public bool IsEmpty => _points.Length == 0;

    /// <summary>Every maximal range with its owner, ascending by start; together they cover the uint space once.</summary>
    public ImmutableArray<(HashRange Range, SiloAddress Owner)> Segments => _segments;

    public static ConsistentHashRing Create(IEnumerable<SiloAddress> activeSilos, int virtualNodesPerSilo = DefaultVirtualNodesPerSilo)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualNodesPerSilo, 1);
        var silos = activeSilos.Distinct().Order(SiloAddress.Order).ToImmutableArray();
        var points = new List<(uint Point, SiloAddress Owner)>(silos.Length * virtualNodesPerSilo);
        foreach (var silo in silos)
        {
            for (var i = 0; i < virtualNodesPerSilo; i++)
            {
                points.Add((StableHash.Of($"{silo.Endpoint}#{silo.Generation}#{i}"), silo));
            }
        }

        // On a (rare) point collision the silo first in Order keeps it, the same choice in every process.
        var sorted = points
            .OrderBy(p => p.Point)
            .ThenBy(p => p.Owner, SiloAddress.Order)
            .DistinctBy(p => p.Point)
            .ToArray();
        return new ConsistentHashRing(silos, [.. sorted.Select(p => p.Point)], [.. sorted.Select(p => p.Owner)]);
    }

    /// <summary>The silo owning <paramref name="grainHash"/>. Throws when the ring has no silos.</summary>
    public SiloAddress Owner(uint grainHash)
    {
        if (_points.Length == 0)
        {
            throw new InvalidOperationException("The ring has no active silos.");
        }

        var index = Array.BinarySearch(_points, grainHash);
        if (index < 0)
        {
            index = ~index;
        }

        return _pointOwners[index == _points.Length ? 0 : index];
    }

    /// <summary>The ranges <paramref name="silo"/> owns, merged where adjacent, ascending by start; empty when it is not on the ring.</summary>
    public IReadOnlyList<HashRange> RangesOf(SiloAddress silo) =>
        [.. _segments.Where(s => s.Owner == silo).Select(s => s.Range)];

    /// <summary>The share of the uint space <paramref name="silo"/> owns, 0..1.</summary>
    public double ShareOf(SiloAddress silo) =>
        RangesOf(silo).Sum(r => (double)RangeSize(r)) / (1UL << 32);

    /// <summary>How many hashes a range holds (1..2^32).</summary>
    public static ulong RangeSize(HashRange range) =>
        range.From <= range.To ? (ulong)range.To - range.From + 1 : (1UL << 32) - range.From + range.To + 1;

    private static ImmutableArray<(HashRange, SiloAddress)> BuildSegments(uint[] points, SiloAddress[] owners)
    {
        if (points.Length == 0)
        {
            return [];
        }

        // Point k owns (point k-1, point k]; point 0 owns the wrap (last point, point 0].
        var raw = new List<(uint From, uint To, SiloAddress Owner)>(points.Length + 1);
        for (var k = 0; k < points.Length; k++)
        {
            var from = k == 0 ? unchecked(points[^1] + 1) : points[k - 1] + 1;
            raw.Add((from, points[k], owners[k]));
        }

        // Merge neighbours with the same owner, including the last with the first across the wrap.
        var merged = new List<(uint From, uint To, SiloAddress Owner)>();
        foreach (var segment in raw)
        {
            if (merged.Count > 0 && merged[^1].Owner == segment.Owner)
            {
                merged[^1] = (merged[^1].From, segment.To, segment.Owner);
            }
            else
            {
                merged.Add(segment);
            }
        }

        if (merged.Count > 1 && merged[0].Owner == merged[^1].Owner)
        {
            merged[0] = (merged[^1].From, merged[0].To, merged[0].Owner);
            merged.RemoveAt(merged.Count - 1);
        }

        if (merged.Count == 1)
        {
            return [(HashRange.Full, merged[0].Owner)];
        }

        return [.. merged.Select(s => (new HashRange(s.From, s.To), s.Owner)).OrderBy(s => s.Item1.From)];
    }
}

/// <summary>Hashes in <paramref name="Range"/> were owned by <paramref name="From"/> (null: nobody) and now by <paramref name="To"/> (null: nobody).</summary>
public sealed record RangeMove(HashRange Range, SiloAddress? From, SiloAddress? To);

/// <summary>Pure diff of two rings: which ranges change owner.</summary>
public static class RingDiff
{
    /// <summary>The ranges whose owner differs between the rings, merged where adjacent with the same move, ascending.</summary>
    public static IReadOnlyList<RangeMove> Compute(ConsistentHashRing before, ConsistentHashRing after)
    {
        // Every segment start of either ring: between two consecutive starts both owners are constant.
        var starts = before.Segments.Select(s => s.Range.From)
            .Concat(after.Segments.Select(s => s.Range.From))
            .Append(0u)
            .Distinct()
            .Order()
            .ToArray();

        var moves = new List<RangeMove>();
        for (var i = 0; i < starts.Length; i++)
        {
            var from = starts[i];
            var to = i + 1 < starts.Length ? starts[i + 1] - 1 : uint.MaxValue;
            var oldOwner = before.IsEmpty ? null : before.Owner(from);
            var newOwner = after.IsEmpty ? null : after.Owner(from);
            if (oldOwner == newOwner)
            {
                continue;
            }

            if (moves.Count > 0 && moves[^1].From == oldOwner && moves[^1].To == newOwner && moves[^1].Range.To + 1 == from)
            {
                moves[^1] = moves[^1] with { Range = new HashRange(moves[^1].Range.From, to) };
            }
            else
            {
                moves.Add(new RangeMove(new HashRange(from, to), oldOwner, newOwner));
            }
        }

        return moves;
    }
}
