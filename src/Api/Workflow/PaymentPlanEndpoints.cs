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

/// <summary>One installment as the API takes it: the amount is in the account's currency.</summary>
public sealed record InstallmentRequest(DateOnly? Date, decimal? Amount);

public sealed record PaymentPlanRequest(string? Id, ImmutableArray<string> InvoiceNumbers, ImmutableArray<InstallmentRequest> Installments, int GraceDays = 0, int MaxMissed = PaymentPlanRules.DefaultMaxMissed);

public sealed record PaymentPlanList(string CustomerId, ImmutableArray<PaymentPlanRecord> Plans);

/// <summary>Payment plans of an account, for the people who work it (scoped like the account).</summary>
public static class PaymentPlanEndpoints
{
    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];

    public static RouteGroupBuilder MapPaymentPlanApi(this RouteGroupBuilder api)
    {
        api.MapPost("/accounts/{customerId}/payment-plans", Make).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<PaymentPlanRequest>("application/json").Produces<PaymentPlanRecord>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithName("MakePaymentPlan").WithSummary("An installment schedule for invoices of the account (installments add up to what they have open); "
                + "their ladders pause while it is active; maxMissed (default 2) missed installments break it.");
        api.MapGet("/accounts/{customerId}/payment-plans", List).RequireAuthorization(p => p.RequireRole(PeopleWhoWork))
            .Produces<PaymentPlanList>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ListPaymentPlans").WithSummary("The account's payment plans with each installment's status.");
        return api;
    }

    private static async Task<IResult> Make(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<PaymentPlanRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (!RequestValidator.IsId(body!.Id))
        {
            errors["id"] = ["is required: letters, digits, '.', '_' and '-', 1 to 64 characters."];
        }

        if (body.InvoiceNumbers.IsDefaultOrEmpty)
        {
            errors["invoiceNumbers"] = ["must name at least one invoice."];
        }
        else
        {
            for (var i = 0; i < body.InvoiceNumbers.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(body.InvoiceNumbers[i]))
                {
                    errors[$"invoiceNumbers[{i}]"] = ["must be an invoice number."];
                }
            }
        }

        if (body.Installments.IsDefaultOrEmpty || body.Installments.Length > PaymentPlanRules.MaxInstallments)
        {
            errors["installments"] = [$"must list 1 to {PaymentPlanRules.MaxInstallments} installments."];
        }
        else
        {
            for (var i = 0; i < body.Installments.Length; i++)
            {
                if (body.Installments[i]?.Date is null)
                {
                    errors[$"installments[{i}].date"] = ["is required (YYYY-MM-DD)."];
                }

                if (body.Installments[i]?.Amount is not { } amount || amount <= 0m || !Currency.FitsMinorUnits(amount, profile.Currency))
                {
                    errors[$"installments[{i}].amount"] = [$"must be a positive {profile.Currency} amount."];
                }
            }
        }

        if (errors.Count > 0)
        {
            return LedgerHttp.Invalid(errors);
        }

        var plan = new PaymentPlan(body.Id!, body.InvoiceNumbers, [.. body.Installments.Select(i => new Installment(i.Date!.Value, new Money(i.Amount!.Value, profile.Currency)))],
            body.GraceDays, body.MaxMissed);
        var result = await grains.GetGrain<IPaymentPlanGrain>(customerId).Make(plan, LedgerHttp.Meta(user, null, "payment plan"));
        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        return result.Unchanged ? TypedResults.Ok(result.Plan) : TypedResults.Created($"/api/v1/accounts/{customerId}/payment-plans", result.Plan);
    }

    private static async Task<IResult> List(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IAccountGrain>(customerId).GetProfile();
        return profile is null || !LedgerHttp.CanSee(user, profile)
            ? LedgerHttp.NotFound("account", customerId)
            : TypedResults.Ok(new PaymentPlanList(customerId, await grains.GetGrain<IPaymentPlanGrain>(customerId).List()));
    }
}
