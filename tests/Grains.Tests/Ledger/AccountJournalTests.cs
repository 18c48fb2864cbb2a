namespace ArActors.Grains.Tests.Ledger;

/// <summary>How an account's ledger is rebuilt from its head, its snapshot and the journal events after it.</summary>
public sealed class AccountJournalTests
{
    [Fact]
    public void The_ledger_is_the_snapshot_folded_with_exactly_the_events_the_head_counted_since()
    {
        var rules = new LedgerHarness().Account("C1").Issue("C1", "INV-1", 100m).Issue("C1", "INV-2", 50m);
        rules.Pay("C1", "PAY-1", 120m);
        var snapshot = new AccountSnapshot { Ledger = LedgerRules.Fold(LedgerState.Empty, rules.History.Take(2)), Version = 2, Journaled = 2, Sequence = 7 };
        var head = new AccountGrainState { Version = 4, Journaled = rules.History.Count };

        var rebuilt = AccountJournal.Rebuild("C1", head, snapshot, rules.History.Skip(2).ToList());

        Assert.Equal(LedgerFacts.From(rules.State).Fingerprint(), LedgerFacts.From(rebuilt).Fingerprint());
    }

    [Fact]
    public void A_journal_missing_an_event_or_a_snapshot_ahead_of_its_head_is_refused_and_a_head_with_its_own_ledger_is_taken_as_it_is()
    {
        var rules = new LedgerHarness().Account("C1").Issue("C1", "INV-1", 100m).Issue("C1", "INV-2", 50m);
        var snapshot = new AccountSnapshot { Ledger = LedgerRules.Fold(LedgerState.Empty, rules.History.Take(1)), Version = 1, Journaled = 1, Sequence = 7 };
        var head = new AccountGrainState { Version = 3, Journaled = 3 };

        var missing = Assert.Throws<InvalidOperationException>(() => AccountJournal.Rebuild("C1", head, snapshot, rules.History.Skip(2).ToList()));
        Assert.Contains("counts 2 ledger events after its snapshot", missing.Message, StringComparison.Ordinal);

        // Read across a concurrent commit: the snapshot is newer than the head this activation holds.
        Assert.Throws<InvalidOperationException>(() => AccountJournal.Rebuild("C1", head with { Version = 0, Journaled = 1 }, snapshot, []));

        Assert.Same(rules.State, AccountJournal.Rebuild("C1", head with { Ledger = rules.State }, snapshot, []));
    }
}
