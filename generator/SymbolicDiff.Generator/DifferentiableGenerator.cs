using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SymbolicDiff.Generator.Emitting;
using SymbolicDiff.Generator.Model;
using SymbolicDiff.Generator.Parsing;

namespace SymbolicDiff.Generator;

/// <summary>
/// Generates a gradient method for every method marked [Differentiable]:
/// parse (syntax + semantics → value model) then emit (model → text), each method on its own.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for the caching tests.</summary>
    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.DifferentiableAttribute,
                // Every target: on a property accessor, operator or lambda the attribute gets a diagnostic (SD0014), not silence.
                predicate: static (_, _) => true,
                transform: static (ctx, cancellation) => Parser.Parse(ctx, cancellation))
            .WithTrackingName(TrackingNames.Parse);

        // Diagnostics are mapped back onto the compilation's syntax trees so that #pragma warning disable and
        // editorconfig severities apply to them. Only this cheap step reruns on every edit; parsing stays cached.
        var diagnostics = methods.Where(static r => r.Diagnostics.Count > 0).Select(static (r, _) => r.Diagnostics).Collect();
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (context, pair) =>
        {
            foreach (var diagnostic in pair.Left.SelectMany(d => d))
            {
                context.ReportDiagnostic(ToDiagnostic(diagnostic, pair.Right));
            }
        });

        var models = methods.Where(static r => r.Method is not null).Select(static (r, _) => r.Method!);
        context.RegisterSourceOutput(models, static (context, method) => Produce(context, method));

        var tensorModels = methods.Where(static r => r.Tensor is not null).Select(static (r, _) => r.Tensor!);
        context.RegisterSourceOutput(tensorModels, static (context, method) => TensorEmitter.Produce(context, method));
    }

    private static void Produce(SourceProductionContext context, DifferentiableMethod method)
    {
        string source;
        try
        {
            source = Emitter.Emit(method);
        }
        catch (Exception ex)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Location.None, method.Name, ex.GetType().Name + ": " + ex.Message));
            return;
        }
        context.AddSource(method.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
    }

    private static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation compilation)
    {
        var descriptor = Diagnostics.All.FirstOrDefault(d => d.Id == info.Id);
        if (descriptor is null)
        {
            // A descriptor missing from Diagnostics.All is our bug; say so rather than fail the whole generator.
            return Diagnostic.Create(Diagnostics.InternalError, Location.None, "?", "unknown diagnostic " + info.Id);
        }
        var location = Location.None;
        if (info.Location is { } l)
        {
            var span = new TextSpan(l.Start, l.Length);
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == l.FilePath);
            location = tree is not null && span.End <= tree.Length
                ? Location.Create(tree, span)
                : Location.Create(l.FilePath, span, new LinePositionSpan(new LinePosition(l.StartLine, l.StartCharacter), new LinePosition(l.EndLine, l.EndCharacter)));
        }
        return Diagnostic.Create(descriptor, location, info.MessageArgs.Cast<object>().ToArray());
    }
}
