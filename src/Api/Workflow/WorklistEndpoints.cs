using System.Security.Claims;
using System.Collections.Immutable;
using ArActors.Api.Ledger;
using ArActors.Api.Reporting;
using ArActors.Api.Security;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

/// <summary>One row of a team's worklist: a collector's entry and whose queue it is in.</summary>
public sealed record TeamWorklistEntry(string CollectorId, WorklistEntry Entry);

/// <summary>A team's worklist: its collectors' queues (each total counted in the team's portfolio), merged by score.</summary>
public sealed record TeamWorklist(string Team, ImmutableArray<WorklistPage> Queues, ImmutableArray<TeamWorklistEntry> Entries);

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
        api.MapGet("/worklists/teams/{team}", GetTeam).RequireAuthorization(p => p.RequireRole(Roles.TeamLead, Roles.Manager, Roles.Admin))
            .Produces<TeamWorklist>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetTeamWorklist").WithSummary("A team's worklist (the team is the portfolio it works): every collector "
                + "holding accounts of the portfolio with their queue total, and the top N entries of all of them by score (?top=N). "
                + "Team leads read their own team, managers and admins any.");
        return api;
    }

    private static async Task<IResult> GetTeam(string team, string? top, ClaimsPrincipal user, IGrainFactory grains, ReportingProjector projector)
    {
        if (user.FindFirstValue(ClaimTypes.Role) == Roles.TeamLead && team != user.FindFirstValue(ArActorsClaims.Team))
        {
            return LedgerHttp.NotFound("team", team);
        }

        if (!RequestValidator.IsId(team))
        {
            return LedgerHttp.Invalid("team", "is not a valid id.");
        }

        if (ParseTop(top) is not { } count)
        {
            return LedgerHttp.Invalid("top", $"must be a whole number from 1 to {MaxTop}.");
        }

        // The collectors come from the account directory (the projection of the ledger), so a reassignment shows once folded.
        var collectors = projector.State.Directory.Values.Where(e => e.Portfolio == team && !string.IsNullOrEmpty(e.Collector))
            .Select(e => e.Collector).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var queues = await Task.WhenAll(collectors.Select(c => grains.GetGrain<ICollectorQueueGrain>(c).Top(count, team)));
        var entries = queues.SelectMany(q => q.Entries.Select(e => new TeamWorklistEntry(q.CollectorId, e)))
            .OrderByDescending(e => e.Entry.Score.Total).ThenBy(e => e.Entry.CustomerId, StringComparer.Ordinal)
            .Take(count);
        return TypedResults.Ok(new TeamWorklist(team, [.. queues], [.. entries]));
    }

    private static int? ParseTop(string? top) =>
        top is null ? DefaultTop : int.TryParse(top, out var count) && count is >= 1 and <= MaxTop ? count : null;

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
        if (ParseTop(top) is not { } count)
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
