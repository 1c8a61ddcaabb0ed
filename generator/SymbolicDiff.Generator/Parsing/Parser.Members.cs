using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// The members the generator adds to a type, so that two [Differentiable] methods never generate the same member
/// (SD0051) and a generated member that hides an inherited one is declared <c>new</c>. The signatures here must match
/// what the emitters write (Emitter.WriteGradient, WriteTangent, WriteJacobian, HessianEmitter, TensorEmitter).
/// </summary>
internal sealed partial class Parser
{
    /// <summary>A generated member: its name and, for a method, its parameter types as C# overloading sees them (null for a type).</summary>
    private readonly record struct GeneratedMember(string Name, string? Parameters);

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private static bool IsDifferentiable(AttributeData attribute) => attribute.AttributeClass?.ToDisplayString() == DifferentiableAttribute;

    private static bool IsNoDiff(IParameterSymbol parameter) => parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDiffAttribute);

    /// <summary>The names a [Differentiable] method generates, from its attribute alone (a cheap first filter).</summary>
    private static IEnumerable<string> GeneratedNamesOf(IMethodSymbol method)
    {
        var attributes = method.GetAttributes().Where(IsDifferentiable).ToList();
        bool Flag(string name) => attributes.SelectMany(a => a.NamedArguments).Any(a => a.Key == name && a.Value.Value is true);
        yield return GradientNameOf(attributes) ?? method.Name + "Gradient";
        if (Flag("Tangent") || method.ReturnsVoid)
        {
            yield return method.Name + "Tangent";
        }
        if (method.ReturnsVoid)
        {
            yield return method.Name + "Jacobian";
        }
        if (Flag("Hessian"))
        {
            yield return method.Name + "Hessian";
            yield return method.Name + "HessianVectorProduct";
            yield return method.Name + "HessianVectorProductWorkspace";
        }
        yield return method.Name + "Workspace";   // a tensor method's buffers (harmless to over-approximate here)
    }

    /// <summary>The members a [Differentiable] method generates, with their parameter lists; empty when it has no body here.</summary>
    private List<GeneratedMember> GeneratedMembersOf(IMethodSymbol method)
    {
        var members = new List<GeneratedMember>();
        if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation) is not MethodDeclarationSyntax syntax)
        {
            return members;
        }
        var model = syntax.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
        var attributes = method.GetAttributes().Where(IsDifferentiable).ToList();
        bool Flag(string name) => attributes.SelectMany(a => a.NamedArguments).Any(a => a.Key == name && a.Value.Value is true);
        string gradient = GradientNameOf(attributes) ?? method.Name + "Gradient";
        var inputs = method.Parameters.Select(p => p.Type.ToDisplayString(TypeFormat)).ToList();
        string Key(IEnumerable<string> parameters) => string.Join(", ", parameters);

        if (TensorParser.UsesTensors(syntax, method, model, _cancellation))
        {
            string typePath = method.ContainingType.ToDisplayString(TypeFormat);
            var slots = method.Parameters.Where(p => p.Type.SpecialType != SpecialType.System_Int32 && !IsNoDiff(p))
                .Select(p => ScalarOf(p.Type) is not null ? "ref " + p.Type.ToDisplayString(TypeFormat) : p.Type.ToDisplayString(TypeFormat));
            members.Add(new GeneratedMember(gradient, Key(inputs.Concat(slots).Append(typePath + "." + method.Name + "Workspace"))));
            members.Add(new GeneratedMember(method.Name + "Workspace", null));
            if (Flag("Hessian"))
            {
                var directions = method.Parameters.Where(p => p.Type.SpecialType != SpecialType.System_Int32 && !IsNoDiff(p)).Select(p => p.Type.ToDisplayString(TypeFormat));
                members.Add(new GeneratedMember(method.Name + "HessianVectorProduct",
                    Key(inputs.Concat(directions).Concat(slots).Append(typePath + "." + method.Name + "HessianVectorProductWorkspace"))));
                members.Add(new GeneratedMember(method.Name + "HessianVectorProductWorkspace", null));
            }
            return members;
        }

        var outputs = WrittenArrays(syntax, model);
        string Span(IParameterSymbol p) => "global::System.Span<" + ArrayElementOf(p.Type)!.Value.Keyword() + ">";
        string ReadOnlySpan(IParameterSymbol p) => "global::System.ReadOnlySpan<" + ArrayElementOf(p.Type)!.Value.Keyword() + ">";
        var outputList = method.Parameters.Where(p => outputs.Contains(p)).ToList();
        var differentiable = method.Parameters.Where(p => !outputs.Contains(p) && !IsNoDiff(p)
            && (ArrayElementOf(p.Type) is not null || ScalarOf(p.Type)?.IsFloating() == true)).ToList();
        bool IsScalar(IParameterSymbol p) => ArrayElementOf(p.Type) is null;
        string Keyword(IParameterSymbol p) => p.Type.ToDisplayString(TypeFormat);

        members.Add(new GeneratedMember(gradient, Key(inputs.Concat(outputList.Select(Span))
            .Concat(differentiable.Select(p => IsScalar(p) ? "ref " + Keyword(p) : Span(p))))));
        if (Flag("Tangent") || method.ReturnsVoid)
        {
            var tangent = inputs.Concat(differentiable.Select(p => IsScalar(p) ? Keyword(p) : ReadOnlySpan(p))).Concat(outputList.Select(Span));
            members.Add(new GeneratedMember(method.Name + "Tangent", Key(method.ReturnsVoid ? tangent : tangent.Append("ref " + method.ReturnType.ToDisplayString(TypeFormat)))));
        }
        if (method.ReturnsVoid && outputList.Count > 0)
        {
            members.Add(new GeneratedMember(method.Name + "Jacobian", Key(inputs.Append(Span(outputList[0])))));
        }
        if (Flag("Hessian"))
        {
            // As DerivativeGraph.ElementType: the return type, or double when an output is double.
            string element = outputList.Count == 0 ? method.ReturnType.ToDisplayString(TypeFormat)
                : outputList.Any(p => ArrayElementOf(p.Type) == ScalarType.Double) ? "double" : "float";
            members.Add(new GeneratedMember(method.Name + "Hessian", Key(inputs.Concat(outputList.Select(ReadOnlySpan)).Append("global::System.Span<" + element + ">"))));
            members.Add(new GeneratedMember(method.Name + "HessianVectorProduct",
                Key(inputs.Concat(differentiable.Select(p => IsScalar(p) ? Keyword(p) : ReadOnlySpan(p))).Concat(outputList.Select(Span))
                    .Concat(differentiable.Select(p => IsScalar(p) ? "ref " + Keyword(p) : Span(p))))));
        }
        return members;
    }

    /// <summary>
    /// Reports SD0051 at the attribute when another [Differentiable] method of the type (or this one) generates a member
    /// with the same name and parameters, and returns the generated names that hide an inherited member (declared new).
    /// </summary>
    private EquatableArray<string> CheckGeneratedMembers(IMethodSymbol method, AttributeData attribute)
    {
        var own = GeneratedMembersOf(method);
        var ownNames = new HashSet<string>(own.Select(m => m.Name));
        var location = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellation).GetLocation() ?? method.Locations.FirstOrDefault();
        static bool Collide(GeneratedMember a, GeneratedMember b) => a.Name == b.Name && (a.Parameters is null || b.Parameters is null || a.Parameters == b.Parameters);

        for (int i = 0; i < own.Count; i++)
        {
            if (own.Skip(i + 1).FirstOrDefault(m => Collide(m, own[i])) is { Name: not null } twin)
            {
                Report(Diagnostics.GeneratedMemberCollision, location, twin.Name, method.Name, "it also");
            }
        }
        var siblings = method.ContainingType.GetMembers().OfType<IMethodSymbol>()
            .Where(m => !SymbolEqualityComparer.Default.Equals(Canonical(m), Canonical(method)) && m.GetAttributes().Any(IsDifferentiable) && GeneratedNamesOf(m).Any(ownNames.Contains));
        foreach (var sibling in siblings)
        {
            if (GeneratedMembersOf(sibling).FirstOrDefault(m => own.Any(o => Collide(o, m))) is { Name: not null } clash)
            {
                Report(Diagnostics.GeneratedMemberCollision, location, clash.Name, method.Name,
                    "'" + sibling.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) + "'");
            }
        }

        // A generated member hides an inherited one with its name that is not a method, or a method with its parameters.
        var hiding = new List<string>();
        for (var type = method.ContainingType.BaseType; type is not null; type = type.BaseType)
        {
            foreach (var member in own.Where(m => !hiding.Contains(m.Name)))
            {
                bool hides = type.GetMembers(member.Name).Any(m => m.DeclaredAccessibility != Accessibility.Private && !m.IsImplicitlyDeclared
                    && (m is not IMethodSymbol inherited || member.Parameters is null || member.Parameters == ParametersKey(inherited)));
                hides |= type.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => m.DeclaredAccessibility != Accessibility.Private && m.GetAttributes().Any(IsDifferentiable) && GeneratedNamesOf(m).Contains(member.Name))
                    .SelectMany(GeneratedMembersOf).Any(m => Collide(m, member));
                if (hides)
                {
                    hiding.Add(member.Name);
                }
            }
        }
        return hiding.ToEquatableArray();
    }

    /// <summary>One symbol for both halves of a partial method (its declaring half), so a method never collides with itself.</summary>
    private static IMethodSymbol Canonical(IMethodSymbol method) => method.PartialDefinitionPart ?? method;

    private static string ParametersKey(IMethodSymbol method) => string.Join(", ", method.Parameters.Select(p =>
        (p.RefKind == RefKind.None ? "" : "ref ") + p.Type.ToDisplayString(TypeFormat)));
}
