using ArActors.Runtime.Clustering;

namespace ArActors.Runtime.Tests.Clustering;

public sealed class MembershipRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly MembershipOptions Options = new();

    private static SiloAddress Silo(int n) => new($"http://10.0.0.{n}:5081", n);

    private static MembershipTableData Cluster(int activeCount, params SuspicionVote[] votesAgainstFirst) => new(7,
    [
        .. Enumerable.Range(1, activeCount).Select(n => new MembershipRow(
            new MembershipEntry(Silo(n), SiloStatus.Active, Now, Now, n == 1 ? [.. votesAgainstFirst] : []), 3)),
    ]);

    [Fact]
    public void With_three_active_silos_one_vote_only_suspects_and_the_second_kills()
    {
        var data = Cluster(3);

        var first = MembershipRules.Suspect(data, data.Rows[0], Silo(2), Now, Options)!;
        Assert.Equal(SiloStatus.Active, first.Status);
        Assert.Equal([new SuspicionVote(Silo(2), Now)], first.Suspicions.ToArray());

        var voted = data with { Rows = [new MembershipRow(first, 4), .. data.Rows.Skip(1)] };
        var second = MembershipRules.Suspect(voted, voted.Rows[0], Silo(3), Now.AddSeconds(1), Options)!;
        Assert.Equal(SiloStatus.Dead, second.Status);
        Assert.Equal(2, second.Suspicions.Length);
    }

    [Fact]
    public void A_voter_already_counted_writes_nothing_until_another_vote_arrives()
    {
        var data = Cluster(3, new SuspicionVote(Silo(2), Now.AddSeconds(-1)));

        Assert.Null(MembershipRules.Suspect(data, data.Rows[0], Silo(2), Now, Options));
    }

    [Fact]
    public void Votes_older_than_the_window_do_not_count()
    {
        var data = Cluster(3, new SuspicionVote(Silo(3), Now - Options.VoteWindow - TimeSpan.FromSeconds(1)));

        var update = MembershipRules.Suspect(data, data.Rows[0], Silo(2), Now, Options)!;

        Assert.Equal(SiloStatus.Active, update.Status);
        Assert.Equal([new SuspicionVote(Silo(2), Now)], update.Suspicions.ToArray());
    }

    [Fact]
    public void The_quorum_is_capped_at_the_other_active_silos()
    {
        Assert.Equal(1, MembershipRules.VotesRequired(Cluster(2), Silo(1), 2));
        Assert.Equal(2, MembershipRules.VotesRequired(Cluster(3), Silo(1), 2));
        Assert.Equal(2, MembershipRules.VotesRequired(Cluster(5), Silo(1), 2));
        Assert.Equal(SiloStatus.Dead, MembershipRules.Suspect(Cluster(2), Cluster(2).Rows[0], Silo(2), Now, Options)!.Status);
    }

    [Fact]
    public void Nobody_votes_against_itself_or_a_dead_silo()
    {
        var data = Cluster(3);
        var dead = data.Rows[0] with { Entry = data.Rows[0].Entry with { Status = SiloStatus.Dead } };

        Assert.Null(MembershipRules.Suspect(data, data.Rows[0], Silo(1), Now, Options));
        Assert.Null(MembershipRules.Suspect(data, dead, Silo(2), Now, Options));
    }

    [Fact]
    public void Dead_is_final_and_status_only_moves_forward()
    {
        Assert.True(MembershipRules.IsAllowedTransition(SiloStatus.Joining, SiloStatus.Active));
        Assert.True(MembershipRules.IsAllowedTransition(SiloStatus.Active, SiloStatus.Dead));
        Assert.False(MembershipRules.IsAllowedTransition(SiloStatus.Dead, SiloStatus.Active));
        Assert.False(MembershipRules.IsAllowedTransition(SiloStatus.ShuttingDown, SiloStatus.Active));
    }

    [Fact]
    public void Staleness_starts_at_suspect_after()
    {
        Assert.False(MembershipRules.IsStale(Now, Now + Options.SuspectAfter - TimeSpan.FromTicks(1), Options.SuspectAfter));
        Assert.True(MembershipRules.IsStale(Now, Now + Options.SuspectAfter, Options.SuspectAfter));
    }
}
