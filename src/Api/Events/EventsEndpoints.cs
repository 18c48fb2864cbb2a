using System.Globalization;
using System.Security.Claims;
using ArActors.Api.Security;
using ArActors.Runtime.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ArActors.Api.Events;

public static class EventsEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary><c>GET /api/v1/events</c>: a page of one topic's committed events, for clients that resync.</summary>
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Events");
        api.MapGet("/events", GetEvents)
            .WithName("GetEvents")
            .WithSummary("Events of a topic after a sequence number, in order; next is the cursor of the following page.");
        api.MapPost("/announcements", Announcements.Post)
            .WithName("PostAnnouncement")
            .WithSummary("Publishes a notice to every dashboard (topic 'announcements'); managers and admins.");
        return api;
    }

    private static async Task<Results<Ok<EventPage>, ValidationProblem, ProblemHttpResult>> GetEvents(
        [FromQuery] string? topic,
        [FromQuery] string? after,
        [FromQuery] string? limit,
        ClaimsPrincipal user,
        EventTopics topics,
        IEventStream stream,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var decision = await topics.CanReadAsync(user, topic, cancellationToken);
        if (decision.Verdict == TopicVerdict.Unknown)
        {
            errors["topic"] = [decision.Reason!];
        }

        var afterSequence = 0L;
        if (after is not null && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterSequence)))
        {
            errors["after"] = ["Must be a whole number from 0 (the sequence of the last event already seen)."];
        }

        var pageSize = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"Must be a whole number from 1 to {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The events query is not valid.");
        }

        if (!decision.IsAllowed)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: decision.Reason);
        }

        // One extra row says whether another page follows without a second query.
        var stored = await stream.ReadAsync(topic!, afterSequence, pageSize + 1, cancellationToken);
        var items = stored.Take(pageSize).Select(EventMessage.From).ToList();
        var next = items.Count > 0 ? items[^1].Sequence : afterSequence;
        return TypedResults.Ok(new EventPage(topic!, items, next, stored.Count > pageSize));
    }
}
