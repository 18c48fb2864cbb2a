using System.Security.Claims;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

/// <summary>
/// Collectors' worklists: a collector reads their own; a team lead any collector's, limited to the accounts of the
/// portfolio their team works; managers and admins any. The queue grain keeps the list sorted, so top N is a prefix.
/// </summary>
public static class WorklistEndpoints
{
    public const int DefaultTop = 50;
    public const int MaxTop = 1000;

    public static RouteGroupBuilder MapWorklistApi(this RouteGroupBuilder api)
    {
        api.MapGet("/worklists/me", GetMine).RequireAuthorization(p => p.RequireRole(Roles.Collector))
            .Produces<WorklistPage>().ProducesValidationProblem()
            .WithName("GetMyWorklist").WithSummary("The caller's worklist, highest priority first (?top=N, default 50, at most 1000).");
        api.MapGet("/worklists/{collectorId}", GetOne).RequireAuthorization(p => p.RequireRole(Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin))
            .Produces<WorklistPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetWorklist").WithSummary("A collector's worklist: team leads see their portfolio's accounts in it, managers all (?top=N).");
        return api;
    }

    private static Task<IResult> GetMine(string? top, ClaimsPrincipal user, IGrainFactory grains) =>
        Read(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", top, portfolio: null, grains);

    private static Task<IResult> GetOne(string collectorId, string? top, ClaimsPrincipal user, IGrainFactory grains) =>
        user.FindFirstValue(ClaimTypes.Role) switch
        {
            // Another collector's list is answered as if it did not exist, like accounts outside the caller's scope.
            Roles.Collector when collectorId != user.FindFirstValue(ClaimTypes.NameIdentifier) => Task.FromResult(LedgerHttp.NotFound("worklist", collectorId)),
            Roles.Collector => Read(collectorId, top, null, grains),
            Roles.TeamLead => Read(collectorId, top, user.FindFirstValue(ArActorsClaims.Team) ?? "", grains),
            _ => Read(collectorId, top, null, grains),
        };

    private static async Task<IResult> Read(string collectorId, string? top, string? portfolio, IGrainFactory grains)
    {
        var count = DefaultTop;
        if (top is not null && (!int.TryParse(top, out count) || count is < 1 or > MaxTop))
        {
            return LedgerHttp.Invalid("top", $"must be a whole number from 1 to {MaxTop}.");
        }

        if (!RequestValidator.IsId(collectorId))
        {
            return LedgerHttp.Invalid("collectorId", "is not a valid id.");
        }

        return TypedResults.Ok(await grains.GetGrain<ICollectorQueueGrain>(collectorId).Top(count, portfolio));
    }
}
