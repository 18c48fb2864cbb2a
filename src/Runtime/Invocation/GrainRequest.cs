using System.Text.Json.Serialization;

namespace ArActors.Runtime.Invocation;

/// <summary>How a request may be scheduled relative to the other turns of its activation.</summary>
[Flags]
public enum InvocationFlags
{
    None = 0,
    ReadOnly = 1,
    AlwaysInterleave = 2,
}

/// <summary>The result type of requests whose method returns a plain <see cref="Task"/> or <see cref="ValueTask"/>.</summary>
public readonly record struct VoidResult;

/// <summary>
/// One call to a grain method with its arguments as properties. Generated per interface method, serializable with
/// System.Text.Json so a later transport can ship it to another silo; <see cref="MethodId"/> is stable across builds.
/// </summary>
public abstract class GrainRequest
{
    [JsonIgnore]
    public abstract string MethodId { get; }

    [JsonIgnore]
    public virtual InvocationFlags Flags => InvocationFlags.None;

    /// <summary>The caller's token, when the method takes one; never serialized.</summary>
    [JsonIgnore]
    public virtual CancellationToken CallCancellation => CancellationToken.None;

    /// <summary>Gives a request that arrived from another silo the token of its transport (the caller's cancellation).</summary>
    public virtual void AttachCancellation(CancellationToken cancellationToken) { }

    public override string ToString() => MethodId;
}

/// <summary>A request whose method produces <typeparamref name="TResult"/>.</summary>
public abstract class GrainRequest<TResult> : GrainRequest
{
    /// <summary>Runs the method on the grain instance (no reflection: generated code casts and calls).</summary>
    public abstract ValueTask<TResult> InvokeAsync(object grain);

    /// <summary>Adapts a <see cref="Task"/>-returning method for generated invokers.</summary>
    protected static ValueTask<VoidResult> Complete(Task task)
    {
        return task.IsCompletedSuccessfully ? default : Await(task);

        static async ValueTask<VoidResult> Await(Task task)
        {
            await task.ConfigureAwait(false);
            return default;
        }
    }

    /// <summary>Adapts a <see cref="ValueTask"/>-returning method for generated invokers.</summary>
    protected static ValueTask<VoidResult> Complete(ValueTask task)
    {
        return task.IsCompletedSuccessfully ? default : Await(task);

        static async ValueTask<VoidResult> Await(ValueTask task)
        {
            await task.ConfigureAwait(false);
            return default;
        }
    }
}

/// <summary>Sends requests to grains; proxies call it, the silo implements it.</summary>
public interface IGrainCallInvoker
{
    Task<TResult> InvokeAsync<TResult>(GrainId target, GrainRequest<TResult> request);
}

/// <summary>Base of generated proxies: a serializable-by-identity reference to one grain.</summary>
public abstract class GrainReference(IGrainCallInvoker invoker, GrainId grainId)
{
    public GrainId GrainId { get; } = grainId;

    protected IGrainCallInvoker Invoker { get; } = invoker;

    public override string ToString() => GrainId.ToString();
}
