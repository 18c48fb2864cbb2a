using System.Security.Claims;
using ArActors.Api.Events;
using ArActors.Grains.Accounts;
using ArActors.Runtime;

namespace ArActors.Api.Ledger;

/// <summary>An account's events are readable by whoever may see the account through the API (<see cref="LedgerHttp.CanSee"/>).</summary>
public sealed class PortfolioAccountReadScope(IGrainFactory grains) : IAccountReadScope
{
    public async ValueTask<bool> MayReadAccountAsync(ClaimsPrincipal user, string accountId, CancellationToken cancellationToken) =>
        await grains.GetGrain<IAccountGrain>(accountId).GetProfile() is { } profile && LedgerHttp.CanSee(user, profile);
}
