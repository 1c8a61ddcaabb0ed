using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymbolicDiff.CodeFixes;

/// <summary>What every fix shares: one diagnostic id, taken from the generator's descriptor, and Fix All by batches.</summary>
public abstract class SymbolicDiffFix : CodeFixProvider
{
    private protected SymbolicDiffFix(DiagnosticDescriptor descriptor) => FixableDiagnosticIds = ImmutableArray.Create(descriptor.Id);

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <summary>The method a method-level diagnostic sits on: the generator reports those on the method's name.</summary>
    private protected static async Task<MethodDeclarationSyntax?> MethodAtAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        return root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
    }
}
