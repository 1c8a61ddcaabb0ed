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
        context.RegisterSourceOutput(models, static (context, method) =>
            Produce(context, method.HintName, method.Name, method.Location, () => Emitter.Emit(method)));

        var tensorModels = methods.Where(static r => r.Tensor is not null).Select(static (r, _) => r.Tensor!);
        context.RegisterSourceOutput(tensorModels, static (context, method) =>
            Produce(context, method.HintName, method.Name, method.Location, () => TensorEmitter.Emit(method)));
    }

    /// <summary>
    /// Emits one method's file. Any exception, from the emitter or from AddSource, becomes SD9999 at that method:
    /// an exception escaping a source output would drop the output of every method in the project (CS8785).
    /// </summary>
    internal static void Produce(SourceProductionContext context, string hintName, string method, MethodLocation location, Func<string> emit)
    {
        try
        {
            context.AddSource(hintName, SourceText.From(emit(), System.Text.Encoding.UTF8));
        }
        catch (GeneratedMethodTooLargeException)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.GeneratedMethodTooLarge, Where(location), method, NameAllocator.MaxNames.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Where(location), method, ex.GetType().Name + ": " + ex.Message));
        }
    }

    private static Location Where(MethodLocation location) => location.Value is { } l ? ToLocation(l, compilation: null) : Location.None;

    private static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation compilation)
    {
        var descriptor = Diagnostics.All.FirstOrDefault(d => d.Id == info.Id);
        if (descriptor is null)
        {
            // A descriptor missing from Diagnostics.All is our bug; say so rather than fail the whole generator.
            return Diagnostic.Create(Diagnostics.InternalError, Location.None, "?", "unknown diagnostic " + info.Id);
        }
        var location = info.Location is { } l ? ToLocation(l, compilation) : Location.None;
        return Diagnostic.Create(descriptor, location, info.MessageArgs.Cast<object>().ToArray());
    }

    /// <summary>A location in the compilation's own tree where it can be found (so #pragma applies), else by file and lines.</summary>
    private static Location ToLocation(LocationInfo l, Compilation? compilation)
    {
        var span = new TextSpan(l.Start, l.Length);
        var tree = compilation?.SyntaxTrees.FirstOrDefault(t => t.FilePath == l.FilePath);
        return tree is not null && span.End <= tree.Length
            ? Location.Create(tree, span)
            : Location.Create(l.FilePath, span, new LinePositionSpan(new LinePosition(l.StartLine, l.StartCharacter), new LinePosition(l.EndLine, l.EndCharacter)));
    }
}
