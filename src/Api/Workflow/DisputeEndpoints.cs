using System.Collections.Immutable;
using System.Globalization;
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
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Api.Workflow;

/// <summary>
/// Opens a dispute on the invoice of the path. Every field is optional so the first body (<c>{"reason": "..."}</c>) still
/// works: <c>disputeId</c> defaults to the invoice number, <c>reasonCode</c> to "other", <c>amount</c> to all of the
/// invoice not yet in dispute (in the account currency), <c>note</c> to <c>reason</c>.
/// </summary>
public sealed record DisputeRequest(string? Reason = null, string? DisputeId = null, string? ReasonCode = null, decimal? Amount = null, string? Note = null);

/// <summary>
/// Resolves a dispute of the invoice: <c>disputeId</c> names one (without it, every open dispute of the invoice ends as
/// invalid with the note: what the first body did); <c>outcome</c> valid issues a credit note for <c>creditAmount</c>
/// (default: the disputed amount) and needs a team lead, manager or admin; invalid needs a note (<c>note</c> or <c>reason</c>).
/// </summary>
public sealed record DisputeResolutionRequest(string? Reason = null, string? DisputeId = null, DisputeOutcome? Outcome = null, decimal? CreditAmount = null, string? Note = null);

/// <summary>Disputes; on <c>GET /disputes</c> one page of them, <see cref="Next"/> the opaque cursor of the following page (null on the last).</summary>
public sealed record DisputeList(IReadOnlyList<Dispute> Disputes, string? Next = null);

public sealed record DisputeSummaryView(ImmutableArray<DisputeReasonSummary> Reasons);

