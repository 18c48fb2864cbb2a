using System.Collections.Immutable;
using System.Security.Claims;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

/// <summary>A segment's ladder as the API reads and writes it; the segment comes from the path.</summary>
public sealed record StrategyRequest(ImmutableArray<StrategyStep> Steps, bool ReanchorOnPartialPayment = false, bool StatutoryInterest = false);

public sealed record StrategyView(CustomerSegment Segment, ImmutableArray<StrategyStep> Steps, bool ReanchorOnPartialPayment, bool StatutoryInterest)
{
    public static StrategyView Of(Strategy strategy) => new(strategy.Segment, strategy.Steps, strategy.ReanchorOnPartialPayment, strategy.StatutoryInterest);
}

/// <summary>An invoice's ladder: steps run (execution keys "stepId@anchor"), pauses, the next step date and whether a pause holds it.</summary>
public sealed record InvoiceWorkflowView(string CustomerId, string InvoiceNumber, CustomerSegment Segment, InvoiceWorkflow Workflow);

/// <summary>The collections workflow over HTTP: segment strategies (managers, admins) and each invoice's ladder record.</summary>
public static class WorkflowEndpoints
{
    private static readonly string[] StrategyOwners = [Roles.Manager, Roles.Admin];

    public static RouteGroupBuilder MapWorkflowApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Workflow");

        api.MapGet("/strategies/{segment}", GetStrategy).RequireAuthorization(p => p.RequireRole(StrategyOwners))
            .Produces<StrategyView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetStrategy").WithSummary("The escalation ladder of a customer segment (the default ladder until replaced).");
        api.MapPut("/strategies/{segment}", ReplaceStrategy).RequireAuthorization(p => p.RequireRole(StrategyOwners))
            .Accepts<StrategyRequest>("application/json").Produces<StrategyView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReplaceStrategy").WithSummary("Replaces a segment's ladder; invoices use it from their next evaluation, steps already run stay run.");
        api.MapGet("/accounts/{customerId}/invoices/{number}/workflow", GetInvoiceWorkflow)
            .Produces<InvoiceWorkflowView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetInvoiceWorkflow").WithSummary("The invoice's ladder: steps run, pauses, next step date.");
        return api.MapWorklistApi().MapPromiseApi().MapActivityApi().MapDisputeApi().MapEscalationApi().MapPaymentPlanApi().MapHoldApi().MapLatePaymentApi();
    }

    private static async Task<IResult> GetStrategy(string segment, IGrainFactory grains) =>
        ParseSegment(segment) is { } known
            ? TypedResults.Ok(StrategyView.Of(await grains.GetGrain<IStrategyGrain>(StrategyGrain.KeyOf(known)).Get()))
            : LedgerHttp.NotFound("segment", segment);

    private static async Task<IResult> ReplaceStrategy(string segment, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (ParseSegment(segment) is not { } known)
        {
            return LedgerHttp.NotFound("segment", segment);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<StrategyRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var strategy = new Strategy(known, body!.Steps, body.ReanchorOnPartialPayment, body.StatutoryInterest);
        if (strategy.Validate() is { } error)
        {
            return LedgerHttp.Invalid(error.Field, error.Message);
        }

        var result = await grains.GetGrain<IStrategyGrain>(StrategyGrain.KeyOf(known)).Replace(strategy, LedgerHttp.Meta(user, null, "strategy replaced"));
        return result.Accepted ? TypedResults.Ok(StrategyView.Of(result.Strategy!)) : LedgerHttp.Refused(result.Error!);
    }

    private static async Task<IResult> GetInvoiceWorkflow(string customerId, string number, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var invoice = grains.GetGrain<IInvoiceGrain>(AccountGrain.InvoiceKey(customerId, number));
        return await invoice.Get() is null
            ? LedgerHttp.NotFound("invoice", $"{customerId}/{number}")
            : TypedResults.Ok(new InvoiceWorkflowView(customerId, number, profile.Segment, await invoice.GetWorkflow()));
    }

    // Segments are written as the API writes enums (camelCase, e.g. "leasingCompany"); case is not significant.
    private static CustomerSegment? ParseSegment(string segment) =>
        Enum.TryParse<CustomerSegment>(segment, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(segment, out _) ? parsed : null;
}
