using ArActors.Runtime.Clustering;
using ArActors.Runtime.Storage;
using Xunit.Abstractions;

namespace ArActors.Runtime.Tests.Clustering;

public sealed class ConsistentHashRingTests(ITestOutputHelper output)
{
    private static readonly SiloAddress A = new("http://10.0.0.1:5081", 639_000_000_000_000_001);
    private static readonly SiloAddress B = new("http://10.0.0.2:5081", 639_000_000_000_000_002);
    private static readonly SiloAddress C = new("http://10.0.0.3:5081", 639_000_000_000_000_003);
    private static readonly SiloAddress D = new("http://10.0.0.4:5081", 639_000_000_000_000_004);

    private static uint[] RandomHashes(int count, int seed)
    {
        var random = new Random(seed);
        var hashes = Enumerable.Range(0, count).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToList();
        hashes.AddRange([0u, 1u, uint.MaxValue, uint.MaxValue - 1]);
        return [.. hashes];
    }

    [Fact]
    public void The_stable_hash_is_fixed_across_processes_and_platforms()
    {
        // Pinned values: a change here re-places every grain in a running cluster.
        Assert.Equal(0xab3e7c0bu, StableHash.Of(""));
        Assert.Equal(0x3e64e938u, StableHash.Of("http://10.0.0.1:5081#1#0"));
        Assert.Equal(0x8e4756c7u, StableHash.Of("é"));
    }

    [Fact]
    public void The_same_silos_in_any_order_give_the_same_owners_and_ranges()
    {
        var one = ConsistentHashRing.Create([A, B, C]);
        var other = ConsistentHashRing.Create([C, A, B, A]);

        Assert.Equal(one.Silos.ToArray(), other.Silos.ToArray());
        Assert.Equal(one.Segments.ToArray(), other.Segments.ToArray());
        Assert.All(RandomHashes(10_000, 1), h => Assert.Equal(one.Owner(h), other.Owner(h)));
    }

    [Fact]
    public void Three_silos_with_128_virtual_nodes_each_own_between_a_fifth_and_under_half_of_the_space()
    {
        var ring = ConsistentHashRing.Create([A, B, C], 128);

        var shares = new[] { A, B, C }.Select(ring.ShareOf).ToArray();
        output.WriteLine($"shares with 128 vnodes: {string.Join(", ", shares.Select(s => s.ToString("P2", System.Globalization.CultureInfo.InvariantCulture)))}");

        Assert.Equal(1.0, shares.Sum(), 9);
        Assert.All(shares, s => Assert.InRange(s, 0.20, 0.47));
    }

    [Fact]
    public void Ranges_of_all_silos_cover_the_space_exactly_once_and_agree_with_Owner()
    {
        var ring = ConsistentHashRing.Create([A, B, C, D], 64);
        var ranges = new[] { A, B, C, D }.SelectMany(s => ring.RangesOf(s).Select(r => (Range: r, Silo: s))).ToList();

        Assert.Equal(1UL << 32, ranges.Aggregate(0UL, (sum, r) => sum + ConsistentHashRing.RangeSize(r.Range)));
        Assert.All(RandomHashes(20_000, 2), h =>
        {
            var containing = ranges.Where(r => r.Range.Contains(h)).ToList();
            var only = Assert.Single(containing);
            Assert.Equal(ring.Owner(h), only.Silo);
        });
        Assert.All(ranges, r => Assert.Equal(r.Silo, ring.Owner(r.Range.From)));
        Assert.All(ranges, r => Assert.Equal(r.Silo, ring.Owner(r.Range.To)));
    }