/// <summary>Disputes over HTTP: open and resolve on an invoice (scoped like its account), lists and a summary by reason scoped to the caller.</summary>
public static class DisputeEndpoints
{
    public const string DefaultReasonCode = "other";

    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];
    private static readonly string[] Readers = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin, Roles.Integration];
    private static readonly string[] Approvers = [Roles.TeamLead, Roles.Manager, Roles.Admin];

    /// <summary>The resolution matrix from configuration <c>ArActors:Disputes:Routes</c> (reason, department, lead, slaDays); the default one when absent.</summary>
    public static IHostApplicationBuilder AddArActorsDisputes(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var routes = builder.Configuration.GetSection("ArActors:Disputes:Routes").GetChildren()
            .Select(s => new DisputeRoute(s["reason"] ?? "", s["department"] ?? "", s["lead"] ?? "", int.TryParse(s["slaDays"], out var days) ? days : 0))
            .ToImmutableArray();
        var matrix = routes.IsEmpty ? DisputeMatrix.Default : new DisputeMatrix(routes);
        if (matrix.Problem() is { } problem)
        {
            throw new InvalidOperationException("ArActors:Disputes: " + problem);
        }

        builder.Services.AddSingleton(matrix);
        return builder;
    }

    public static RouteGroupBuilder MapDisputeApi(this RouteGroupBuilder api)
    {
        api.MapPost("/accounts/{customerId}/invoices/{number}/dispute", Open).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<DisputeRequest>("application/json").Produces<Dispute>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithName("OpenDispute").WithSummary("Opens a dispute on all or part of the invoice with a reason code; the resolution matrix assigns owner and deadline, "
                + "and only the disputed amount is paused from dunning.");
        api.MapPost("/accounts/{customerId}/invoices/{number}/dispute-resolution", Resolve).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<DisputeResolutionRequest>("application/json").Produces<Dispute>().ProducesValidationProblem()
            .WithName("ResolveDispute").WithSummary("Resolves a dispute: valid (a credit note for the agreed amount) or invalid (back to collections with a note).");
        api.MapGet("/accounts/{customerId}/disputes", ListOfAccount).RequireAuthorization(p => p.RequireRole(Readers))
            .Produces<DisputeList>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ListAccountDisputes").WithSummary("The account's disputes with owner, deadline, status and resolution.");
        api.MapGet("/disputes", Query).RequireAuthorization(p => p.RequireRole(Readers))
            .Produces<DisputeList>().ProducesValidationProblem()
            .WithName("ListDisputes").WithSummary("Disputes the caller may see, oldest first, with cursor paging (?cursor=, ?limit=1..500, default 100; next is null on the last page), filtered by ?status=open|resolved, ?reason= and ?accountId=.");
        api.MapGet("/disputes/summary", Summary).RequireAuthorization(p => p.RequireRole(Readers))
            .Produces<DisputeSummaryView>().ProducesValidationProblem()
            .WithName("DisputeSummary").WithSummary("Counts, amounts and cycle times (opened to resolved, in days) by reason code, for root-cause work; same filters.");
        return api;
    }

    private static async Task<IResult> Open(string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<DisputeRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (body!.DisputeId is not null && !RequestValidator.IsId(body.DisputeId))
        {
            errors["disputeId"] = ["must be letters, digits, '.', '_' and '-', 1 to 64 characters."];
        }

        if (body.Amount is { } amount && (amount <= 0m || !Currency.FitsMinorUnits(amount, profile.Currency)))
        {
            errors["amount"] = [$"must be a positive {profile.Currency} amount."];
        }

        CheckText(errors, "reason", body.Reason);
        CheckText(errors, "note", body.Note);
        if (body.ReasonCode is { Length: 0 or > 64 })
        {
            errors["reasonCode"] = ["must be 1 to 64 characters."];
        }

        if (errors.Count > 0)
        {
            return LedgerHttp.Invalid(errors);
        }

        var command = new OpenDispute(body.DisputeId ?? number, number, body.ReasonCode ?? DefaultReasonCode,
            body.Amount is { } part ? new Money(part, profile.Currency) : null, body.Note ?? body.Reason);
        var result = await grains.GetGrain<IDisputeGrain>(customerId).Open(command, LedgerHttp.Meta(user, body.Reason, "dispute opened"));
        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        return result.Unchanged ? TypedResults.Ok(result.Dispute) : TypedResults.Created($"/api/v1/accounts/{customerId}/disputes", result.Dispute);
    }

    private static async Task<IResult> Resolve(string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await LedgerHttp.VisibleProfileAsync(grains, user, customerId) is not { } profile)
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var (body, problem) = await LedgerHttp.ReadBodyAsync<DisputeResolutionRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (body!.DisputeId is not null && !RequestValidator.IsId(body.DisputeId))
        {
            errors["disputeId"] = ["must be letters, digits, '.', '_' and '-', 1 to 64 characters."];
        }

        if (body.CreditAmount is { } credit && (credit <= 0m || !Currency.FitsMinorUnits(credit, profile.Currency)))
        {
            errors["creditAmount"] = [$"must be a positive {profile.Currency} amount."];
        }

        if (body.Outcome is { } outcome && !Enum.IsDefined(outcome))
        {
            errors["outcome"] = ["must be valid or invalid."];
        }

        CheckText(errors, "reason", body.Reason);
        CheckText(errors, "note", body.Note);
        if (errors.Count > 0)
        {
            return LedgerHttp.Invalid(errors);
        }

        var outcomeOf = body.Outcome ?? DisputeOutcome.Invalid;
        if (outcomeOf == DisputeOutcome.Valid && !Approvers.Any(user.IsInRole))
        {
            // A valid resolution issues a credit note: the same people who may credit an invoice.
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Resolving a dispute as valid issues a credit note; it needs a team lead, manager or admin.");
        }

        var disputes = grains.GetGrain<IDisputeGrain>(customerId);
        var meta = LedgerHttp.Meta(user, body.Reason, "dispute resolved");
        var note = body.Note ?? body.Reason;
        var result = body.DisputeId is { } id
            ? await disputes.Resolve(new SettleDispute(id, outcomeOf, body.CreditAmount is { } c ? new Money(c, profile.Currency) : null, note), meta)
            : body.Outcome is null && body.CreditAmount is null
                ? await disputes.ResolveInvoice(number, note ?? "dispute resolved", meta)
                : new DisputeResult(null, LedgerError.Of("disputeId", ErrorCodes.Required, "Name the dispute to resolve with an outcome or a credit."));
        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        if (result.Dispute is { } resolved && resolved.InvoiceNumber != number)
        {
            return LedgerHttp.Refused(LedgerError.Of("disputeId", ErrorCodes.Invalid, $"Dispute '{resolved.Id}' is on invoice '{resolved.InvoiceNumber}', not '{number}'."));
        }

        return TypedResults.Ok(result.Dispute);
    }

    private static async Task<IResult> ListOfAccount(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IAccountGrain>(customerId).GetProfile();
        return profile is null || !LedgerHttp.CanSee(user, profile)
            ? LedgerHttp.NotFound("account", customerId)
            : TypedResults.Ok(new DisputeList(await grains.GetGrain<IDisputeGrain>(customerId).List()));
    }

    private static async Task<IResult> Query(string? status, string? reason, string? accountId, string? cursor, string? limit, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (paging, bad) = ListPaging.Read(CursorPrefix, cursor, limit);
        if (bad is not null)
        {
            return bad;
        }

        if (FilterOf(status, reason, accountId, user) is not { } filter)
        {
            return LedgerHttp.Invalid("status", "must be open or resolved.");
        }

        var entries = await grains.GetGrain<IDisputeIndexGrain>(DisputeIndexGrain.Key).Query(filter);
        var (page, next) = paging!.Apply(entries.Select(e => e.Dispute), OrderKey);
        return TypedResults.Ok(new DisputeList(page, next));
    }

    private const string CursorPrefix = "dsp1:";

    /// <summary>Opened first, then by account and id (the index's order), as a key that never changes.</summary>
    private static string OrderKey(Dispute d) => ListPaging.Key(d.OpenedOn.DayNumber.ToString("D7", CultureInfo.InvariantCulture), d.CustomerId, d.Id);

    private static async Task<IResult> Summary(string? status, string? reason, string? accountId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (FilterOf(status, reason, accountId, user) is not { } filter)
        {
            return LedgerHttp.Invalid("status", "must be open or resolved.");
        }

        return TypedResults.Ok(new DisputeSummaryView(await grains.GetGrain<IDisputeIndexGrain>(DisputeIndexGrain.Key).Summary(filter)));
    }

    /// <summary>The query's filter narrowed to what the caller may see (a collector their accounts, a team lead the team's portfolio); null for a bad status.</summary>
    private static DisputeFilter? FilterOf(string? status, string? reason, string? accountId, ClaimsPrincipal user)
    {
        DisputeStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<DisputeStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                return null;
            }

            wanted = parsed;
        }

        var filter = new DisputeFilter(wanted, string.IsNullOrEmpty(reason) ? null : reason, string.IsNullOrEmpty(accountId) ? null : accountId);
        return user.FindFirstValue(ClaimTypes.Role) switch
        {
            Roles.Collector => filter with { Collector = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "\0" },
            Roles.TeamLead => filter with { Portfolio = user.FindFirstValue(ArActorsClaims.Team) ?? "\0" },
            _ => filter,
        };
    }

    private static void CheckText(Dictionary<string, string[]> errors, string field, string? text)
    {
        if (text is { Length: > DisputeRules.MaxNote })
        {
            errors[field] = [$"must be at most {DisputeRules.MaxNote} characters."];
        }
    }
}
