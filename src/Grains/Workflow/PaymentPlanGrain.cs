namespace ArActors.Grains.Workflow;

/// <summary>
/// The payment plans of one account (key = customer id). An active plan pauses its invoices' ladders; a reminder the
/// day after each installment's date + grace decides it kept or missed; after the plan's maximum of missed
/// installments it is broken: the ladders resume and an escalation to the team lead is raised.
/// </summary>
public interface IPaymentPlanGrain : IGrainWithStringKey
{
    /// <summary>A repeat with the same id and terms is <c>Unchanged</c> (and sets the pauses again); other terms under that id are refused.</summary>
    Task<PaymentPlanResult> Make(PaymentPlan plan, CommandMeta meta);

    [ReadOnly]
    Task<ImmutableArray<PaymentPlanRecord>> List();
}

public sealed record PaymentPlanResult(PaymentPlanRecord? Plan, LedgerError? Error, bool Unchanged = false)
{
    public bool Accepted => Error is null;
}

public sealed record PaymentPlanGrainState
{
    public ImmutableDictionary<string, PaymentPlanRecord> Plans { get; init; } = ImmutableDictionary<string, PaymentPlanRecord>.Empty;
}

[GrainType("payment-plans")]
public sealed class PaymentPlanGrain([PersistentState("payment-plans")] IPersistentState<PaymentPlanGrainState> state) : Grain, IPaymentPlanGrain, IRemindable
{
    public const string InstallmentReminder = "plan-installment";

    public static string PauseId(string planId) => "plan:" + planId;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(GrainKey);

    public async Task<PaymentPlanResult> Make(PaymentPlan plan, CommandMeta meta)
    {
        if (meta?.Actor is null)
        {
            return new PaymentPlanResult(null, LedgerError.NoActor);
        }

        if (await Account.GetProfile() is not { } profile)
        {
            return new PaymentPlanResult(null, LedgerError.UnknownAccount(GrainKey));
        }

        if (plan?.Id is { } id && state.State.Plans.TryGetValue(id, out var held))
        {
            if (!Same(held.Plan, plan))
            {
                return new PaymentPlanResult(null, LedgerError.Of("id", ErrorCodes.IdConflict, $"Payment plan '{id}' was made with other terms."));
            }

            await PauseInvoicesAsync(held);
            return new PaymentPlanResult(held, null, Unchanged: true);
        }

        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        if (PaymentPlanRules.Validate(plan!, await Account.GetLedger(), profile, state.State.Plans.Values, today) is { } error)
        {
            return new PaymentPlanResult(null, error);
        }

        var record = PaymentPlanRules.Start(plan!, today, meta.Actor);
        PublishAll(profile, new PaymentPlanMade(GrainKey, record));
        await CommitAsync(state.State with { Plans = state.State.Plans.SetItem(plan!.Id, record) }, profile);
        await PauseInvoicesAsync(record);
        return new PaymentPlanResult(record, null);
    }

