using ArActors.Api.Security;
using ArActors.Runtime.Testing;

namespace ArActors.Api.Tests.Security;

public sealed class CredentialTests
{
    [Fact]
    public void A_created_key_parses_and_matches_only_its_own_record()
    {
        var (key, record) = ApiKeys.Create("erp", Roles.Integration);
        var (_, other) = ApiKeys.Create("bi", Roles.Integration);

        Assert.True(ApiKeys.TryParse(key, out var keyId, out var secret));
        Assert.Equal(record.KeyId, keyId);
        Assert.True(ApiKeys.Matches(record, secret));
        Assert.False(ApiKeys.Matches(other, secret));
        Assert.DoesNotContain(secret, record.SecretSha256, StringComparison.Ordinal);
    }

    [Fact]
    public void Creating_a_key_for_an_unknown_role_is_refused() =>
        Assert.Throws<ArgumentException>(() => ApiKeys.Create("x", "superuser"));

    [Fact]
    public void A_token_from_another_issuer_or_key_does_not_validate()
    {
        var clock = new ManualTimeProvider();
        var key = new byte[32];
        var ours = new SignedTokens(key, "aractors", clock);
        var token = new SignedTokens(key, "someone-else", clock).Issue(new UserIdentity("u1", "U", Roles.Manager, null), TimeSpan.FromHours(1));
        var foreignKey = new SignedTokens(Enumerable.Repeat((byte)7, 32).ToArray(), "aractors", clock).Issue(new UserIdentity("u1", "U", Roles.Manager, null), TimeSpan.FromHours(1));

        Assert.False(ours.TryValidate(token, out _, out var issuerFailure));
        Assert.Equal("The token's issuer, subject or role is not valid.", issuerFailure);
        Assert.False(ours.TryValidate(foreignKey, out _, out var keyFailure));
        Assert.Equal("The token signature is invalid.", keyFailure);
    }
}
