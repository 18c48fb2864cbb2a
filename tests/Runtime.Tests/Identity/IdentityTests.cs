namespace ArActors.Runtime.Tests.Identity;

public sealed class IdentityTests
{
    [Theory]
    [InlineData("ACME-001", "ACME-001")]
    [InlineData("ACME-001/INV-77", "ACME-001")]
    [InlineData("ACME-001/INV-77/LINE-2", "ACME-001")]
    [InlineData("/orphan", "")]
    public void Placement_key_is_the_part_before_the_first_slash(string key, string expected) =>
        Assert.Equal(expected, PlacementKey.Of(key));

    [Theory]
    [InlineData("", 2166136261u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Grain_hash_is_fnv1a_over_utf8_so_it_is_stable_everywhere(string placementKey, uint expected) =>
        Assert.Equal(expected, GrainHash.Of(placementKey));

    [Fact]
    public void Invoices_hash_with_their_customer() =>
        Assert.Equal(GrainHash.Of("ACME-001"), GrainHash.OfGrainKey("ACME-001/INV-77"));
}
