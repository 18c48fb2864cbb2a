using System.Text;

namespace ArActors.Runtime;

/// <summary>The part of a grain key that decides where it lives: grains sharing it are co-located.</summary>
public static class PlacementKey
{
    /// <summary>The key up to its first '/': <c>ACME-001/INV-77</c> is placed with <c>ACME-001</c>.</summary>
    public static string Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? key : key[..slash];
    }
}

/// <summary>A stable 32-bit hash (FNV-1a over UTF-8) of a placement key, identical in every process and version.</summary>
public static class GrainHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Of(string placementKey)
    {
        ArgumentNullException.ThrowIfNull(placementKey);
        var max = Encoding.UTF8.GetMaxByteCount(placementKey.Length);
        var buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(placementKey, buffer);
        var hash = OffsetBasis;
        foreach (var b in buffer[..length])
        {
            hash = unchecked((hash ^ b) * Prime);
        }

        return hash;
    }

    /// <summary>The hash of the placement key of <paramref name="grainKey"/>.</summary>
    public static uint OfGrainKey(string grainKey) => Of(PlacementKey.Of(grainKey));
}