    [Fact]
    public void Coverage_and_agreement_with_Owner_hold_for_random_small_rings_where_wrap_and_merge_cases_are_common()
    {
        var random = new Random(5);
        for (var round = 0; round < 200; round++)
        {
            var silos = Enumerable.Range(0, random.Next(1, 6)).Select(i => new SiloAddress($"http://h{random.Next(1000)}:5081", i)).ToList();
            var ring = ConsistentHashRing.Create(silos, random.Next(1, 5));
            var ranges = ring.Silos.SelectMany(s => ring.RangesOf(s).Select(r => (Range: r, Silo: s))).ToList();

            Assert.Equal(1UL << 32, ranges.Aggregate(0UL, (sum, r) => sum + ConsistentHashRing.RangeSize(r.Range)));
            Assert.All(RandomHashes(200, round), h => Assert.Equal(ring.Owner(h), Assert.Single(ranges, r => r.Range.Contains(h)).Silo));
        }
    }

    [Fact]
    public void A_single_silo_owns_the_full_range_and_an_empty_ring_owns_nothing()
    {
        Assert.Equal([HashRange.Full], ConsistentHashRing.Create([A]).RangesOf(A));
        Assert.Equal(A, ConsistentHashRing.Create([A]).Owner(12345));

        var empty = ConsistentHashRing.Create([]);
        Assert.True(empty.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => empty.Owner(1));
        Assert.Empty(empty.RangesOf(A));
    }

    [Fact]
    public void A_restarted_silo_is_a_different_owner_because_its_generation_differs()
    {
        var restarted = A with { Generation = A.Generation + 1 };
        var before = ConsistentHashRing.Create([A, B, C]);
        var after = ConsistentHashRing.Create([restarted, B, C]);

        Assert.Empty(after.RangesOf(A));
        Assert.NotEqual(before.RangesOf(A), after.RangesOf(restarted));
    }

    [Fact]
    public void When_one_of_three_leaves_only_its_keys_move_and_the_diff_names_exactly_them()
    {
        var before = ConsistentHashRing.Create([A, B, C]);
        var after = ConsistentHashRing.Create([A, B]);
        var moves = RingDiff.Compute(before, after);

        Assert.All(RandomHashes(20_000, 3), h =>
        {
            var move = moves.SingleOrDefault(m => m.Range.Contains(h));
            if (before.Owner(h) == C)
            {
                Assert.NotEqual(C, after.Owner(h));
                Assert.Equal(new RangeMove(move!.Range, C, after.Owner(h)), move);
            }
            else
            {
                Assert.Equal(before.Owner(h), after.Owner(h));
                Assert.Null(move);
            }
        });
        Assert.Equal(ConsistentHashRing.Create([A, B, C]).RangesOf(C).Sum(r => (double)ConsistentHashRing.RangeSize(r)),
            moves.Sum(m => (double)ConsistentHashRing.RangeSize(m.Range)));
    }

    [Fact]
    public void When_a_silo_joins_keys_move_only_to_it()
    {
        var before = ConsistentHashRing.Create([A, B, C]);
        var after = ConsistentHashRing.Create([A, B, C, D]);
        var moves = RingDiff.Compute(before, after);

        Assert.NotEmpty(moves);
        Assert.All(moves, m => Assert.Equal(D, m.To));
        Assert.All(moves, m => Assert.NotEqual(D, m.From));
        Assert.All(RandomHashes(20_000, 4), h =>
            Assert.True(after.Owner(h) == before.Owner(h) || after.Owner(h) == D));
        Assert.Equal(
            after.RangesOf(D).Sum(r => (double)ConsistentHashRing.RangeSize(r)),
            moves.Sum(m => (double)ConsistentHashRing.RangeSize(m.Range)));
    }

    [Fact]
    public void The_diff_from_an_empty_ring_gives_every_range_to_its_first_owner()
    {
        var after = ConsistentHashRing.Create([A, B]);
        var moves = RingDiff.Compute(ConsistentHashRing.Create([]), after);

        Assert.All(moves, m => Assert.Null(m.From));
        Assert.Equal(1UL << 32, moves.Aggregate(0UL, (sum, m) => sum + ConsistentHashRing.RangeSize(m.Range)));
        Assert.Empty(RingDiff.Compute(after, ConsistentHashRing.Create([B, A])));
    }
}
