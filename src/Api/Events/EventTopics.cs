using System.Security.Claims;
using System.Text.RegularExpressions;
using ArActors.Api.Security;

namespace ArActors.Api.Events;

/// <summary>Whether a caller may read a topic, and why not.</summary>
public sealed record TopicDecision(TopicVerdict Verdict, string? Reason)
{
    public static readonly TopicDecision Allowed = new(TopicVerdict.Allowed, null);

    public bool IsAllowed => Verdict == TopicVerdict.Allowed;
}

public enum TopicVerdict
{
    Allowed,

    /// <summary>Not a topic name this engine knows; a client error, not a permission question.</summary>
    Unknown,

    Forbidden,
}

/// <summary>
/// Portfolio scoping of <c>account/{id}</c> topics. Until the workflow issue assigns portfolios, every role that may read
/// accounts reads every account; that issue replaces this service (registered with TryAdd) with one that asks the
/// collector's and team's portfolio.
/// </summary>
public interface IAccountReadScope
{
    ValueTask<bool> MayReadAccountAsync(ClaimsPrincipal user, string accountId, CancellationToken cancellationToken);
}

public sealed class RoleOnlyAccountReadScope : IAccountReadScope
{
    public ValueTask<bool> MayReadAccountAsync(ClaimsPrincipal user, string accountId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);
}

/// <summary>
/// The topic rule: <c>announcements</c> (every role: notices for every dashboard), <c>ledger</c> and <c>imports</c>
/// (the whole book: manager, admin, integration), <c>kpi</c> (reporting snapshots: manager, admin), <c>account/{id}</c> (collector, team lead, manager, integration,
/// admin, narrowed by <see cref="IAccountReadScope"/>), <c>collector/{id}</c> (that collector, managers, admins) and
/// <c>portfolio/{id}</c> (the team lead whose team is that portfolio, managers, admins). Anything else is unknown.
/// </summary>
public sealed partial class EventTopics(IAccountReadScope accountScope)
{
    public const string Announcements = "announcements";
    public const string Ledger = "ledger";
    public const string AccountPrefix = "account/";
    public const string CollectorPrefix = "collector/";
    public const string PortfolioPrefix = "portfolio/";
    public const string Imports = "imports";
    public const string Kpi = "kpi";

    private static readonly string[] LedgerReaders = [Roles.Manager, Roles.Admin, Roles.Integration];
    private static readonly string[] AccountReaders = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Integration, Roles.Admin];

    public static string Account(string accountId) => AccountPrefix + accountId;

    public async ValueTask<TopicDecision> CanReadAsync(ClaimsPrincipal user, string? topic, CancellationToken cancellationToken)
    {
        var role = user.FindFirstValue(ClaimTypes.Role) ?? "";
        switch (topic)
        {
            case null or "":
                return new TopicDecision(TopicVerdict.Unknown, "A topic is required.");
            case Announcements:
                return Roles.IsKnown(role) ? TopicDecision.Allowed : Forbidden(role, topic);
            case Ledger or Imports:
                return LedgerReaders.Contains(role, StringComparer.Ordinal) ? TopicDecision.Allowed : Forbidden(role, topic);
            case Kpi:
                return role is Roles.Manager or Roles.Admin ? TopicDecision.Allowed : Forbidden(role, topic);
        }

        // A collector's own accounts and a team's portfolio: the person themself, and managers and admins.
        if (topic.StartsWith(CollectorPrefix, StringComparison.Ordinal) || topic.StartsWith(PortfolioPrefix, StringComparison.Ordinal))
        {
            var isCollectorTopic = topic.StartsWith(CollectorPrefix, StringComparison.Ordinal);
            var id = topic[(isCollectorTopic ? CollectorPrefix.Length : PortfolioPrefix.Length)..];
            if (!AccountIdShape().IsMatch(id))
            {
                return new TopicDecision(TopicVerdict.Unknown, "A collector or portfolio topic is collector/{id} or portfolio/{id}, the id 1-64 letters, digits, '.', '_' or '-'.");
            }

            var own = isCollectorTopic
                ? role == Roles.Collector && id == user.FindFirstValue(ClaimTypes.NameIdentifier)
                : role == Roles.TeamLead && id == user.FindFirstValue(ArActorsClaims.Team);
            return own || role is Roles.Manager or Roles.Admin ? TopicDecision.Allowed : Forbidden(role, topic);
        }

        if (topic.StartsWith(AccountPrefix, StringComparison.Ordinal))
        {
            var accountId = topic[AccountPrefix.Length..];
            if (!AccountIdShape().IsMatch(accountId))
            {
                return new TopicDecision(TopicVerdict.Unknown, "An account topic is account/{id}, the id 1-64 letters, digits, '.', '_' or '-'.");
            }

            return AccountReaders.Contains(role, StringComparer.Ordinal) && await accountScope.MayReadAccountAsync(user, accountId, cancellationToken)
                ? TopicDecision.Allowed
                : Forbidden(role, topic);
        }

        return new TopicDecision(TopicVerdict.Unknown, $"Unknown topic '{Shorten(topic)}'; topics are '{Announcements}', '{Ledger}', '{Imports}', '{Kpi}', 'account/{{id}}', 'collector/{{id}}' and 'portfolio/{{id}}'.");
    }

    private static TopicDecision Forbidden(string role, string topic) =>
        new(TopicVerdict.Forbidden, $"Role '{role}' may not read topic '{topic}'.");

    private static string Shorten(string topic) => topic.Length <= 80 ? topic : topic[..80] + "...";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdShape();
}
