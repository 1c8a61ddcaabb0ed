using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Tuples and deconstruction. A tuple never becomes a value of the graph: it is the list of its elements' nodes.
/// A [Differentiable] method that returns a tuple is inlined where another [Differentiable] method calls it, so the
/// caller's gradient, tangent, Jacobian and Hessian take the derivative of every element the caller uses (one seed per
/// element is the caller's adjoint of that element); such a method generates no members of its own.
/// </summary>
internal sealed partial class Parser
{
    /// <summary>The elements of each tuple local (<c>var t = SinCos(x)</c>); a tuple local is never reassigned.</summary>
    private readonly Dictionary<ISymbol, int[]> _tuples = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// While the body of a method that returns a tuple is parsed: one variable per element and its type. A
    /// <c>return (a, b);</c> assigns them and then ends the function like <c>return;</c> in a void method, so returns
    /// anywhere (under ifs, in nested loops) are joined by the selects and loop flags that join any other variable.
    /// </summary>
    private (Synthetic[] Elements, ScalarType[] Types)? _tupleReturn;

    private static bool IsTuple(ITypeSymbol? type) => type is INamedTypeSymbol { IsTupleType: true };

    /// <summary>The element types of a tuple type, or null when one is not double, float, int, long or bool.</summary>
    private static ScalarType[]? ElementTypesOf(ITypeSymbol type)
    {
        var types = ((INamedTypeSymbol)type).TupleElements.Select(e => ScalarOf(e.Type)).ToArray();
        return types.All(t => t is not null) ? types.Select(t => t!.Value).ToArray() : null;
    }

    /// <summary>
    /// <c>(a, b) = (b, a + b)</c>, <c>var (u, v) = F(x)</c>: as in C#, every element of the right side is computed
    /// before any variable is assigned.
    /// </summary>
    private void Deconstruct(AssignmentExpressionSyntax assignment)
    {
        var targets = DeconstructionTargets(assignment.Left);
        var values = ParseTuple(assignment.Right);
        for (int i = 0; i < targets.Count && i < values.Length; i++)
        {
            if (targets[i] is { } target)
            {
                Bind(target, _graph.Convert(values[i], ScalarOf(TypeOf(target))!.Value));
            }
        }
    }

