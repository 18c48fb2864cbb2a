using System.Text.Json.Serialization;

namespace ArActors.Grains.Workflow;

/// <summary>
/// Work produced by a ladder step for one invoice: published to "ledger", "account/{id}" and the account's owner
/// topics, committed with the invoice grain's record that the step ran. Other tools send the letters and make the calls.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(CommunicationRequested), nameof(CommunicationRequested))]
[JsonDerivedType(typeof(CommunicationSuppressed), nameof(CommunicationSuppressed))]
[JsonDerivedType(typeof(CallTaskCreated), nameof(CallTaskCreated))]
[JsonDerivedType(typeof(EscalationRaised), nameof(EscalationRaised))]
[JsonDerivedType(typeof(CreditHoldRequested), nameof(CreditHoldRequested))]
[JsonDerivedType(typeof(AgencyReferralProposed), nameof(AgencyReferralProposed))]
[JsonDerivedType(typeof(WriteOffReviewProposed), nameof(WriteOffReviewProposed))]
public abstract record WorkflowEvent(WorkOrigin Origin);

/// <summary>Which step of which invoice produced the work, the day the step fell on (a catch-up keeps each step's own day) and the amount open then.</summary>
public sealed record WorkOrigin(string CustomerId, ImmutableArray<string> InvoiceNumbers, string StepId, DateOnly On, Money OpenAmount);

public sealed record Recipient(string Name, string Role, string? Address);

public sealed record CommunicationRequested(WorkOrigin Origin, ContactChannel Channel, string Template, Recipient Recipient, bool FinalNotice) : WorkflowEvent(Origin);

/// <summary>A communication step ran but no contact may be reached on its channel; the reason says why.</summary>
public sealed record CommunicationSuppressed(WorkOrigin Origin, ContactChannel Channel, string Template, string Reason) : WorkflowEvent(Origin);

public sealed record CallTaskCreated(WorkOrigin Origin, string? Collector, Recipient? Callee) : WorkflowEvent(Origin);

public enum EscalationTarget
{
    TeamLead,
    SalesOwner,
    Manager,
}

public sealed record EscalationRaised(WorkOrigin Origin, EscalationTarget To, string Portfolio, string Reason) : WorkflowEvent(Origin);

/// <summary>The account should go on credit hold; published rather than placed because the account is the caller of the invoice grain (a call back would deadlock).</summary>
public sealed record CreditHoldRequested(WorkOrigin Origin, string Reason) : WorkflowEvent(Origin);

public sealed record AgencyReferralProposed(WorkOrigin Origin, string Reason) : WorkflowEvent(Origin);

public sealed record WriteOffReviewProposed(WorkOrigin Origin, string Reason) : WorkflowEvent(Origin);
