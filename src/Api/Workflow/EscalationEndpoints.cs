using System.Globalization;
using System.Security.Claims;
using ArActors.Api.Idempotency;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains.Ledger;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

/// <summary>The body of an acknowledgement (note optional) or a resolution (note required).</summary>
public sealed record EscalationNoteRequest(string? Note = null);

/// <summary>One page of escalations; <see cref="Next"/> is the opaque cursor of the following page (null on the last).</summary>
public sealed record EscalationList(IReadOnlyList<EscalationRecord> Escalations, string? Next = null);

/// <summary>
/// Escalation records over HTTP, scoped to the caller: a collector sees and acts on their accounts' escalations, a team
/// lead on the team's portfolio's, managers and admins on all (integrations read all). One outside the scope is 404.
/// </summary>
public static class EscalationEndpoints
{
    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];
    private static readonly string[] Readers = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin, Roles.Integration];

    public static RouteGroupBuilder MapEscalationApi(this RouteGroupBuilder api)
    {
        api.MapGet("/escalations", List).RequireAuthorization(p => p.RequireRole(Readers))
            .Produces<EscalationList>().ProducesValidationProblem()
            .WithName("ListEscalations").WithSummary("Escalations the caller may see, oldest first, with cursor paging (?cursor=, ?limit=1..500, default 100; next is null on the last page); ?status=open|acknowledged|resolved, ?accountId=.");
        api.MapGet("/escalations/{escalationId}", Get).RequireAuthorization(p => p.RequireRole(Readers))
            .Produces<EscalationRecord>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetEscalation").WithSummary("One escalation record.");
        api.MapPost("/escalations/{escalationId}/acknowledgement", Acknowledge).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<EscalationNoteRequest>("application/json").Produces<EscalationRecord>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("AcknowledgeEscalation").WithSummary("Acknowledges an open escalation (note optional); a repeat changes nothing.");
        api.MapPost("/escalations/{escalationId}/resolution", Resolve).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<EscalationNoteRequest>("application/json").Produces<EscalationRecord>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ResolveEscalation").WithSummary("Resolves an escalation with a note saying what was done; a repeat changes nothing.");
        return api;
    }

    private const string CursorPrefix = "esc1:";

    /// <summary>Oldest first, then by id: the order the book lists in, as a key that never changes.</summary>
    private static string OrderKey(EscalationRecord r) => ListPaging.Key(r.RaisedAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture), r.Id);

    private static IEscalationGrain Book(IGrainFactory grains) => grains.GetGrain<IEscalationGrain>(EscalationGrain.Key);

    private static async Task<IResult> List(string? status, string? accountId, string? cursor, string? limit, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (paging, bad) = ListPaging.Read(CursorPrefix, cursor, limit);
        if (bad is not null)
        {
            return bad;
        }

        EscalationStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (int.TryParse(status, out _) || !Enum.TryParse<EscalationStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return LedgerHttp.Invalid("status", "must be open, acknowledged or resolved.");
            }

            wanted = parsed;
        }

        var filter = new EscalationFilter(wanted, CustomerId: string.IsNullOrEmpty(accountId) ? null : accountId);
        filter = user.FindFirstValue(ClaimTypes.Role) switch
        {
            Roles.Collector => filter with { Collector = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "\0" },
            Roles.TeamLead => filter with { Portfolio = user.FindFirstValue(ArActorsClaims.Team) ?? "\0" },
            _ => filter,
        };
        var (page, next) = paging!.Apply(await Book(grains).List(filter), OrderKey);
        return TypedResults.Ok(new EscalationList(page, next));
    }

    private static async Task<IResult> Get(string escalationId, ClaimsPrincipal user, IGrainFactory grains) =>
        await Book(grains).Get(escalationId) is { } record && CanSee(user, record)
            ? TypedResults.Ok(record)
            : LedgerHttp.NotFound("escalation", escalationId);

    private static Task<IResult> Acknowledge(string escalationId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        ChangeAsync(escalationId, http, user, grains, (book, note, meta) => book.Acknowledge(escalationId, note, meta), "escalation acknowledged");

    private static Task<IResult> Resolve(string escalationId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        ChangeAsync(escalationId, http, user, grains, (book, note, meta) => book.Resolve(escalationId, note, meta), "escalation resolved");

    private static async Task<IResult> ChangeAsync(
        string escalationId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, Func<IEscalationGrain, string?, CommandMeta, Task<EscalationResult>> change, string why)
    {
        var book = Book(grains);
        if (await book.Get(escalationId) is not { } record || !CanSee(user, record))
        {
            return LedgerHttp.NotFound("escalation", escalationId);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<EscalationNoteRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Note is { Length: > EscalationRules.MaxNote })
        {
            return LedgerHttp.Invalid("note", $"must be at most {EscalationRules.MaxNote} characters.");
        }

        var result = await change(book, body.Note, LedgerHttp.Meta(user, body.Note, why));
        return result.Accepted ? TypedResults.Ok(result.Escalation) : LedgerHttp.Refused(result.Error!);
    }

    /// <summary>Scoped like the account when the escalation was raised: its collector, its portfolio's team lead, managers, admins, integrations.</summary>
    private static bool CanSee(ClaimsPrincipal user, EscalationRecord record) => user.FindFirstValue(ClaimTypes.Role) switch
    {
        Roles.Collector => record.Collector is not null && record.Collector == user.FindFirstValue(ClaimTypes.NameIdentifier),
        Roles.TeamLead => record.Portfolio == user.FindFirstValue(ArActorsClaims.Team),
        Roles.Manager or Roles.Admin or Roles.Integration => true,
        _ => false,
    };
}
