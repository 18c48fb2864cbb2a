namespace ArActors.Grains.Ledger;

/// <summary>Who sends a command to a ledger grain and why; the grain adds the instant and the business date.</summary>
public sealed record CommandMeta(Actor Actor, string Reason)
{
    /// <summary>Optimistic concurrency (HTTP If-Match): the account version the sender last saw; another version refuses the command.</summary>
    public long? IfVersion { get; init; }

    public static CommandMeta System(string reason) => new(new Actor("system", ActorRole.System), reason);
}

/// <summary>
/// What a ledger grain answers to a command: accepted with the events it committed (empty for a retry that changed
/// nothing) and the account summary after it, or refused with the error (nothing changed). Refusals are values.
/// </summary>
public sealed record CommandResult(bool Accepted, ImmutableArray<LedgerEvent> Events, AccountSummary? Summary, LedgerError? Error)
{
    public static CommandResult Ok(ImmutableArray<LedgerEvent> events, AccountSummary? summary) => new(true, events, summary, null);

    public static CommandResult Refused(LedgerError error) => new(false, [], null, error);

    /// <summary>The account's version after the command (its change counter; HTTP ETag), 0 when refused.</summary>
    public long Version { get; init; }

    /// <summary>True when the command was accepted but was a repeat (or a no-op): nothing new was committed.</summary>
    public bool Unchanged => Accepted && Events.IsDefaultOrEmpty;
}

/// <summary>Topics every accepted ledger change is published to.</summary>
public static class LedgerTopics
{
    public const string Ledger = "ledger";

    public static string Account(string customerId) => "account/" + customerId;

    /// <summary>Every change to the accounts assigned to a collector (what that collector's dashboard follows).</summary>
    public static string Collector(string collectorId) => "collector/" + collectorId;

    /// <summary>Every change to the accounts of a portfolio (what its team lead's dashboard follows).</summary>
    public static string Portfolio(string portfolio) => "portfolio/" + portfolio;

    /// <summary>The owner topics of an account: its collector's and its portfolio's.</summary>
    public static IEnumerable<string> Owners(AccountProfile? profile) =>
        profile is null
            ? []
            : profile.AssignedCollector is { } collector ? [Collector(collector), Portfolio(profile.Portfolio)] : [Portfolio(profile.Portfolio)];
}
