namespace ArActors.Grains.WriteOffs;

/// <summary>
/// Write-off authority in account currency: a role's limit (null = unlimited) and whether it may approve others'
/// requests. Defaults: collector 100 (cannot approve), team lead 5,000, manager unlimited, system 0.
/// </summary>
public sealed record WriteOffPolicy(ImmutableDictionary<ActorRole, decimal?> Limits, ImmutableHashSet<ActorRole> Approvers)
{
    public static WriteOffPolicy Default { get; } = new(
        new Dictionary<ActorRole, decimal?>
        {
            [ActorRole.System] = 0m,
            [ActorRole.Collector] = 100m,
            [ActorRole.TeamLead] = 5_000m,
            [ActorRole.Manager] = null,
        }.ToImmutableDictionary(),
        [ActorRole.TeamLead, ActorRole.Manager]);

    /// <summary>True when the role may write off this amount on its own say-so.</summary>
    public bool Covers(ActorRole role, Money amount) =>
        Limits.TryGetValue(role, out var limit) && (limit is null || amount.Amount <= limit.Value);

    public bool MayDecide(ActorRole role, Money amount) => Approvers.Contains(role) && Covers(role, amount);
}

public enum WriteOffStatus
{
    Pending,
    Applied,
    Rejected,
}

public sealed record WriteOffRequest(string WriteOffId, string CustomerId, string InvoiceNumber, Money Amount, Actor RequestedBy, WriteOffStatus Status)
{
    public Actor? DecidedBy { get; init; }
}

/// <summary>Asks to write off more than the requester's limit; nothing changes on the invoice until approved.</summary>
public sealed record RequestWriteOff(string WriteOffId, string InvoiceNumber, Money Amount) : LedgerCommand;

public sealed record ApproveWriteOff(string WriteOffId) : LedgerCommand;

public sealed record RejectWriteOff(string WriteOffId) : LedgerCommand;

public sealed record WriteOffRequested(string WriteOffId, string InvoiceNumber, Money Amount) : LedgerEvent;

/// <summary>Approval; the InvoiceWrittenOff event that follows it moves the money.</summary>
public sealed record WriteOffApproved(string WriteOffId) : LedgerEvent;

public sealed record WriteOffRejected(string WriteOffId) : LedgerEvent;
