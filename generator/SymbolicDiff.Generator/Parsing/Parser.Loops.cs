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

    /// <summary>A variable the parser adds: a loop's running flag, the value and flag of a return inside a loop, a foreach index.</summary>
    private sealed class Synthetic
    {
        public Synthetic(string name) => Name = name;

        public string Name { get; }
    }

    /// <summary>Keys of <see cref="_values"/>: symbols compare as Roslyn symbols, synthetic variables by reference.</summary>
    private sealed class VariableComparer : IEqualityComparer<object>
    {
        public static readonly VariableComparer Instance = new();

        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : ReferenceEquals(x, y);

        public int GetHashCode(object obj) => obj is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : obj.GetHashCode();
    }

    private static string NameOf(object variable) => variable is ISymbol symbol ? symbol.Name : ((Synthetic)variable).Name;

    /// <summary>
    /// The running flag of the loop whose body is being parsed, when the body can leave it (break or return);
    /// <see cref="_inLoop"/> is false outside loops (and in an inlined local function's own statements).
    /// </summary>
    private Synthetic? _running;
    private bool _inLoop;

    /// <summary>The flag and value of a return inside a loop of the function being parsed (the method, or an inlined local function).</summary>
    private Synthetic _returned = new("returned"), _returnValue = new("result");
    private ScalarType _returnType;

    /// <summary>Marks a path of a loop body that ended with break, continue or return (it has no result of its own).</summary>
    private const int Jumped = -2;

    /// <summary>
    /// break, continue or return in a loop body ends this path of the iteration: break and return clear the loop's
    /// running flag (the loop's condition reads it), return also sets the returned flag and value, which the
    /// statements after the loop test (<see cref="AfterReturningLoop"/>).
    /// </summary>
    private int Jump(StatementSyntax jump, int? value)
    {
        if (jump is ReturnStatementSyntax)
        {
            if (value is int returned)
            {
                Bind(_returnValue, _graph.Convert(returned, _returnType));
            }
            Bind(_returned, _graph.Constant(1, ScalarType.Bool));
        }
        if (jump is not ContinueStatementSyntax)
        {
            Bind(_running!, _graph.Constant(0, ScalarType.Bool));
        }
        return Jumped;
    }

    /// <summary>After a loop that may have returned: outside loops the method's result is the returned value or what the rest returns; inside one, a return goes on out of the enclosing loop.</summary>
    private int? AfterReturningLoop(IReadOnlyList<StatementSyntax> rest)
    {
        int returned = _values[_returned];
        if (!_inLoop && _returnsVoid)
        {
            // return; in the loop ended a void function: the rest runs only when the loop did not return.
            if (rest.Count > 0)
            {
                ParseBranches(_graph.Add(Op.Not, ScalarType.Bool, returned), () => ParseStatements(rest), () => null, selectResults: false);
            }
            return null;
        }
        if (!_inLoop)
        {
            int value = _values[_returnValue];
            return ParseBranches(returned, () => value, () => ParseStatements(rest), selectResults: true);
        }
        ParseBranches(returned, () =>
        {
            Bind(_running!, _graph.Constant(0, ScalarType.Bool));
            return Jumped;
        }, () => ParseStatements(rest), selectResults: false);
        return Jumped;
    }

    private static bool IsLoop(SyntaxNode node) => node is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

    /// <summary>
    /// The jumps that leave <paramref name="statements"/>: returns anywhere (in else clauses and switch sections too, but not
    /// in local functions or lambdas), break and continue that are not an inner loop's (nor, for break, a switch's), goto and yield.
    /// </summary>
    private static List<StatementSyntax> JumpsOutOf(IEnumerable<StatementSyntax> statements) =>
        statements.SelectMany(root => root.DescendantNodesAndSelf(n => n is not (LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)).OfType<StatementSyntax>()
            .Where(n => n switch
            {
                ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax => true,
                BreakStatementSyntax => !n.Ancestors().TakeWhile(a => a != root.Parent).Any(a => IsLoop(a) || a is SwitchStatementSyntax),
                ContinueStatementSyntax => !n.Ancestors().TakeWhile(a => a != root.Parent).Any(IsLoop),   // a switch does not catch continue
                _ => false,
            })).ToList();

    /// <summary>
    /// <c>for (int i = start; i &lt; end; i += step)</c> with a constant step (i++, i--, i += 2, i = i - 3) and a matching
    /// comparison (&lt;, &lt;= or i + k &lt; end going up, &gt; or &gt;= going down), a bound the body leaves alone and no break:
    /// the trip count is known when the loop is entered, so the backward pass runs the iterations in reverse without
    /// counting them. Every other header runs as a while loop (<see cref="ParseForAsWhile"/>).
    /// </summary>
    private void ParseFor(ForStatementSyntax loop)
    {
        var body = Flatten(loop.Statement);
        var jumps = CheckLoopBody(body);
        var assigned = AssignedVariables(body).ToList();
        if (jumps.Any(j => j is not ContinueStatementSyntax)
            || loop.Declaration is not { Variables.Count: 1 } declaration || loop.Initializers.Count > 0
            || declaration.Variables[0].Initializer is not { } initializer
            || _model.GetDeclaredSymbol(declaration.Variables[0], _cancellation) is not ILocalSymbol { Type.SpecialType: SpecialType.System_Int32 } counter
            || assigned.Contains(counter, SymbolEqualityComparer.Default)
            || loop.Incrementors.Count != 1 || StepOf(loop.Incrementors[0], counter) is not int step
            || loop.Condition is not BinaryExpressionSyntax condition)
        {
            ParseForAsWhile(loop, body);
            return;
        }
        // i < end, or i + k < end with a constant k (the last k elements are read as x[i + k]).
        int offset = 0;
        if (step > 0 && condition.Left is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum
            && IsVariable(sum.Left, counter) && _model.GetConstantValue(sum.Right, _cancellation) is { HasValue: true, Value: int k } && k >= 0)
        {
            offset = k;
        }
        bool upward = condition.IsKind(SyntaxKind.LessThanExpression) || condition.IsKind(SyntaxKind.LessThanOrEqualExpression);
        bool downward = condition.IsKind(SyntaxKind.GreaterThanExpression) || condition.IsKind(SyntaxKind.GreaterThanOrEqualExpression);
        // C# evaluates the bound before every iteration; it is the same value each time only if the body leaves its variables alone.
        bool boundChanges = condition.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Any(name => _model.GetSymbolInfo(name, _cancellation).Symbol is { } symbol && assigned.Contains(symbol, SymbolEqualityComparer.Default));
        if (!(IsVariable(condition.Left, counter) || offset > 0) || !(upward && step > 0 || downward && step < 0) || boundChanges)
        {
            ParseForAsWhile(loop, body);
            return;
        }

        BeginStatement($"for ({declaration}; {condition}; {loop.Incrementors[0]})");
        // The header is kept as written (end + 1 or end − k could wrap around); the trip count is computed without overflow.
        int start = ParseTo(initializer.Value, ScalarType.Int);
        int end = ParseTo(condition.Right, ScalarType.Int);
        bool inclusive = condition.IsKind(SyntaxKind.LessThanOrEqualExpression) || condition.IsKind(SyntaxKind.GreaterThanOrEqualExpression);
        ParseLoop(new LoopShape(start, end, counter.Name, inclusive, offset, step), body, assigned, counterNode => _values[counter] = counterNode);
    }

    /// <summary>
    /// Any other for header (several variables, a counter declared before the loop or changed by the body, a step
    /// that is not constant, != or a bound the body changes, break or return in the body): it runs as
    /// <c>initializers; while (condition) { body; incrementors }</c>, its counters loop-carried ints.
    /// </summary>
    private void ParseForAsWhile(ForStatementSyntax loop, List<StatementSyntax> body)
    {
        string text = $"for ({(object?)loop.Declaration ?? string.Join(", ", loop.Initializers)}; {loop.Condition}; {string.Join(", ", loop.Incrementors)})";
        BeginStatement(text);
        if (loop.Declaration is { } declaration)
        {
            foreach (var variable in declaration.Variables)
            {
                DeclareLocal(variable);
            }
        }
        foreach (var initializer in loop.Initializers)
        {
            ParseEffect(initializer);
        }
        var assigned = AssignedVariables(body).Concat(loop.Incrementors.SelectMany(AssignedIn)).ToList();
        int zero = _graph.Constant(0, ScalarType.Int);
        var location = Location.Create(loop.SyntaxTree, TextSpan.FromBounds(loop.ForKeyword.SpanStart, loop.CloseParenToken.Span.End));
        ParseLoop(new LoopShape(zero, zero, "iteration"), body, assigned, _ => { },
            () => loop.Condition is { } condition ? ParseTo(condition, ScalarType.Bool) : null, location, afterBody: () =>
            {
                BeginStatement(string.Join(", ", loop.Incrementors));
                // After a break the counters keep their values (they are read after the loop when declared before it).
                if (_running is { } running && loop.Declaration is null)
                {
                    ParseBranches(_values[running], () => { ParseEffects(loop.Incrementors); return null; }, () => null, selectResults: false);
                }
                else
                {
                    ParseEffects(loop.Incrementors);
                }
            });
    }

    private void ParseEffects(IEnumerable<ExpressionSyntax> effects)
    {
        foreach (var effect in effects)
        {
            ParseEffect(effect);
        }
    }

    /// <summary>An initializer or incrementor of a for header: an assignment or ++/--.</summary>
    private void ParseEffect(ExpressionSyntax effect)
    {
        switch (effect)
        {
            case AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax element } write:
                StoreElement(element, write);
                break;
            case AssignmentExpressionSyntax assignment:
                Assign(assignment);
                break;
            case PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax when effect.IsKind(SyntaxKind.PostIncrementExpression) || effect.IsKind(SyntaxKind.PostDecrementExpression)
                || effect.IsKind(SyntaxKind.PreIncrementExpression) || effect.IsKind(SyntaxKind.PreDecrementExpression):
                Increment(effect);
                break;
            default:
                throw Unsupported(Diagnostics.UnsupportedLoop, effect.GetLocation(), $"'{effect}' in its header is not an assignment, ++ or --; move it into the body");
        }
    }

    /// <summary>
    /// <c>foreach (double v in xs)</c> over an input array: a for loop over its indices that reads xs[i] into v
    /// (a while loop over a hidden index when the body can break or return).
    /// </summary>
    private void ParseForEach(ForEachStatementSyntax loop)
    {
        var header = Location.Create(loop.SyntaxTree, TextSpan.FromBounds(loop.ForEachKeyword.SpanStart, loop.CloseParenToken.Span.End));
        var slice = SliceNamed(loop.Expression);   // a parameter of an inlined callee bound to a slice
        var memory = LocalArrayNamed(loop.Expression) is { Memory: >= 0 } held ? held : null;   // a local array held in memory
        if ((memory?.Memory ?? slice?.Array ?? ArrayNamed(loop.Expression) ?? ConstantArrayNamed(loop.Expression)) is not int array || _model.GetDeclaredSymbol(loop, _cancellation) is not ILocalSymbol element
            || ScalarOf(element.Type) is not { } elementType)
        {
            throw Unsupported(Diagnostics.UnsupportedLoop, header, "foreach can run over an array or span parameter, or a local array created with new T[n], into a double or float variable");
        }
        if (_outputArrays.Contains(array))
        {
            throw Unsupported(Diagnostics.ArrayReadAndWritten, loop.Expression.GetLocation(), _arrays[array].Name);
        }
        var body = Flatten(loop.Statement);
        var jumps = CheckLoopBody(body);
        BeginStatement($"foreach ({loop.Type} {loop.Identifier.ValueText} in {loop.Expression})");
        int zero = _graph.Constant(0, ScalarType.Int);
        int end = memory?.Length ?? slice?.Length ?? _graph.Add(Op.Length, ScalarType.Int, array);
        int Element(int index) => _graph.Convert(memory is not null ? LoadMemory(memory, index, loop.Expression)
            : _graph.Add(Op.Load, _graph[array].Type, array, slice is null ? index : OffsetIndex(slice, index)), elementType);
        if (jumps.All(j => j is ContinueStatementSyntax))
        {
            ParseLoop(new LoopShape(zero, end, "index"), body, AssignedVariables(body).ToList(), counterNode => _values[element] = Element(counterNode));
            return;
        }
        var index = new Synthetic("index");
        Bind(index, zero);
        ParseLoop(new LoopShape(zero, zero, "iteration"), body, AssignedVariables(body).Cast<object>().Append(index).ToList(), _ => { },
            () => _graph.Add(Op.LessThan, ScalarType.Bool, _values[index], end), header,
            afterCondition: () => _values[element] = Element(_values[index]),   // the element is read only when there is one
            afterBody: () => _values[index] = _graph.Add(Op.Add, ScalarType.Int, _values[index], _graph.Constant(1, ScalarType.Int)));
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
        ParseLoop(new LoopShape(zero, zero, "iteration"), body, AssignedVariables(body).ToList(), _ => { }, () =>
        {
            if (afterBody)
            {
                BeginStatement($"while ({conditionSyntax})");
            }
            return ParseTo(conditionSyntax, ScalarType.Bool);
        }, conditionSyntax.GetLocation(), conditionAfterBody: afterBody);
    }

    /// <summary>A counted loop's header: the counter goes start, start + step, … while it is before end (see <see cref="Op.Loop"/>).</summary>
    private sealed record LoopShape(int Start, int End, string CounterName, bool Inclusive = false, int Offset = 0, int Step = 1);

    /// <summary>
    /// The body becomes a loop region. Each variable it assigns that has a value before the loop is loop-carried:
    /// a phi node gives its value at the start of an iteration (init, then the value the body left), and after the
    /// loop the variable holds the phi's last value. With <paramref name="parseCondition"/> it is a condition loop
    /// (its trip count recorded as it runs); a body that can break or return carries a running flag that the
    /// condition also tests, so the loop stops after the iteration that jumped.
    /// </summary>
    private void ParseLoop(LoopShape shape, List<StatementSyntax> body, IEnumerable<object> assigned, Action<int> bindCounter,
        Func<int?>? parseCondition = null, Location? conditionLocation = null, bool conditionAfterBody = false, Action? afterCondition = null, Action? afterBody = null)
    {
        var jumps = JumpsOutOf(body);
        Synthetic? running = null;
        var flags = new List<object>();
        if (jumps.Any(j => j is BreakStatementSyntax or ReturnStatementSyntax))
        {
            running = new Synthetic("running");
            Bind(running, _graph.Constant(1, ScalarType.Bool));
            flags.Add(running);
        }
        if (jumps.Any(j => j is ReturnStatementSyntax))
        {
            if (!_inLoop)
            {
                Bind(_returned, _graph.Constant(0, ScalarType.Bool));
                if (!_returnsVoid)
                {
                    Bind(_returnValue, _graph.Constant(0, _returnType));
                }
            }
            flags.Add(_returned);
            if (!_returnsVoid)
            {
                flags.Add(_returnValue);
            }
            if (_tupleReturn is { } tuple)
            {
                flags.AddRange(tuple.Elements);   // a return (a, b) in the loop assigns them
            }
        }
        int statement = _graph.CurrentStatement;
        var carried = assigned.Concat(SlotsWrittenIn(body)).Concat(flags).Distinct(VariableComparer.Instance).Where(_values.ContainsKey).ToList();
        var before = new Dictionary<object, int>(_values, VariableComparer.Instance);
        var fillsBefore = new Dictionary<ILocalSymbol, Fill>(_fills, SymbolEqualityComparer.Default);
        int loop = _graph.Loop(shape.Start, shape.End, shape.Inclusive, shape.Offset, shape.Step);
        int outer = _graph.CurrentRegion;
        var (outerRunning, outerInLoop) = (_running, _inLoop);
        var phis = new List<int>();
        try
        {
            _graph.CurrentRegion = _graph[loop].TrueRegion;
            (_running, _inLoop) = (running, true);
            bindCounter(_graph.LoopCounter(loop, shape.CounterName));
            foreach (var variable in carried)
            {
                int phi = _graph.Phi(loop, _values[variable], NameOf(variable));
                phis.Add(phi);
                _values[variable] = phi;
            }
            void Condition()
            {
                if (parseCondition is null)
                {
                    return;
                }
                int? condition = parseCondition();
                if (running is not null)
                {
                    condition = condition is int c ? _graph.Add(Op.And, ScalarType.Bool, _values[running], c) : _values[running];
                }
                if (condition is not int known || _graph.IsConstant(known, out _))
                {
                    throw Unsupported(Diagnostics.UnsupportedLoop, conditionLocation!, condition is null
                        ? "it has no condition and no break or return, so it runs forever"
                        : conditionAfterBody ? "its condition is constant, so it runs once or forever" : "its condition is constant, so it runs never or forever");
                }
                _graph.SetLoopCondition(loop, known, conditionAfterBody);
            }
            if (!conditionAfterBody)
            {
                Condition();
            }
            afterCondition?.Invoke();
            ParseStatements(body);
            afterBody?.Invoke();
            if (conditionAfterBody)
            {
                Condition();
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
            (_running, _inLoop) = (outerRunning, outerInLoop);
            EndFillScope(fillsBefore);
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
        if (running is not null)
        {
            _values.Remove(running);
        }
    }

    /// <summary>A loop body may leave by break, continue or return (with a value); goto and yield are reported.</summary>
    private List<StatementSyntax> CheckLoopBody(IEnumerable<StatementSyntax> body)
    {
        var jumps = JumpsOutOf(body);
        foreach (var jump in jumps)
        {
            if (jump is GotoStatementSyntax or YieldStatementSyntax)
            {
                throw Unsupported(Diagnostics.UnsupportedLoop, jump.GetFirstToken().GetLocation(), jump is GotoStatementSyntax
                    ? "'goto' cannot be followed; leave the loop with break (or a flag in its condition) and skip statements with if/else"
                    : "an iterator cannot be differentiated; return a value computed by the loop instead");
            }
        }
        return jumps;
    }

    /// <summary>The variables the statements assign (by assignment, compound assignment, ++ or --), in order of first appearance.</summary>
    private IEnumerable<ISymbol> AssignedVariables(IEnumerable<StatementSyntax> statements) => statements.SelectMany(AssignedIn);

    private IEnumerable<ISymbol> AssignedIn(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodesAndSelf(n => n is not (LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)))
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

    /// <summary>The constant, nonzero step of an incrementor i++, ++i, i--, --i, i += c, i -= c, i = i + c or i = i - c; null otherwise.</summary>
    private int? StepOf(ExpressionSyntax expression, ISymbol counter)
    {
        int? Constant(ExpressionSyntax e) => _model.GetConstantValue(e, _cancellation) is { HasValue: true, Value: int c } && c != 0 && c != int.MinValue ? c : null;
        return expression switch
        {
            PostfixUnaryExpressionSyntax post when IsVariable(post.Operand, counter) => post.Kind() switch
            {
                SyntaxKind.PostIncrementExpression => 1,
                SyntaxKind.PostDecrementExpression => -1,
                _ => null,
            },
            PrefixUnaryExpressionSyntax pre when IsVariable(pre.Operand, counter) => pre.Kind() switch
            {
                SyntaxKind.PreIncrementExpression => 1,
                SyntaxKind.PreDecrementExpression => -1,
                _ => null,
            },
            AssignmentExpressionSyntax add when add.IsKind(SyntaxKind.AddAssignmentExpression) && IsVariable(add.Left, counter) => Constant(add.Right),
            AssignmentExpressionSyntax sub when sub.IsKind(SyntaxKind.SubtractAssignmentExpression) && IsVariable(sub.Left, counter) => -Constant(sub.Right),
            AssignmentExpressionSyntax { Right: BinaryExpressionSyntax binary } set when set.IsKind(SyntaxKind.SimpleAssignmentExpression) && IsVariable(set.Left, counter)
                && IsVariable(binary.Left, counter) => binary.Kind() switch
                {
                    SyntaxKind.AddExpression => Constant(binary.Right),
                    SyntaxKind.SubtractExpression => -Constant(binary.Right),
                    _ => null,
                },
            _ => null,
        };
    }

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

    /// <summary>
    /// The parameters whose elements the method assigns: its vector outputs. An array it passes (whole or sliced) to a
    /// [Differentiable] method that writes that parameter is written too (the call is inlined).
    /// </summary>
    private HashSet<IParameterSymbol> WrittenArrays(MethodDeclarationSyntax syntax, SemanticModel? model = null, HashSet<IMethodSymbol>? visiting = null)
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
        visiting ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        // A void call is a statement (or an expression body): only those are asked about, not every call of a long expression.
        foreach (var invocation in syntax.DescendantNodes().OfType<InvocationExpressionSyntax>().Where(i => i.Parent is ExpressionStatementSyntax or ArrowExpressionClauseSyntax))
        {
            if (model.GetSymbolInfo(invocation, _cancellation).Symbol is not IMethodSymbol { ReturnsVoid: true } callee || !callee.GetAttributes().Any(IsDifferentiable)
                || callee.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation) is not MethodDeclarationSyntax calleeSyntax || !visiting.Add(callee))
            {
                continue;
            }
            var calleeModel = calleeSyntax.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(calleeSyntax.SyntaxTree);
            var calleeWritten = WrittenArrays(calleeSyntax, calleeModel, visiting);
            visiting.Remove(callee);
            foreach (var argument in invocation.ArgumentList.Arguments)
            {
                if (model.GetOperation(argument, _cancellation) is Microsoft.CodeAnalysis.Operations.IArgumentOperation { Parameter: { } target } && calleeWritten.Contains(target)
                    && model.GetSymbolInfo(SliceSource(argument.Expression), _cancellation).Symbol is IParameterSymbol parameter && ArrayElementOf(parameter.Type) is not null)
                {
                    written.Add(parameter);
                }
            }
        }
        return written;
    }

    /// <summary>The array an argument slices (x in x.Slice(1, 2), x[1..], x.AsSpan(1)), or the argument itself.</summary>
    private static ExpressionSyntax SliceSource(ExpressionSyntax expression) => expression switch
    {
        ParenthesizedExpressionSyntax parenthesized => SliceSource(parenthesized.Expression),
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Slice" or "AsSpan" } access } => SliceSource(access.Expression),
        ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } element when element.ArgumentList.Arguments[0].Expression is RangeExpressionSyntax => SliceSource(element.Expression),
        _ => expression,
    };

    /// <summary>The array parameter an expression names, if it is one.</summary>
    private int? ArrayNamed(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax && _model.GetSymbolInfo(expression, _cancellation).Symbol is IParameterSymbol parameter
            && _values.TryGetValue(parameter, out int node) && _arrays.ContainsKey(node) ? node : null;

    private int LoadElement(ElementAccessExpressionSyntax element)
    {
        if (element.ArgumentList.Arguments.Count == 1 && SliceNamed(element.Expression) is { } slice)
        {
            if (_outputArrays.Contains(slice.Array))
            {
                throw Unsupported(Diagnostics.ArrayReadAndWritten, element.GetLocation(), _arrays[slice.Array].Name);
            }
            return _graph.Add(Op.Load, _graph[slice.Array].Type, slice.Array, OffsetIndex(slice, ParseTo(element.ArgumentList.Arguments[0].Expression, ScalarType.Int)));
        }
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
        if (element.ArgumentList.Arguments.Count == 1 && LocalArrayNamed(element.Expression) is { } local)
        {
            StoreLocalElement(local, element, write);
            return;
        }
        var slice = element.ArgumentList.Arguments.Count == 1 ? SliceNamed(element.Expression) : null;
        if ((slice?.Array ?? ArrayNamed(element.Expression)) is not int array || element.ArgumentList.Arguments.Count != 1)
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
        _graph.Store(array, slice is null ? index : OffsetIndex(slice, index), value);
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
        var saved = EnterInlined(function, _model, returnType, returnsVoid: false);
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
            LeaveInlined(saved, restoreVariables: false);
        }
    }
}
