using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ArActors.Runtime.Invocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Runtime.Clustering.Forwarding;

/// <summary>A call forwarded to the silo <paramref name="TargetSilo"/>, with the generated request type as JSON.</summary>
internal sealed record RemoteCall(string Type, string Key, string Method, string TargetSilo, JsonElement Arguments);

/// <summary>The owner's answer: a result, an exception, "not owner", or a refusal to serve.</summary>
internal sealed record RemoteAnswer(JsonElement? Result = null, RemoteError? Error = null, bool NotOwner = false, string? Refusal = null);

/// <summary>
/// An exception as it crosses silos: its type and base types (assembly-qualified, most derived first, System.Exception
/// left out), message, the grain's stack trace as text, and its inner exception, recursively.
/// </summary>
internal sealed record RemoteError(string Type, string[] BaseTypes, string Message, string? StackTrace, RemoteError? Inner);

/// <summary>The grain's owner changed twice while a call was forwarded; the caller may retry later.</summary>
public sealed class GrainNotOwnedException(string message) : Exception(message);

/// <summary>
/// A grain on another silo threw an exception that neither its type nor any base type below <see cref="Exception"/>
/// can be recreated in this process; <see cref="OriginalType"/> and the message are the original's.
/// </summary>
public sealed class RemoteGrainException : Exception
{
    public RemoteGrainException() { }

    public RemoteGrainException(string message) : base(message) { }

    public RemoteGrainException(string message, Exception? innerException) : base(message, innerException) { }

    public RemoteGrainException(string originalType, string message, Exception? innerException = null) : base(message, innerException) => OriginalType = originalType;

    public string OriginalType { get; } = "";
}

/// <summary>What a forwarded call's exception carries from the silo that threw it, in <see cref="Exception.Data"/>.</summary>
public static class RemoteExceptionData
{
    /// <summary>The exception's stack trace on the silo that threw it (text; the local stack is the caller's).</summary>
    public const string StackTraceKey = "ArActors.RemoteStackTrace";

    /// <summary>The assembly-qualified type the grain threw (differs from the local type when a base type stood in).</summary>
    public const string OriginalTypeKey = "ArActors.RemoteType";

    /// <summary>The silo that threw it.</summary>
    public const string SiloKey = "ArActors.RemoteSilo";
}

/// <summary>Wire formats shared by both ends: the envelope is plain web JSON, payloads use the silo's serializer.</summary>
internal static class RemoteCallJson
{
    public const string Path = "/_aractors/calls";

