using ArActors.Runtime.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ArActors.Runtime.Tests.Generator;

/// <summary>Runs the generator on awkward sources in an isolated compilation with nullable on and every warning visible.</summary>
public sealed class GeneratorTests
{
    private const string AwkwardGrains = """
        #nullable enable
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using ArActors.Runtime;

        namespace Gen.Cases;

        public sealed record Line(string Sku, decimal Amount);

        public sealed record PositionalState(int Count, string? Note);

        public sealed class ClassState
        {
            public List<Line> Lines { get; set; } = [];
        }

        public interface IAuditable
        {
            Task<int> AuditCount();
        }

        public static class Outer
        {
            public interface INestedGrain : IGrainWithStringKey
            {
                Task Touch();
            }
        }

        public interface IBaseGrain : IGrainWithStringKey, IAuditable
        {
            Task<string> Describe(string text);

            Task<string> Describe(Line line, int times);
        }

        public interface IAwkwardGrain : IBaseGrain
        {
            Task Publish(string @event, string? @class, Line[] lines, Dictionary<string, List<int>> map);

            ValueTask<decimal?> Flags(int flags, string methodId, string invoker, CancellationToken cancellationToken);

            [ReadOnly]
            ValueTask InvokeAsync();

            [AlwaysInterleave]
            Task<IReadOnlyList<Line>> Lookup(string grainId);
        }

        public sealed class AwkwardGrain(
            [PersistentState("positional")] IPersistentState<PositionalState> positional,
            [PersistentState("class", "Other")] IPersistentState<ClassState> lines,
            System.TimeProvider? time) : Grain, IAwkwardGrain, Outer.INestedGrain
        {
            public Task<int> AuditCount() => Task.FromResult(positional.State.Count + lines.State.Lines.Count + (time is null ? 0 : 1));

            public Task<string> Describe(string text) => Task.FromResult(text);

            public Task<string> Describe(Line line, int times) => Task.FromResult(line.Sku + times);

            public Task Publish(string @event, string? @class, Line[] lines, Dictionary<string, List<int>> map) => Task.CompletedTask;

            public ValueTask<decimal?> Flags(int flags, string methodId, string invoker, CancellationToken cancellationToken) => ValueTask.FromResult<decimal?>(flags);

            public ValueTask InvokeAsync() => ValueTask.CompletedTask;

            public Task<IReadOnlyList<Line>> Lookup(string grainId) => Task.FromResult<IReadOnlyList<Line>>([]);

            public Task Touch() => Task.CompletedTask;
        }
        """;

    [Fact]
    public void Generated_code_for_awkward_grains_compiles_without_any_warning()
    {
        var (output, generatorDiagnostics) = Run(AwkwardGrains);

        Assert.Empty(generatorDiagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.Empty(problems);
        var generated = Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith("ArActors.Grains.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("\"Gen.Cases.IBaseGrain.Describe(string)\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"Gen.Cases.IAuditable.AuditCount\"", generated, StringComparison.Ordinal);
        Assert.Contains("context.GetPersistentState<global::Gen.Cases.PositionalState>(\"positional\", \"Default\", null)", generated, StringComparison.Ordinal);
        Assert.Contains("context.GetPersistentState<global::Gen.Cases.ClassState>(\"class\", \"Other\", static () => new global::Gen.Cases.ClassState())", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Grain_method_with_an_unsupported_return_type_is_a_compile_error()
    {
        var (_, diagnostics) = Run("""
            using ArActors.Runtime;
            namespace Gen.Bad;
            public interface IBadGrain : IGrainWithStringKey
            {
                int NotAsync();

                System.Threading.Tasks.Task Generic<T>(T value);
            }
            """);

        Assert.Equal(["ARA001", "ARA002"], diagnostics.Select(d => d.Id).Order());
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    private static (Compilation Output, IReadOnlyList<Diagnostic> GeneratorDiagnostics) Run(string source)
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Append(typeof(Grain).Assembly.Location)
            .Where(path => !string.IsNullOrEmpty(path))
            .Select(path => MetadataReference.CreateFromFile(path));
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "GeneratorCases",
            [CSharpSyntaxTree.ParseText(source, parseOptions)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new GrainProxyGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (output, diagnostics);
    }
}
