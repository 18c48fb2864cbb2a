using Microsoft.CodeAnalysis;

namespace ArActors.Runtime.Generator;

[Generator]
public sealed class GrainProxyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
