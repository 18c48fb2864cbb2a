using System.Collections.Frozen;
using System.Reflection;
using ArActors.Runtime.Invocation;

namespace ArActors.Runtime.Registration;

/// <summary>Creates the proxy for a grain interface.</summary>
public delegate GrainReference GrainProxyFactory(IGrainCallInvoker invoker, GrainId grainId);

/// <summary>Constructs a grain class without reflection.</summary>
public delegate Grain GrainActivatorFactory(IGrainActivationContext context);

/// <summary>A request type of one interface method, keyed by its stable method id.</summary>
public sealed record GrainMethodRegistration(string MethodId, Type RequestType);

/// <summary>Implemented by the generated registry of each assembly that contains grain interfaces or classes.</summary>
public interface IGrainAssemblyRegistry
{
    void Register(GrainRegistryBuilder builder);
}

/// <summary>Names the generated registry of an assembly, so <c>AddGrains(assembly)</c> needs no scanning.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class GrainAssemblyRegistryAttribute(Type registryType) : Attribute
{
    public Type RegistryType { get; } = registryType;
}

/// <summary>What the runtime knows of one grain class.</summary>
public sealed record GrainClassRegistration(
    Type GrainClass,
    string GrainTypeName,
    GrainActivatorFactory Activator,
    IReadOnlyList<Type> Interfaces,
    bool IsReentrant,
    TimeSpan? CollectionAge);

/// <summary>What the runtime knows of one grain interface.</summary>
public sealed record GrainInterfaceRegistration(Type Interface, GrainProxyFactory ProxyFactory, IReadOnlyList<GrainMethodRegistration> Methods);

/// <summary>Collects the registrations of grain assemblies; generated code calls <see cref="AddInterface"/> and <see cref="AddGrain"/>.</summary>
public sealed class GrainRegistryBuilder
{
    private readonly Dictionary<Type, GrainInterfaceRegistration> _interfaces = [];
    private readonly Dictionary<Type, GrainClassRegistration> _classes = [];
    private readonly HashSet<Assembly> _assemblies = [];

    /// <summary>Registers the generated grains of <paramref name="assembly"/>; the assembly must reference the generator.</summary>
    public GrainRegistryBuilder AddAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (!_assemblies.Add(assembly))
        {
            return this;
        }

        var attribute = assembly.GetCustomAttribute<GrainAssemblyRegistryAttribute>()
            ?? throw new InvalidOperationException(
                $"Assembly {assembly.GetName().Name} has no generated grain registry; reference ArActors.Runtime.Generator as an analyzer.");
        var registry = (IGrainAssemblyRegistry)System.Activator.CreateInstance(attribute.RegistryType)!;
        registry.Register(this);
        return this;
    }

    public void AddInterface(Type grainInterface, GrainProxyFactory proxyFactory, IReadOnlyList<GrainMethodRegistration> methods) =>
        _interfaces[grainInterface] = new GrainInterfaceRegistration(grainInterface, proxyFactory, methods);

    public void AddGrain(Type grainClass, GrainActivatorFactory activator, IReadOnlyList<Type> interfaces)
    {
        // Attributes are read once here at registration, never per call.
        var typeName = grainClass.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? grainClass.FullName ?? grainClass.Name;
        var reentrant = grainClass.GetCustomAttribute<ReentrantAttribute>() is not null;
        var age = grainClass.GetCustomAttribute<CollectionAgeLimitAttribute>()?.Amount;
        _classes[grainClass] = new GrainClassRegistration(grainClass, typeName, activator, interfaces, reentrant, age);
    }

    public GrainRegistry Build() => new(_interfaces.Values, _classes.Values);
}

/// <summary>The immutable lookup tables a silo uses to route calls and create activations.</summary>
public sealed class GrainRegistry
{
    private readonly FrozenDictionary<Type, GrainInterfaceRegistration> _interfaces;
    private readonly FrozenDictionary<string, GrainClassRegistration> _classesByName;
    private readonly FrozenDictionary<Type, GrainClassRegistration> _classByInterface;
    private readonly FrozenDictionary<string, GrainMethodRegistration> _methods;

    public GrainRegistry(IEnumerable<GrainInterfaceRegistration> interfaces, IEnumerable<GrainClassRegistration> classes)
    {
        _interfaces = interfaces.ToFrozenDictionary(i => i.Interface);
        var classList = classes.ToList();
        _classesByName = classList.ToFrozenDictionary(c => c.GrainTypeName, StringComparer.Ordinal);
        var byInterface = new Dictionary<Type, GrainClassRegistration>();
        var ambiguous = new HashSet<Type>();
        foreach (var c in classList)
        {
            foreach (var i in c.Interfaces)
            {
                if (!byInterface.TryAdd(i, c))
                {
                    ambiguous.Add(i);
                }
            }
        }

        foreach (var i in ambiguous)
        {
            byInterface.Remove(i);
        }

        _classByInterface = byInterface.ToFrozenDictionary();
        _methods = _interfaces.Values.SelectMany(i => i.Methods)
            .GroupBy(m => m.MethodId, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public IEnumerable<GrainClassRegistration> GrainClasses => _classesByName.Values;

    public GrainInterfaceRegistration GetInterface(Type grainInterface) =>
        _interfaces.TryGetValue(grainInterface, out var registration)
            ? registration
            : throw new InvalidOperationException($"{grainInterface.FullName} is not a registered grain interface; call AddGrains for its assembly.");

    public GrainClassRegistration GetClassFor(Type grainInterface) =>
        _classByInterface.TryGetValue(grainInterface, out var registration)
            ? registration
            : throw new InvalidOperationException($"No single registered grain class implements {grainInterface.FullName}.");

    public bool TryGetClass(string grainTypeName, out GrainClassRegistration registration) =>
        _classesByName.TryGetValue(grainTypeName, out registration!);

    /// <summary>The request type for a method id, for transports that receive serialized requests.</summary>
    public bool TryGetMethod(string methodId, out GrainMethodRegistration method) => _methods.TryGetValue(methodId, out method!);
}
