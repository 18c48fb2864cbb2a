namespace ArActors.Api.Security;

/// <summary>The <c>ArActors:Auth</c> configuration section.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "ArActors:Auth";

    /// <summary>Base64 HMAC key (at least 32 bytes) that signs user tokens. Empty: a random key per process, so tokens die with it.</summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "aractors";

    /// <summary>Integration keys, hashed: generate one with <c>ApiKeys.Create</c>; only the SHA-256 of the secret is configured.</summary>
    public List<ApiKeyRecord> ApiKeys { get; set; } = [];

    /// <summary>Requests per second each key, user or (when anonymous) client address may make, sustained.</summary>
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a caller may burst above the sustained rate.</summary>
    public int Burst { get; set; } = 200;
}
