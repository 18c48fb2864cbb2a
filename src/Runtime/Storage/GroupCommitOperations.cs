namespace ArActors.Runtime.Storage;

/// <summary>A reminder change a grain staged for its next state write: an entry to upsert, or (<see cref="Entry"/> null) a removal.</summary>
internal sealed record StagedReminder(string GrainType, string GrainKey, string Name, ReminderEntry? Entry);

/// <summary>One pending write waiting for the group-commit writer; completed only after its transaction commits.</summary>
internal abstract class GroupCommitOperation(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Set by the provider while executing the batch: null means the operation succeeded inside the transaction.</summary>
    public Exception? Conflict { get; set; }

    /// <summary>Events this operation committed, filled in by the provider once sequences are assigned.</summary>
    public IReadOnlyList<StoredEvent> CommittedEvents { get; set; } = [];

    /// <summary>Drafts this operation appends when it succeeds.</summary>
    public virtual IReadOnlyList<EventDraft> Events => [];

    /// <summary>Completes the caller's task after COMMIT: with the result, or with the operation's own conflict.</summary>
    public abstract void CompleteCommitted();

    public abstract void Fail(Exception exception);

    public abstract void Cancel();

    /// <summary>Resets what a failed transaction attempt left behind, so the operation can be retried.</summary>
    public virtual void ResetAttempt()
    {
        Conflict = null;
        CommittedEvents = [];
    }
}

/// <summary>An operation whose caller awaits a typed result.</summary>
internal abstract class GroupCommitOperation<TResult>(CancellationToken cancellationToken) : GroupCommitOperation(cancellationToken)
{
    // Continuations must never run on the writer loop, which would stall every other pending write.
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    protected abstract TResult Result { get; }

    public override void CompleteCommitted()
    {
        if (Conflict is not null)
        {
            _completion.TrySetException(Conflict);
        }
        else
        {
            _completion.TrySetResult(Result);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}

internal sealed class WriteStateOperation(
    GrainStateId id,
    byte[] payload,
    string? expectedEtag,
    IReadOnlyList<EventDraft> events,
    string newEtag,
    CancellationToken cancellationToken,
    IReadOnlyList<GroupCommitOperation>? reminders = null) : GroupCommitOperation<StateWriteResult>(cancellationToken)
{
    public GrainStateId Id { get; } = id;

    public byte[] Payload { get; } = payload;

    public string? ExpectedEtag { get; } = expectedEtag;

    public string NewEtag { get; } = newEtag;

    public override IReadOnlyList<EventDraft> Events { get; } = events;

    /// <summary>
    /// Reminder rows this write changes in its own transaction (<see cref="UpsertReminderOperation"/>, or a removal
    /// <see cref="ReminderChangeOperation"/>), applied only if its ETag check passes. Never enqueued on their own.
    /// </summary>
    public IReadOnlyList<GroupCommitOperation> Reminders { get; } = reminders ?? [];

    public override void ResetAttempt()
    {
        base.ResetAttempt();
        foreach (var reminder in Reminders)
        {
            reminder.ResetAttempt();
        }
    }

    protected override StateWriteResult Result => new(NewEtag, CommittedEvents);
}

internal sealed class ClearStateOperation(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken)
    : GroupCommitOperation<bool>(cancellationToken)
{
    public GrainStateId Id { get; } = id;

    public string? ExpectedEtag { get; } = expectedEtag;

    protected override bool Result => true;
}

internal sealed class AppendEventsOperation(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken)
    : GroupCommitOperation<IReadOnlyList<StoredEvent>>(cancellationToken)
{
    public override IReadOnlyList<EventDraft> Events { get; } = events;

    protected override IReadOnlyList<StoredEvent> Result => CommittedEvents;
}

internal sealed class UpsertReminderOperation(ReminderEntry entry, CancellationToken cancellationToken)
    : GroupCommitOperation<ReminderEntry>(cancellationToken)
{
    /// <summary>The entry as stored: normalized times and the new ETag.</summary>
    public ReminderEntry Entry { get; } = entry;

    protected override ReminderEntry Result => Entry;
}

/// <summary>Remove (ExpectedEtag null, NextDue unused) or Advance (conditional on ExpectedEtag); the result says whether a row changed.</summary>
internal sealed class ReminderChangeOperation(
    string grainType,
    string grainKey,
    string name,
    DateTimeOffset? nextDue,
    string? expectedEtag,
    string? newEtag,
    CancellationToken cancellationToken) : GroupCommitOperation<bool>(cancellationToken)
{
    public string GrainType { get; } = grainType;

    public string GrainKey { get; } = grainKey;

    public string Name { get; } = name;

    /// <summary>Null for a removal.</summary>
    public DateTimeOffset? NextDue { get; } = nextDue;

    public string? ExpectedEtag { get; } = expectedEtag;

    public string? NewEtag { get; } = newEtag;

    public bool Changed { get; set; }

    protected override bool Result => Changed;

    public override void ResetAttempt()
    {
        base.ResetAttempt();
        Changed = false;
    }
}
