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

/// <summary>SD0017: the result does not depend on the parameter, so mark it <c>[NoDiff]</c> (it then gets no adjoint slot).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkParameterNoDiffFix)), Shared]
public sealed class MarkParameterNoDiffFix : SymbolicDiffFix
{
    /// <summary>Creates the fix.</summary>
    public MarkParameterNoDiffFix() : base(Diagnostics.ZeroDerivative)
    {
    }

    private const string NoDiffAttribute = "SymbolicDiff.NoDiffAttribute";

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is ParameterSyntax parameter)
            {
                context.RegisterCodeFix(CodeAction.Create($"Mark '{parameter.Identifier.ValueText}' [NoDiff]",
                    c => MarkAsync(context.Document, parameter, c), nameof(MarkParameterNoDiffFix)), diagnostic);
            }
        }
    }

    private static async Task<Document> MarkAsync(Document document, ParameterSyntax parameter, CancellationToken cancellation)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellation).ConfigureAwait(false);
        var attribute = editor.SemanticModel.Compilation.GetTypeByMetadataName(NoDiffAttribute) is { } type
            ? editor.Generator.Attribute(editor.Generator.TypeExpression(type))   // simplified to [NoDiff] where the namespace is imported
            : editor.Generator.Attribute("SymbolicDiff.NoDiff");
        editor.AddAttribute(parameter, attribute);
        return editor.GetChangedDocument();
    }
}
