using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicDiff.Generator.Tests;

/// <summary>The result of running the generator over some sources.</summary>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableSortedDictionary<string, string> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> OutputDiagnostics)
{
    /// <summary>Errors and warnings of the compilation including the generated files.</summary>
    public IEnumerable<Diagnostic> OutputErrorsAndWarnings =>
        OutputDiagnostics.Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning);

    /// <summary>Generated source whose hint name contains <paramref name="fragment"/>, or null.</summary>
    public string? SourceFor(string fragment) => Sources.Where(s => s.Key.Contains(fragment, StringComparison.Ordinal)).Select(s => s.Value).SingleOrDefault();
}

/// <summary>Builds compilations, runs <see cref="DifferentiableGenerator"/> over them and loads the results.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.Length > 0)
            .Append(typeof(SymbolicDiff.DifferentiableAttribute).Assembly.Location)
            .Distinct(StringComparer.OrdinalIgnoreCase);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>Sources are named Test0.cs, Test1.cs, ... in the order given.</summary>
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Generated" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Test{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun Run(CSharpCompilation input, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(input, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        var sources = result.Results.SelectMany(r => r.GeneratedSources)
            .ToImmutableSortedDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        return new GeneratorRun(input, output, driver, sources, generatorDiagnostics, output.GetDiagnostics());
    }

    /// <summary>Emits the output compilation and loads it into a collectible context.</summary>
    public static LoadedAssembly Load(GeneratorRun run)
    {
        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException("Emit failed:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }
        stream.Position = 0;
        var context = new AssemblyLoadContext("SymbolicDiffTest", isCollectible: true);
        return new LoadedAssembly(context, context.LoadFromStream(stream));
    }
}

internal sealed class LoadedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;

    public LoadedAssembly(AssemblyLoadContext context, Assembly assembly)
    {
        _context = context;
        Assembly = assembly;
    }

    public Assembly Assembly { get; }

    public void Dispose() => _context.Unload();
}
