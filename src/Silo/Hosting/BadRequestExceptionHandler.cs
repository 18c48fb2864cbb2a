using Microsoft.AspNetCore.Diagnostics;

namespace ArActors.Silo.Hosting;

/// <summary>
/// A body that minimal API binding could not read (thrown where <c>ThrowOnBadRequest</c> is on, as in Development) keeps
/// its 4xx status and is answered as problem+json, instead of reaching the generic 500 of the exception handler.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read", Detail = bad.Message },
        });
    }
}
