using System.Collections.Immutable;
using System.Globalization;
using System.Security.Claims;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Grains.Accounts;
using ArActors.Grains.Aging;
using ArActors.Grains;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Api.Workflow;

/// <summary>The claimable statutory interest and compensation of a late invoice, for segments whose strategy enables it.</summary>
public static class LatePaymentEndpoints
{
    private static readonly string[] Readers = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin, Roles.Integration];

    /// <summary>The base rate table from <c>ArActors:LatePayment:BaseRates:N:{from,percent}</c>; the default table when absent.</summary>
    public static IHostApplicationBuilder AddArActorsLatePayment(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var rates = builder.Configuration.GetSection("ArActors:LatePayment:BaseRates").GetChildren()
            .Select(s => DateOnly.TryParseExact(s["from"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                && decimal.TryParse(s["percent"], NumberStyles.Number, CultureInfo.InvariantCulture, out var percent) && percent is >= 0m and < 100m
                    ? new BaseRate(from, percent)
                    : throw new InvalidOperationException($"ArActors:LatePayment:BaseRates:{s.Key} needs from (YYYY-MM-DD) and percent (0-100)."))
            .ToImmutableArray();
        builder.Services.AddSingleton(rates.IsEmpty ? BaseRateTable.Default : new BaseRateTable(rates));
        return builder;
    }

    public static RouteGroupBuilder MapLatePaymentApi(this RouteGroupBuilder api)
    {
        api.MapGet("/accounts/{customerId}/invoices/{number}/late-payment-claim", Claim).RequireAuthorization(p => p.RequireRole(Readers))
            .Produces<LatePaymentClaim>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetLatePaymentClaim").WithSummary("Statutory interest (base rate on the reference day + 8 %, simple daily) and fixed compensation "
                + "(40/70/100 GBP) claimable for the invoice as of ?asOf=YYYY-MM-DD (default today), when the segment's strategy enables it.");
        return api;
    }

    private static async Task<IResult> Claim(string customerId, string number, string? asOf, ClaimsPrincipal user, IGrainFactory grains, TimeProvider clock, IServiceProvider services)
    {
        var account = grains.GetGrain<IAccountGrain>(customerId);
        var profile = await account.GetProfile();
        if (profile is null || !LedgerHttp.CanSee(user, profile))
        {
            return LedgerHttp.NotFound("account", customerId);
        }

        var date = BusinessCalendar.Today(clock.GetUtcNow(), profile.TimeZone);
        if (!string.IsNullOrEmpty(asOf) && !DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return LedgerHttp.Invalid("asOf", "must be a date as YYYY-MM-DD.");
        }

        if ((await account.GetLedger()).Invoice(number) is not { } invoice || invoice.CustomerId != customerId)
        {
            return LedgerHttp.NotFound("invoice", $"{customerId}/{number}");
        }

        if (!(await grains.GetGrain<IStrategyGrain>(StrategyGrain.KeyOf(profile.Segment)).Get()).StatutoryInterest)
        {
            return LedgerHttp.Refused(LedgerError.Of("segment", "statutory_interest_off", $"The {profile.Segment} strategy does not claim statutory interest."));
        }

        var rates = services.GetService<BaseRateTable>() ?? BaseRateTable.Default;
        var claim = LatePaymentInterest.Claim(invoice, date, rates);
        return claim.IsOk ? TypedResults.Ok(claim.Value) : LedgerHttp.Refused(claim.Error!);
    }
}
