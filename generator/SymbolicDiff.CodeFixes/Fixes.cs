using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymbolicDiff.CodeFixes;

/// <summary>What the fixes share: the generator reports method-level diagnostics on the method's name.</summary>
internal static class Fixes
{
    public static async Task<MethodDeclarationSyntax?> MethodAtAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        return root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
    }
}
