using System.Collections.Immutable;
using System.Security.Claims;
using ArActors.Api.Idempotency;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

/// <summary>A promise to pay as the API takes it: the amount is in the account's currency.</summary>
public sealed record PromiseRequest(string? Id, decimal? Amount, DateOnly? Date, ImmutableArray<string> InvoiceNumbers, int GraceDays = 0, decimal Tolerance = 0m);

public sealed record PromiseList(string CustomerId, ImmutableArray<PromiseRecord> Promises);

/// <summary>Promises to pay of an account, for the people who work it (scoped like the account).</summary>
public static class PromiseEndpoints
{
    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];

    public static RouteGroupBuilder MapPromiseApi(this RouteGroupBuilder api)
    {
        api.MapPost("/accounts/{customerId}/promises", Make).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<PromiseRequest>("application/json").Produces<PromiseRecord>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithName("MakePromise").WithSummary("Records a promise to pay: its invoices' ladders pause until the day after date + grace, when it is decided kept or broken.");
        api.MapGet("/accounts/{customerId}/promises", List).RequireAuthorization(p => p.RequireRole(PeopleWhoWork))
            .Produces<PromiseList>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ListPromises").WithSummary("The account's promises with status (open, kept, broken) and amount paid.");
        return api;
    }

    private static async Task<IResult> Make(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<PromiseRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (!RequestValidator.IsId(body!.Id))
        {
            errors["id"] = ["is required: letters, digits, '.', '_' and '-', 1 to 64 characters."];
        }

        if (body.Amount is not { } amount || amount <= 0m || !Currency.FitsMinorUnits(amount, profile.Currency))
        {
            errors["amount"] = [$"must be a positive {profile.Currency} amount."];
        }

        if (body.Date is null)
        {
            errors["date"] = ["is required (YYYY-MM-DD)."];
        }

        if (body.InvoiceNumbers.IsDefaultOrEmpty)
        {
            errors["invoiceNumbers"] = ["must name at least one invoice."];
        }

        if (errors.Count > 0)
        {
            return LedgerHttp.Invalid(errors);
        }

        var promise = new PromiseToPay(body.Id!, new Money(body.Amount!.Value, profile.Currency), body.Date!.Value, body.InvoiceNumbers, body.GraceDays, body.Tolerance);
        var result = await grains.GetGrain<IPromiseGrain>(customerId).Make(promise, LedgerHttp.Meta(user, null, "promise to pay"));
        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        return result.Unchanged ? TypedResults.Ok(result.Promise) : TypedResults.Created($"/api/v1/accounts/{customerId}/promises", result.Promise);
    }

    private static async Task<IResult> List(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IAccountGrain>(customerId).GetProfile();
        return profile is null || !LedgerHttp.CanSee(user, profile)
            ? LedgerHttp.NotFound("account", customerId)
            : TypedResults.Ok(new PromiseList(customerId, await grains.GetGrain<IPromiseGrain>(customerId).List()));
    }
}
