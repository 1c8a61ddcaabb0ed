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
                predicate: static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                transform: static (ctx, cancellation) => Parser.Parse(ctx, cancellation))
            .WithTrackingName(TrackingNames.Parse);

        context.RegisterSourceOutput(methods, static (context, result) => Produce(context, result));
    }

    private static void Produce(SourceProductionContext context, ParseResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(ToDiagnostic(diagnostic));
        }
        if (result.Method is not { } method)
        {
            return;
        }
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

    private static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        var descriptor = Diagnostics.All.First(d => d.Id == info.Id);
        var location = info.Location is { } l
            ? Location.Create(l.FilePath, new TextSpan(l.Start, l.Length),
                new LinePositionSpan(new LinePosition(l.StartLine, l.StartCharacter), new LinePosition(l.EndLine, l.EndCharacter)))
            : Location.None;
        return Diagnostic.Create(descriptor, location, info.MessageArgs.Cast<object>().ToArray());
    }
}
