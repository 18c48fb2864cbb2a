using ArActors.Api.Idempotency;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace ArActors.Api.OpenApi;

public static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    public static IHostApplicationBuilder AddArActorsOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "ArActors API",
                Version = DocumentName,
                Description = "Real-time accounts-receivable collections engine. Errors are RFC 9457 application/problem+json.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "User token (HS256)." },
                ["apiKey"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "Integration key." },
            };
            return Task.CompletedTask;
        }).AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentEndpoint>().Any())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotencyMiddleware.HeaderName,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "Same key and same body: the first response again, applied once (also under concurrent retries). "
                        + "Same key, different body: 422. Keys are per caller and kept 24 h.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyKey.MaxLength },
                });
            }

            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>The document at /openapi/v1.json and Swagger UI at /swagger.</summary>
    public static WebApplication MapArActorsOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint($"/openapi/{DocumentName}.json", "ArActors API v1");
            options.RoutePrefix = "swagger";
        });
        return app;
    }
}
