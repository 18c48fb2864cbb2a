namespace ArActors.Api.Security;

/// <summary>The roles people and integrations act in. Claim type: <see cref="System.Security.Claims.ClaimTypes.Role"/>.</summary>
public static class Roles
{
    public const string Collector = "collector";
    public const string TeamLead = "team-lead";
    public const string Manager = "manager";
    public const string Integration = "integration";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Collector, TeamLead, Manager, Integration, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Claim types ArActors adds beyond the standard ones.</summary>
public static class ArActorsClaims
{
    /// <summary>The team a collector or team lead belongs to; scopes what they see.</summary>
    public const string Team = "team";

    /// <summary>How the caller authenticated: "token" (a person) or "api-key" (an integration).</summary>
    public const string AuthenticationKind = "auth_kind";
}
