using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Local arrays and spans, differentiated without a tape and without storing the array:
/// <list type="bullet">
/// <item>An array of constant length up to <see cref="MaxSlots"/> (<c>stackalloc double[3]</c>, <c>double[] w = { a, b }</c>)
/// is that many scalar variables. Writes and reads at a constant index are plain assignments; at a computed index they
/// select among the elements. Loops and ifs then carry, keep and restore each element exactly as they do a scalar
/// (overwrites included).</item>
/// <item>A longer array (<c>new double[n]</c>) must be filled whole by one loop, <c>for (int j = 0; j &lt; n; j++) { …; a[j] = e; }</c>,
/// whose body computes each element from values other than the array's own elements. A read <c>a[k]</c> is then that body
/// evaluated at j = k, with the variables as they were when the loop ran: nothing is stored, so the generated code needs
/// no memory for it (the cost is the body's work again per read). The array may be filled again later (once per
/// iteration of an enclosing loop, say); each read sees the fill before it, as C# does.</item>
/// </list>
/// <item>Any other long array (<c>new double[n]</c> written element by element, updated in place, filled in part or inside an if,
/// a dynamic-programming table, a running vector) is held in memory: a <see cref="Op.NewArray"/> node, read with loads
/// and written with stores in program order (see <see cref="IsCheapFill"/> for which arrays are recomputed instead). The
/// generated code keeps it in a pooled buffer and its adjoint in another: a read adds its adjoint into the element's, a
/// write hands the element's adjoint to the value written and zeroes it. The backward pass never reads the buffer: each
/// read inside a loop is kept per iteration (the emitter's loop plan), so an element overwritten later needs no restoring.</item>
/// </list>
/// A read in an inner loop that the backward pass would have to run again after the array changed is a located SD0060
/// (see <see cref="CheckMemoryReads"/>).
/// </summary>
internal sealed partial class Parser
{
    /// <summary>The longest local array that is held as separate scalar variables.</summary>
    internal const int MaxSlots = 16;

    /// <summary>A local array: its element type and length, and either its elements as variables or its fills.</summary>
    private sealed class LocalArray
    {
        public LocalArray(ILocalSymbol symbol, ScalarType element, int length, Synthetic[]? slots)
        {
            Symbol = symbol;
            Element = element;
            Length = length;
            Slots = slots;
        }

        public ILocalSymbol Symbol { get; }

        public ScalarType Element { get; }

        /// <summary>The node holding its length (an int).</summary>
        public int Length { get; }

        /// <summary>For a short array: one variable of <see cref="_values"/> per element; null for a long one.</summary>
        public Synthetic[]? Slots { get; }

        /// <summary>For a long array held in memory: its <see cref="Op.NewArray"/> node; −1 otherwise.</summary>
        public int Memory { get; init; } = -1;
    }

    /// <summary>Reads of arrays held in memory with no write of that array since: (array, index, region) → (load, writes so far).</summary>
    private readonly Dictionary<(int Array, int Index, int Region), (int Load, int Writes)> _memoryReads = new();

    /// <summary>How many writes each array held in memory has had so far (a read after a write is a new read).</summary>
    private readonly Dictionary<int, int> _memoryWrites = new();

    /// <summary>Where each read of an array held in memory is, for <see cref="CheckMemoryReads"/>.</summary>
    private readonly Dictionary<int, (Location Where, string Name)> _memoryReadSites = new();

    /// <summary>What a long local array holds: zeros (no counter), one loop's fill, or values the parser cannot follow (stale).</summary>
    private sealed class Fill
    {
        public Fill(ILocalSymbol? counter, List<StatementSyntax>? body, ExpressionSyntax? value, Dictionary<object, int>? values,
            Dictionary<ILocalSymbol, Fill>? fills, int region, string? stale)
        {
            Counter = counter;
            Body = body;
            Value = value;
            Values = values;
            Fills = fills;
            Region = region;
            Stale = stale;
        }

