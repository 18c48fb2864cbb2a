using System.Collections.Immutable;
using System.Security.Claims;
using ArActors.Api.Idempotency;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains.Accounts;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

public sealed record ActivityRequest(string? Id, ActivityKind? Kind, string? ContactName, string? Debt, CallOutcome? Outcome, DateOnly? NextActionOn, string? Note);

public sealed record ActivityList(string CustomerId, ImmutableArray<ActivityRecord> Activities);

/// <summary>Logging calls, e-mails, letters and notes; contact attempts the compliance guard refuses answer 422 with the reason and the next permitted time.</summary>
public static class ActivityEndpoints
{
    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];

    public static RouteGroupBuilder MapActivityApi(this RouteGroupBuilder api)
    {
        api.MapPost("/accounts/{customerId}/activities", Log).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<ActivityRequest>("application/json").Produces<ActivityRecord>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithName("LogActivity").WithSummary("Logs a call (with outcome), e-mail, letter or note; a non-compliant contact attempt is refused with why and when it is next permitted.");
        api.MapGet("/accounts/{customerId}/activities", List).RequireAuthorization(p => p.RequireRole(PeopleWhoWork))
            .Produces<ActivityList>().WithName("ListActivities").WithSummary("The account's activities in the order they were logged.");
        return api;
    }

    private static async Task<IResult> Log(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<ActivityRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (!RequestValidator.IsId(body!.Id))
        {
            errors["id"] = ["is required: letters, digits, '.', '_' and '-', 1 to 64 characters."];
        }

        if (body.Kind is null)
        {
            errors["kind"] = ["is required: call, email, letter or note."];
        }

        if (string.IsNullOrWhiteSpace(body.Debt))
        {
            errors["debt"] = ["is required: the invoice number the activity is about."];
        }

        if (body.Kind is not ActivityKind.Note && string.IsNullOrWhiteSpace(body.ContactName))
        {
            errors["contactName"] = ["is required for a call, e-mail or letter."];
        }

        if (body.Kind is ActivityKind.Call && body.Outcome is null)
        {
            errors["outcome"] = ["is required for a call: noAnswer, leftMessage, rightPartyContact, wrongParty or refused."];
        }

        if (body.Note is { Length: > 2000 })
        {
            errors["note"] = ["is at most 2,000 characters."];
        }

        if (errors.Count > 0)
        {
            return LedgerHttp.Invalid(errors);
        }

        var activity = new LogActivity(body.Id!, body.Kind!.Value, body.ContactName, body.Debt!, body.Outcome, body.NextActionOn, body.Note);
        var result = await grains.GetGrain<IActivityGrain>(customerId).Log(activity, LedgerHttp.Meta(user, null, "activity logged"));
        if (result.Error is { Code: ActivityResult.NotPermitted } refused)
        {
            return Results.Problem(new ValidationProblemDetails(new Dictionary<string, string[]> { [refused.Field] = [refused.Message] })
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = "The contact attempt is not permitted",
                Detail = refused.Message,
                Type = "https://aractors.dev/problems/" + refused.Code,
                Extensions = { ["code"] = refused.Code, ["nextPermitted"] = result.NextPermitted },
            });
        }

        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        return result.Unchanged ? TypedResults.Ok(result.Record) : TypedResults.Created($"/api/v1/accounts/{customerId}/activities", result.Record);
    }

    private static async Task<IResult> List(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IAccountGrain>(customerId).GetProfile();
        return profile is null || !LedgerHttp.CanSee(user, profile)
            ? LedgerHttp.NotFound("account", customerId)
            : TypedResults.Ok(new ActivityList(customerId, await grains.GetGrain<IActivityGrain>(customerId).List()));
    }
}
