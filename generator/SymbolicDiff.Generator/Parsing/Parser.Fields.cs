using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Emitting;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Values from outside the method. A <c>const</c> is a constant (folded like a literal). A <c>static readonly</c>
/// field of type double, float, int, long or bool, and a <c>[NoDiff] static readonly</c> array, are read by the
/// generated code where the method reads them (<see cref="StaticFields.IsReadAsWritten"/>): they do not depend on the
/// inputs, so they get no adjoint. Other fields may change between the forward and the backward pass, and are reported.
/// </summary>
internal sealed partial class Parser
{
    /// <summary>The node of each static readonly field read, one per field.</summary>
    private readonly Dictionary<IFieldSymbol, int> _fields = new(SymbolEqualityComparer.Default);

    private int ReadField(IFieldSymbol field, ExpressionSyntax expression)
    {
        string? problem = field switch
        {
            { IsStatic: false } => "an instance field, which may change between the forward and the backward pass",
            { IsReadOnly: false } => "a static field that is not readonly, which may change between the forward and the backward pass",
            _ when !_model.Compilation.IsSymbolAccessibleWithin(field, _method!.ContainingType) =>
                "not accessible from " + _method.ContainingType.Name + ", where the gradient is generated (a method of another type that reads it is inlined here)",
            _ when ArrayElementOf(field.Type) is not null => HasNoDiff(field)
                ? "a constant array; index it (" + field.Name + "[i]) or read its Length"
                : "a static readonly array not marked [NoDiff]; mark the field [NoDiff] to read its elements as constant data",
            _ when ScalarOf(field.Type) is null => "a static readonly field of type '" + field.Type.ToDisplayString() + "'",
            _ => null,
        };
        if (problem is not null)
        {
            throw Unsupported(Diagnostics.UnsupportedMemberAccess, expression.GetLocation(), expression.ToString(), problem);
        }
        return FieldNode(field, ScalarOf(field.Type)!.Value);
    }

    /// <summary>
    /// The [NoDiff] static readonly array an expression names, if it names an array field (another array field is
    /// reported: it may change between the passes, or is not marked as constant data); null when it names no field.
    /// </summary>
    private int? ConstantArrayNamed(ExpressionSyntax expression)
    {
        if (expression is not (IdentifierNameSyntax or MemberAccessExpressionSyntax)
            || _model.GetSymbolInfo(expression, _cancellation).Symbol is not IFieldSymbol field || ArrayElementOf(field.Type) is not { } element)
        {
            return null;
        }
        if (!field.IsStatic || !field.IsReadOnly || !HasNoDiff(field) || !_model.Compilation.IsSymbolAccessibleWithin(field, _method!.ContainingType))
        {
            ReadField(field, expression);   // reports why
        }
        return FieldNode(field, element);
    }

    private int FieldNode(IFieldSymbol field, ScalarType type)
    {
        if (!_fields.TryGetValue(field, out int node))
        {
            string name = field.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + NameAllocator.Identifier(field.Name);
            node = _fields[field] = _graph.Parameter(name, type);
        }
        return node;
    }

    private static bool HasNoDiff(IFieldSymbol field) => field.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDiffAttribute);
}