        public ILocalSymbol? Counter { get; }

        /// <summary>The fill loop's statements before the element write.</summary>
        public List<StatementSyntax>? Body { get; }

        public ExpressionSyntax? Value { get; }

        /// <summary>The variables when the fill ran, so a later read computes the element as the loop did.</summary>
        public Dictionary<object, int>? Values { get; }

        public Dictionary<ILocalSymbol, Fill>? Fills { get; }

        /// <summary>The region where the fill ran.</summary>
        public int Region { get; }

        /// <summary>Why the array's values cannot be read here (it was filled inside a loop that has ended), or null.</summary>
        public string? Stale { get; }

        /// <summary>Where the fill's statements are: the semantic model of their file and, when an inlined callee filled
        /// the array, the bindings of its array parameters.</summary>
        public (SemanticModel Model, Dictionary<IParameterSymbol, LocalArray> Arrays, Dictionary<IParameterSymbol, Slice> Slices)? Scope { get; init; }
    }

    private readonly Dictionary<ILocalSymbol, LocalArray> _localArrays = new(SymbolEqualityComparer.Default);
    private Dictionary<ILocalSymbol, Fill> _fills = new(SymbolEqualityComparer.Default);

    /// <summary>Reads of long local arrays: the array, the region its fill ran in, and the region of the read.</summary>
    private readonly List<(ILocalSymbol Array, int FillRegion, int ReadRegion)> _fillReads = new();

    private const string FillAdvice = "fill it whole with one loop 'for (int j = 0; j < length; j++) { ...; {0}[j] = value; }' before reading it, or write its elements one by one outside such a loop (it is then held in memory)";

    private static string Advice(string name) => FillAdvice.Replace("{0}", name);

    /// <summary>Array parameters of an inlined callee bound to the caller's local arrays.</summary>
    private Dictionary<IParameterSymbol, LocalArray> _arrayArguments = new(SymbolEqualityComparer.Default);

    private LocalArray? LocalArrayNamed(ExpressionSyntax expression) =>
        expression is not IdentifierNameSyntax ? null : _model.GetSymbolInfo(expression, _cancellation).Symbol switch
        {
            ILocalSymbol local when _localArrays.TryGetValue(local, out var array) => array,
            IParameterSymbol parameter when _arrayArguments.TryGetValue(parameter, out var array) => array,
            _ => null,
        };