    /// <summary>The variables a deconstruction assigns, in order (null for a discard).</summary>
    private List<ISymbol?> DeconstructionTargets(ExpressionSyntax left)
    {
        ISymbol? Declared(VariableDesignationSyntax designation) => designation switch
        {
            DiscardDesignationSyntax => null,
            SingleVariableDesignationSyntax single when _model.GetDeclaredSymbol(single, _cancellation) is ILocalSymbol local && ScalarOf(local.Type) is not null => local,
            _ => throw Unsupported(Diagnostics.UnsupportedAssignmentTarget, designation.GetLocation(), designation.ToString(), TupleTargetAdvice),
        };
        ISymbol? Target(ExpressionSyntax element) => element switch
        {
            DeclarationExpressionSyntax declaration => Declared(declaration.Designation),
            IdentifierNameSyntax when _model.GetSymbolInfo(element, _cancellation).Symbol is IDiscardSymbol => null,
            TupleExpressionSyntax => throw Unsupported(Diagnostics.UnsupportedAssignmentTarget, element.GetLocation(), element.ToString(), TupleTargetAdvice),
            _ => TargetOf(element),
        };
        return left switch
        {
            TupleExpressionSyntax tuple => tuple.Arguments.Select(a => Target(a.Expression)).ToList(),
            DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax variables } => variables.Variables.Select(Declared).ToList(),
            _ => throw Unsupported(Diagnostics.UnsupportedAssignmentTarget, left.GetLocation(), left.ToString(), TupleTargetAdvice),
        };
    }

    private const string TupleTargetAdvice = "deconstruct into double, float, int, long or bool variables, one level of parentheses deep";

    /// <summary>The element nodes of a tuple-valued expression.</summary>
    private int[] ParseTuple(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return ParseTuple(parenthesized.Expression);
            case TupleExpressionSyntax tuple:
                return tuple.Arguments.Select(a => IsTuple(_model.GetTypeInfo(a.Expression, _cancellation).Type)
                    ? throw Unsupported(Diagnostics.UnsupportedExpression, a.GetLocation(), "nested tuple", a.ToString(), "use a flat tuple of double, float, int, long or bool values")
                    : ParseExpression(a.Expression)).ToArray();
            case SwitchExpressionSyntax switchExpression when _model.GetTypeInfo(switchExpression, _cancellation).Type is { } type && IsTuple(type):
                var types = ElementTypesOf(type) ?? throw Unsupported(Diagnostics.UnsupportedValueType, expression.GetLocation(), expression.ToString(), type.ToDisplayString());
                return Nested(switchExpression, () => ParseTupleSwitch(switchExpression, types));
            case IdentifierNameSyntax name when _model.GetSymbolInfo(name, _cancellation).Symbol is ILocalSymbol local && _tuples.TryGetValue(local, out var elements):
                return elements;
            case InvocationExpressionSyntax invocation when _model.GetSymbolInfo(invocation, _cancellation).Symbol is IMethodSymbol method && IsTuple(method.ReturnType):
                return Nested(invocation, () => InlineTupleCall(invocation, method));
            default:
                throw Unsupported(Diagnostics.UnsupportedExpression, expression.GetLocation(), "tuple", expression.ToString(),
                    "a tuple here is written (a, b), a tuple local, a switch expression of tuples, or a call to a [Differentiable] method that returns a tuple");
        }
    }

    /// <summary>A tuple local: <c>var t = SinCos(x);</c> keeps its elements, read as <c>t.s</c> or <c>t.Item1</c>.</summary>
    private void DeclareTupleLocal(ILocalSymbol local, VariableDeclaratorSyntax variable)
    {
        var types = ElementTypesOf(local.Type) ?? throw Unsupported(Diagnostics.UnsupportedLocalType, variable.Identifier.GetLocation(), local.Name, local.Type.ToDisplayString());
        if (variable.Initializer is null)
        {
            throw Unsupported(Diagnostics.UnsupportedStatement, variable.GetLocation(), "A tuple local without a value (give it one where it is declared; tuple locals are not reassigned)");
        }
        var values = ParseTuple(variable.Initializer.Value);
        _tuples[local] = values.Select((v, i) => _graph.Convert(v, types[i])).ToArray();
    }

    /// <summary><c>t.s</c>, <c>t.Item1</c>, <c>SinCos(x).c</c>: the element's node.</summary>
    private int TupleElement(MemberAccessExpressionSyntax access, IFieldSymbol field)
    {
        var elements = ParseTuple(access.Expression);
        var tupleElements = field.ContainingType.TupleElements;
        var wanted = field.CorrespondingTupleField ?? field;
        for (int i = 0; i < tupleElements.Length && i < elements.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(tupleElements[i].CorrespondingTupleField ?? tupleElements[i], wanted))
            {
                return elements[i];
            }
        }
        throw Unsupported(Diagnostics.UnsupportedExpression, access.GetLocation(), "tuple element", access.ToString(), "read a tuple's elements by name or as Item1, Item2, …");
    }

    /// <summary>
    /// A call to a [Differentiable] method that returns a tuple: its body is parsed here with the arguments as its
    /// parameters (as a local function is), so every mode of the caller differentiates through it exactly. What its
    /// body cannot do is reported at the method itself (by its own parse) and here once, at the call.
    /// </summary>
    private int[] InlineTupleCall(InvocationExpressionSyntax invocation, IMethodSymbol method)
    {
        string display = method.ContainingType.ToDisplayString() + "." + method.Name;
        var location = invocation.GetLocation();
        if (!method.GetAttributes().Any(IsDifferentiable))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; mark it [Differentiable] (a method that returns a tuple is differentiated where it is called)");
        }
        if (_inlining.Contains(method, SymbolEqualityComparer.Default))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; a method that returns a tuple is inlined where it is called, so it cannot call itself");
        }
        var types = ElementTypesOf(method.ReturnType);
        if (types is null || !method.IsStatic || method.IsGenericMethod || method.Parameters.Any(p => p.RefKind != RefKind.None || ScalarOf(p.Type) is null)
            || method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation) is not MethodDeclarationSyntax syntax || (syntax.Body is null && syntax.ExpressionBody is null))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; it cannot be inlined (see its own SD diagnostic)");
        }

        var args = ArgumentsOf(invocation, method, display).Select(a => _graph.Convert(ParseArgument(a), ScalarOf(a.Parameter.Type)!.Value)).ToArray();
        int diagnostics = _diagnostics.Count;
        var calleeModel = syntax.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
        var saved = EnterInlined(method, calleeModel, ScalarType.Double, returnsVoid: true);   // its body sets how its returns work
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                _values[method.Parameters[i]] = args[i];
            }
            var result = ParseTupleBody(syntax, types);
            if (_diagnostics.Count == diagnostics)
            {
                return result;
            }
        }
        catch (UnsupportedException)
        {
        }
        finally
        {
            LeaveInlined(saved);   // the callee's locals and return variables end with it
        }
        _diagnostics.RemoveRange(diagnostics, _diagnostics.Count - diagnostics);   // the callee reports them where they are
        throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; its body cannot be differentiated (see its own SD diagnostic)");
    }

    /// <summary>
    /// The body of a method that returns a tuple, its parameters bound. An expression body is the tuple; a block may
    /// return anywhere (<see cref="_tupleReturn"/>): the elements are what its returns left in the element variables.
    /// </summary>
    private int[] ParseTupleBody(MethodDeclarationSyntax syntax, ScalarType[] types)
    {
        if (syntax.ExpressionBody is { } body)
        {
            BeginStatement(syntax.Identifier.ValueText + " returns " + body.Expression);   // inlined: say whose return it is
            return ParseTuple(body.Expression).Select((e, i) => _graph.Convert(e, types[i])).ToArray();
        }
        // Named after the tuple's element names where it has them ((double value, double sum) gives value and sum).
        var names = (syntax.ReturnType as TupleTypeSyntax)?.Elements.Select(e => e.Identifier.ValueText).ToList();
        var elements = types.Select((t, i) => new Synthetic(names?.ElementAtOrDefault(i) is { Length: > 0 } name ? name : "item" + (i + 1))).ToArray();
        for (int i = 0; i < elements.Length; i++)
        {
            _values[elements[i]] = _graph.Constant(0, types[i]);   // every path returns (C# checks), so this value is never read
        }
        (_running, _inLoop, _returned, _returnValue, _returnType, _returnsVoid, _tupleReturn) =
            (null, false, new Synthetic("returned"), new Synthetic("result"), ScalarType.Double, true, (elements, types));
        ParseStatements(Flatten(syntax.Body!));
        return elements.Select(e => _values[e]).ToArray();
    }

    /// <summary><c>return (a, b);</c> in a method that returns a tuple: the element variables take the values, then the function ends.</summary>
    private int? ReturnTuple(ReturnStatementSyntax statement, ExpressionSyntax value)
    {
        var (elements, types) = _tupleReturn!.Value;
        var values = ParseTuple(value);
        for (int i = 0; i < elements.Length && i < values.Length; i++)
        {
            Bind(elements[i], _graph.Convert(values[i], types[i]));
        }
        return _inLoop ? Jump(statement, null) : null;
    }

    /// <summary>
    /// A [Differentiable] method that returns a tuple generates nothing: it is checked here (its diagnostics are
    /// reported at it) and inlined where other [Differentiable] methods call it.
    /// </summary>
    private ParseResult ParseTupleMethod(MethodDeclarationSyntax syntax, IMethodSymbol method, Location location, IReadOnlyList<AttributeData> attributes)
    {
        // Tangent = true or Hessian = true asks for members such a method does not get: reported where it is asked.
        foreach (var (flag, what) in new[] { ("Tangent", "A tangent"), ("Hessian", "The Hessian") })
        {
            if (attributes.FirstOrDefault(a => a.NamedArguments.Any(n => n.Key == flag && n.Value.Value is true)) is { } attribute)
            {
                var argument = (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellation) as AttributeSyntax)?.ArgumentList?.Arguments
                    .LastOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == flag);
                Report(Diagnostics.ModeNotAvailable, argument?.GetLocation() ?? location, what, method.Name,
                    $"a method that returns a tuple generates no members of its own, it is inlined where a [Differentiable] method calls it; set {flag} = true on that method, "
                    + "or return void and write the elements to an output array (Span<double>) to get the vector-output members");
            }
        }
        if (!method.IsStatic)
        {
            Report(Diagnostics.MethodMustBeStatic, location, method.Name);
        }
        if (method.IsGenericMethod)
        {
            Report(Diagnostics.GenericMethod, location, method.Name);
        }
        var types = ElementTypesOf(method.ReturnType);
        if (types is null)
        {
            Report(Diagnostics.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, method.ReturnType.ToDisplayString());
        }
        foreach (var parameter in syntax.ParameterList.Parameters)
        {
            if (_model.GetDeclaredSymbol(parameter, _cancellation) is IParameterSymbol symbol && (symbol.RefKind != RefKind.None || ScalarOf(symbol.Type) is null))
            {
                Report(Diagnostics.UnsupportedParameterType, parameter.Type?.GetLocation() ?? parameter.GetLocation(), symbol.Name, symbol.Type.ToDisplayString());
            }
        }
        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            Report(Diagnostics.MethodHasNoBody, location, method.Name);
        }
        if (_diagnostics.Count > 0)
        {
            return Fail();
        }
        _method = method;
        foreach (var parameter in method.Parameters)
        {
            _values[parameter] = _graph.Parameter(parameter.Name, ScalarOf(parameter.Type)!.Value);
        }
        _inlining.Add(method);
        try
        {
            ParseTupleBody(syntax, types!);   // the method's own parse: its diagnostics are reported here
        }
        catch (UnsupportedException unsupported)
        {
            _diagnostics.Add(unsupported.Diagnostic);
        }
        return Fail();
    }
}
