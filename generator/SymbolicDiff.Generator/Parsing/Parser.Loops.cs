using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>Loops, array elements and local functions.</summary>
internal sealed partial class Parser
{
    private readonly HashSet<int> _outputArrays = new();

    // ---- Loops ---------------------------------------------------------------------------------

    /// <summary>
    /// <c>for (int i = start; i &lt; end; i++)</c> (or <c>&lt;=</c>, <c>++i</c>, <c>i += 1</c>): the trip count is known
    /// when the loop is entered, so the backward pass can run the iterations in reverse without a tape.
    /// </summary>
    private void ParseFor(ForStatementSyntax loop)
    {
        var header = Location.Create(loop.SyntaxTree, TextSpan.FromBounds(loop.ForKeyword.SpanStart, loop.CloseParenToken.Span.End));
        const string shape = "write its header as for (int i = start; i < end; i++), with i < end, i <= end or i + k < end and i++, ++i or i += 1";
        if (loop.Declaration is not { Variables.Count: 1 } declaration || loop.Initializers.Count > 0
            || declaration.Variables[0].Initializer is not { } initializer
            || _model.GetDeclaredSymbol(declaration.Variables[0], _cancellation) is not ILocalSymbol { Type.SpecialType: SpecialType.System_Int32 } counter)
        {
            throw Unsupported(Diagnostics.UnsupportedLoop, header, shape);
        }
        // i < end, or i + k < end with a constant k (the last k elements are read as x[i + k]).
        int offset = 0;
        if (loop.Condition is BinaryExpressionSyntax { Left: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum }
            && IsVariable(sum.Left, counter) && _model.GetConstantValue(sum.Right, _cancellation) is { HasValue: true, Value: int k } && k >= 0)
        {
            offset = k;
        }
        if (loop.Condition is not BinaryExpressionSyntax condition
            || !(condition.IsKind(SyntaxKind.LessThanExpression) || condition.IsKind(SyntaxKind.LessThanOrEqualExpression))
            || !(IsVariable(condition.Left, counter) || offset > 0)
            || loop.Incrementors.Count != 1 || !IsIncrementByOne(loop.Incrementors[0], counter))
        {
            throw Unsupported(Diagnostics.UnsupportedLoop, header, shape);
        }
        var body = Flatten(loop.Statement);
        CheckLoopBody(body);
        var assigned = AssignedVariables(body).ToList();
        if (assigned.Contains(counter, SymbolEqualityComparer.Default))
        {
            throw Unsupported(Diagnostics.UnsupportedLoop, header, $"the body assigns the counter '{counter.Name}'; only the header may change it");
        }
        // C# evaluates the bound before every iteration; it is the same value each time only if the body leaves its variables alone.
        foreach (var name in condition.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (_model.GetSymbolInfo(name, _cancellation).Symbol is { } symbol && assigned.Contains(symbol, SymbolEqualityComparer.Default))
            {
                throw Unsupported(Diagnostics.UnsupportedLoop, header, $"the bound '{condition.Right}' changes inside the loop ('{symbol.Name}' is assigned); compute it before the loop");
            }
        }

        BeginStatement($"for ({declaration}; {condition}; {loop.Incrementors[0]})");
        // The header is kept as written (end + 1 or end − k could wrap around); the trip count is computed without overflow.
        int start = ParseTo(initializer.Value, ScalarType.Int);
        int end = ParseTo(condition.Right, ScalarType.Int);
        ParseLoop(start, end, counter.Name, body, assigned, counterNode => _values[counter] = counterNode,
            inclusive: condition.IsKind(SyntaxKind.LessThanOrEqualExpression), offset: offset);
    }

    /// <summary><c>foreach (double v in xs)</c> over an input array: a for loop over its indices that reads xs[i] into v.</summary>
    private void ParseForEach(ForEachStatementSyntax loop)
    {
        var header = Location.Create(loop.SyntaxTree, TextSpan.FromBounds(loop.ForEachKeyword.SpanStart, loop.CloseParenToken.Span.End));
        if ((ArrayNamed(loop.Expression) ?? ConstantArrayNamed(loop.Expression)) is not int array || _model.GetDeclaredSymbol(loop, _cancellation) is not ILocalSymbol element
            || ScalarOf(element.Type) is not { } elementType)
        {
            throw Unsupported(Diagnostics.UnsupportedLoop, header, "foreach can run over an array or span parameter, into a double or float variable");
        }
        if (_outputArrays.Contains(array))
        {
            throw Unsupported(Diagnostics.ArrayReadAndWritten, loop.Expression.GetLocation(), _arrays[array].Name);
        }
        var body = Flatten(loop.Statement);
        CheckLoopBody(body);
        BeginStatement($"foreach ({loop.Type} {loop.Identifier.ValueText} in {loop.Expression})");
        int start = _graph.Constant(0, ScalarType.Int);
        int end = _graph.Add(Op.Length, ScalarType.Int, array);
        ParseLoop(start, end, "index", body, AssignedVariables(body).ToList(),
            counterNode => _values[element] = _graph.Convert(_graph.Add(Op.Load, _graph[array].Type, array, counterNode), elementType));
    }

