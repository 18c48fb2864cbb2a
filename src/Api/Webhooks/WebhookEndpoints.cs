using System.Collections.Immutable;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ArActors.Api.Idempotency;
using ArActors.Api.Ledger;
using ArActors.Api.Security;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Api.Webhooks;

public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Topic);

public sealed record WebhookDeliveries(string WebhookId, long Cursor, ImmutableArray<WebhookDelivery> Items);

/// <summary>Register, list and remove webhooks, and read a webhook's delivery log.</summary>
public static partial class WebhookEndpoints
{
    public static readonly ImmutableArray<string> Topics = ["ledger", "imports"];

    private static readonly string[] Owners = [Roles.Integration, Roles.Manager, Roles.Admin];

    public static IHostApplicationBuilder AddArActorsWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.SectionName));
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName);
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddLeasedHostedService<WebhookDispatcher>("webhook-dispatcher");
        return builder;
    }

    public static RouteGroupBuilder MapWebhookApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/webhooks").RequireAuthorization(p => p.RequireRole(Owners))
            .RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Webhooks");
        api.MapPost("/", Register).WithIdempotency().Accepts<WebhookRequest>("application/json").Produces<WebhookView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .WithSummary("Registers a URL for event types of a topic ('*' = all). The answer holds the signing secret, shown only once.");
        api.MapGet("/", List).Produces<ImmutableArray<WebhookView>>().WithSummary("Registered webhooks (without secrets).");
        api.MapGet("/{id}/deliveries", Deliveries).Produces<WebhookDeliveries>()
            .WithSummary("A webhook's most recent deliveries (newest last) with attempts, last status and error.");
        api.MapDelete("/{id}", Remove).WithSummary("Stops deliveries to a webhook and forgets it.");
        return api;
    }

    private static async Task<IResult> Register(HttpRequest http, ClaimsPrincipal user, WebhookStore hooks, WebhookDispatcher dispatcher, IDurableStore store, TimeProvider time)
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<WebhookRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var check = new RequestValidator();
        Uri? url = null;
        if (string.IsNullOrWhiteSpace(body!.Url))
        {
            check.Add("url", "is required.");
        }
        else if (!Uri.TryCreate(body.Url, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https") || body.Url.Length > 2000)
        {
            check.Add("url", "must be an absolute http or https URL of at most 2,000 characters.");
        }

        var types = body.EventTypes ?? [];
        if (types.Count == 0)
        {
            check.Add("eventTypes", "must name at least one event type, or '*' for all.");
        }

        foreach (var (i, type) in types.Index())
        {
            if (type != "*" && (type is null || !EventTypeShape().IsMatch(type)))
            {
                check.Add($"eventTypes[{i}]", "must be an event type name such as PaymentReceived, or '*'.");
            }
        }

        var topic = body.Topic ?? "ledger";
        if (!Topics.Contains(topic))
        {
            check.Add("topic", $"must be one of {string.Join(", ", Topics)}.");
        }

        if (!check.IsValid)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var now = time.GetUtcNow();
        var hook = new Webhook(
            "wh_" + Guid.CreateVersion7(now).ToString("N"),
            url!,
            [.. types.Distinct(StringComparer.Ordinal)],
            topic,
            "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
            now,
            await store.GetLastSequenceAsync(topic, http.HttpContext.RequestAborted));
        await hooks.AddAsync(hook, http.HttpContext.RequestAborted);
        dispatcher.RegistryChanged();
        return TypedResults.Created($"/api/v1/webhooks/{hook.Id}", WebhookView.Of(hook, withSecret: true));
    }

    private static async Task<IResult> List(WebhookStore hooks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await hooks.ListAsync(cancellationToken)).Select(h => WebhookView.Of(h, withSecret: false)).ToImmutableArray());

    private static async Task<IResult> Deliveries(string id, WebhookStore hooks, CancellationToken cancellationToken)
    {
        var hook = (await hooks.ListAsync(cancellationToken)).FirstOrDefault(h => h.Id == id);
        if (hook is null)
        {
            return LedgerHttp.NotFound("webhook", id);
        }

        var (progress, _) = await hooks.ReadProgressAsync(hook, cancellationToken);
        return TypedResults.Ok(new WebhookDeliveries(id, progress.Cursor, progress.Log));
    }

    private static async Task<IResult> Remove(string id, WebhookStore hooks, WebhookDispatcher dispatcher, CancellationToken cancellationToken)
    {
        if (!await hooks.RemoveAsync(id, cancellationToken))
        {
            return LedgerHttp.NotFound("webhook", id);
        }

        dispatcher.RegistryChanged();
        return TypedResults.NoContent();
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,63}$")]
    private static partial Regex EventTypeShape();
}
