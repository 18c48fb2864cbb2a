using System.Globalization;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Forwarding;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ArActors.Silo.Hosting;

/// <summary>
/// Turns "the store or the owning silo cannot answer right now" into 503 problem+json with <c>Retry-After</c>, so a
/// client retries instead of reading a bare 500. The change may or may not have been committed (a push after the
/// account's commit can be what failed); the retry with the same ids applies it at most once. Every other exception
/// stays a 500 problem+json.
/// </summary>
public sealed partial class StoreUnavailableHandler(IProblemDetailsService problems, ILogger<StoreUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", exception.GetType().Name, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The engine's store is unavailable",
                Detail = "The request may not have been completed. Retry the same request (same ids) after Retry-After seconds: a change already committed is not applied twice.",
                Extensions = { ["code"] = "store_unavailable" },
            },
        });
    }

    /// <summary>Transient by nature: the store cannot be reached, a grain call timed out, or its silo is not serving.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState[..2] is "08" or "53" or "57" or "58",
        NpgsqlException => true,   // not a server error: the connection failed or broke
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6,   // SQLITE_BUSY, SQLITE_LOCKED
        TimeoutException or SiloUnavailableException or SiloNotServingException or GrainNotOwnedException or InconsistentStateException => true,
        RemoteGrainException remote => remote.OriginalType.StartsWith("Npgsql.", StringComparison.Ordinal)
            || remote.OriginalType is "System.TimeoutException" || remote.OriginalType.EndsWith(nameof(InconsistentStateException), StringComparison.Ordinal),
        AggregateException { InnerExceptions: [var inner] } => IsUnavailable(inner),
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: {ExceptionType}: {Message}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exceptionType, string message);
}
