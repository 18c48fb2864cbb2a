using System.Security.Claims;
using ArActors.Api.Idempotency;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains.Accounts;
using ArActors.Grains.Aging;
using ArActors.Grains.Invoices;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Workflow;

/// <summary>A manual hold until a date (exclusive: the ladder runs again on it), with a reason for the audit.</summary>
public sealed record HoldRequest(DateOnly? Until, string? Reason = null);

public sealed record HoldReleaseRequest(string? Reason = null);

/// <summary>Manual holds of an invoice's ladder (scoped like the account).</summary>
public static class HoldEndpoints
{
    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];

    public static RouteGroupBuilder MapHoldApi(this RouteGroupBuilder api)
    {
        api.MapPost("/accounts/{customerId}/invoices/{number}/hold", Hold).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<HoldRequest>("application/json").Produces<InvoiceWorkflowView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("HoldInvoiceLadder").WithSummary("Holds the invoice's ladder from today until the date (later steps move by the held days); again: moves the end.");
        api.MapPost("/accounts/{customerId}/invoices/{number}/hold-release", Release).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<HoldReleaseRequest>("application/json").Produces<InvoiceWorkflowView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReleaseInvoiceHold").WithSummary("Ends the invoice's manual hold today; without a running hold it changes nothing.");
        return api;
    }

    private static Task<IResult> Hold(string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock) =>
        ChangeAsync<HoldRequest>(customerId, number, http, user, grains, clock, (body, workflow, today) =>
        {
            if (body.Reason is { Length: > 500 })
            {
                return (null, LedgerHttp.Invalid("reason", "must be at most 500 characters."));
            }

            if (body.Until is not { } until)
            {
                return (null, LedgerHttp.Invalid("until", "is required (YYYY-MM-DD)."));
            }

            var placed = ManualHolds.Place(workflow, until, today);
            return placed.IsOk ? (placed.Value, null) : (null, LedgerHttp.Invalid(placed.Error!.Field, placed.Error.Message));
        });

    private static Task<IResult> Release(string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock) =>
        ChangeAsync<HoldReleaseRequest>(customerId, number, http, user, grains, clock, (body, workflow, today) =>
            body.Reason is { Length: > 500 } ? (null, LedgerHttp.Invalid("reason", "must be at most 500 characters.")) : (ManualHolds.Release(workflow, today), null));

    private static async Task<IResult> ChangeAsync<TBody>(
        string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock,
        Func<TBody, InvoiceWorkflow, DateOnly, (LadderPause? Pause, IResult? Problem)> decide)
        where TBody : class
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var invoice = grains.GetGrain<IInvoiceGrain>(AccountGrain.InvoiceKey(customerId, number));
        if (await invoice.Get() is not { } snapshot)
        {
            return LedgerHttp.NotFound("invoice", $"{customerId}/{number}");
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<TBody>(http);
        if (problem is not null)
        {
            return problem;
        }

        if (snapshot.Status is InvoiceStatus.Paid or InvoiceStatus.Cancelled or InvoiceStatus.WrittenOff)
        {
            return LedgerHttp.Invalid("number", "has nothing open: its ladder has nothing to hold.");
        }

        var today = BusinessCalendar.Today(clock.GetUtcNow(), profile.TimeZone);
        var (pause, refused) = decide(body!, await invoice.GetWorkflow(), today);
        if (refused is not null)
        {
            return refused;
        }

        if (pause is not null)
        {
            await invoice.SetPause(pause);
        }

        return TypedResults.Ok(new InvoiceWorkflowView(customerId, number, profile.Segment, await invoice.GetWorkflow()));
    }
}
