using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Security;

/// <summary>Who the caller is, as the engine sees it: the dashboard shows it, integrations check their key with it.</summary>
public sealed record Caller(string Id, string Name, string Role, string? Team, string AuthenticatedBy);

public static class MeEndpoints
{
    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Identity");
        api.MapGet("/me", Me).WithName("GetCaller").WithSummary("The authenticated caller: id, role and team.");
        return api;
    }

    private static Ok<Caller> Me(ClaimsPrincipal user) => TypedResults.Ok(new Caller(
        user.FindFirstValue(ClaimTypes.NameIdentifier)!,
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.Role)!,
        user.FindFirstValue(ArActorsClaims.Team),
        user.FindFirstValue(ArActorsClaims.AuthenticationKind)!));
}