    /// <summary>
    /// <c>while (condition)</c>: the trip count is not known at entry, so the loop records it as it runs; the
    /// condition is evaluated at the start of every iteration from the loop-carried values.
    /// </summary>
    private void ParseWhile(WhileStatementSyntax loop) =>
        ParseConditionLoop(loop.Statement, loop.Condition, $"while ({loop.Condition})", afterBody: false);

    /// <summary><c>do { … } while (condition);</c>: like while, with the condition computed after each iteration.</summary>
    private void ParseDo(DoStatementSyntax loop) =>
        ParseConditionLoop(loop.Statement, loop.Condition, $"do … while ({loop.Condition})", afterBody: true);

    private void ParseConditionLoop(StatementSyntax statement, ExpressionSyntax conditionSyntax, string header, bool afterBody)
    {
        var body = Flatten(statement);
        CheckLoopBody(body);
        BeginStatement(header);
        int zero = _graph.Constant(0, ScalarType.Int);
        ParseLoop(zero, zero, "iteration", body, AssignedVariables(body).ToList(), _ => { }, loopNode =>
        {
            if (afterBody)
            {
                BeginStatement($"while ({conditionSyntax})");
            }
            int condition = ParseTo(conditionSyntax, ScalarType.Bool);
            if (_graph.IsConstant(condition, out _))
            {
                throw Unsupported(Diagnostics.UnsupportedLoop, conditionSyntax.GetLocation(),
                    afterBody ? "its condition is constant, so it runs once or forever" : "its condition is constant, so it runs never or forever");
            }
            _graph.SetLoopCondition(loopNode, condition, afterBody);
        }, afterBody);
    }

    /// <summary>
    /// The body becomes a loop region. Each variable it assigns that has a value before the loop is loop-carried:
    /// a phi node gives its value at the start of an iteration (init, then the value the body left), and after the
    /// loop the variable holds the phi's last value.
    /// </summary>
    private void ParseLoop(int start, int end, string counterName, List<StatementSyntax> body, List<ISymbol> assigned, Action<int> bindCounter,
        Action<int>? parseCondition = null, bool conditionAfterBody = false, bool inclusive = false, int offset = 0)
    {
        int statement = _graph.CurrentStatement;
        var carried = assigned.Distinct(SymbolEqualityComparer.Default).Where(_values.ContainsKey).ToList();
        var before = new Dictionary<ISymbol, int>(_values, SymbolEqualityComparer.Default);
        int loop = _graph.Loop(start, end, inclusive, offset);
        int outer = _graph.CurrentRegion;
        var phis = new List<int>();
        try
        {
            _graph.CurrentRegion = _graph[loop].TrueRegion;
            bindCounter(_graph.LoopCounter(loop, counterName));
            foreach (var variable in carried)
            {
                int phi = _graph.Phi(loop, _values[variable], variable.Name);
                phis.Add(phi);
                _values[variable] = phi;
            }
            if (!conditionAfterBody)
            {
                parseCondition?.Invoke(loop);
            }
            ParseStatements(body);
            if (conditionAfterBody)
            {
                parseCondition?.Invoke(loop);
            }
            for (int i = 0; i < carried.Count; i++)
            {
                _graph.SetNext(phis[i], _values[carried[i]]);
            }
        }
        finally
        {
            _graph.CurrentRegion = outer;
            _graph.CurrentStatement = statement;
            _values.Clear();
            foreach (var pair in before)
            {
                _values[pair.Key] = pair.Value;
            }
        }
        for (int i = 0; i < carried.Count; i++)
        {
            _values[carried[i]] = _graph.LoopExit(phis[i], loop);
        }
    }

