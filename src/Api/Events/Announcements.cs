using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArActors.Api.Security;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArActors.Api.Events;

/// <summary>A notice for every dashboard, e.g. "bank file delayed".</summary>
public sealed record PostAnnouncement(string? Message, string? Severity);

/// <summary>The event on topic <c>announcements</c>.</summary>
public sealed record AnnouncementPosted(string Id, string Message, string Severity, string PostedBy, DateTimeOffset PostedAt);

/// <summary>The answer to a post: the announcement and the sequence it was committed at.</summary>
public sealed record AnnouncementAccepted(AnnouncementPosted Announcement, long Sequence);

/// <summary>
/// Publishes announcements straight to the runtime's durable outbox (<see cref="IEventLog.AppendAsync"/>) and wakes
/// live subscribers through <see cref="IEventCommitNotifier"/>, as a grain's turn does. No grain: the host registers
/// only the domain's grain assembly, and an announcement has no state to guard.
/// </summary>
public sealed class AnnouncementPublisher(IDurableStore store, IEventCommitNotifier notifier, TimeProvider time)
{
    public const int MaxMessageLength = 500;
    public static readonly IReadOnlyList<string> Severities = ["info", "warning", "critical"];

    public async Task<AnnouncementAccepted> PublishAsync(string message, string severity, string postedBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var posted = new AnnouncementPosted("ann_" + Guid.CreateVersion7(now).ToString("N"), message, severity, postedBy, now);
        var draft = new EventDraft(
            EventTopics.Announcements,
            nameof(AnnouncementPosted),
            "api",
            EventTopics.Announcements,
            JsonSerializer.SerializeToUtf8Bytes(posted, EventsJson.Default.AnnouncementPosted),
            now);
        var committed = await store.AppendAsync([draft], cancellationToken);
        notifier.NotifyCommitted(committed);
        return new AnnouncementAccepted(posted, committed[0].Sequence);
    }
}

internal static class Announcements
{
    public static async Task<Results<Created<AnnouncementAccepted>, ValidationProblem, ProblemHttpResult>> Post(
        PostAnnouncement body,
        ClaimsPrincipal user,
        AnnouncementPublisher publisher,
        CancellationToken cancellationToken)
    {
        var role = user.FindFirstValue(ClaimTypes.Role);
        if (role is not (Roles.Manager or Roles.Admin))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"Role '{role}' may not post announcements; managers and admins may.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var message = body.Message?.Trim();
        if (string.IsNullOrEmpty(message))
        {
            errors["message"] = ["Required: the text of the notice."];
        }
        else if (message.Length > AnnouncementPublisher.MaxMessageLength)
        {
            errors["message"] = [$"At most {AnnouncementPublisher.MaxMessageLength} characters; this one has {message.Length}."];
        }
        else if (message.Any(char.IsControl))
        {
            errors["message"] = ["Must not contain control characters (line breaks included)."];
        }

        var severity = body.Severity ?? "info";
        if (!AnnouncementPublisher.Severities.Contains(severity, StringComparer.Ordinal))
        {
            errors["severity"] = [$"Must be one of {string.Join(", ", AnnouncementPublisher.Severities)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The announcement is not valid.");
        }

        var accepted = await publisher.PublishAsync(message!, severity, user.FindFirstValue(ClaimTypes.Name) ?? "", cancellationToken);
        return TypedResults.Created($"/api/v1/events?topic={EventTopics.Announcements}&after={accepted.Sequence - 1}", accepted);
    }
}

[JsonSerializable(typeof(AnnouncementPosted))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class EventsJson : JsonSerializerContext;