    /// <summary><c>double[] a = new double[n]</c>, <c>Span&lt;double&gt; a = stackalloc double[k]</c>, <c>double[] a = { … }</c>, <c>new[] { … }</c>.</summary>
    private bool TryDeclareLocalArray(VariableDeclaratorSyntax variable, ILocalSymbol local)
    {
        if (ArrayElementOf(local.Type) is not { } element || element is not (ScalarType.Double or ScalarType.Float))
        {
            return false;
        }
        var location = variable.Identifier.GetLocation();
        if (local.Type is INamedTypeSymbol { Name: "ReadOnlySpan" })
        {
            throw Unsupported(Diagnostics.LocalArrayUnsupported, location, local.Name, "is a ReadOnlySpan", "declare it as Span<" + element.Keyword() + "> or " + element.Keyword() + "[]");
        }
        ExpressionSyntax? size = null;
        InitializerExpressionSyntax? initializer = null;
        switch (variable.Initializer?.Value)
        {
            case ArrayCreationExpressionSyntax creation when creation.Type.RankSpecifiers.Count == 1 && creation.Type.RankSpecifiers[0].Sizes.Count == 1:
                size = creation.Type.RankSpecifiers[0].Sizes[0] is OmittedArraySizeExpressionSyntax ? null : creation.Type.RankSpecifiers[0].Sizes[0];
                initializer = creation.Initializer;
                break;
            case StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } type } stack when type.RankSpecifiers[0].Sizes.Count == 1:
                size = type.RankSpecifiers[0].Sizes[0] is OmittedArraySizeExpressionSyntax ? null : type.RankSpecifiers[0].Sizes[0];
                initializer = stack.Initializer;
                break;
            case ImplicitArrayCreationExpressionSyntax implicitArray:
                initializer = implicitArray.Initializer;
                break;
            case ImplicitStackAllocArrayCreationExpressionSyntax implicitStackalloc:
                initializer = implicitStackalloc.Initializer;
                break;
            case InitializerExpressionSyntax list:
                initializer = list;
                break;
            default:
                throw Unsupported(Diagnostics.LocalArrayUnsupported, location, local.Name, "is not created here",
                    "create it in its declaration with new " + element.Keyword() + "[n], stackalloc " + element.Keyword() + "[k] or { ... }, and pass arrays in as parameters");
        }
        int length = size is not null ? ParseTo(size, ScalarType.Int) : _graph.Constant(initializer!.Expressions.Count, ScalarType.Int);
        if (_graph.IsConstant(length, out double count) && count >= 0 && count <= MaxSlots)
        {
            var slots = Enumerable.Range(0, (int)count).Select(i => new Synthetic(local.Name + i)).ToArray();
            for (int i = 0; i < slots.Length; i++)
            {
                int value = initializer is not null && i < initializer.Expressions.Count
                    ? ParseTo(initializer.Expressions[i], element)
                    : _graph.Constant(0, element);
                Bind(slots[i], value);
            }
            _localArrays[local] = new LocalArray(local, element, length, slots);
            return true;
        }
        if (initializer is not null)
        {
            throw Unsupported(Diagnostics.LocalArrayUnsupported, location, local.Name, $"has more than {MaxSlots} listed elements", "pass a longer table in as a [NoDiff] parameter");
        }
        if (!IsCheapFill(variable, local))
        {
            int memory = _graph.NewArray(length, element, local.Name);
            _memoryWrites[memory] = 0;
            _localArrays[local] = new LocalArray(local, element, length, null) { Memory = memory };
            return true;
        }
        _localArrays[local] = new LocalArray(local, element, length, null);
        _fills[local] = new Fill(null, null, null, null, null, _graph.CurrentRegion, null);   // C# zeroes a new array
        return true;
    }

    /// <summary><c>a[k]</c> for a local array.</summary>
    private int LoadLocalElement(LocalArray array, ElementAccessExpressionSyntax element)
    {
        int index = ParseTo(element.ArgumentList.Arguments[0].Expression, ScalarType.Int);
        if (array.Slots is { } slots)
        {
            return SelectSlot(array, slots, index, element);
        }
        if (array.Memory >= 0)
        {
            return LoadMemory(array, index, element);
        }
        var fill = _fills[array.Symbol];
        if (fill.Stale is { } stale)
        {
            throw Unsupported(Diagnostics.LocalArrayUnsupported, element.GetLocation(), array.Symbol.Name, stale, "read it inside that loop, after the fill");
        }
        _fillReads.Add((array.Symbol, fill.Region, _graph.CurrentRegion));
        if (fill.Counter is null)
        {
            return _graph.Constant(0, array.Element);   // never written: C# zeroes a new array
        }
        var (values, fills, statement) = (new Dictionary<object, int>(_values, VariableComparer.Instance), _fills, _graph.CurrentStatement);
        string? prefix = _commentPrefix;
        var scope = (_model, _arrayArguments, _slices);
        try
        {
            (_model, _arrayArguments, _slices) = fill.Scope!.Value;
            _values.Clear();
            foreach (var pair in fill.Values!)
            {
                _values[pair.Key] = pair.Value;
            }
            _values[fill.Counter] = index;
            _fills = new Dictionary<ILocalSymbol, Fill>(fill.Fills!, SymbolEqualityComparer.Default);   // fills inside the body end with it
            _commentPrefix = prefix + $"{array.Symbol.Name}[{element.ArgumentList.Arguments[0]}] is not stored: its fill recomputes it here: ";
            int diagnostics = _diagnostics.Count;
            ParseStatements(fill.Body!);
            if (_diagnostics.Count > diagnostics)
            {
                return _graph.Constant(0, array.Element);
            }
            BeginStatement(fill.Value!.Parent!.ToString());
            return ParseTo(fill.Value!, array.Element);
        }
        finally
        {
            _values.Clear();
            foreach (var pair in values)
            {
                _values[pair.Key] = pair.Value;
            }
            (_fills, _graph.CurrentStatement, _commentPrefix) = (fills, statement, prefix);
            (_model, _arrayArguments, _slices) = scope;
        }
    }

    /// <summary>A read of an array held in memory; the same read again, with no write of the array between, is the same value.</summary>
    private int LoadMemory(LocalArray array, int index, SyntaxNode at)
    {
        int writes = _memoryWrites[array.Memory];
        var key = (array.Memory, index, _graph.CurrentRegion);
        if (_memoryReads.TryGetValue(key, out var read) && read.Writes == writes)
        {
            return read.Load;
        }
        int load = _graph.LoadMemory(array.Memory, index);
        _memoryReads[key] = (load, writes);
        _memoryReadSites[load] = (at.GetLocation(), array.Symbol.Name);
        return load;
    }

    /// <summary>
    /// True when a long local array is better recomputed where it is read than held in memory: every write of it is the
    /// whole body of a fill loop <c>for (int j = 0; j &lt; n; j++) a[j] = e;</c> (perhaps refilled in loops around it, never
    /// inside an if) whose value e calls nothing and reads no local array, and every read comes after a fill within the
    /// loops around that fill, so a read costs e once and no memory. An array never written is zeros, also not held.
    /// </summary>
    private bool IsCheapFill(VariableDeclaratorSyntax declaration, ILocalSymbol local)
    {
        if (declaration.Ancestors().OfType<BlockSyntax>().FirstOrDefault() is not { } scope)
        {
            return false;
        }
        var uses = scope.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => n.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(_model.GetSymbolInfo(n, _cancellation).Symbol, local)).ToList();
        var fills = new List<ForStatementSyntax>();
        var reads = new List<IdentifierNameSyntax>();
        foreach (var use in uses)
        {
            if (use.Parent is ElementAccessExpressionSyntax { Parent: AssignmentExpressionSyntax write } target && write.Left == target)
            {
                if (!write.IsKind(SyntaxKind.SimpleAssignmentExpression) || write.Parent is not ExpressionStatementSyntax statement
                    || (statement.Parent is BlockSyntax { Statements.Count: 1 } block ? block.Parent : statement.Parent) is not ForStatementSyntax loop
                    || !IsPlainFillHeader(loop, declaration, out var counter) || target.ArgumentList.Arguments.Count != 1
                    || target.ArgumentList.Arguments[0].Expression is not IdentifierNameSyntax index || index.Identifier.ValueText != counter
                    || write.Right.DescendantNodesAndSelf().Any(n => n is InvocationExpressionSyntax
                        || (n is IdentifierNameSyntax name && _model.GetSymbolInfo(name, _cancellation).Symbol is ILocalSymbol other && ArrayElementOf(other.Type) is not null))
                    || loop.Ancestors().TakeWhile(a => a != scope).Any(a => a is IfStatementSyntax or ElseClauseSyntax or SwitchStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                        or ForEachStatementSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax))
                {
                    return false;
                }
                fills.Add(loop);
            }
            else if (use.Parent is ElementAccessExpressionSyntax || (use.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } access && access.Expression == use))
            {
                reads.Add(use);
            }
            else
            {
                return false;   // passed to a method, or used whole: held in memory, which any method can write
            }
        }
        // Each read must see the latest fill of the loops it is in: after a fill, inside every loop around that fill.
        return reads.All(read => read.Parent is MemberAccessExpressionSyntax || fills.Any(fill => read.SpanStart > fill.Span.End
            && fill.Ancestors().TakeWhile(a => a != scope).Where(IsLoop).All(around => around.Span.Contains(read.Span))));
    }

    /// <summary><c>for (int j = 0; j &lt; n; j++)</c> where n is the array's length as declared (or its Length).</summary>
    private static bool IsPlainFillHeader(ForStatementSyntax loop, VariableDeclaratorSyntax array, out string counter)
    {
        counter = "";
        if (loop.Declaration is not { Variables.Count: 1 } declaration || loop.Initializers.Count > 0
            || declaration.Variables[0].Initializer?.Value is not LiteralExpressionSyntax { Token.ValueText: "0" }
            || loop.Condition is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression, Left: IdentifierNameSyntax left } condition
            || loop.Incrementors.Count != 1 || loop.Incrementors[0] is not (PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression, Operand: IdentifierNameSyntax }
                or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression, Operand: IdentifierNameSyntax }))
        {
            return false;
        }
        counter = declaration.Variables[0].Identifier.ValueText;
        string? size = array.Initializer?.Value is ArrayCreationExpressionSyntax creation && creation.Type.RankSpecifiers[0].Sizes.Count == 1
            ? creation.Type.RankSpecifiers[0].Sizes[0].ToString() : null;
        string end = condition.Right.ToString();
        return left.Identifier.ValueText == counter && (end == size || end == array.Identifier.ValueText + ".Length");
    }

    /// <summary>The element at <paramref name="index"/>: the slot itself when the index is constant, else a select among them.</summary>
    private int SelectSlot(LocalArray array, Synthetic[] slots, int index, SyntaxNode at)
    {
        if (_graph.IsConstant(index, out double known))
        {
            return known >= 0 && known < slots.Length
                ? _values[slots[(int)known]]
                : throw Unsupported(Diagnostics.LocalArrayUnsupported, at.GetLocation(), array.Symbol.Name, $"is indexed at {known}, outside its {slots.Length} elements", "index it within its length");
        }
        int value = _values[slots[slots.Length - 1]];
        for (int i = slots.Length - 2; i >= 0; i--)
        {
            value = SelectValue(_graph.Add(Op.Equal, ScalarType.Bool, index, _graph.Constant(i, ScalarType.Int)), _values[slots[i]], value, array.Element);
        }
        return value;
    }

    /// <summary><c>a[k] = e</c> or <c>a[k] op= e</c> on an array held in memory.</summary>
    private void StoreMemory(LocalArray array, ElementAccessExpressionSyntax element, AssignmentExpressionSyntax write)
    {
        int index = ParseTo(element.ArgumentList.Arguments[0].Expression, ScalarType.Int);
        int value = WrittenValue(array, write, () => LoadMemory(array, index, element));
        _graph.Store(array.Memory, index, value);
        _memoryWrites[array.Memory]++;
    }

    /// <summary>The value <c>a[k] = e</c> writes, or <c>a[k] op= e</c> with the element's old value read by <paramref name="old"/>.</summary>
    private int WrittenValue(LocalArray array, AssignmentExpressionSyntax write, Func<int> old)
    {
        if (write.IsKind(SyntaxKind.SimpleAssignmentExpression))
        {
            return ParseTo(write.Right, array.Element);
        }
        var op = CompoundOp(write, array.Element);
        return _graph.Convert(Arithmetic(write, op, array.Element, old(), ParseTo(write.Right, array.Element)), array.Element);
    }

    private Op CompoundOp(AssignmentExpressionSyntax write, ScalarType element) => write.Kind() switch
    {
        SyntaxKind.AddAssignmentExpression => Op.Add,
        SyntaxKind.SubtractAssignmentExpression => Op.Subtract,
        SyntaxKind.MultiplyAssignmentExpression => Op.Multiply,
        SyntaxKind.DivideAssignmentExpression => Op.Divide,
        _ => throw Unsupported(Diagnostics.UnsupportedOperator, write.OperatorToken.GetLocation(), write.OperatorToken.ValueText, element.Keyword()),
    };

    private int SelectValue(int condition, int whenTrue, int whenFalse, ScalarType type) =>
        whenTrue == whenFalse ? whenTrue : _graph.Select(condition, whenTrue, whenFalse, _graph.NewRegion(), _graph.NewRegion(), type);

    /// <summary><c>a[k] = e</c> or <c>a[k] op= e</c> on a local array.</summary>
    private void StoreLocalElement(LocalArray array, ElementAccessExpressionSyntax element, AssignmentExpressionSyntax write)
    {
        if (array.Memory >= 0)
        {
            StoreMemory(array, element, write);
            return;
        }
        if (array.Slots is not { } slots)
        {
            throw Unsupported(Diagnostics.LocalArrayUnsupported, write.GetLocation(), array.Symbol.Name, "is written outside a loop that fills it whole", Advice(array.Symbol.Name));
        }
        int index = ParseTo(element.ArgumentList.Arguments[0].Expression, ScalarType.Int);
        int value = WrittenValue(array, write, () => SelectSlot(array, slots, index, element));
        if (_graph.IsConstant(index, out double known))
        {
            if (known < 0 || known >= slots.Length)
            {
                throw Unsupported(Diagnostics.LocalArrayUnsupported, element.GetLocation(), array.Symbol.Name, $"is indexed at {known}, outside its {slots.Length} elements", "index it within its length");
            }
            Bind(slots[(int)known], value);
            return;
        }
        for (int i = 0; i < slots.Length; i++)
        {
            Bind(slots[i], SelectValue(_graph.Add(Op.Equal, ScalarType.Bool, index, _graph.Constant(i, ScalarType.Int)), value, _values[slots[i]], array.Element));
        }
    }

    /// <summary>The element variables of short local arrays that <paramref name="body"/> writes (a loop carries them).</summary>
    private IEnumerable<object> SlotsWrittenIn(IEnumerable<StatementSyntax> body)
    {
        var nodes = body.SelectMany(s => s.DescendantNodesAndSelf()).ToList();
        // Written by an element assignment, or (all of its elements, as far as the loop can tell) by a [Differentiable] method it is passed to.
        var arrays = nodes.OfType<AssignmentExpressionSyntax>().Select(a => a.Left is ElementAccessExpressionSyntax e ? LocalArrayNamed(e.Expression) : null)
            .Concat(nodes.OfType<InvocationExpressionSyntax>().Where(c => DifferentiableVoidCallee(c) is not null)
                .SelectMany(c => c.ArgumentList.Arguments).Select(a => LocalArrayNamed(SliceSource(a.Expression))));
        return arrays.SelectMany(a => (IEnumerable<object>?)a?.Slots ?? Array.Empty<object>());
    }

    /// <summary>
    /// A <c>for</c> loop that writes a long local array: it must be the fill <c>for (int j = 0; j &lt; length; j++) { …; a[j] = e; }</c>.
    /// Returns false for a loop that writes no long local array.
    /// </summary>
    private bool TryParseFill(ForStatementSyntax loop)
    {
        var written = loop.DescendantNodes().OfType<AssignmentExpressionSyntax>().Where(a => a.Ancestors().First(IsLoop) == loop)
            .Select(a => a.Left is ElementAccessExpressionSyntax e ? LocalArrayNamed(e.Expression) : null)
            .Where(a => a is { Slots: null, Memory: < 0 }).Select(a => a!).Distinct().ToList();
        if (written.Count == 0)
        {
            return false;
        }
        var array = written[0];
        string name = array.Symbol.Name;
        var body = loop.Statement is BlockSyntax block ? block.Statements.ToList() : new List<StatementSyntax> { loop.Statement };
        var header = Location.Create(loop.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(loop.ForKeyword.SpanStart, loop.CloseParenToken.Span.End));
        UnsupportedException NotAFill(Location at, string reason) => Unsupported(Diagnostics.LocalArrayUnsupported, at, name, reason, Advice(name));
        // A loop that reads the elements it writes updates the array in place (a DP table): say so before anything about its shape.
        if (loop.Statement.DescendantNodesAndSelf().OfType<ElementAccessExpressionSyntax>().FirstOrDefault(e => LocalArrayNamed(e.Expression) == array
                && !(e.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } write && write.Left == e)) is { } ownRead)
        {
            throw Unsupported(Diagnostics.LocalArrayUnsupported, ownRead.GetLocation(), name, "is updated in place: the loop that writes its elements also reads them", Advice(name));
        }
        if (written.Count > 1)
        {
            throw NotAFill(header, $"is filled by a loop that also writes '{written[1].Symbol.Name}'");
        }
        if (loop.Declaration is not { Variables.Count: 1 } declaration || loop.Initializers.Count > 0
            || _model.GetDeclaredSymbol(declaration.Variables[0], _cancellation) is not ILocalSymbol counter
            || declaration.Variables[0].Initializer?.Value is not { } start || _model.GetConstantValue(start, _cancellation) is not { HasValue: true, Value: 0 }
            || loop.Condition is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression } condition || !IsVariable(condition.Left, counter)
            || loop.Incrementors.Count != 1 || StepOf(loop.Incrementors[0], counter) != 1)
        {
            throw NotAFill(header, "is written by a loop whose header is not 'for (int j = 0; j < length; j++)'");
        }
        int end = condition.Right is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } access && LocalArrayNamed(access.Expression) == array
            ? array.Length
            : ParseTo(condition.Right, ScalarType.Int);
        if (end != array.Length)
        {
            throw NotAFill(condition.Right.GetLocation(), $"is filled up to '{condition.Right}', which the generator cannot show is its length");
        }
        if (body.Count == 0 || body[body.Count - 1] is not ExpressionStatementSyntax
            {
                Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } target } store
            } || LocalArrayNamed(target.Expression) != array || !IsVariable(target.ArgumentList.Arguments[0].Expression, counter))
        {
            throw NotAFill(header, $"is written by a loop whose last statement is not '{name}[{counter.Name}] = value;'");
        }
        var before = body.Take(body.Count - 1).ToList();
        var own = new HashSet<ISymbol>(before.SelectMany(s => s.DescendantNodesAndSelf()).OfType<VariableDeclaratorSyntax>()
            .Select(v => _model.GetDeclaredSymbol(v, _cancellation)).Where(s => s is not null)!, SymbolEqualityComparer.Default);
        if (AssignedVariables(before).FirstOrDefault(v => !own.Contains(v)) is { } outer)
        {
            throw NotAFill(header, $"is filled by a loop that also assigns '{outer.Name}'");
        }
        // Inner fills of other long local arrays are fine (each element's computation refills them); nothing else may be written.
        var inner = before.SelectMany(s => s.DescendantNodesAndSelf()).OfType<AssignmentExpressionSyntax>()
            .Select(a => a.Left is ElementAccessExpressionSyntax e ? LocalArrayNamed(e.Expression) : null).Where(a => a is { Slots: null } && a != array).Select(a => a!).Distinct().ToList();
        if (before.SelectMany(s => s.DescendantNodesAndSelf()).FirstOrDefault(n => n is AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax e } && !inner.Contains(LocalArrayNamed(e.Expression)!)
                || n is ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax || (n is BreakStatementSyntax or ContinueStatementSyntax
                    && !n.Ancestors().TakeWhile(a => a != loop).Any(a => IsLoop(a) || a is SwitchStatementSyntax))) is { } other)
        {
            throw NotAFill(other.GetLocation(), "is filled by a loop that also writes other elements or jumps");
        }
        if (body.SelectMany(s => s.DescendantNodesAndSelf()).OfType<IdentifierNameSyntax>()
                .FirstOrDefault(n => n != target.Expression && LocalArrayNamed(n) == array) is { } self)
        {
            throw Unsupported(Diagnostics.LocalArrayUnsupported, self.GetLocation(), name, "is filled from its own elements", Advice(name));
        }
        int region = _graph.CurrentRegion;
        if (region != 0 && _graph.Regions[region].Loop < 0)
        {
            throw NotAFill(header, "is filled inside an if, so its values depend on the branch");
        }
        // A read earlier in this loop body saw the previous iteration's fill: that would need the array kept per iteration.
        foreach (var read in _fillReads.Where(r => SymbolEqualityComparer.Default.Equals(r.Array, array.Symbol)))
        {
            if (Encloses(region, read.ReadRegion) && !Encloses(region, read.FillRegion))
            {
                throw NotAFill(header, "is read in this loop before this fill (the read sees the previous iteration's values)");
            }
        }
        _fills[array.Symbol] = new Fill(counter, before, store.Right, new Dictionary<object, int>(_values, VariableComparer.Instance),
            new Dictionary<ILocalSymbol, Fill>(_fills, SymbolEqualityComparer.Default), region, null)
        {
            Scope = (_model, new Dictionary<IParameterSymbol, LocalArray>(_arrayArguments, SymbolEqualityComparer.Default),
                new Dictionary<IParameterSymbol, Slice>(_slices, SymbolEqualityComparer.Default)),
        };
        foreach (var refilled in inner)
        {
            _fills[refilled.Symbol] = new Fill(null, null, null, null, null, -1, $"is read after the loop filling '{name}', which refills it for every element");
        }
        return true;
    }

    /// <summary>
    /// The backward pass never reads an overwritten element of an array held in memory: the loop plans keep every read
    /// in a loop that a later write changes, per iteration. A read they cannot keep (in an inner loop that the backward
    /// pass runs forward again: a while loop, or any inner loop under a Jacobian's several backward passes) would see
    /// the array as later writes left it: each is reported (SD0060). Returns false when one is.
    /// </summary>
    private bool CheckMemoryReads(DifferentiableMethod model)
    {
        if (_memoryReadSites.Count == 0)
        {
            return true;
        }
        IReadOnlyCollection<int> reads;
        try
        {
            reads = Emitting.Emitter.RecomputedMemoryReads(model);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return true;   // emitting it again reports the failure (SD9999)
        }
        foreach (int read in reads.Where(_memoryReadSites.ContainsKey).OrderBy(r => r))
        {
            var (where, name) = _memoryReadSites[read];
            Report(Diagnostics.LocalArrayUnsupported, where, name,
                "is read in an inner loop that the backward pass runs again after later writes changed the array (a while loop inside a loop, or an inner loop of a void method, whose Jacobian runs the backward pass once per row)",
                $"read the elements the inner loop needs into variables in the outer loop's body (double v = {name}[k];), or write the inner loop as a for loop in a method that returns a value");
        }
        return reads.Count == 0;
    }

    /// <summary>True when region <paramref name="inner"/> is <paramref name="outer"/> or nested in it.</summary>
    private bool Encloses(int outer, int inner)
    {
        for (int r = inner; r >= 0; r = _graph.Regions[r].Parent)
        {
            if (r == outer)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>After a loop body: a fill made inside it holds the last iteration's values, which later reads must not use.</summary>
    private void EndFillScope(Dictionary<ILocalSymbol, Fill> before)
    {
        var after = _fills;
        _fills = new Dictionary<ILocalSymbol, Fill>(before, SymbolEqualityComparer.Default);
        foreach (var pair in after.Where(p => before.TryGetValue(p.Key, out var old) && old != p.Value))
        {
            _fills[pair.Key] = new Fill(null, null, null, null, null, -1, "is read after a loop that fills it once per iteration (so it holds the last iteration's values)");
        }
    }
}