    /// <summary>A loop body must run to its end every time: no return, break, continue or goto.</summary>
    private void CheckLoopBody(IEnumerable<StatementSyntax> body)
    {
        var exit = body.SelectMany(s => s.DescendantNodesAndSelf(n => n is not (LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)))
            .FirstOrDefault(n => n is ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax or YieldStatementSyntax
                && !(n is BreakStatementSyntax inner && EndsSwitchCase(inner)));
        if (exit is StatementSyntax jump)
        {
            throw Unsupported(Diagnostics.UnsupportedLoop, jump.GetFirstToken().GetLocation(), jump is ContinueStatementSyntax
                ? "'continue' skips the rest of an iteration; every iteration must run the whole body (put the rest of the body under if/else instead)"
                : $"'{jump.GetFirstToken().ValueText}' leaves it early; the trip count must be known when the loop starts (compute a bound and use if/else in the body)");
        }
    }

    /// <summary>The variables the statements assign (by assignment, compound assignment, ++ or --), in order of first appearance.</summary>
    private IEnumerable<ISymbol> AssignedVariables(IEnumerable<StatementSyntax> statements)
    {
        foreach (var node in statements.SelectMany(s => s.DescendantNodesAndSelf(n => n is not (LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax))))
        {
            var target = node switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PostfixUnaryExpressionSyntax post when post.IsKind(SyntaxKind.PostIncrementExpression) || post.IsKind(SyntaxKind.PostDecrementExpression) => post.Operand,
                PrefixUnaryExpressionSyntax pre when pre.IsKind(SyntaxKind.PreIncrementExpression) || pre.IsKind(SyntaxKind.PreDecrementExpression) => pre.Operand,
                _ => null,
            };
            // A deconstruction assigns each variable of its tuple: (a, b) = (b, a + b).
            foreach (var variable in target is TupleExpressionSyntax tuple ? tuple.Arguments.Select(a => a.Expression) : new[] { target! }.Where(t => t is not null))
            {
                if (variable is IdentifierNameSyntax && _model.GetSymbolInfo(variable, _cancellation).Symbol is ILocalSymbol or IParameterSymbol)
                {
                    yield return _model.GetSymbolInfo(variable, _cancellation).Symbol!;
                }
            }
        }
    }

    private bool IsVariable(ExpressionSyntax expression, ISymbol variable) =>
        expression is IdentifierNameSyntax && SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(expression, _cancellation).Symbol, variable);

    private bool IsIncrementByOne(ExpressionSyntax expression, ISymbol counter) => expression switch
    {
        PostfixUnaryExpressionSyntax post => post.IsKind(SyntaxKind.PostIncrementExpression) && IsVariable(post.Operand, counter),
        PrefixUnaryExpressionSyntax pre => pre.IsKind(SyntaxKind.PreIncrementExpression) && IsVariable(pre.Operand, counter),
        AssignmentExpressionSyntax add => add.IsKind(SyntaxKind.AddAssignmentExpression) && IsVariable(add.Left, counter)
            && _model.GetConstantValue(add.Right, _cancellation) is { HasValue: true, Value: 1 },
        _ => false,
    };

    // ---- Arrays --------------------------------------------------------------------------------

    /// <summary>The element type of a parameter type that is a one-dimensional array or span of double or float.</summary>
    internal static ScalarType? ArrayElementOf(ITypeSymbol type)
    {
        var element = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
            INamedTypeSymbol { TypeArguments.Length: 1 } named when named.OriginalDefinition.ToDisplayString() is "System.Span<T>" or "System.ReadOnlySpan<T>" => named.TypeArguments[0],
            _ => null,
        };
        return element?.SpecialType switch
        {
            SpecialType.System_Double => ScalarType.Double,
            SpecialType.System_Single => ScalarType.Float,
            _ => null,
        };
    }

    /// <summary>The parameters whose elements the method assigns: its vector outputs.</summary>
    private HashSet<IParameterSymbol> WrittenArrays(MethodDeclarationSyntax syntax, SemanticModel? model = null)
    {
        model ??= _model;
        var written = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var assignment in syntax.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.Left is ElementAccessExpressionSyntax element
                && model.GetSymbolInfo(element.Expression, _cancellation).Symbol is IParameterSymbol parameter && ArrayElementOf(parameter.Type) is not null)
            {
                written.Add(parameter);
            }
        }
        return written;
    }

    /// <summary>The array parameter an expression names, if it is one.</summary>
    private int? ArrayNamed(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax && _model.GetSymbolInfo(expression, _cancellation).Symbol is IParameterSymbol parameter
            && _values.TryGetValue(parameter, out int node) && _arrays.ContainsKey(node) ? node : null;

    private int LoadElement(ElementAccessExpressionSyntax element)
    {
        if ((ArrayNamed(element.Expression) ?? ConstantArrayNamed(element.Expression)) is not int array || element.ArgumentList.Arguments.Count != 1)
        {
            throw Unsupported(Diagnostics.UnsupportedExpression, element.GetLocation(), "element access", element.ToString(), Diagnostics.ExpressionAdvice);
        }
        if (_outputArrays.Contains(array))
        {
            throw Unsupported(Diagnostics.ArrayReadAndWritten, element.GetLocation(), _arrays[array].Name);
        }
        int index = ParseTo(element.ArgumentList.Arguments[0].Expression, ScalarType.Int);
        return _graph.Add(Op.Load, _graph[array].Type, array, index);
    }

    private void StoreElement(ElementAccessExpressionSyntax element, AssignmentExpressionSyntax write)
    {
        if (ArrayNamed(element.Expression) is not int array || element.ArgumentList.Arguments.Count != 1)
        {
            throw Unsupported(Diagnostics.UnsupportedAssignmentTarget, element.GetLocation(), element.ToString(), Diagnostics.AssignmentAdvice);
        }
        if (!write.IsKind(SyntaxKind.SimpleAssignmentExpression))
        {
            throw Unsupported(Diagnostics.ArrayReadAndWritten, write.GetLocation(), _arrays[array].Name);
        }
        if (!_method!.ReturnsVoid)
        {
            throw Unsupported(Diagnostics.ModeNotAvailable, write.GetLocation(), "A gradient", _method.Name,
                "a method that returns a value cannot also write an output array; return void and write every result, and the generator makes its Jacobian");
        }
        int index = ParseTo(element.ArgumentList.Arguments[0].Expression, ScalarType.Int);
        int value = ParseTo(write.Right, _graph[array].Type);
        _graph.Store(array, index, value);
    }

    // ---- Local functions -----------------------------------------------------------------------

    /// <summary>
    /// A local function is differentiated where it is called: its body is parsed with its parameters bound to the
    /// arguments, so the caller's DAG (and its gradient) includes it.
    /// </summary>
    private int InlineLocalFunction(InvocationExpressionSyntax invocation, IMethodSymbol function, string display)
    {
        var location = invocation.GetLocation();
        if (_inlining.Contains(function, SymbolEqualityComparer.Default))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; a recursive local function cannot be inlined, make it a static [Differentiable] method");
        }
        if (function.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation) is not LocalFunctionStatementSyntax syntax
            || ScalarOf(function.ReturnType) is not { } returnType || function.IsGenericMethod
            || function.Parameters.Any(p => p.RefKind != RefKind.None || ScalarOf(p.Type) is null))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; a local function is inlined when it takes and returns double, float, int, long or bool by value");
        }
        var own = new HashSet<ISymbol>(function.Parameters, SymbolEqualityComparer.Default);
        foreach (var variable in syntax.DescendantNodes().OfType<VariableDeclaratorSyntax>())
        {
            if (_model.GetDeclaredSymbol(variable, _cancellation) is { } local)
            {
                own.Add(local);
            }
        }
        var statements = syntax.Body is { } block ? Flatten(block) : new List<StatementSyntax>();
        if (AssignedVariables(statements).FirstOrDefault(v => !own.Contains(v)) is { } captured)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, $"; it assigns '{captured.Name}' of the enclosing method, pass it in and return the new value instead");
        }

        var args = ArgumentsOf(invocation, function, display).Select(a => _graph.Convert(ParseArgument(a), ScalarOf(a.Parameter.Type)!.Value)).ToArray();
        int statement = _graph.CurrentStatement;
        _inlining.Add(function);
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                _values[function.Parameters[i]] = args[i];
            }
            int? result;
            if (syntax.ExpressionBody is { } expression)
            {
                result = ParseTo(expression.Expression, returnType);
            }
            else
            {
                int diagnostics = _diagnostics.Count;
                result = ParseStatements(statements);
                if (_diagnostics.Count > diagnostics)
                {
                    result = _graph.Constant(0, returnType);   // reported already; the caller goes on so later errors are found too
                }
            }
            return _graph.Convert(result ?? throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; not every path of the local function returns a value"), returnType);
        }
        finally
        {
            _inlining.RemoveAt(_inlining.Count - 1);
            _graph.CurrentStatement = statement;
        }
    }
}
