using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SymbolicDiff.CodeFixes.Tests;

/// <summary>
/// The code fix test framework drives analyzers, and SymbolicDiff's diagnostics come from its generator: this runs the
/// generator over the compilation and reports what it reports, exactly as the IDE shows them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GeneratorDiagnostics : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Generator.Diagnostics.All);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Run the generator once per compilation; report each diagnostic from its own tree's action, so it is
            // a local diagnostic, as code fixes require.
            var diagnostics = new Lazy<ImmutableArray<Diagnostic>>(() =>
            {
                CSharpGeneratorDriver.Create(new Generator.DifferentiableGenerator())
                    .RunGeneratorsAndUpdateCompilation(start.Compilation, out _, out var found, start.CancellationToken);
                return found;
            });
            start.RegisterSemanticModelAction(c =>
            {
                foreach (var diagnostic in diagnostics.Value.Where(d => d.Location.SourceTree == c.SemanticModel.SyntaxTree))
                {
                    c.ReportDiagnostic(diagnostic);
                }
            });
        });
    }
}
