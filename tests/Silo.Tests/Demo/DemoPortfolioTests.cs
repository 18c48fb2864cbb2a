using ArActors.Grains.Accounts;
using ArActors.Grains.Aging;
using ArActors.Grains.Ledger;
using ArActors.Silo.Demo;

namespace ArActors.Silo.Tests.Demo;

public sealed class DemoPortfolioTests
{
    private static readonly DateOnly Today = new(2026, 11, 20);

    [Fact]
    public void The_same_seed_gives_the_same_portfolio()
    {
        var first = DemoPortfolio.Generate(seed: 7, accounts: 50, Today);
        var second = DemoPortfolio.Generate(seed: 7, accounts: 50, Today);

        // ImmutableArray compares by identity inside records, so contacts are compared element by element.
        Assert.Equal(first.Select(a => a.Profile with { Contacts = [] }), second.Select(a => a.Profile with { Contacts = [] }));
        Assert.Equal(first.SelectMany(a => a.Profile.Contacts.Select(c => c with { InconvenientTimes = [] })), second.SelectMany(a => a.Profile.Contacts.Select(c => c with { InconvenientTimes = [] })));
        Assert.Equal(first.SelectMany(a => a.Invoices), second.SelectMany(a => a.Invoices));
        Assert.NotEqual(first.Select(a => a.Profile.Name), DemoPortfolio.Generate(seed: 8, accounts: 50, Today).Select(a => a.Profile.Name));
        Assert.Equal(first.SelectMany(a => a.Payments), second.SelectMany(a => a.Payments));
    }

    [Fact]
    public void The_ledger_rules_accept_every_generated_command_and_the_portfolio_fills_every_aging_bucket()
    {
        var portfolio = DemoPortfolio.Generate(seed: 1, accounts: 400, Today);
        var state = LedgerState.Empty;
        var context = new CommandContext(new Actor("demo", ActorRole.System), new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), Today, "demo data");

        foreach (var account in portfolio)
        {
            LedgerCommand[] commands = [new OpenAccount(account.Profile), .. account.Invoices, .. account.Payments.Select(p => new ReceivePayment(account.Profile.CustomerId, p))];
            foreach (var command in commands)
            {
                var outcome = LedgerRules.Handle(state, command, context);
                Assert.True(outcome.Error is null, $"{command}: {outcome.Error}");
                state = outcome.State;
            }
        }

        var buckets = portfolio
            .SelectMany(a => AccountSummary.Compute(state, a.Profile.CustomerId, Today, AgingPolicy.Default).Buckets)
            .GroupBy(b => b.Bucket)
            .ToDictionary(g => g.Key, g => g.Sum(b => b.Amount));
        Assert.Equal(AgingPolicy.Default.Buckets.Length, buckets.Count);
        Assert.All(buckets, b => Assert.True(b.Value > 0, $"bucket {b.Key} is empty"));
        Assert.Equal(DemoPortfolio.Collectors.Length, portfolio.Select(a => a.Profile.AssignedCollector).Distinct().Count());
        Assert.Equal(4, portfolio.Select(a => a.Profile.Segment).Distinct().Count());
        Assert.Contains(portfolio.SelectMany(a => a.Payments), p => p.Amount.Amount < portfolio.SelectMany(a => a.Invoices).Single(i => i.InvoiceNumber == p.RemittanceRefs[0]).Amount.Amount);
    }
}
