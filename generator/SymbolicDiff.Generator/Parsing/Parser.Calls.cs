using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Calls to [Differentiable] methods that are inlined: their body is parsed where they are called, so the caller's
/// derivatives flow through it. That is how calls pass arrays (whole, or a slice with an index offset), write output
/// arrays (the caller's outputs or local arrays), and pass enums.
/// </summary>
internal sealed partial class Parser
{
    /// <summary>
    /// Elements <c>Offset … Offset + Length − 1</c> of an array parameter of the method (<c>x.Slice(s, n)</c>, <c>x[a..b]</c>,
    /// <c>x.AsSpan(s, n)</c>) bound to an inlined callee's array parameter: its element i is the array's element Offset + i.
    /// </summary>
    private sealed record Slice(int Array, int Offset, int Length);

    /// <summary>Array parameters of an inlined callee bound to a slice of the caller's array parameters.</summary>
    private Dictionary<IParameterSymbol, Slice> _slices = new(SymbolEqualityComparer.Default);

    /// <summary>Whether the function being parsed (the method, or an inlined callee) returns void, so <c>return;</c> ends it.</summary>
    private bool _returnsVoid;

    private Slice? SliceNamed(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax && _model.GetSymbolInfo(expression, _cancellation).Symbol is IParameterSymbol parameter
            && _slices.TryGetValue(parameter, out var slice) ? slice : null;

    /// <summary>The index into the whole array of element <paramref name="index"/> of a slice.</summary>
    private int OffsetIndex(Slice slice, int index) =>
        _graph.IsConstant(slice.Offset, out double offset) && offset == 0 ? index : _graph.Add(Op.Add, ScalarType.Int, slice.Offset, index);

    /// <summary>A [Differentiable] method that returns void: called as a statement, it writes the arrays passed to it.</summary>
    private IMethodSymbol? DifferentiableVoidCallee(InvocationExpressionSyntax invocation) =>
        invocation.Parent is ExpressionStatementSyntax or ArrowExpressionClauseSyntax   // a void call is a statement: no need to ask about others
        && _model.GetSymbolInfo(invocation, _cancellation).Symbol is IMethodSymbol { ReturnsVoid: true } method
            && method.MethodKind != MethodKind.LocalFunction && method.GetAttributes().Any(IsDifferentiable) ? method : null;

    /// <summary><c>Axpy(a, x, y);</c>: a call to a [Differentiable] method that writes arrays, inlined.</summary>
    private void ParseVoidCall(InvocationExpressionSyntax invocation, IMethodSymbol callee)
    {
        string display = callee.ContainingType.ToDisplayString() + "." + callee.Name;
        if (!callee.IsStatic || callee.IsGenericMethod || callee.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, invocation.GetLocation(), display, "; a [Differentiable] method that writes arrays is inlined when it is static, not generic, and takes its parameters by value");
        }
        InlineCall(invocation, callee, display);
    }

