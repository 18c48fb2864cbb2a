using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Api.Idempotency;

/// <summary>Settings under <c>ArActors:Idempotency</c>.</summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "ArActors:Idempotency";

    /// <summary>How long a stored answer is replayed; after that the key may be used afresh.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A claim older than this whose request never answered (its node died) may be taken over by a retry.</summary>
    public TimeSpan InFlightLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a repeat waits for the first request with its key to finish before answering 409.</summary>
    public TimeSpan WaitForInFlight { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a waiting repeat looks at the stored record.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(25);
}

/// <summary>Marks an endpoint whose POSTs honour the Idempotency-Key header.</summary>
public sealed class IdempotentEndpoint
{
    public static readonly IdempotentEndpoint Instance = new();

    private IdempotentEndpoint() { }
}

public static class IdempotencyExtensions
{
    public static IHostApplicationBuilder AddArActorsIdempotency(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdempotencyOptions>().Bind(builder.Configuration.GetSection(IdempotencyOptions.SectionName));
        return builder;
    }

    /// <summary>After authentication (keys are scoped per caller) and before the endpoints.</summary>
    public static IApplicationBuilder UseArActorsIdempotency(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();

    /// <summary>Same key and same request: the first answer again, applied once; same key, other request: 422.</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(IdempotentEndpoint.Instance);
}
