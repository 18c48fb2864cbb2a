namespace ArActors.Grains.Workflow;

public enum ActivityKind
{
    Call,
    Email,
    Letter,
    Note,
}

/// <summary>A collector's activity on an account: a call (with its outcome), e-mail, letter or note, about a debt (invoice number), with the next action date.</summary>
public sealed record LogActivity(string Id, ActivityKind Kind, string? ContactName, string Debt, CallOutcome? Outcome, DateOnly? NextActionOn, string? Note);

public sealed record ActivityRecord(LogActivity Activity, DateTimeOffset At, Actor By);

/// <summary>Published (ledger, account and owner topics) for every logged activity: the audit trail.</summary>
public sealed record ActivityLogged(string CustomerId, ActivityRecord Record);

/// <summary>Accepted (the record), or refused: the error names the field; a compliance refusal also says when contact is next permitted.</summary>
public sealed record ActivityResult(ActivityRecord? Record, LedgerError? Error, DateTimeOffset? NextPermitted = null, bool Unchanged = false)
{
    public const string NotPermitted = "contact_not_permitted";

    public bool Accepted => Error is null;
}

/// <summary>The activities of one account (key = customer id). Contact attempts pass the segment's compliance guard first.</summary>
public interface IActivityGrain : IGrainWithStringKey
{
    Task<ActivityResult> Log(LogActivity activity, CommandMeta meta);

    [ReadOnly]
    Task<ImmutableArray<ActivityRecord>> List();
}

public sealed record ActivityGrainState
{
    public ImmutableList<ActivityRecord> Activities { get; init; } = ImmutableList<ActivityRecord>.Empty;
}

[GrainType("activities")]
public sealed class ActivityGrain([PersistentState("activities")] IPersistentState<ActivityGrainState> state) : Grain, IActivityGrain
{
    public async Task<ActivityResult> Log(LogActivity activity, CommandMeta meta)
    {
        if (meta?.Actor is null || activity is null)
        {
            return new ActivityResult(null, LedgerError.Of(meta?.Actor is null ? "actor" : "activity", ErrorCodes.Required, "An activity and its actor are required."));
        }

        if (state.State.Activities.FirstOrDefault(a => a.Activity.Id == activity.Id) is { } held)
        {
            if (held.Activity != activity)
            {
                return new ActivityResult(null, LedgerError.Of("id", ErrorCodes.IdConflict, $"Activity '{activity.Id}' was logged with other details."));
            }

            // A retry: tell the worklist again in case the first attempt failed after the write.
            await TellWorklistAsync(held.Activity, await GrainFactory.GetGrain<IAccountGrain>(GrainKey).GetProfile());
            return new ActivityResult(held, null, Unchanged: true);
        }

        var account = GrainFactory.GetGrain<IAccountGrain>(GrainKey);
        if (await account.GetProfile() is not { } profile)
        {
            return new ActivityResult(null, LedgerError.UnknownAccount(GrainKey));
        }

        if ((await account.GetLedger()).Invoice(activity.Debt) is null)
        {
            return new ActivityResult(null, LedgerError.Of("debt", ErrorCodes.UnknownInvoice, $"The account has no invoice '{activity.Debt}'."));
        }

        var now = TimeProvider.GetUtcNow();
        if (activity.Kind != ActivityKind.Note)
        {
            if ((profile.Contacts.IsDefault ? null : profile.Contacts.FirstOrDefault(c => c.Name == activity.ContactName)) is not { } contact)
            {
                return new ActivityResult(null, LedgerError.Of("contactName", ErrorCodes.Invalid, $"'{activity.ContactName}' is not a contact of the account."));
            }

            var channel = activity.Kind switch { ActivityKind.Call => ContactChannel.Phone, ActivityKind.Email => ContactChannel.Email, _ => ContactChannel.Letter };
            var decision = ContactCompliance.Check(contact, activity.Debt, channel, now, profile.TimeZone, ContactPolicy.For(profile.Segment), History());
            if (!decision.Allowed)
            {
                return new ActivityResult(null, LedgerError.Of("contactName", ActivityResult.NotPermitted, decision.Reason!), decision.NextPermitted);
            }
        }

        var record = new ActivityRecord(activity, now, meta.Actor);
        var logged = new ActivityLogged(GrainKey, record);
        Publish(LedgerTopics.Ledger, logged);
        Publish(LedgerTopics.Account(GrainKey), logged);
        foreach (var owner in LedgerTopics.Owners(profile))
        {
            Publish(owner, logged);
        }

        var previous = state.State;
        await state.WriteStateAsync(previous with { Activities = previous.Activities.Add(record) });

        await TellWorklistAsync(activity, profile);
        return new ActivityResult(record, null);
    }

    private async Task TellWorklistAsync(LogActivity activity, AccountProfile? profile)
    {
        if (activity.NextActionOn is { } on && profile?.AssignedCollector is { } collector)
        {
            await GrainFactory.GetGrain<ICollectorQueueGrain>(collector).SetNextAction(GrainKey, on);
        }
    }

    public Task<ImmutableArray<ActivityRecord>> List() => Task.FromResult(state.State.Activities.ToImmutableArray());

    private IEnumerable<PastAttempt> History() =>
        state.State.Activities
            .Where(a => a.Activity.Kind != ActivityKind.Note && a.Activity.ContactName is not null)
            .Select(a => new PastAttempt(a.Activity.ContactName!, a.Activity.Debt,
                a.Activity.Kind switch { ActivityKind.Call => ContactChannel.Phone, ActivityKind.Email => ContactChannel.Email, _ => ContactChannel.Letter },
                a.At, a.Activity.Outcome));
}