    /// <summary><c>void F(…) =&gt; y[0] = e;</c> or <c>=&gt; Helper(…);</c>: the body of a void method written as an expression.</summary>
    private void ParseVoidExpressionBody(ExpressionSyntax body)
    {
        switch (body)
        {
            case AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax element } write:
                StoreElement(element, write);
                return;
            case InvocationExpressionSyntax call when DifferentiableVoidCallee(call) is { } callee:
                ParseVoidCall(call, callee);
                return;
            default:
                throw Unsupported(Diagnostics.UnsupportedStatement, body.GetLocation(), $"The statement '{body}', which is not an assignment,");
        }
    }

    /// <summary>
    /// A call to a [Differentiable] method that takes arrays (a dot product, a matrix-vector helper), writes them (an
    /// axpy, a layer writing its outputs), takes an enum, or is called from a Hessian = true method: its body is parsed
    /// here with its scalar parameters bound to the arguments and its array parameters to the caller's arrays (parameters,
    /// local arrays, or slices of parameters), so the derivatives flow into the caller's adjoints. Returns null for void.
    /// </summary>
    /// <param name="checkNoDiff">
    /// A callee inlined only because the method has Hessian = true: its [NoDiff] and non-floating parameters take
    /// constants of the differentiation, as its gradient call would (SD0023).
    /// </param>
    private int? InlineCall(InvocationExpressionSyntax invocation, IMethodSymbol callee, string display, bool checkNoDiff = false)
    {
        var location = invocation.GetLocation();
        if (_inlining.Contains(callee, SymbolEqualityComparer.Default))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; a [Differentiable] method that takes arrays or enums, writes arrays, or is called by a Hessian = true method is inlined, so it cannot call itself; write the recursion as a loop");
        }
        if (callee.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation) is not MethodDeclarationSyntax syntax
            || (syntax.Body is null && syntax.ExpressionBody is null))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; its body is not in this compilation");
        }
        var calleeModel = syntax.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
        var written = WrittenArrays(syntax, calleeModel);
        ScalarType? returnType = callee.ReturnsVoid ? null : ScalarOf(callee.ReturnType)!.Value;
        var arguments = ArgumentsOf(invocation, callee, display);
        var scalars = new Dictionary<IParameterSymbol, int>(SymbolEqualityComparer.Default);
        var arrays = new Dictionary<IParameterSymbol, object>(SymbolEqualityComparer.Default);
        foreach (var argument in arguments)
        {
            if (ArrayElementOf(argument.Parameter.Type) is { } element)
            {
                arrays[argument.Parameter] = BindArrayArgument(argument, element, written.Contains(argument.Parameter), display, invocation);
                continue;
            }
            var type = ScalarOf(argument.Parameter.Type)!.Value;
            int value = ParseArgument(argument);
            if (checkNoDiff && (!type.IsFloating() || IsNoDiff(argument.Parameter)))
            {
                CheckConstantArgument(argument, value, callee);
            }
            scalars[argument.Parameter] = _graph.Convert(value, type);
        }

        // The elements of short local arrays the callee writes are the caller's variables: they keep what it wrote.
        var writtenSlots = arrays.Where(a => written.Contains(a.Key)).Select(a => a.Value).OfType<LocalArray>().SelectMany(a => a.Slots ?? new Synthetic[0]).Distinct().ToList();
        var saved = EnterInlined(callee, calleeModel, returnType ?? ScalarType.Double, returnType is null);
        try
        {
            _commentPrefix = saved.CommentPrefix + SourceStatement.FromSource(invocation.ToString()).Text + ", inlined: ";
            foreach (var pair in scalars)
            {
                _values[pair.Key] = pair.Value;
            }
            foreach (var pair in arrays)
            {
                switch (pair.Value)
                {
                    case int array:
                        _values[pair.Key] = array;
                        break;
                    case Slice slice:
                        _slices[pair.Key] = slice;
                        break;
                    default:
                        _arrayArguments[pair.Key] = (LocalArray)pair.Value;
                        break;
                }
            }
            int? result;
            if (syntax.ExpressionBody is { } expression)
            {
                BeginStatement((returnType is null ? "" : "return ") + expression.Expression + ";");
                if (returnType is not { } type)
                {
                    ParseVoidExpressionBody(expression.Expression);
                    return null;
                }
                result = ParseTo(expression.Expression, type);
            }
            else
            {
                int diagnostics = _diagnostics.Count;
                result = ParseStatements(Flatten(syntax.Body!));
                if (returnType is null)
                {
                    return null;
                }
                if (_diagnostics.Count > diagnostics)
                {
                    result = _graph.Constant(0, returnType.Value);
                }
            }
            return _graph.Convert(result ?? throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; not every path returns a value"), returnType.Value);
        }
        finally
        {
            foreach (var parameter in arrays.Keys)
            {
                _arrayArguments.Remove(parameter);
                _slices.Remove(parameter);
            }
            var kept = writtenSlots.Where(_values.ContainsKey).Select(s => (Slot: s, Value: _values[s])).ToList();
            LeaveInlined(saved);
            foreach (var (slot, value) in kept)
            {
                _values[slot] = value;
            }
        }
    }

    /// <summary>
    /// What an array argument binds the callee's parameter to: an array parameter of the caller (its node), a local
    /// array, or a slice of an array parameter. An array the callee writes must be an output of the caller or a local array.
    /// </summary>
    private object BindArrayArgument(CallArgument argument, ScalarType element, bool isWritten, string display, InvocationExpressionSyntax invocation)
    {
        var expression = argument.Syntax?.Expression;
        var at = (expression ?? (SyntaxNode)invocation).GetLocation();
        string name = argument.Parameter.Name;
        object? bound = expression is null ? null : ArrayArgument(expression, isWritten);
        if (bound is null && isWritten && expression is ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } copy
            && copy.ArgumentList.Arguments[0].Expression is RangeExpressionSyntax && _model.GetTypeInfo(copy.Expression, _cancellation).Type is IArrayTypeSymbol)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, at, display,
                $"; '{expression}' is a copy of part of an array, so what it writes into its parameter '{name}' would be lost; pass a span of the array instead ({copy.Expression}.AsSpan(start, length))");
        }
        if (bound is null || ElementOf(bound) != element)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, at, display,
                $"; its array parameter '{name}' takes a {element.Keyword()} array or span of this method (a parameter or a local array), or a slice of a parameter (x.Slice(start, length), x[a..b]), not another expression");
        }
        int? array = bound switch
        {
            int whole => whole,
            Slice slice => slice.Array,
            _ => null,
        };
        if (array is not int parameterArray)
        {
            return bound;
        }
        bool isOutput = _outputArrays.Contains(parameterArray);
        if (isWritten && !_method!.ReturnsVoid)
        {
            throw Unsupported(Diagnostics.ModeNotAvailable, at, "A gradient", _method.Name,
                $"a method that returns a value cannot also write an output array, and '{display}' writes '{expression}' into its parameter '{name}'; pass a local array, or return void and write every result");
        }
        if (isWritten && !isOutput)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, at, display,
                $"; it writes its array parameter '{name}', so pass an output array of this method or a local array, not '{expression}'");
        }
        if (!isWritten && isOutput)
        {
            throw Unsupported(Diagnostics.ArrayReadAndWritten, at, _arrays[parameterArray].Name);
        }
        return bound;
    }

    private ScalarType ElementOf(object bound) => bound switch
    {
        int array => _graph[array].Type,
        Slice slice => _graph[slice.Array].Type,
        _ => ((LocalArray)bound).Element,
    };

    /// <summary>
    /// An array argument: a parameter array, a local array or a bound parameter named whole, or a slice of one
    /// (<c>x.Slice(s)</c>, <c>x.Slice(s, n)</c>, <c>x.AsSpan(…)</c>, <c>x[a..b]</c> with ^ from the end). Null when it is none of these.
    /// A range of an array (not a span) is a copy in C#, so an array the callee writes cannot be one.
    /// </summary>
    private object? ArrayArgument(ExpressionSyntax expression, bool isWritten)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }
        if ((ArrayNamed(expression) ?? ConstantArrayNamed(expression)) is int array)
        {
            return array;
        }
        if (((object?)LocalArrayNamed(expression) ?? SliceNamed(expression)) is { } named)
        {
            return named;
        }
        ExpressionSyntax source;
        ExpressionSyntax? start = null, length = null;
        RangeExpressionSyntax? range = null;
        switch (expression)
        {
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } call
                when _model.GetSymbolInfo(call, _cancellation).Symbol is IMethodSymbol { Name: "Slice" or "AsSpan" } method
                    && method.Parameters.Skip(method.IsExtensionMethod && method.ReducedFrom is null ? 1 : 0).All(p => p.Type.SpecialType == SpecialType.System_Int32)
                    && call.ArgumentList.Arguments.Count <= 2 && call.ArgumentList.Arguments.All(a => a.NameColon is null):
                source = access.Expression;
                start = call.ArgumentList.Arguments.ElementAtOrDefault(0)?.Expression;
                length = call.ArgumentList.Arguments.ElementAtOrDefault(1)?.Expression;
                break;
            case ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } element when element.ArgumentList.Arguments[0].Expression is RangeExpressionSyntax r
                && !(isWritten && _model.GetTypeInfo(element.Expression, _cancellation).Type is IArrayTypeSymbol):
                source = element.Expression;
                range = r;
                break;
            default:
                return null;
        }
        object? whole = ArrayArgument(source, isWritten);
        int baseOffset, baseLength;
        switch (whole)
        {
            case int wholeArray:
                (baseOffset, baseLength) = (_graph.Constant(0, ScalarType.Int), _graph.Add(Op.Length, ScalarType.Int, wholeArray));
                break;
            case Slice slice:
                (baseOffset, baseLength) = (slice.Offset, slice.Length);
                break;
            case LocalArray { Slots: { } } local:
                (baseOffset, baseLength) = (_graph.Constant(0, ScalarType.Int), local.Length);
                break;
            default:
                return null;   // a long local array has no elements to slice: they are recomputed where read
        }
        int Index(ExpressionSyntax? index, int otherwise)
        {
            if (index is null)
            {
                return otherwise;
            }
            if (index is PrefixUnaryExpressionSyntax hat && hat.IsKind(SyntaxKind.IndexExpression))
            {
                return _graph.Add(Op.Subtract, ScalarType.Int, baseLength, _graph.Convert(ParseExpression(hat.Operand), ScalarType.Int));
            }
            return _graph.Convert(ParseExpression(index), ScalarType.Int);
        }
        int from, count;
        if (range is not null)
        {
            from = Index(range.LeftOperand, _graph.Constant(0, ScalarType.Int));
            count = _graph.Add(Op.Subtract, ScalarType.Int, Index(range.RightOperand, baseLength), from);
        }
        else
        {
            from = Index(start, _graph.Constant(0, ScalarType.Int));
            count = length is null ? _graph.Add(Op.Subtract, ScalarType.Int, baseLength, from) : _graph.Convert(ParseExpression(length), ScalarType.Int);
        }
        if (whole is LocalArray { Slots: { } slots } shortArray)
        {
            // A slice of a short local array is the slots it covers (a constant range).
            return _graph.IsConstant(from, out double first) && _graph.IsConstant(count, out double n) && first >= 0 && n >= 0 && first + n <= slots.Length
                ? new LocalArray(shortArray.Symbol, shortArray.Element, count, slots.Skip((int)first).Take((int)n).ToArray())
                : null;
        }
        int offset = _graph.IsConstant(baseOffset, out double zero) && zero == 0 ? from : _graph.Add(Op.Add, ScalarType.Int, baseOffset, from);
        return new Slice(whole is Slice s ? s.Array : (int)whole!, offset, count);
    }
}
