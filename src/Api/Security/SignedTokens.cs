using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArActors.Api.Security;

/// <summary>Who a user token speaks for. Team is required for collectors and team leads.</summary>
public sealed record UserIdentity(string UserId, string DisplayName, string Role, string? Team);

/// <summary>
/// Compact JWS tokens (JWT, HS256) for people. JwtBearer is not available here, so issuing and validating are ours:
/// only HS256 is accepted, signatures compare in fixed time, expiry is checked against the injected clock.
/// </summary>
public sealed class SignedTokens(byte[] signingKey, string issuer, TimeProvider time)
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private static readonly byte[] HeaderSegment = Encoding.ASCII.GetBytes(Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8));

    public string Issuer => issuer;

    public string Issue(UserIdentity user, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var now = time.GetUtcNow();
        var payload = new TokenPayload(issuer, user.UserId, user.DisplayName, user.Role, user.Team, now.ToUnixTimeSeconds(), (now + lifetime).ToUnixTimeSeconds());
        var body = Encoding.ASCII.GetBytes(Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload, TokenJson.Default.TokenPayload)));
        var signingInput = new byte[HeaderSegment.Length + 1 + body.Length];
        HeaderSegment.CopyTo(signingInput, 0);
        signingInput[HeaderSegment.Length] = (byte)'.';
        body.CopyTo(signingInput, HeaderSegment.Length + 1);
        return $"{Encoding.ASCII.GetString(signingInput)}.{Base64Url(HMACSHA256.HashData(signingKey, signingInput))}";
    }

    /// <summary>Validates the token; on failure <paramref name="failure"/> says why, in words safe to return to the caller.</summary>
    public bool TryValidate(string token, out ClaimsPrincipal? principal, out string? failure)
    {
        principal = null;
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            failure = "The token is not a compact JWS.";
            return false;
        }

        TokenHeader? header;
        TokenPayload? payload;
        byte[] signature;
        try
        {
            header = JsonSerializer.Deserialize(FromBase64Url(parts[0]), TokenJson.Default.TokenHeader);
            payload = JsonSerializer.Deserialize(FromBase64Url(parts[1]), TokenJson.Default.TokenPayload);
            signature = FromBase64Url(parts[2]);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            failure = "The token is malformed.";
            return false;
        }

        if (header is not { Alg: "HS256" })
        {
            failure = "Only HS256 tokens are accepted.";
            return false;
        }

        var expected = HMACSHA256.HashData(signingKey, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            failure = "The token signature is invalid.";
            return false;
        }

        if (payload is null || payload.Iss != issuer || string.IsNullOrEmpty(payload.Sub) || !Roles.IsKnown(payload.Role ?? ""))
        {
            failure = "The token's issuer, subject or role is not valid.";
            return false;
        }

        var now = time.GetUtcNow();
        if (DateTimeOffset.FromUnixTimeSeconds(payload.Exp) + ClockSkew < now)
        {
            failure = "The token has expired.";
            return false;
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, payload.Sub),
            new(ClaimTypes.Name, payload.Name ?? payload.Sub),
            new(ClaimTypes.Role, payload.Role!),
            new(ArActorsClaims.AuthenticationKind, "token"),
        };
        if (!string.IsNullOrEmpty(payload.Team))
        {
            claims.Add(new Claim(ArActorsClaims.Team, payload.Team));
        }

        principal = new ClaimsPrincipal(new ClaimsIdentity(claims, UserTokenAuthenticationHandler.SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        failure = null;
        return true;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

internal sealed record TokenHeader([property: JsonPropertyName("alg")] string? Alg, [property: JsonPropertyName("typ")] string? Typ);

internal sealed record TokenPayload(
    [property: JsonPropertyName("iss")] string? Iss,
    [property: JsonPropertyName("sub")] string? Sub,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("team")] string? Team,
    [property: JsonPropertyName("iat")] long Iat,
    [property: JsonPropertyName("exp")] long Exp);

[JsonSerializable(typeof(TokenHeader))]
[JsonSerializable(typeof(TokenPayload))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class TokenJson : JsonSerializerContext;
