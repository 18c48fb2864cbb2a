using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Ladder.Plan and the default strategies, as pure functions (no runtime).</summary>
public sealed class LadderTests
{
    private static readonly DateOnly Due = new(2026, 3, 10);
    private static readonly DateOnly LongBefore = new(2026, 1, 1);

    private static LadderFacts Facts(DateOnly? since = null, ImmutableArray<LadderPause>? pauses = null, ImmutableSortedSet<string>? executed = null, DateOnly? paid = null, bool open = true) =>
        new(Due, since ?? LongBefore, open, paid, pauses ?? [], executed ?? ImmutableSortedSet<string>.Empty);

    private static Strategy Corporate => Strategy.Default(CustomerSegment.Corporate);

    private static IEnumerable<(string, DateOnly)> Steps(IEnumerable<ScheduledStep> steps) => steps.Select(s => (s.Step.Id, s.On));

    [Fact]
    public void The_default_ladder_falls_on_due_minus_3_plus_1_7_15_30_60_and_90_in_order()
    {
        var plan = Ladder.Plan(Corporate, Facts(), Due.AddDays(90));

        Assert.Equal(
            [
                ("courtesy-reminder", Due.AddDays(-3)), ("reminder", Due.AddDays(1)), ("call-task", Due.AddDays(7)), ("second-notice", Due.AddDays(15)),
                ("escalate-team-lead", Due.AddDays(30)), ("notify-sales", Due.AddDays(30)), ("credit-hold", Due.AddDays(30)),
                ("final-notice", Due.AddDays(60)), ("agency-referral", Due.AddDays(90)), ("write-off-review", Due.AddDays(90)),
            ],
            Steps(plan.Due));
        Assert.Null(plan.NextStepOn);
        Assert.All(plan.Due, s => Assert.Equal($"{s.Step.Id}@2026-03-10", s.Key));
    }

    [Fact]
    public void Leasing_has_nothing_after_30_days_past_due()
    {
        var leasing = Strategy.Default(CustomerSegment.LeasingCompany);

        Assert.Equal(30, leasing.Steps.Max(s => s.OffsetDays));
        Assert.Equal(["escalate-team-lead", "notify-sales", "credit-hold", "final-notice", "agency-referral", "write-off-review"],
            leasing.Steps.Where(s => s.OffsetDays == 30).Select(s => s.Id));
        Assert.Null(leasing.Validate());
        Assert.Null(Corporate.Validate());
    }

    [Fact]
    public void Only_steps_not_yet_executed_and_on_or_before_the_date_are_due_and_the_next_date_is_the_first_later_step()
    {
        var executed = ImmutableSortedSet.Create("courtesy-reminder@2026-03-10");

        var plan = Ladder.Plan(Corporate, Facts(executed: executed), Due.AddDays(7));

        Assert.Equal([("reminder", Due.AddDays(1)), ("call-task", Due.AddDays(7))], Steps(plan.Due));
        Assert.Equal(Due.AddDays(15), plan.NextStepOn);
        Assert.False(plan.Held);
    }

    [Fact]
    public void Steps_that_fell_before_the_workflow_first_saw_the_invoice_are_skipped_not_run()
    {
        var plan = Ladder.Plan(Corporate, Facts(since: Due.AddDays(10)), Due.AddDays(10));

        Assert.Equal(["courtesy-reminder", "reminder", "call-task"], plan.Skipped.Select(s => s.Step.Id));
        Assert.Empty(plan.Due);
        Assert.Equal(Due.AddDays(15), plan.NextStepOn);
    }

    [Fact]
    public void An_open_pause_holds_every_step_from_its_first_day_but_not_earlier_ones()
    {
        var plan = Ladder.Plan(Corporate, Facts(pauses: [new LadderPause(PauseKind.Dispute, Due.AddDays(5), null)]), Due.AddDays(100));

        Assert.Equal(["courtesy-reminder", "reminder"], plan.Due.Select(s => s.Step.Id));
        Assert.True(plan.Held);
        Assert.Null(plan.NextStepOn);
    }

