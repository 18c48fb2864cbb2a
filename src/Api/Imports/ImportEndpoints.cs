using System.Security.Claims;
using System.Text;
using System.Text.Json;
using ArActors.Api.Idempotency;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace ArActors.Api.Imports;

/// <summary><c>POST /api/v1/imports?format=...</c> starts a job (202 + its URL); <c>GET /api/v1/imports/{id}</c> shows its progress and row errors.</summary>
public static class ImportEndpoints
{
    /// <summary>Largest file accepted in one request.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    private static readonly string[] Importers = [Roles.Integration, Roles.Manager, Roles.Admin];

    public static IServiceCollection AddArActorsImports(this IServiceCollection services) => services.AddSingleton<ImportJobs>();

    public static RouteGroupBuilder MapImportApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/imports").RequireAuthorization(p => p.RequireRole(Importers))
            .RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Imports");
        api.MapPost("/", Start).WithIdempotency().Accepts<string>("text/csv", "application/json")
            .Produces<ImportJobView>(StatusCodes.Status202Accepted).ProducesValidationProblem()
            .WithSummary("Starts an import of accounts, invoices or payments (CSV or a JSON array), or of IBM's receivables sample as published (format=ibm).");
        api.MapGet("/{id}", Get).Produces<ImportJobView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An import job: status, rows processed and refused, and each refused row's line, field and reason.");
        return api;
    }

    private static async Task<IResult> Start(HttpRequest http, string? format, ClaimsPrincipal user, ImportJobs jobs)
    {
        if (!Enum.TryParse<ImportFormat>(format, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || char.IsDigit(format![0]))
        {
            return LedgerHttp.Invalid("format", "must be one of accounts, invoices, payments, ibm.");
        }

        if (http.ContentLength > MaxBytes)
        {
            return LedgerHttp.Invalid("body", $"is larger than {MaxBytes / (1024 * 1024)} MB; split the file.");
        }

        ParsedImport? parsed;
        string? problem;
        var mediaType = http.ContentType?.Split(';')[0].Trim();
        if (string.Equals(mediaType, "text/csv", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = new StreamReader(http.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(http.HttpContext.RequestAborted);
            (parsed, problem) = ImportFormats.ParseCsv(kind, new StringReader(text));
        }
        else if (http.HasJsonContentType())
        {
            JsonElement document;
            try
            {
                document = await JsonSerializer.DeserializeAsync<JsonElement>(http.Body, cancellationToken: http.HttpContext.RequestAborted);
            }
            catch (JsonException e)
            {
                return LedgerHttp.Invalid("body", "is not valid JSON: " + e.Message);
            }

            var options = http.HttpContext.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
            (parsed, problem) = ImportFormats.ParseJson(kind, document, options);
        }
        else
        {
            return Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the file as text/csv or as a JSON array (application/json).");
        }

        if (parsed is null)
        {
            return LedgerHttp.Invalid("body", problem!);
        }

        var job = await jobs.StartAsync(kind, parsed, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous", http.HttpContext.RequestAborted);
        return TypedResults.Accepted($"/api/v1/imports/{job.Id}", job);
    }

    private static async Task<IResult> Get(string id, ImportJobs jobs, CancellationToken cancellationToken) =>
        await jobs.GetAsync(id, cancellationToken) is { } job ? TypedResults.Ok(job) : LedgerHttp.NotFound("import", id);
}
