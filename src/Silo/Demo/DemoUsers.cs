using ArActors.Api.Security;
using ArActors.Silo.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ArActors.Silo.Demo;

/// <summary>A named person demo mode lets anyone sign in as; the team of a collector or team lead is their portfolio.</summary>
public sealed record DemoUser(string UserId, string DisplayName, string Role, string? Team);

public sealed record DemoSignIn(string? UserId);

public sealed record DemoSession(string Token, DemoUser User, DateTimeOffset ExpiresAt);

/// <summary>
/// Demo mode's people: the six collectors of the generated portfolio, a team lead per portfolio, a manager and an
/// admin. Signing in needs no password and is only mapped when demo mode is on; it says so in every answer.
/// </summary>
public static class DemoUsers
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static readonly IReadOnlyList<DemoUser> All =
    [
        .. DemoPortfolio.Collectors.Select((id, i) => new DemoUser(id, $"Collector {i + 1}", Roles.Collector, i < 3 ? "north" : "south")),
        new("lead-north", "Team lead North", Roles.TeamLead, "north"),
        new("lead-south", "Team lead South", Roles.TeamLead, "south"),
        new("manager", "AR manager", Roles.Manager, null),
        new("admin", "Administrator", Roles.Admin, null),
    ];

    public static IEndpointRouteBuilder MapDemoApi(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<ArActorsOptions>>().Value.Demo)
        {
            return endpoints;
        }

        var demo = endpoints.MapGroup("/api/v1/demo").AllowAnonymous().WithTags("Demo");
        demo.MapGet("/users", () => TypedResults.Ok(All)).WithSummary("Demo mode only: the people you can sign in as.");
        demo.MapPost("/sign-in", SignIn).WithSummary("Demo mode only: a user token for a demo person, without a password.");
        return endpoints;
    }

    private static Results<Ok<DemoSession>, ProblemHttpResult> SignIn(DemoSignIn request, SignedTokens tokens, TimeProvider time)
    {
        var user = All.FirstOrDefault(u => u.UserId == request.UserId);
        if (user is null)
        {
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["userId"] = [$"must be one of {string.Join(", ", All.Select(u => u.UserId))}."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "No such demo user",
            });
        }

        var token = tokens.Issue(new UserIdentity(user.UserId, user.DisplayName, user.Role, user.Team), SessionLifetime);
        return TypedResults.Ok(new DemoSession(token, user, time.GetUtcNow() + SessionLifetime));
    }
}
