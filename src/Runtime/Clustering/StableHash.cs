using System.Text;

namespace ArActors.Runtime.Clustering;

/// <summary>A 32-bit hash that is the same in every process and on every platform (unlike string.GetHashCode).</summary>
public static class StableHash
{
    /// <summary>FNV-1a over the UTF-8 bytes, then the murmur3 finalizer: FNV alone spreads near-identical keys poorly.</summary>
    public static uint Of(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        hash ^= hash >> 16;
        hash = unchecked(hash * 0x85ebca6bu);
        hash ^= hash >> 13;
        hash = unchecked(hash * 0xc2b2ae35u);
        hash ^= hash >> 16;
        return hash;
    }
}
