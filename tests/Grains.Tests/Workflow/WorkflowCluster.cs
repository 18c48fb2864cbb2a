using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Reads the workflow's work events back from a topic, in commit order.</summary>
internal static class WorkflowTopics
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly HashSet<string> Types =
    [
        nameof(CommunicationRequested), nameof(CommunicationSuppressed), nameof(CallTaskCreated), nameof(EscalationRaised),
        nameof(CreditHoldRequested), nameof(AgencyReferralProposed), nameof(WriteOffReviewProposed),
    ];

    /// <summary>Whether a stored event comes from the workflow (ladder work, escalation records, worklist changes), which owner topics carry besides the ledger's events.</summary>
    public static bool IsWorkflow(string eventType) =>
        Types.Contains(eventType) || eventType.StartsWith("WorklistEntry", StringComparison.Ordinal) || eventType.StartsWith("Escalation", StringComparison.Ordinal);

    public static async Task<List<WorkflowEvent>> WorkAsync(this LedgerCluster ledger, string topic) =>
        [.. (await ledger.TopicAsync(topic)).Where(e => Types.Contains(e.EventType)).Select(e => JsonSerializer.Deserialize<WorkflowEvent>(e.Payload.Span, Json)!)];

    public static IEnumerable<(string StepId, DateOnly On)> Steps(this IEnumerable<WorkflowEvent> work) => work.Select(w => (w.Origin.StepId, w.Origin.On));
}
