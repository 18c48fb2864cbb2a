using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>
/// The credit-hold ladder step (+30 days) with a manual clock: the placer puts an active account on hold, leaves an
/// account in dispute alone, and a restarted placer does not put back a hold that a person lifted.
/// </summary>
public sealed class CreditHoldPlacerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Due = new(2026, 3, 10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_thirty_day_step_puts_an_active_account_on_hold_and_a_restarted_placer_does_not_hold_it_again()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var active = LedgerCluster.NewId("HOLD");
        var disputed = LedgerCluster.NewId("DISP");
        foreach (var customer in new[] { active, disputed })
        {
            await ledger.OpenAsync(customer, "UTC");
            await ledger.IssueAsync(customer, "INV-1", 1_000m, new DateOnly(2026, 3, 1), Due);
        }

        LedgerCluster.Accepted(await ledger.Account(disputed).ChangeStatus(new ChangeAccountStatus(disputed, AccountStatus.InDispute), LedgerCluster.Manager));
        var placer = Placer(ledger);
        await placer.StartAsync(CancellationToken.None);

        await ledger.Cluster.AdvanceTimeAsync(Due.AddDays(29).ToDateTime(new TimeOnly(12, 0)) - ledger.Clock.GetUtcNow().UtcDateTime);
        Assert.Empty(await RequestsAsync(ledger));
        Assert.Equal(AccountStatus.Active, await StatusAsync(ledger, active));

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(1));   // day 30: the step asks for a hold on both accounts
        var requests = await RequestsAsync(ledger);
        Assert.Equal(new[] { active, disputed }.Order(StringComparer.Ordinal), requests.Select(r => r.Customer).Order(StringComparer.Ordinal));
        await UntilAsync(async () => await CursorAsync(ledger) >= requests.Max(r => r.Sequence));
        Assert.Equal(AccountStatus.CreditHold, await StatusAsync(ledger, active));
        Assert.Equal(AccountStatus.InDispute, await StatusAsync(ledger, disputed));
        Assert.Equal(ActorRole.System, Assert.Single(await StatusChangesAsync(ledger, active)).Audit.Actor.Role);

        // A manager lifts the hold; a placer started again from the stored cursor does not put it back.
        LedgerCluster.Accepted(await ledger.Account(active).ChangeStatus(new ChangeAccountStatus(active, AccountStatus.Active), LedgerCluster.Manager));
        await placer.StopAsync(CancellationToken.None);
        placer.Dispose();
        using var restarted = Placer(ledger);
        await restarted.StartAsync(CancellationToken.None);

        // A third account reaching its step proves the restarted placer has read past the first two requests.
        var later = LedgerCluster.NewId("LATE");
        await ledger.OpenAsync(later, "UTC");
        await ledger.IssueAsync(later, "INV-1", 1_000m, ledger.Today("UTC"), ledger.Today("UTC").AddDays(1));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(32));
        await UntilAsync(async () => await StatusAsync(ledger, later) == AccountStatus.CreditHold);
        Assert.Equal(AccountStatus.Active, await StatusAsync(ledger, active));
        Assert.Equal(2, (await StatusChangesAsync(ledger, active)).Count);   // placed once, lifted once
        await restarted.StopAsync(CancellationToken.None);
    }

    private static CreditHoldPlacer Placer(LedgerCluster ledger) =>
        new(ledger.Cluster.Events, ledger.Cluster.Store, ledger.Cluster.GrainFactory, NullLogger<CreditHoldPlacer>.Instance);

    private static async Task<AccountStatus?> StatusAsync(LedgerCluster ledger, string customer) =>
        (await ledger.Account(customer).GetProfile())?.Status;

    private static async Task<List<AccountStatusChanged>> StatusChangesAsync(LedgerCluster ledger, string customer) =>
        [.. (await ledger.Account(customer).GetHistory()).OfType<AccountStatusChanged>()];

    private static async Task<List<(string Customer, long Sequence)>> RequestsAsync(LedgerCluster ledger) =>
        [.. (await ledger.TopicAsync(LedgerTopics.Ledger)).Where(e => e.EventType == nameof(CreditHoldRequested))
            .Select(e => (JsonSerializer.Deserialize<WorkflowEvent>(e.Payload.Span, Json)!.Origin.CustomerId, e.Sequence))];

    private static async Task<long> CursorAsync(LedgerCluster ledger) =>
        await ledger.Cluster.Store.ReadStateAsync(CreditHoldPlacer.CursorId) is { } stored
            ? JsonSerializer.Deserialize<long>(stored.Payload.Span)
            : 0;

    /// <summary>Waits for the placer (a background reader) to reach a state; fails after 15 s.</summary>
    private static async Task UntilAsync(Func<Task<bool>> reached)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await reached())
        {
            Assert.True(DateTime.UtcNow < deadline, "the credit hold placer did not get there within 15 s");
            await Task.Delay(20);
        }
    }
}
