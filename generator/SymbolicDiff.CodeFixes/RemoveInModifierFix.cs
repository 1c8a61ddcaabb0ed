using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator;

namespace SymbolicDiff.CodeFixes;

/// <summary>
/// SD0005 on <c>in</c>: a read-only reference to a double means the same as the value itself, so dropping the
/// modifier is a mechanical rewrite. <c>ref</c>, <c>out</c> and <c>params</c> change what the method does; no fix is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveInModifierFix)), Shared]
public sealed class RemoveInModifierFix : SymbolicDiffFix
{
    /// <summary>Creates the fix.</summary>
    public RemoveInModifierFix() : base(Diagnostics.UnsupportedParameterModifier)
    {
    }

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var token = root?.FindToken(diagnostic.Location.SourceSpan.Start) ?? default;
            if (token.IsKind(SyntaxKind.InKeyword) && token.Parent is ParameterSyntax parameter)
            {
                context.RegisterCodeFix(CodeAction.Create($"Pass '{parameter.Identifier.ValueText}' by value",
                    c => RemoveAsync(context.Document, parameter, token, c), nameof(RemoveInModifierFix)), diagnostic);
            }
        }
    }

    private static async Task<Document> RemoveAsync(Document document, ParameterSyntax parameter, SyntaxToken modifier, CancellationToken cancellation)
    {
        var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
        var rewritten = parameter.WithModifiers(parameter.Modifiers.Remove(modifier)).WithLeadingTrivia(parameter.GetLeadingTrivia());
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(parameter, rewritten));
    }
}
