using System.Security.Cryptography;
using System.Text;

namespace ArActors.Api.Security;

/// <summary>A registered API key: only the SHA-256 of its secret is kept.</summary>
public sealed record ApiKeyRecord(string KeyId, string Name, string Role, string SecretSha256);

/// <summary>
/// API keys look like <c>ak_{keyId}_{secret}</c>. The id finds the record; the secret is checked by hash in fixed time.
/// Secrets are 32 random bytes, so a fast hash is enough (no password stretching needed for high-entropy secrets).
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "ak_";

    public static (string Key, ApiKeyRecord Record) Create(string name, string role)
    {
        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"Unknown role '{role}'.", nameof(role));
        }

        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return ($"{Prefix}{keyId}_{secret}", new ApiKeyRecord(keyId, name, role, HashSecret(secret)));
    }

    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool TryParse(string key, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (separator <= 0 || separator == rest.Length - 1)
        {
            return false;
        }

        keyId = rest[..separator].ToString();
        secret = rest[(separator + 1)..].ToString();
        return true;
    }

    public static bool Matches(ApiKeyRecord record, string secret) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(HashSecret(secret)),
            Encoding.ASCII.GetBytes(record.SecretSha256));
}

/// <summary>Where API key records live. Lookups are by key id.</summary>
public interface IApiKeyStore
{
    ValueTask<ApiKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken);
}

/// <summary>Keys registered in configuration (<c>ArActors:Auth:ApiKeys</c>), hashed there too.</summary>
public sealed class ConfiguredApiKeyStore(IEnumerable<ApiKeyRecord> records) : IApiKeyStore
{
    private readonly Dictionary<string, ApiKeyRecord> _byId = records.ToDictionary(r => r.KeyId, StringComparer.Ordinal);

    public ValueTask<ApiKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_byId.GetValueOrDefault(keyId));
}
