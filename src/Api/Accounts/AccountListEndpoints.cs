using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using ArActors.Api.Reporting;
using ArActors.Api.Security;
using ArActors.Grains.Accounts;
using AgingPolicy = ArActors.Grains.Aging.AgingPolicy;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Accounts;

public sealed record AccountListItem(
    string CustomerId, string Name, string Portfolio, string Collector, string Segment, string Country, string Currency, string Status,
    decimal OpenAmount, decimal PastDue, string? OldestBucket);

/// <summary>One page of the account list; <see cref="Next"/> is the opaque cursor of the following page (null on the last).</summary>
public sealed record AccountListPage(DateOnly AsOf, string ReportingCurrency, IReadOnlyList<AccountListItem> Items, string? Next, ProjectionLag Projection);

/// <summary>
/// <c>GET /api/v1/accounts</c>: the account list from the reporting projection's directory (no account grain is
/// activated), ordered by customer id, paged by an opaque keyset cursor (the last id of the page), so paging while
/// accounts change returns every account that existed throughout exactly once. Scoped like the account reads.
/// </summary>
public static class AccountListEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    private const string CursorPrefix = "acct1:";

    public static RouteGroupBuilder MapAccountListApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Accounts");
        api.MapGet("/accounts", ListAccounts).WithName("ListAccounts").Produces<AccountListPage>().ProducesValidationProblem()
            .WithSummary("Accounts the caller may see, by customer id, with cursor paging (?cursor=, ?limit=1..500) and filters: portfolio, collector, segment, country, status, minPastDue, bucket, q (name or id contains).");
        return api;
    }

    private static async Task<IResult> ListAccounts(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var role = http.User.FindFirstValue(ClaimTypes.Role);
        if (role is not (Roles.Collector or Roles.TeamLead or Roles.Manager or Roles.Admin or Roles.Integration))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"Role '{role}' may not list accounts.");
        }

        var buckets = http.RequestServices.GetService<AgingPolicy>() is { } policy ? AgingFigures.BucketsOf(policy) : AgingFigures.DefaultBuckets;
        var query = AccountListQuery.Read(http.Request.Query, buckets);
        if (query.Errors.Count > 0)
        {
            return TypedResults.ValidationProblem(query.Errors, title: "The account list request is not valid",
                detail: string.Join(" ", query.Errors.Select(e => $"{e.Key} {e.Value[0]}")));
        }

        var state = projector.State;
        var last = await store.GetLastSequenceAsync(LedgerTopics.Ledger, http.RequestAborted);
        var lag = new ProjectionLag(state.Cursor, last, Math.Max(0, last - state.Cursor));
        var asOf = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var rates = options.Value.ExchangeRates();
        var scope = Scope(http.User);
        var items = new List<AccountListItem>(query.Limit + 1);
        try
        {
            foreach (var (id, entry) in state.Directory)
            {
                if ((query.After is { } after && string.CompareOrdinal(id, after) <= 0) || !scope(entry) || !query.Matches(entry))
                {
                    continue;
                }

                var (open, pastDue, bucket) = entry.Standing(asOf, rates, buckets);
                if ((query.MinPastDue is { } min && pastDue < min) || (query.Bucket is { } wanted && bucket != wanted))
                {
                    continue;
                }

                items.Add(new AccountListItem(entry.CustomerId, entry.Name, entry.Portfolio, entry.Collector, entry.Segment, entry.Country, entry.Currency,
                    JsonNamingPolicy.CamelCase.ConvertName(entry.Status.ToString()), open, pastDue, bucket));
                if (items.Count > query.Limit)
                {
                    break;
                }
            }
        }
        catch (MissingExchangeRateException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Missing exchange rate", detail: e.Message);
        }

        var more = items.Count > query.Limit;
        var page = more ? items[..query.Limit] : items;
        http.Response.Headers["ArActors-Projection-Lag"] = lag.Lag.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new AccountListPage(asOf, rates.ReportingCurrency, page, more ? EncodeCursor(page[^1].CustomerId) : null, lag));
    }

    /// <summary>A collector sees the accounts assigned to them, a team lead their team's portfolio, others every account.</summary>
    private static Func<DirectoryEntry, bool> Scope(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) switch
    {
        Roles.Collector when user.FindFirstValue(ClaimTypes.NameIdentifier) is { } me => e => e.Collector == me,
        Roles.TeamLead when user.FindFirstValue(ArActorsClaims.Team) is { } team => e => e.Portfolio == team,
        Roles.Collector or Roles.TeamLead => _ => false,
        _ => _ => true,
    };

    public static string EncodeCursor(string lastId)
    {
        var bytes = Encoding.UTF8.GetBytes(CursorPrefix + lastId);
        return Base64Url.EncodeToString(bytes);
    }

    public static string? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith(CursorPrefix, StringComparison.Ordinal) && text.Length > CursorPrefix.Length ? text[CursorPrefix.Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The list's query string, checked; one error per bad field.</summary>
    private sealed class AccountListQuery
    {
        private static readonly string[] Known = ["cursor", "limit", "portfolio", "collector", "segment", "country", "status", "minPastDue", "bucket", "q"];

        public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

        public string? After { get; private set; }

        public int Limit { get; private set; } = DefaultLimit;

        public string? Portfolio { get; private set; }

        public string? Collector { get; private set; }

        public string? Segment { get; private set; }

        public string? Country { get; private set; }

        public AccountStatus? Status { get; private set; }

        public decimal? MinPastDue { get; private set; }

        public string? Bucket { get; private set; }

        public string? Text { get; private set; }

        public static AccountListQuery Read(IQueryCollection query, IReadOnlyList<AgingBucket> buckets)
        {
            var q = new AccountListQuery();
            foreach (var key in query.Keys.Where(k => !Known.Contains(k, StringComparer.Ordinal)))
            {
                q.Errors[key] = [$"is not a filter of the account list; use {string.Join(", ", Known)}."];
            }

            if (q.Single(query, "cursor") is { } cursor)
            {
                q.After = DecodeCursor(cursor);
                if (q.After is null)
                {
                    q.Errors["cursor"] = ["is not a cursor this list issued; pass the 'next' value of a previous page unchanged."];
                }
            }

            if (q.Single(query, "limit") is { } limit)
            {
                if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= MaxLimit)
                {
                    q.Limit = n;
                }
                else
                {
                    q.Errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}; got '{Shorten(limit)}'."];
                }
            }

            q.Portfolio = q.Single(query, "portfolio");
            q.Collector = q.Single(query, "collector");
            q.Segment = q.Single(query, "segment");
            q.Country = q.Single(query, "country");
            q.Text = q.Single(query, "q");
            if (q.Single(query, "status") is { } status)
            {
                if (Enum.TryParse<AccountStatus>(status, ignoreCase: true, out var s) && !int.TryParse(status, out _))
                {
                    q.Status = s;
                }
                else
                {
                    q.Errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<AccountStatus>().Select(JsonNamingPolicy.CamelCase.ConvertName))}; got '{Shorten(status)}'."];
                }
            }

            if (q.Single(query, "minPastDue") is { } minPastDue)
            {
                if (decimal.TryParse(minPastDue, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var m) && m <= 1_000_000_000_000m)
                {
                    q.MinPastDue = m;
                }
                else
                {
                    q.Errors["minPastDue"] = [$"must be a non-negative amount in the reporting currency, e.g. 1000.50; got '{Shorten(minPastDue)}'."];
                }
            }

            if (q.Single(query, "bucket") is { } bucket)
            {
                if (buckets.Skip(1).Any(b => b.Label == bucket))
                {
                    q.Bucket = bucket;
                }
                else
                {
                    q.Errors["bucket"] = [$"must be a past-due bucket: {string.Join(", ", buckets.Skip(1).Select(b => b.Label))}; got '{Shorten(bucket)}'."];
                }
            }

            return q;
        }

        public bool Matches(DirectoryEntry e) =>
            (Portfolio is null || e.Portfolio == Portfolio)
            && (Collector is null || e.Collector == Collector)
            && (Segment is null || string.Equals(e.Segment, Segment, StringComparison.OrdinalIgnoreCase))
            && (Country is null || string.Equals(e.Country, Country, StringComparison.OrdinalIgnoreCase))
            && (Status is null || e.Status == Status)
            && (Text is null || e.Name.Contains(Text, StringComparison.OrdinalIgnoreCase) || e.CustomerId.Contains(Text, StringComparison.OrdinalIgnoreCase));

        private string? Single(IQueryCollection query, string name)
        {
            if (!query.TryGetValue(name, out var values))
            {
                return null;
            }

            if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
            {
                Errors[name] = [values.Count > 1 ? "may be given once." : "must not be empty."];
                return null;
            }

            return values[0];
        }

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
    }
}