    public Task<ImmutableArray<PaymentPlanRecord>> List() =>
        Task.FromResult(state.State.Plans.Values.OrderBy(p => p.MadeOn).ThenBy(p => p.Plan.Id, StringComparer.Ordinal).ToImmutableArray());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != InstallmentReminder || await Account.GetProfile() is not { } profile)
        {
            return;
        }

        // Decided from the clock and the ledger: a duplicate tick finds the installments decided and does nothing.
        var today = BusinessCalendar.Today(TimeProvider.GetUtcNow(), profile.TimeZone);
        var ledger = await Account.GetLedger();
        var next = state.State;
        var ended = new List<PaymentPlanRecord>();
        foreach (var record in state.State.Plans.Values.Where(p => p.Status == PaymentPlanStatus.Active))
        {
            var decided = PaymentPlanRules.Evaluate(record, ledger.PaymentsOf(GrainKey), today);
            if (decided == record)
            {
                continue;
            }

            var planId = record.Plan.Id;
            var missedSoFar = record.Missed;
            for (var i = 0; i < decided.Installments.Length; i++)
            {
                var (before, after) = (record.Installments[i], decided.Installments[i]);
                if (before.Status == InstallmentStatus.Pending && after.Status == InstallmentStatus.Kept)
                {
                    PublishAll(profile, new InstallmentKept(GrainKey, planId, after.Number, after.Amount, today));
                }
                else if (before.Status == InstallmentStatus.Pending && after.Status == InstallmentStatus.Missed)
                {
                    PublishAll(profile, new InstallmentMissed(GrainKey, planId, after.Number, after.Amount, after.PaidTowards, today, ++missedSoFar));
                }
            }

            if (decided.Status == PaymentPlanStatus.Broken)
            {
                PublishAll(profile, new PaymentPlanBroken(GrainKey, planId, decided.Missed, today));
                var open = record.Plan.InvoiceNumbers.Select(n => ledger.Invoice(n)).OfType<InvoiceState>().Sum(i => i.OpenAmount.Amount);
                var escalation = new EscalationRaised(
                    new WorkOrigin(GrainKey, record.Plan.InvoiceNumbers, PauseId(planId), today, new Money(open, profile.Currency)),
                    EscalationTarget.TeamLead, profile.Portfolio, $"Payment plan '{planId}' was broken: {decided.Missed} installments missed.");
                await GrainFactory.GetGrain<IEscalationGrain>(EscalationGrain.Key).Raise(escalation, profile.AssignedCollector);
                PublishAll<WorkflowEvent>(profile, escalation, nameof(EscalationRaised));
            }
            else if (decided.Status == PaymentPlanStatus.Completed)
            {
                PublishAll(profile, new PaymentPlanCompleted(GrainKey, planId, today));
            }

            if (decided.Status != PaymentPlanStatus.Active)
            {
                ended.Add(decided);
            }

            next = next with { Plans = next.Plans.SetItem(planId, decided) };
        }

        await CommitAsync(next, profile);
        foreach (var record in ended)
        {
            await PauseInvoicesAsync(record);
        }
    }

    /// <summary>An active plan holds its invoices' ladders from the day it was made (open pause); an ended one closes the pause on its last day.</summary>
    private async Task PauseInvoicesAsync(PaymentPlanRecord record)
    {
        foreach (var number in record.Plan.InvoiceNumbers)
        {
            await GrainFactory.GetGrain<IInvoiceGrain>(AccountGrain.InvoiceKey(GrainKey, number))
                .SetPause(new LadderPause(PauseKind.PaymentPlan, record.MadeOn, record.EndedOn, PauseId(record.Plan.Id)));
        }
    }

    private async Task CommitAsync(PaymentPlanGrainState next, AccountProfile profile)
    {
        if (PaymentPlanRules.NextDecision(next.Plans.Values) is { } day)
        {
            var due = BusinessCalendar.StartOfDay(day, profile.TimeZone) - TimeProvider.GetUtcNow();
            RegisterOrUpdateReminderWithState(InstallmentReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, TimeSpan.FromDays(1));
        }
        else if (await GetReminder(InstallmentReminder) is not null)
        {
            UnregisterReminderWithState(InstallmentReminder);
        }

        if (next != state.State)
        {
            await state.WriteStateAsync(next);
        }
    }

    private void PublishAll<T>(AccountProfile profile, T @event, string? type = null)
        where T : notnull
    {
        type ??= typeof(T).Name;
        Publish(LedgerTopics.Ledger, type, @event);
        Publish(LedgerTopics.Account(GrainKey), type, @event);
        foreach (var owner in LedgerTopics.Owners(profile))
        {
            Publish(owner, type, @event);
        }
    }

    private static bool Same(PaymentPlan a, PaymentPlan b) =>
        a.Id == b.Id && a.GraceDays == b.GraceDays && a.MaxMissed == b.MaxMissed && a.InvoiceNumbers.SequenceEqual(b.InvoiceNumbers) && a.Installments.SequenceEqual(b.Installments);
}
