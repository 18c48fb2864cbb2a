using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Security;

/// <summary><c>Authorization: Bearer &lt;token&gt;</c> for people, and the <c>access_token</c> query value SignalR's WebSocket transport sends.</summary>
public sealed class UserTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SignedTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "UserToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (Request.Path.StartsWithSegments("/hubs") && Request.Query["access_token"] is { Count: 1 } query)
        {
            token = query.ToString();
        }

        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(tokens.TryValidate(token, out var principal, out var failure)
            ? AuthenticateResult.Success(new AuthenticationTicket(principal!, SchemeName))
            : AuthenticateResult.Fail(failure!));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties) =>
        await AuthProblems.ChallengeAsync(Context, "Bearer", (await HandleAuthenticateOnceSafeAsync()).Failure?.Message);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbidAsync(Context);
}

/// <summary><c>X-Api-Key: ak_...</c> for integrations.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyStore store) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count != 1 || !ApiKeys.TryParse(values.ToString(), out var keyId, out var secret))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var record = await store.FindAsync(keyId, Context.RequestAborted);
        if (record is null || !ApiKeys.Matches(record, secret))
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, "key:" + record.KeyId),
                new Claim(ClaimTypes.Name, record.Name),
                new Claim(ClaimTypes.Role, record.Role),
                new Claim(ArActorsClaims.AuthenticationKind, "api-key"),
            ],
            SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties) =>
        await AuthProblems.ChallengeAsync(Context, SchemeName, (await HandleAuthenticateOnceSafeAsync()).Failure?.Message);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbidAsync(Context);
}

/// <summary>401 and 403 as RFC 9457 problem+json, saying why.</summary>
internal static class AuthProblems
{
    public static Task ChallengeAsync(HttpContext context, string scheme, string? failure)
    {
        context.Response.Headers.WWWAuthenticate = scheme;
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Authentication required",
            detail: failure ?? $"Send a user token (Authorization: Bearer ...) or an API key ({ApiKeyAuthenticationHandler.HeaderName}).").ExecuteAsync(context);
    }

    public static Task ForbidAsync(HttpContext context) =>
        Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: "Your role does not allow this.").ExecuteAsync(context);
}
