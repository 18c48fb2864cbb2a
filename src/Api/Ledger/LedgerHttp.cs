using System.Security.Claims;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Ledger;
using ArActors.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace ArActors.Api.Ledger;

/// <summary>The HTTP side of ledger commands: reading bodies, who the actor is, who may see an account, refusals as problems.</summary>
internal static class LedgerHttp
{
    /// <summary>Reads a JSON body; a malformed one becomes a 400 naming the JSON path that could not be read.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadBodyAsync<T>(HttpRequest request)
        where T : class
    {
        if (request.ContentLength == 0 || !request.HasJsonContentType())
        {
            return (null, Invalid("body", "must be a JSON object sent with Content-Type: application/json."));
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted);
            return value is null ? (null, Invalid("body", "must be a JSON object, not null.")) : (value, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, Invalid(field, "could not be read: " + FirstSentence(e.Message)));
        }
    }

    public static IResult Invalid(string field, string reason) => Invalid(new Dictionary<string, string[]> { [field] = [reason] });

    public static IResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid", detail: string.Join(" ", errors.Select(e => $"{e.Key} {e.Value[0]}")));

    /// <summary>A refused command: status by its code, the field and the code in the problem so clients can act on it.</summary>
    public static IResult Refused(LedgerError error)
    {
        var status = StatusOf(error);
        return Results.Problem(new ValidationProblemDetails(new Dictionary<string, string[]> { [error.Field] = [error.Message] })
        {
            Status = status,
            Title = "The ledger refused the command",
            Detail = error.Message,
            Type = "https://aractors.dev/problems/" + error.Code,
            Extensions = { ["code"] = error.Code },
        });
    }

    /// <summary>The HTTP status a refusal with this code answers with.</summary>
    public static int StatusOf(LedgerError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Code switch
        {
            ErrorCodes.UnknownAccount => StatusCodes.Status404NotFound,
            ErrorCodes.Required or ErrorCodes.Invalid or ErrorCodes.InvalidCurrency or ErrorCodes.TooManyDecimals or ErrorCodes.NonPositiveAmount
                => StatusCodes.Status400BadRequest,
            ErrorCodes.DuplicateAccount or ErrorCodes.DuplicateInvoiceNumber or ErrorCodes.DuplicatePayment or ErrorCodes.IdConflict
                or ErrorCodes.AllocationConflict or ErrorCodes.CashAlreadyIdentified or ErrorCodes.WriteOffNotPending
                or ErrorCodes.InvoiceHasActivity or ErrorCodes.PaymentReversed => StatusCodes.Status409Conflict,
            ErrorCodes.NotAuthorized => StatusCodes.Status403Forbidden,
            ErrorCodes.VersionMismatch => StatusCodes.Status412PreconditionFailed,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
    }

    /// <summary>An account version as an entity tag (strong: the representation changes with every version).</summary>
    public static string ETagOf(long version) => $"\"{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The If-Match header as an account version: null when absent or "*", the version for one strong tag, or a 400
    /// naming the header for anything else (weak tags and lists cannot name one account version).
    /// </summary>
    public static (long? Version, IResult? Problem) IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return (null, null);
        }

        return header.Length > 2 && header[0] == '"' && header[^1] == '"'
            && long.TryParse(header.AsSpan(1, header.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, Invalid("If-Match", "must be one entity tag as the account's ETag gave it, e.g. \"12\", or *."));
    }

    public static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}", detail: $"There is no {what} '{id}' you can see.");

    /// <summary>The ledger actor behind the caller: people by role; integrations act as the system, named by their key.</summary>
    public static Actor ActorOf(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
        user.FindFirstValue(ClaimTypes.Role) switch
        {
            Roles.Collector => ActorRole.Collector,
            Roles.TeamLead => ActorRole.TeamLead,
            Roles.Manager or Roles.Admin => ActorRole.Manager,
            _ => ActorRole.System,
        });

    public static CommandMeta Meta(ClaimsPrincipal user, string? reason, string defaultReason) =>
        new(ActorOf(user), string.IsNullOrWhiteSpace(reason) ? defaultReason : reason.Trim());

    /// <summary>
    /// Portfolio scoping: a collector sees the accounts assigned to them, a team lead the accounts of the portfolio their
    /// team works (team claim = portfolio id), managers, admins and integrations every account.
    /// </summary>
    /// <summary>The account's profile when it exists and the caller may see it; null otherwise (answer <see cref="NotFound"/>).</summary>
    public static async Task<AccountProfile?> VisibleProfileAsync(IGrainFactory grains, ClaimsPrincipal user, string customerId) =>
        await grains.GetGrain<IAccountGrain>(customerId).GetProfile() is { } profile && CanSee(user, profile) ? profile : null;

    public static bool CanSee(ClaimsPrincipal user, AccountProfile profile) => user.FindFirstValue(ClaimTypes.Role) switch
    {
        Roles.Collector => profile.AssignedCollector == user.FindFirstValue(ClaimTypes.NameIdentifier),
        Roles.TeamLead => profile.Portfolio == user.FindFirstValue(ArActorsClaims.Team),
        Roles.Manager or Roles.Admin or Roles.Integration => true,
        _ => false,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
