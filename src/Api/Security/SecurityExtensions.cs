using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Security;

public static class SecurityExtensions
{
    public const string PolicyScheme = "ArActors";
    public const string RateLimitPolicy = "per-caller";

    public static IHostApplicationBuilder AddArActorsSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.SectionName));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SecurityOptions>>().Value;
            var key = SigningKeyFrom(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecurityExtensions)));
            return new SignedTokens(key, options.Issuer, sp.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        services.AddSingleton<IApiKeyStore>(sp => new ConfiguredApiKeyStore(sp.GetRequiredService<IOptions<SecurityOptions>>().Value.ApiKeys));

        services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, "API key or user token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : UserTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, UserTokenAuthenticationHandler>(UserTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitPolicy, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
                var caller = context.User.FindFirstValue(ClaimTypes.NameIdentifier)
                    ?? "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
                return RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, limits.Burst),
                    TokensPerPeriod = Math.Max(1, limits.RequestsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"This caller exceeded its request rate. Retry after {retryAfter} s.").ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    /// <summary>Authentication, then the per-caller rate limit (which partitions by the authenticated caller), then authorization.</summary>
    public static WebApplication UseArActorsSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    private static byte[] SigningKeyFrom(SecurityOptions options, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            logger.LogWarning("ArActors:Auth:SigningKey is not set: user tokens are signed with a random key and stop working when this process stops.");
            return RandomNumberGenerator.GetBytes(32);
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(options.SigningKey);
        }
        catch (FormatException)
        {
            throw new OptionsValidationException(SecurityOptions.SectionName, typeof(SecurityOptions), ["ArActors:Auth:SigningKey is not base64."]);
        }

        return key.Length >= 32
            ? key
            : throw new OptionsValidationException(SecurityOptions.SectionName, typeof(SecurityOptions), ["ArActors:Auth:SigningKey must be at least 32 bytes."]);
    }
}