    public static JsonSerializerOptions Envelope { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>The silo's options, with reflection as the last resolver so generated request types always serialize.</summary>
    public static JsonSerializerOptions ForPayloads(JsonSerializerOptions silo)
    {
        var options = new JsonSerializerOptions(silo);
        if (options.TypeInfoResolverChain.Count > 0 && !options.TypeInfoResolverChain.OfType<DefaultJsonTypeInfoResolver>().Any())
        {
            options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        }

        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Inner exceptions deeper than this are cut (a cycle-free chain this long is already a bug report).</summary>
    public const int MaxInnerDepth = 8;

    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static RemoteError Capture(Exception exception, int depth = 0)
    {
        var bases = new List<string>();
        for (var type = exception.GetType().BaseType; type is not null && type != typeof(Exception); type = type.BaseType)
        {
            bases.Add(TypeName(type));
        }

        return new RemoteError(
            TypeName(exception.GetType()),
            [.. bases],
            exception.Message,
            exception.StackTrace,
            exception.InnerException is { } inner && depth < MaxInnerDepth ? Capture(inner, depth + 1) : null);
    }

    /// <summary>
    /// The rule: the exception's own type when this process can load it and build it from a message (preferring a
    /// <c>(string, Exception)</c> constructor, which also keeps the inner exception), else the nearest base type that can
    /// be (a <c>CurrencyMismatchException</c> arrives as <see cref="InvalidOperationException"/>), else
    /// <see cref="RemoteGrainException"/>. The message and inner chain are the original's; each level's
    /// <see cref="Exception.Data"/> holds its remote stack trace, and the original type when a base type stood in.
    /// </summary>
    public static Exception Rebuild(RemoteError error, string silo)
    {
        var inner = error.Inner is { } remoteInner ? Rebuild(remoteInner, silo) : null;
        var rebuilt = Create(error.Type, error.Message, inner);
        foreach (var candidate in error.BaseTypes)
        {
            rebuilt ??= Create(candidate, error.Message, inner);
        }

        rebuilt ??= new RemoteGrainException(error.Type, error.Message, inner);
        rebuilt.Data[RemoteExceptionData.StackTraceKey] = error.StackTrace ?? "";
        rebuilt.Data[RemoteExceptionData.SiloKey] = silo;
        if (TypeName(rebuilt.GetType()) != error.Type)
        {
            rebuilt.Data[RemoteExceptionData.OriginalTypeKey] = error.Type;
        }

        return rebuilt;
    }

    private static Exception? Create(string typeName, string message, Exception? inner)
    {
        var type = Type.GetType(typeName, throwOnError: false);
        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract)
        {
            return null;
        }

        try
        {
            // (message, inner) first: it keeps the inner exception, and for ArgumentNullException and kin the single
            // string constructor means a parameter name, not a message.
            if (type.GetConstructor([typeof(string), typeof(Exception)]) is { } withInner)
            {
                return (Exception)withInner.Invoke([message, inner]);
            }

            if (type.GetConstructor([typeof(string)]) is { } withMessage)
            {
                return (Exception)withMessage.Invoke([message]);
            }
        }
        catch (TargetInvocationException)
        {
            // Try the next base type.
        }

        return null;
    }
}

/// <summary>Sends calls to the silos that own their grains (HTTP/1.1, pooled connections).</summary>
internal sealed class RemoteCallClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly JsonSerializerOptions _payloads;
    private readonly TimeSpan _timeout;

