using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using SymbolicDiff.Generator;

namespace SymbolicDiff.CodeFixes;

/// <summary>SD0001: makes the [Differentiable] method static.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeMethodStaticFix)), Shared]
public sealed class MakeMethodStaticFix : SymbolicDiffFix
{
    /// <summary>Creates the fix.</summary>
    public MakeMethodStaticFix() : base(Diagnostics.MethodMustBeStatic)
    {
    }

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var method = await MethodAtAsync(context).ConfigureAwait(false);
        if (method is null)
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(CodeAction.Create("Make the method static",
                c => MakeStaticAsync(context.Document, method, c), nameof(MakeMethodStaticFix)), diagnostic);
        }
    }

    private static async Task<Document> MakeStaticAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellation)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellation).ConfigureAwait(false);
        editor.SetModifiers(method, editor.Generator.GetModifiers(method).WithIsStatic(true));
        return editor.GetChangedDocument();
    }
}
