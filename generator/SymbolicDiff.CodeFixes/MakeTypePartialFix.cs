using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using SymbolicDiff.Generator;

namespace SymbolicDiff.CodeFixes;

/// <summary>SD0002: adds <c>partial</c> to every declaration of every containing type that lacks it.</summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(MakeTypePartialFix)), Shared]
public sealed class MakeTypePartialFix : SymbolicDiffFix
{
    /// <summary>Creates the fix.</summary>
    public MakeTypePartialFix() : base(Diagnostics.TypeMustBePartial)
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
            context.RegisterCodeFix(CodeAction.Create("Make the containing type partial",
                c => MakePartialAsync(context.Document, method, c), nameof(MakeTypePartialFix)), diagnostic);
        }
    }

    private static async Task<Solution> MakePartialAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellation)
    {
        var model = await document.GetSemanticModelAsync(cancellation).ConfigureAwait(false);
        var solution = document.Project.Solution;
        if (model?.GetDeclaredSymbol(method, cancellation) is not { } symbol)
        {
            return solution;
        }

        // Nested types need partial all the way out, and a type split over several files needs it on every part.
        var declarations = Enumerable.Empty<SyntaxReference>();
        for (var type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            declarations = declarations.Concat(type.DeclaringSyntaxReferences);
        }
        var editor = new SolutionEditor(solution);
        foreach (var reference in declarations)
        {
            if (await reference.GetSyntaxAsync(cancellation).ConfigureAwait(false) is not TypeDeclarationSyntax declaration
                || solution.GetDocument(declaration.SyntaxTree) is not { } owner)
            {
                continue;
            }
            var documentEditor = await editor.GetDocumentEditorAsync(owner.Id, cancellation).ConfigureAwait(false);
            var modifiers = documentEditor.Generator.GetModifiers(declaration);
            if (!modifiers.IsPartial)
            {
                documentEditor.SetModifiers(declaration, modifiers.WithPartial(true));
            }
        }
        return editor.GetChangedSolution();
    }
}