    [Fact]
    public void A_closed_pause_moves_later_steps_by_its_length_so_the_ladder_resumes_where_it_stopped()
    {
        // Paused from day 5 to day 15 (10 days): the call task due on day 7 runs on day 17, the day-15 notice on day 25.
        var pauses = ImmutableArray.Create(new LadderPause(PauseKind.Promise, Due.AddDays(5), Due.AddDays(15)));

        var plan = Ladder.Plan(Corporate, Facts(pauses: pauses), Due.AddDays(24));

        Assert.Equal([("courtesy-reminder", Due.AddDays(-3)), ("reminder", Due.AddDays(1)), ("call-task", Due.AddDays(17))], Steps(plan.Due));
        Assert.Equal(Due.AddDays(25), plan.NextStepOn);
    }

    [Fact]
    public void Overlapping_pauses_count_their_days_once()
    {
        // Days 5-12 and 10-15 overlap into one 10-day pause.
        ImmutableArray<LadderPause> pauses = [new(PauseKind.Dispute, Due.AddDays(5), Due.AddDays(12)), new(PauseKind.ManualHold, Due.AddDays(10), Due.AddDays(15))];

        Assert.Equal(Due.AddDays(17), Ladder.DateOf(7, Due, pauses));
        Assert.Equal(Due.AddDays(1), Ladder.DateOf(1, Due, pauses));
    }

    [Fact]
    public void A_manual_hold_with_an_end_date_shows_the_first_step_after_it_as_next()
    {
        var pauses = ImmutableArray.Create(new LadderPause(PauseKind.ManualHold, Due.AddDays(2), Due.AddDays(40)));

        var plan = Ladder.Plan(Corporate, Facts(pauses: pauses, executed: ["courtesy-reminder@2026-03-10", "reminder@2026-03-10"]), Due.AddDays(20));

        Assert.Empty(plan.Due);
        Assert.Equal(Due.AddDays(45), plan.NextStepOn);
    }

    [Fact]
    public void Re_anchoring_restarts_the_non_negative_steps_from_a_partial_payment_after_the_due_date()
    {
        var paid = Due.AddDays(20);
        var reanchoring = Corporate with { ReanchorOnPartialPayment = true };
        var executed = ImmutableSortedSet.Create("courtesy-reminder@2026-03-10", "reminder@2026-03-10", "call-task@2026-03-10", "second-notice@2026-03-10");

        var restarted = Ladder.Plan(reanchoring, Facts(executed: executed, paid: paid), paid.AddDays(7));
        var kept = Ladder.Plan(Corporate, Facts(executed: executed, paid: paid), paid.AddDays(7));

        Assert.Equal([("reminder", paid.AddDays(1)), ("call-task", paid.AddDays(7))], Steps(restarted.Due));
        Assert.Equal(["reminder@2026-03-30", "call-task@2026-03-30"], restarted.Due.Select(s => s.Key));
        Assert.Empty(kept.Due);
        Assert.Equal(Due.AddDays(30), kept.NextStepOn);
    }

    [Fact]
    public void A_settled_invoice_has_nothing_due_and_no_next_step()
    {
        var plan = Ladder.Plan(Corporate, Facts(open: false), Due.AddDays(90));

        Assert.Empty(plan.Due);
        Assert.Null(plan.NextStepOn);
    }

    [Theory]
    [InlineData("decreasing", "steps[1].offsetDays")]
    [InlineData("duplicate", "steps[1].id")]
    [InlineData("no-template", "steps[0].template")]
    [InlineData("no-channel", "steps[0].channel")]
    [InlineData("empty", "steps")]
    [InlineData("bad-id", "steps[0].id")]
    public void An_invalid_strategy_is_refused_naming_the_field(string problem, string field)
    {
        ImmutableArray<StrategyStep> steps = problem switch
        {
            "decreasing" => [new("a", 5, StepAction.CreateCallTask), new("b", 3, StepAction.CreateCallTask)],
            "duplicate" => [new("a", 1, StepAction.CreateCallTask), new("a", 3, StepAction.CreateCallTask)],
            "no-template" => [new("a", 1, StepAction.SendReminder, ContactChannel.Email)],
            "no-channel" => [new("a", 1, StepAction.FinalNotice, null, "final")],
            "bad-id" => [new("a@b", 1, StepAction.CreateCallTask)],
            _ => [],
        };

        var error = new Strategy(CustomerSegment.Consumer, steps).Validate();

        Assert.NotNull(error);
        Assert.Equal(field, error.Field);
    }
}