    public RemoteCallClient(SiloOptions options)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = 64 })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _payloads = RemoteCallJson.ForPayloads(options.SerializerOptions);
        _timeout = options.ResponseTimeout;
    }

    /// <summary>The result, or NotOwner = true when <paramref name="owner"/> no longer owns the grain.</summary>
    public async Task<(bool NotOwner, TResult Result)> InvokeAsync<TResult>(SiloAddress owner, GrainId target, GrainRequest<TResult> request)
    {
        var callerToken = request.CallCancellation;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        if (_timeout != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(_timeout);
        }

        var call = new RemoteCall(target.Type, target.Key, request.MethodId, owner.ToString(), JsonSerializer.SerializeToElement(request, request.GetType(), _payloads));
        RemoteAnswer? answer;
        try
        {
            using var response = await _http.PostAsJsonAsync(new Uri(owner.Endpoint.TrimEnd('/') + RemoteCallJson.Path), call, RemoteCallJson.Envelope, deadline.Token);
            answer = await response.Content.ReadFromJsonAsync<RemoteAnswer>(RemoteCallJson.Envelope, deadline.Token);
        }
        catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(callerToken);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.MethodId} on {target} did not answer within {_timeout}.");
        }
        catch (HttpRequestException exception)
        {
            throw new SiloUnavailableException($"Silo {owner}, owner of {target}, could not be reached for {request.MethodId}: {exception.Message}");
        }

        return answer switch
        {
            null => throw new SiloUnavailableException($"Silo {owner} sent an empty answer for {request.MethodId} to {target}."),
            { NotOwner: true } => (true, default!),
            { Refusal: { } refusal } => throw new SiloNotServingException(refusal),
            { Error: { } error } => throw RemoteCallJson.Rebuild(error, owner.ToString()),
            { Result: { } result } => (false, result.Deserialize<TResult>(_payloads)!),
            _ => (false, default!),
        };
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Runs calls that arrived from other silos on this silo, if it owns their grains.</summary>
internal sealed class RemoteCallHandler(Silo silo)
{
    private static readonly MethodInfo InvokeTypedMethod = typeof(RemoteCallHandler).GetMethod(nameof(InvokeTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ConcurrentDictionary<Type, (Type ResultType, Func<Silo, GrainId, GrainRequest, Task<object?>> Invoke)> _invokers = new();
    private readonly JsonSerializerOptions _payloads = RemoteCallJson.ForPayloads(silo.Options.SerializerOptions);

    public async Task<RemoteAnswer> HandleAsync(RemoteCall call, CancellationToken aborted)
    {
        if (silo.Cluster is not { } cluster)
        {
            return new RemoteAnswer(Refusal: "This silo is not part of a cluster.");
        }

        if (!cluster.IsServing)
        {
            return new RemoteAnswer(Refusal: cluster.NotServingReason);
        }

        var grain = new GrainId(call.Type, call.Key);
        if (call.TargetSilo != cluster.Self.ToString())
        {
            return new RemoteAnswer(NotOwner: true);
        }

        if (!cluster.IsLocal(grain))
        {
            // The caller's view says this silo owns the grain and ours disagrees: one of them is stale. Read the table
            // once, so a silo that has just become the owner serves the call rather than bouncing it.
            await cluster.RefreshAsync();
            if (!cluster.IsLocal(grain) || !cluster.IsServing)
            {
                return new RemoteAnswer(NotOwner: true);
            }
        }

        if (!silo.Registry.TryGetMethod(call.Method, out var method))
        {
            return new RemoteAnswer(Error: RemoteCallJson.Capture(new InvalidOperationException($"Method '{call.Method}' is not registered in silo {cluster.Self}.")));
        }

        try
        {
            var request = (GrainRequest)call.Arguments.Deserialize(method.RequestType, _payloads)!;
            request.AttachCancellation(aborted);
            var (resultType, invoke) = _invokers.GetOrAdd(method.RequestType, CreateInvoker);
            var result = await invoke(silo, grain, request);
            return new RemoteAnswer(Result: JsonSerializer.SerializeToElement(result, resultType, _payloads));
        }
        catch (Exception exception)
        {
            return new RemoteAnswer(Error: RemoteCallJson.Capture(exception));
        }
    }

    private static (Type, Func<Silo, GrainId, GrainRequest, Task<object?>>) CreateInvoker(Type requestType)
    {
        // Reflection once per request type, never per call.
        var resultType = ResultTypeOf(requestType);
        var invoke = InvokeTypedMethod.MakeGenericMethod(resultType).CreateDelegate<Func<Silo, GrainId, GrainRequest, Task<object?>>>();
        return (resultType, invoke);
    }

    private static Type ResultTypeOf(Type requestType)
    {
        for (var type = requestType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(GrainRequest<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new InvalidOperationException($"{requestType} is not a GrainRequest<T>.");
    }

    private static async Task<object?> InvokeTypedAsync<TResult>(Silo silo, GrainId grain, GrainRequest request) =>
        await silo.InvokeLocalAsync(grain, (GrainRequest<TResult>)request);
}

public static class RemoteCallEndpoints
{
    /// <summary>Maps the endpoint other silos forward grain calls to. Expose it on the cluster's private network only.</summary>
    public static IEndpointConventionBuilder MapSiloCalls(this IEndpointRouteBuilder endpoints)
    {
        var handler = new Lazy<RemoteCallHandler>(() => new RemoteCallHandler(endpoints.ServiceProvider.GetRequiredService<Silo>()));
        return endpoints.MapPost(RemoteCallJson.Path, async (HttpContext context) =>
        {
            var call = await context.Request.ReadFromJsonAsync<RemoteCall>(RemoteCallJson.Envelope, context.RequestAborted);
            if (call is null)
            {
                return Results.BadRequest();
            }

            var answer = await handler.Value.HandleAsync(call, context.RequestAborted);
            var status = answer.NotOwner ? StatusCodes.Status409Conflict : answer.Refusal is not null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Results.Json(answer, RemoteCallJson.Envelope, statusCode: status);
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
