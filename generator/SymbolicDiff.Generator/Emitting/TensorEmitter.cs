using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SymbolicDiff.Generator.Model;
using SymbolicDiff.Generator.Parsing;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// Writes the gradient of a <see cref="TensorMethod"/>: a workspace class holding a buffer for every tensor
/// intermediate and its adjoint, and a gradient method that checks shapes, runs the forward pass as kernel calls
/// into the workspace, then the backward pass in reverse order with the matrix-calculus rules.
/// </summary>
internal sealed class TensorEmitter
{
    private const string K = TypeNames.TensorKernels;

    private readonly TensorMethod _m;
    private readonly IReadOnlyList<TensorNode> _nodes;
    private readonly string _t;
    private readonly bool[] _reached;
    private readonly bool[] _needsAdjoint;
    private readonly string?[] _names;
    private readonly string?[] _adjoints;
    private readonly NameAllocator _allocator = new();
    private readonly List<string> _fields = new();
    private readonly List<string> _matrixFields = new();
    private readonly StringBuilder _text = new();
    private string _workspace = "";
    private string _scope = "";
    private int _depth;
    private int _lastStatement = -1;

    private TensorEmitter(TensorMethod method)
    {
        _m = method;
        _nodes = method.Nodes;
        _t = method.Element.Keyword();
        _reached = new bool[_nodes.Count];
        _needsAdjoint = new bool[_nodes.Count];
        _names = new string?[_nodes.Count];
        _adjoints = new string?[_nodes.Count];
    }

    /// <summary>The gradient's file; with Hessian = true, the Hessian-vector product (the gradient of the tangent program) follows.</summary>
    public static string Emit(TensorMethod method)
    {
        string gradient = new TensorEmitter(method).Write();
        if (method.HessianVectorProductName is not { } product)
        {
            return gradient;
        }
        string second = new TensorEmitter(TensorTangentProgram.Build(method, product)).Write();
        // One file: the second part without the header the first already has.
        return gradient + "\n" + string.Join("\n", second.Split('\n').SkipWhile(line => line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith("#nullable", StringComparison.Ordinal) || line.Trim().Length == 0));
    }

    // ---- Analysis and names --------------------------------------------------------------------

    private void Analyse()
    {
        var fromResult = DerivativeFlow.Reach(_m.Result, id => _nodes[id].Args);
        // A Hessian-vector product also returns the method's value, which only the forward pass needs.
        var forward = _m.SecondOrder is { } secondOrder ? DerivativeFlow.Reach(secondOrder.Value, id => _nodes[id].Args) : fromResult;
        for (int id = 0; id < _reached.Length; id++)
        {
            _reached[id] = fromResult.Contains(id) || forward.Contains(id);
        }
        var active = new bool[_nodes.Count];
        foreach (var p in _m.Parameters)
        {
            active[p.Node] = p.IsDifferentiable;
        }
        foreach (var node in _nodes)
        {
            active[node.Id] |= node.Op != TensorOp.Parameter && node.Kind is not (ValueKind.Index or ValueKind.Indices) && node.Args.Any(a => active[a]);
            _needsAdjoint[node.Id] = active[node.Id] && fromResult.Contains(node.Id);
        }

        foreach (var p in _m.Parameters)
        {
            _names[p.Node] = _allocator.Claim(p.Name);
        }
        _workspace = _allocator.Unique("workspace");
        _scope = _allocator.Unique("scope");
        foreach (var p in _m.Parameters.Where(p => p.IsDifferentiable))
        {
            _adjoints[p.Node] = _allocator.Unique((_m.SecondOrder is null ? "d" : "hv") + p.Name);
        }
        int temporaries = 0;
        foreach (var node in _nodes.Where(n => _reached[n.Id] && n.Op is not (TensorOp.Parameter or TensorOp.Constant)))
        {
            _names[node.Id] = node.Name is { } name ? _allocator.Unique(name) : _allocator.Unique("t" + ++temporaries);
        }
        foreach (var node in _nodes.Where(n => _needsAdjoint[n.Id] && n.Op != TensorOp.Parameter && _names[n.Id] is not null))
        {
            _adjoints[node.Id] = _allocator.Unique("d" + _names[node.Id]);
        }
    }

    private static string Id(string name) => NameAllocator.Identifier(name);

    /// <summary>How to read a node's value: parameters and locals by name, constants as literals.</summary>
    private string Ref(int id)
    {
        var node = _nodes[id];
        if (node.Op == TensorOp.Constant)
        {
            return node.Kind == ValueKind.Index ? Code.Constant(node.Constant, ScalarType.Int).Text : Code.Constant(node.Constant, _m.Element).Text;
        }
        return Id(_names[id]!);
    }

    /// <summary>A span of a node's elements (a Mat converts through its Data).</summary>
    private string Span(int id) => _nodes[id].Kind == ValueKind.Matrix ? Ref(id) + ".Data" : Ref(id);

    private string Adj(int id) => Id(_adjoints[id]!);

    private string AdjSpan(int id) => _nodes[id].Kind == ValueKind.Matrix ? Adj(id) + ".Data" : Adj(id);

    /// <summary>The length of a vector node as an expression over parameter shapes (valid before any buffer exists).</summary>
    private string Length(int id)
    {
        var node = _nodes[id];
        return node.Op switch
        {
            TensorOp.Parameter => Ref(id) + ".Length",
            TensorOp.MatVec => Rows(node.Args[0]),
            TensorOp.MatTransposeVec => Cols(node.Args[0]),
            TensorOp.Row => Cols(node.Args[0]),
            TensorOp.Concat => string.Join(" + ", node.Args.Select(Length)),
            TensorOp.RowDots => Rows(node.Args[0]),
            _ => Length(node.Args[0]),
        };
    }

    /// <summary>The row count of a matrix node as an expression over parameter shapes (valid before any buffer exists).</summary>
    private string Rows(int id) => _nodes[id] switch
    {
        { Op: TensorOp.Parameter } => Ref(id) + ".Rows",
        { Op: TensorOp.Windows } node => $"({Ref(node.Args[1])}.Length / {Ref(node.Args[2])})",
        var node => Rows(node.Args[0]),   // MatMul, MatMulTransposeB, AddRowVector, element-wise and row-wise ops
    };

    /// <summary>The column count of a matrix node as an expression over parameter shapes.</summary>
    private string Cols(int id) => _nodes[id] switch
    {
        { Op: TensorOp.Parameter } => Ref(id) + ".Cols",
        { Op: TensorOp.MatMul } node => Cols(node.Args[1]),
        { Op: TensorOp.MatMulTransposeB } node => Rows(node.Args[1]),
        { Op: TensorOp.Windows } node => $"{Ref(node.Args[2])} * {Cols(node.Args[0])}",
        var node => Cols(node.Args[0]),
    };

    /// <summary>
    /// After a span kernel wrote into a matrix parameter's adjoint, a line that marks all its rows written, so a
    /// row-sparse optimizer does not miss them (the Mat kernels mark for themselves).
    /// </summary>
    private void MarkDense(int id)
    {
        if (_nodes[id].Op == TensorOp.Parameter && _nodes[id].Kind == ValueKind.Matrix)
        {
            Line($"{Adj(id)}.TouchedRows?.MarkAll();");
        }
    }

    // ---- Writing -------------------------------------------------------------------------------

    private string Write()
    {
        Analyse();
        string workspaceType = Emitter.TypePath(_m.Namespace, _m.ContainingTypes) + "." + _m.Name + "Workspace";
        _depth = 1 + _m.ContainingTypes.Count + (_m.Namespace is null ? 0 : 1);

        WriteShapeChecks();
        Line("// The workspace's buffers serve one call at a time: a call from another thread while this one runs throws.");
        Line($"using var {Id(_scope)} = {Id(_workspace)}.Enter(\"{_m.GradientName}\");");
        Line();
        Line("// Forward pass");
        foreach (var node in _nodes.Where(n => _reached[n.Id] && n.Op is not (TensorOp.Parameter or TensorOp.Constant)))
        {
            Comment(node.Statement);
            WriteForward(node, workspaceType);
        }
        Line();
        _lastStatement = -1;
        Line("// Backward pass: each adjoint d<name> = ∂result/∂<name>, summed over the uses of <name>");
        var result = _nodes[_m.Result];
        if (_needsAdjoint[_m.Result])
        {
            foreach (var node in _nodes.Where(n => _needsAdjoint[n.Id] && n.Op != TensorOp.Parameter))
            {
                if (node.Kind == ValueKind.Scalar)
                {
                    Line($"{_t} {Adj(node.Id)} = {Code.Constant(node.Id == _m.Result ? 1 : 0, _m.Element).Text};");
                }
                else if (node.Kind == ValueKind.Matrix)
                {
                    _matrixFields.Add(_adjoints[node.Id]!);
                    Line($"{TypeNames.Mat(_t)} {Adj(node.Id)} = {workspaceType}.Cleared(ref {Id(_workspace)}.{Id(_adjoints[node.Id]!)}, {Rows(node.Id)}, {Cols(node.Id)});");
                }
                else
                {
                    _fields.Add(_adjoints[node.Id]!);
                    Line($"{_t}[] {Adj(node.Id)} = {workspaceType}.Cleared(ref {Id(_workspace)}.{Id(_adjoints[node.Id]!)}, {Length(node.Id)});");
                }
            }
            if (result.Op == TensorOp.Parameter)
            {
                Line($"{Adj(_m.Result)} += {Code.Constant(1, _m.Element).Text};");
            }
            for (int id = _nodes.Count - 1; id >= 0; id--)
            {
                var node = _nodes[id];
                if (_needsAdjoint[id] && node.Op != TensorOp.Parameter)
                {
                    Comment(node.Statement, "adjoint of: ");
                    WriteBackward(node);
                }
            }
        }
        Line();
        Line($"return {Ref(_m.SecondOrder?.Value ?? _m.Result)};");
        return WriteFile(_text.ToString(), workspaceType);
    }

    private void WriteShapeChecks()
    {
        foreach (var p in _m.Parameters.Where(p => p.Kind is ValueKind.Vector or ValueKind.Matrix))
        {
            Line($"{TypeNames.ArgumentNullException}.ThrowIfNull({Ref(p.Node)});");
            if (p.IsDifferentiable)
            {
                Line($"{TypeNames.ArgumentNullException}.ThrowIfNull({Adj(p.Node)});");
            }
        }
        Line($"{TypeNames.ArgumentNullException}.ThrowIfNull({Id(_workspace)});");
        Line("// Shapes are checked before anything is written, so a mismatch leaves the adjoints untouched.");
        var seen = new HashSet<string>();
        void Check(string left, string right, string context)
        {
            if (left == right || !seen.Add(left + "==" + right))
            {
                return;
            }
            Line($"if ({left} != {right})");
            Line("{");
            _depth++;
            string where = context.StartsWith("the adjoint") || context.StartsWith("the direction") ? " (" + context + ")" : " in '" + context + "'";
            Line($"throw new {TypeNames.ArgumentException}($\"{Escape(_m.Name)}: {Escape(left)} ({{{left}}}) must equal {Escape(right)} ({{{right}}}){Escape(where)}.\");");
            _depth--;
            Line("}");
        }
        // A Hessian-vector product's directions have the shapes of their parameters.
        var directions = _m.SecondOrder is { } secondOrder
            ? _m.Parameters.Where(p => p.IsDifferentiable).Zip(secondOrder.Directions, (p, d) => (Of: p, Name: d)).ToList()
            : new List<(TensorParameter Of, string Name)>();
        foreach (var (of, name) in directions.Where(d => d.Of.Kind != ValueKind.Scalar))
        {
            string v = Id(name);
            foreach (string dimension in of.Kind == ValueKind.Matrix ? new[] { ".Rows", ".Cols" } : new[] { ".Length" })
            {
                Check(v + dimension, Ref(of.Node) + dimension, "the direction " + v + " must have the shape of " + of.Name);
            }
        }
        foreach (var p in _m.Parameters.Where(p => p.IsDifferentiable))
        {
            if (p.Kind == ValueKind.Matrix)
            {
                Check(Adj(p.Node) + ".Rows", Ref(p.Node) + ".Rows", "the adjoint " + Adj(p.Node) + " must have the shape of " + p.Name);
                Check(Adj(p.Node) + ".Cols", Ref(p.Node) + ".Cols", "the adjoint " + Adj(p.Node) + " must have the shape of " + p.Name);
            }
            else if (p.Kind == ValueKind.Vector)
            {
                Check(Adj(p.Node) + ".Length", Ref(p.Node) + ".Length", "the adjoint " + Adj(p.Node) + " must have the shape of " + p.Name);
            }
        }
        foreach (var node in _nodes.Where(n => _reached[n.Id]))
        {
            string context = _m.Statements[node.Statement].Text;
            switch (node.Op)
            {
                case TensorOp.MatVec:
                    Check(Cols(node.Args[0]), Length(node.Args[1]), context);
                    break;
                case TensorOp.MatTransposeVec:
                    Check(Rows(node.Args[0]), Length(node.Args[1]), context);
                    break;
                case TensorOp.MatMul:
                    Check(Cols(node.Args[0]), Rows(node.Args[1]), context);
                    break;
                case TensorOp.MatMulTransposeB:
                    Check(Cols(node.Args[0]), Cols(node.Args[1]), context);
                    break;
                case TensorOp.AddRowVector:
                    Check(Cols(node.Args[0]), Length(node.Args[1]), context);
                    break;
                case TensorOp.CrossEntropy or TensorOp.MeanCrossEntropy when _nodes[node.Args[0]].Kind == ValueKind.Matrix:
                    Check(Length(node.Args[1]), Rows(node.Args[0]), context);
                    break;
                case TensorOp.Windows:
                    Check($"{Ref(node.Args[1])}.Length % {Ref(node.Args[2])}", "0", context);
                    break;
                case TensorOp.VectorAdd or TensorOp.VectorSubtract or TensorOp.Hadamard or TensorOp.Dot or TensorOp.RowDots when _nodes[node.Args[0]].Kind == ValueKind.Matrix && _nodes[node.Args[1]].Kind == ValueKind.Matrix:
                    Check(Rows(node.Args[0]), Rows(node.Args[1]), context);
                    Check(Cols(node.Args[0]), Cols(node.Args[1]), context);
                    break;
                case TensorOp.VectorAdd or TensorOp.VectorSubtract or TensorOp.Hadamard or TensorOp.Dot:
                    Check(Length(node.Args[0]), Length(node.Args[1]), context);
                    break;
            }
        }
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("{", "{{").Replace("}", "}}");

    private void WriteForward(TensorNode node, string workspaceType)
    {
        string name = Id(_names[node.Id]!);
        var a = node.Args;
        if (node.Kind == ValueKind.Vector)
        {
            _fields.Add(_names[node.Id]!);
            Line($"{_t}[] {name} = {workspaceType}.Sized(ref {Id(_workspace)}.{name}, {Length(node.Id)});");
        }
        else if (node.Kind == ValueKind.Matrix)
        {
            _matrixFields.Add(_names[node.Id]!);
            Line($"{TypeNames.Mat(_t)} {name} = {workspaceType}.Sized(ref {Id(_workspace)}.{name}, {Rows(node.Id)}, {Cols(node.Id)});");
        }
        string k = $"{K}.";
        string g = $"<{_t}>";
        switch (node.Op)
        {
            case TensorOp.Add or TensorOp.Subtract or TensorOp.Multiply or TensorOp.Divide:
                string symbol = node.Op switch { TensorOp.Add => "+", TensorOp.Subtract => "-", TensorOp.Multiply => "*", _ => "/" };
                Line($"{_t} {name} = {Ref(a[0])} {symbol} {Ref(a[1])};");
                break;
            case TensorOp.Negate:
                Line($"{_t} {name} = -{Ref(a[0])};");
                break;
            case TensorOp.MatVec:
                Line($"{k}MatVec{g}({Ref(a[0])}, {Ref(a[1])}, {name});");
                break;
            case TensorOp.MatTransposeVec:
                Line($"{k}MatTransposeVec{g}({Ref(a[0])}, {Ref(a[1])}, {name});");
                break;
            case TensorOp.MatMul:
                Line($"{k}MatMul{g}({Ref(a[0])}, {Ref(a[1])}, {name});");
                break;
            case TensorOp.MatMulTransposeB:
                Line($"{k}MatMulTransposeB{g}({Ref(a[0])}, {Ref(a[1])}, {name});   // {name} = {Ref(a[0])}·{Ref(a[1])}ᵀ");
                break;
            case TensorOp.AddRowVector:
                Line($"{k}AddRowVector{g}({Ref(a[0])}, {Ref(a[1])}, {name});   // {Ref(a[1])} added to every row");
                break;
            case TensorOp.Windows:
                Line($"{k}GatherWindows{g}({Ref(a[0])}, {Ref(a[1])}, {Ref(a[2])}, {name});");
                break;
            case TensorOp.Softmax or TensorOp.LogSoftmax when node.Kind == ValueKind.Matrix:
                Line($"{k}{node.Op}Rows{g}({Ref(a[0])}, {name});   // row by row");
                break;
            case TensorOp.CrossEntropy when _nodes[a[0]].Kind == ValueKind.Matrix:
                Line($"{_t} {name} = {k}CrossEntropyRows{g}({Ref(a[0])}, {Ref(a[1])});   // summed over the batch");
                break;
            case TensorOp.MeanCrossEntropy:
                Line($"{_t} {name} = {k}CrossEntropyRows{g}({Ref(a[0])}, {Ref(a[1])}) / {Rows(a[0])};   // mean over the batch");
                break;
            case TensorOp.ScalarSigmoid:
                Line($"{_t} {name} = {k}Sigmoid{g}({Ref(a[0])});");
                break;
            case TensorOp.LogisticLoss:
                Line($"{_t} {name} = {k}LogisticLoss{g}({Ref(a[0])}, {Ref(a[1])});");
                break;
            case TensorOp.Hinge:
                Line($"{_t} {name} = {k}Hinge{g}({Ref(a[0])}, {Ref(a[1])});");
                break;
            case TensorOp.VectorAdd:
                Line($"{k}Add{g}({Span(a[0])}, {Span(a[1])}, {Span(node.Id)});");
                break;
            case TensorOp.PickRows:
                string r = _allocator.Unique("r");
                Line($"{_t} {name} = {Code.Constant(0, _m.Element).Text};");
                Line($"for (int {r} = 0; {r} < {Ref(a[0])}.Rows; {r}++) {name} += {Ref(a[0])}.Data[{r} * {Ref(a[0])}.Cols + {Ref(a[1])}[{r}]];   // Σ_r {Ref(a[0])}[r, label_r]");
                break;
            case TensorOp.RowCount:
                Line($"int {name} = {Ref(a[0])}.Rows;");
                break;
            case TensorOp.AddScalar:
                string e1 = _allocator.Unique("i");
                Line($"for (int {e1} = 0; {e1} < {Span(node.Id)}.Length; {e1}++) {Span(node.Id)}[{e1}] = {Span(a[0])}[{e1}] + {Ref(a[1])};");
                break;
            case TensorOp.HingeSlope:
                Line($"{_t} {name} = {k}HingeSlope{g}({Ref(a[0])}, {Ref(a[1])});   // 1 while 1 − s + s_c > 0, else 0");
                break;
            case TensorOp.Zeros:
                Line($"{TypeNames.Array}.Clear({Span(node.Id)});   // zeros: what does not depend on the parameters has no derivative");
                break;
            case TensorOp.VectorSubtract:
                Line($"{k}Subtract{g}({Span(a[0])}, {Span(a[1])}, {Span(node.Id)});");
                break;
            case TensorOp.Hadamard:
                Line($"{k}Multiply{g}({Span(a[0])}, {Span(a[1])}, {Span(node.Id)});");
                break;
            case TensorOp.RowDots or TensorOp.ScaleRows or TensorOp.AddToRows:
                WriteRowWise(node, name);
                break;
            case TensorOp.Scale:
                Line($"{k}Scale{g}({Ref(a[0])}, {Ref(a[1])}, {name});");
                break;
            case TensorOp.Tanh or TensorOp.Sigmoid or TensorOp.ReLU or TensorOp.HardTanh or TensorOp.Exp or TensorOp.Log
                or TensorOp.Softmax or TensorOp.LogSoftmax:
                Line($"{k}{node.Op}{g}({Span(a[0])}, {Span(node.Id)});");
                break;
            case TensorOp.Map:
                string e = _allocator.Unique("i");
                Line($"for (int {e} = 0; {e} < {name}.Length; {e}++) {name}[{e}] = {FunctionName(node.Function!.Value)}({Ref(a[0])}[{e}]);");
                break;
            case TensorOp.Row:
                Line($"{k}GatherRow{g}({Ref(a[0])}, {Ref(a[1])}, {name});");
                break;
            case TensorOp.Rule:
                WriteRule(node, name);
                break;
            case TensorOp.Concat:
                for (int i = 0; i < a.Count; i++)
                {
                    Line($"{k}ConcatInto{g}({Ref(a[i])}, {name}, {Offset(node, i)});");
                }
                break;
            case TensorOp.Dot:
                Line($"{_t} {name} = {k}Dot{g}({Span(a[0])}, {Span(a[1])});");
                break;
            case TensorOp.Sum:
                Line($"{_t} {name} = {k}Sum{g}({Span(a[0])});");
                break;
            case TensorOp.SquaredNorm:
                Line($"{_t} {name} = {k}SquaredNorm{g}({Span(a[0])});");
                break;
            case TensorOp.CrossEntropy:
                Line($"{_t} {name} = {k}CrossEntropy{g}({Ref(a[0])}, {Ref(a[1])});");
                break;
            case TensorOp.Element:
                Line($"{_t} {name} = {Ref(a[0])}[{Ref(a[1])}];");
                break;
            default:
                throw new InvalidOperationException("no forward rule for " + node.Op);
        }
    }

    /// <summary>
    /// The backward pass of an element-wise y = f(x): dx[i] += ∂f/∂x·dy[i], the table's rule for f read at x[i] and y[i].
    /// It runs over Vector&lt;T&gt; lanes, Vector&lt;T&gt;.Count elements at a time, then over the remaining elements one by
    /// one; a rule that applies a function with no Vector&lt;T&gt; form (exp, erf, …) is the element loop alone. Where
    /// the rule can be infinite (CanLeaveDomain: 1/x at 0), an element whose dy is 0 passes on nothing, so 0·∞ never makes a NaN.
    /// </summary>
    private void WriteElementWiseBackward(TensorNode node)
    {
        var operation = Operations.Of(node.ElementWise!.Value)!;
        if (operation.Partials[0] is not { } partial)
        {
            return;   // piecewise constant: nothing flows
        }
        // A leading minus (cos′ = −sin) subtracts instead.
        bool negate = partial is Derivative.Apply { Op: Op.Negate };
        var rule = negate ? ((Derivative.Apply)partial).Args[0] : partial;
        int x = node.Args[0];
        string xs = Elements(x), ys = Elements(node.Id), ds = AdjElements(node.Id), dxs = AdjElements(x);
        string zero = Code.Constant(0, _m.Element).Text, lanes = TypeNames.Lanes(_t), i = _allocator.Unique("i");
        var share = RuleText.Of(rule, _m.Element, _ => Code.Name($"{xs}[{i}]"), _ => x, () => Code.Name($"{ys}[{i}]"), Code.Name($"{ds}[{i}]"),
            _ => throw new InvalidOperationException("no calls in an element-wise rule"), (f, _) => FunctionName(f));
        string one = $"{(operation.CanLeaveDomain ? $"if ({ds}[{i}] != {zero}) " : "")}{dxs}[{i}] {(negate ? "-=" : "+=")} {share.Text};";
        // Whether the rule has a Vector<T> form at all, before any lane is named.
        if (RuleText.VectorOf(rule, _m.Element, _ => Code.Name("_"), (f, _) => FunctionName(f)) is null)
        {
            Line($"for (int {i} = 0; {i} < {ys}.Length; {i}++) {one}   // the table's rule for {operation.Name}, element by element");
            MarkDense(x);
            return;
        }
        // The lanes the rule reads, each loaded once per step.
        var loads = new List<(Derivative Leaf, string Name, string From)>();
        foreach (var (leaf, name, from) in new[] { (Derivative.A, _names[x]!, xs), (Derivative.R, _names[node.Id]!, ys), (Derivative.D, _adjoints[node.Id]!, ds) })
        {
            if (rule.Reads(e => e == leaf))
            {
                loads.Add((leaf, Id(_allocator.Unique("v" + name)), from));
            }
        }
        var vector = RuleText.VectorOf(rule, _m.Element, leaf => Code.Name(loads.First(l => l.Leaf == leaf).Name), (f, _) => FunctionName(f))!.Value;
        if (operation.CanLeaveDomain)
        {
            string d = loads.First(l => l.Leaf == Derivative.D).Name;
            vector = Code.Call(TypeNames.Vector + ".ConditionalSelect", Code.Call(TypeNames.Vector + ".Equals", Code.Name(d), Code.Name(lanes + ".Zero")), Code.Name(lanes + ".Zero"), vector);
        }
        var accumulated = Code.Name($"new {lanes}({dxs}, {i})");
        Line($"// {Adj(x)} += {Adj(node.Id)} ∘ {operation.Name}′({Ref(x)}), the table's rule: Vector<{_t}>.Count elements at a time, then one by one");
        Line($"int {i} = 0;");
        Line($"for (; {i} <= {ys}.Length - {lanes}.Count; {i} += {lanes}.Count)");
        Line("{");
        _depth++;
        foreach (var (_, name, from) in loads)
        {
            Line($"var {name} = new {lanes}({from}, {i});");
        }
        Line($"({(negate ? Code.Minus(accumulated, vector) : Code.Plus(accumulated, vector)).Text}).CopyTo({dxs}, {i});");
        _depth--;
        Line("}");
        Line($"for (; {i} < {ys}.Length; {i}++) {one}");
        MarkDense(x);
    }

    /// <summary>A tensor's elements as an array: a matrix's or a vector parameter's Data, an intermediate vector itself.</summary>
    private string Elements(int id) => IsWrapped(id) ? Ref(id) + ".Data" : Ref(id);

    /// <summary>The elements of a tensor's adjoint as an array.</summary>
    private string AdjElements(int id) => IsWrapped(id) ? Adj(id) + ".Data" : Adj(id);

    /// <summary>A Mat, or a Vec parameter (intermediate vectors are plain arrays).</summary>
    private bool IsWrapped(int id) => _nodes[id].Kind == ValueKind.Matrix || (_nodes[id].Kind == ValueKind.Vector && _nodes[id].Op == TensorOp.Parameter);

    /// <summary>
    /// The tangent of an element-wise operation: its table rule per element (A = x, R = y, D = ẋ), skipped where ẋ is 0
    /// when the rule can be infinite there (so 0·∞ never makes a NaN).
    /// </summary>
    private void WriteRule(TensorNode node, string name)
    {
        var operation = Operations.Of(node.Function!.Value)!;
        if (node.Kind == ValueKind.Scalar)
        {
            string value = RuleAt(operation.Partials[0]!, node, "", Ref(node.Args[2])).Text;
            Line(operation.CanLeaveDomain
                ? $"{_t} {name} = {Ref(node.Args[2])} == {Code.Constant(0, _m.Element).Text} ? {Code.Constant(0, _m.Element).Text} : {value};"
                : $"{_t} {name} = {value};");
            return;
        }
        string i = _allocator.Unique("i");
        string t = $"{Span(node.Args[2])}[{i}]", y = Span(node.Id);
        string element = RuleAt(operation.Partials[0]!, node, $"[{i}]", t).Text;
        string comment = $"   // the derivative of {operation.Name}({Ref(node.Args[0])}) along v: its table rule, per element";
        Line(operation.CanLeaveDomain
            ? $"for (int {i} = 0; {i} < {y}.Length; {i}++) {y}[{i}] = {t} == {Code.Constant(0, _m.Element).Text} ? {Code.Constant(0, _m.Element).Text} : {element};{comment}"
            : $"for (int {i} = 0; {i} < {y}.Length; {i}++) {y}[{i}] = {element};{comment}");
    }

    /// <summary>
    /// The backward pass of a <see cref="TensorOp.Rule"/>: the rule's own partial derivatives with respect to x, y and
    /// ẋ (<see cref="DerivativeAlgebra"/>), each times the incoming adjoint, per element.
    /// </summary>
    private void WriteRuleBackward(TensorNode node, string d)
    {
        var operation = Operations.Of(node.Function!.Value)!;
        var rule = operation.Partials[0]!;
        var inputs = new[] { Derivative.A, Derivative.R, Derivative.D };
        bool scalar = node.Kind == ValueKind.Scalar;
        string i = scalar ? "" : _allocator.Unique("i");
        string at = scalar ? "" : $"[{i}]";
        string zero = Code.Constant(0, _m.Element).Text;
        for (int k = 0; k < 3; k++)
        {
            var partial = DerivativeAlgebra.Partial(rule, inputs[k]);
            if (!_needsAdjoint[node.Args[k]] || partial is Derivative.Constant { Value: 0 })
            {
                continue;
            }
            string dd = scalar ? d : AdjSpan(node.Id), tangent = scalar ? Ref(node.Args[2]) : Span(node.Args[2]);
            string share = Code.Times(Code.Name(dd + at), RuleAt(partial, node, at, tangent + at)).Text;
            // Where the rule can be infinite, a zero tangent (for ∂/∂x, ∂/∂y) or a zero adjoint passes nothing on.
            string guard = !operation.CanLeaveDomain ? "" : k == 2 ? $"if ({dd}{at} != {zero}) " : $"if ({dd}{at} != {zero} && {tangent}{at} != {zero}) ";
            string update = $"{guard}{(scalar ? Adj(node.Args[k]) : AdjSpan(node.Args[k]))}{at} += {share};";
            Line(scalar ? update : $"for (int {i} = 0; {i} < {Span(node.Id)}.Length; {i}++) {update}");
            if (!scalar)
            {
                MarkDense(node.Args[k]);
            }
        }
    }

    /// <summary>A rule of the table at one element: A = x, R = y (the node's operands 0 and 1), D = the given tangent.</summary>
    private Code RuleAt(Derivative rule, TensorNode node, string at, string tangent) =>
        RuleText.Of(rule, _m.Element, _ => Code.Name((at.Length == 0 ? Ref(node.Args[0]) : Span(node.Args[0])) + at), _ => node.Args[0],
            () => Code.Name((at.Length == 0 ? Ref(node.Args[1]) : Span(node.Args[1])) + at),
            Code.Name(tangent), _ => throw new InvalidOperationException("no calls in a rule"), (f, _) => FunctionName(f));

    /// <summary>Row-wise operations of the batched tangents (row-wise softmax): per row r and column j of the matrix operand.</summary>
    private void WriteRowWise(TensorNode node, string name)
    {
        string a = Ref(node.Args[0]), c = Span(node.Args[1]), r = _allocator.Unique("r"), j = _allocator.Unique("j");
        string element = $"{a}.Data[{r} * {a}.Cols + {j}]";
        switch (node.Op)
        {
            case TensorOp.RowDots:
                string b = Ref(node.Args[1]);
                Line($"for (int {r} = 0; {r} < {a}.Rows; {r}++) {{ {_t} sum = {Code.Constant(0, _m.Element).Text}; for (int {j} = 0; {j} < {a}.Cols; {j}++) sum += {element} * {b}.Data[{r} * {b}.Cols + {j}]; {name}[{r}] = sum; }}   // row by row: {a}ᵣ·{b}ᵣ");
                break;
            case TensorOp.ScaleRows:
                Line($"for (int {r} = 0; {r} < {a}.Rows; {r}++) for (int {j} = 0; {j} < {a}.Cols; {j}++) {name}.Data[{r} * {a}.Cols + {j}] = {element} * {c}[{r}];   // row r times {c}[r]");
                break;
            default:
                Line($"for (int {r} = 0; {r} < {a}.Rows; {r}++) for (int {j} = 0; {j} < {a}.Cols; {j}++) {name}.Data[{r} * {a}.Cols + {j}] = {element} + {c}[{r}];   // {c}[r] added to row r");
                break;
        }
    }

    private void WriteRowWiseBackward(TensorNode node)
    {
        string a = Ref(node.Args[0]), r = _allocator.Unique("r"), j = _allocator.Unique("j");
        string at = $"[{r} * {a}.Cols + {j}]";
        string d = AdjSpan(node.Id);
        bool needsA = _needsAdjoint[node.Args[0]], needsB = _needsAdjoint[node.Args[1]];
        string loop = $"for (int {r} = 0; {r} < {a}.Rows; {r}++) for (int {j} = 0; {j} < {a}.Cols; {j}++) ";
        switch (node.Op)
        {
            case TensorOp.RowDots:
                string b = Ref(node.Args[1]);
                if (needsA) Line($"{loop}{AdjSpan(node.Args[0])}{at} += {d}[{r}] * {b}.Data{at};");
                if (needsB) Line($"{loop}{AdjSpan(node.Args[1])}{at} += {d}[{r}] * {a}.Data{at};");
                break;
            case TensorOp.ScaleRows:
                if (needsA) Line($"{loop}{AdjSpan(node.Args[0])}{at} += {d}{at} * {Span(node.Args[1])}[{r}];");
                if (needsB) Line($"{loop}{AdjSpan(node.Args[1])}[{r}] += {d}{at} * {a}.Data{at};");
                break;
            default:
                if (needsA) Line($"{loop}{AdjSpan(node.Args[0])}{at} += {d}{at};");
                if (needsB) Line($"{loop}{AdjSpan(node.Args[1])}[{r}] += {d}{at};");
                break;
        }
        if (needsA) MarkDense(node.Args[0]);
    }

    /// <summary>
    /// The shares of a scalar operator (s = a / b, …): its table rule per operand, a leading minus written as -=. Where
    /// the rule can be infinite (a / b at b = 0) a zero adjoint passes on nothing, so 0·∞ never makes a NaN.
    /// </summary>
    private void WriteScalarBackward(TensorNode node)
    {
        var operation = Operations.Of(node.Op switch
        {
            TensorOp.Add => Op.Add,
            TensorOp.Subtract => Op.Subtract,
            TensorOp.Multiply => Op.Multiply,
            TensorOp.Divide => Op.Divide,
            _ => Op.Negate,
        })!;
        string d = Adj(node.Id);
        for (int k = 0; k < node.Args.Count; k++)
        {
            if (!_needsAdjoint[node.Args[k]] || operation.Partials[k] is not { } partial)
            {
                continue;
            }
            bool negate = partial is Derivative.Apply { Op: Op.Negate };
            var share = RuleText.Of(negate ? ((Derivative.Apply)partial).Args[0] : partial, _m.Element, i => Code.Name(Ref(node.Args[i])), i => node.Args[i],
                () => Code.Name(Ref(node.Id)), Code.Name(d), _ => throw new InvalidOperationException("no calls here"), (f, _) => FunctionName(f));
            string gate = operation.CanLeaveDomain ? $"if ({d} != {Code.Constant(0, _m.Element).Text}) " : "";
            Line($"{gate}{Adj(node.Args[k])} {(negate ? "-=" : "+=")} {share.Text};");
        }
    }

    /// <summary>The table's share of the scalar adjoint <paramref name="d"/> for a one-operand function (no leading minus).</summary>
    private string ScalarShare(Op op, int operand, int result, string d) =>
        RuleText.Of(Operations.Of(op)!.Partials[0]!, _m.Element, _ => Code.Name(Ref(operand)), _ => operand, () => Code.Name(Ref(result)),
            Code.Name(d), _ => throw new InvalidOperationException("no calls here"), (f, _) => FunctionName(f)).Text;

    /// <summary>A table function's name for this method's element type, global::-qualified (tensor files import nothing else).</summary>
    private string FunctionName(Op op) =>
        Emitter.FunctionName(Operations.Of(op)!, _m.Element, Emitter.MathClass,
            Emitter.ActivationsClass);

    private string Offset(TensorNode concat, int piece) =>
        piece == 0 ? "0" : string.Join(" + ", concat.Args.Take(piece).Select(p => Ref(p) + ".Length"));

    private void WriteBackward(TensorNode node)
    {
        var a = node.Args;
        string d = Adj(node.Id);
        string k = $"{K}.";
        string g = $"<{_t}>";
        bool Needs(int i) => _needsAdjoint[a[i]];
        switch (node.Op)
        {
            case TensorOp.Add or TensorOp.Subtract or TensorOp.Multiply or TensorOp.Divide or TensorOp.Negate:
                WriteScalarBackward(node);
                break;
            case TensorOp.MatVec:
                if (Needs(1)) Line($"{k}MatTransposeVecAdd{g}({Ref(a[0])}, {d}, {Adj(a[1])});   // d{Ref(a[1])} += {Ref(a[0])}ᵀ·{d}");
                if (Needs(0)) Line($"{k}OuterAdd{g}({Adj(a[0])}, {d}, {Ref(a[1])});   // {Adj(a[0])} += {d}·{Ref(a[1])}ᵀ");
                break;
            case TensorOp.MatTransposeVec:
                if (Needs(1)) Line($"{k}MatVecAdd{g}({Ref(a[0])}, {d}, {Adj(a[1])});   // d{Ref(a[1])} += {Ref(a[0])}·{d}");
                if (Needs(0)) Line($"{k}OuterAdd{g}({Adj(a[0])}, {Ref(a[1])}, {d});   // {Adj(a[0])} += {Ref(a[1])}·{d}ᵀ");
                break;
            case TensorOp.MatMul:
                if (Needs(0)) Line($"{k}MatMulTransposeBAdd{g}({d}, {Ref(a[1])}, {Adj(a[0])});   // {Adj(a[0])} += {d}·{Ref(a[1])}ᵀ");
                if (Needs(1)) Line($"{k}MatMulTransposeAAdd{g}({Ref(a[0])}, {d}, {Adj(a[1])});   // {Adj(a[1])} += {Ref(a[0])}ᵀ·{d}");
                break;
            case TensorOp.MatMulTransposeB:
                if (Needs(0)) Line($"{k}MatMulAdd{g}({d}, {Ref(a[1])}, {Adj(a[0])});   // {Adj(a[0])} += {d}·{Ref(a[1])}");
                if (Needs(1)) Line($"{k}MatMulTransposeAAdd{g}({d}, {Ref(a[0])}, {Adj(a[1])});   // {Adj(a[1])} += {d}ᵀ·{Ref(a[0])}");
                break;
            case TensorOp.AddRowVector:
                if (Needs(0)) Line($"{k}AddInPlace{g}({Adj(a[0])}, {d});");
                if (Needs(1)) Line($"{k}ColumnSumsAdd{g}({d}, {Adj(a[1])});   // {Adj(a[1])} += the column sums of {d}");
                break;
            case TensorOp.Windows:
                if (Needs(0)) Line($"{k}ScatterAddWindows{g}({Adj(a[0])}, {Ref(a[1])}, {Ref(a[2])}, {d});   // only the rows looked up change");
                break;
            case TensorOp.Softmax or TensorOp.LogSoftmax when node.Kind == ValueKind.Matrix:
                if (Needs(0)) Line($"{k}{node.Op}RowsBackward{g}({Ref(node.Id)}, {d}, {Adj(a[0])});");
                break;
            case TensorOp.CrossEntropy or TensorOp.MeanCrossEntropy when _nodes[a[0]].Kind == ValueKind.Matrix:
                if (Needs(0))
                {
                    string scratch = _allocator.Unique("softmax_" + _names[a[0]]);
                    _fields.Add(scratch);
                    string scale = node.Op == TensorOp.MeanCrossEntropy ? $"{d} / {Rows(a[0])}" : d;
                    Line($"{k}CrossEntropyRowsBackward{g}({Ref(a[0])}, {Ref(a[1])}, {scale}, {Adj(a[0])}, {_m.Name}Workspace.Sized(ref {Id(_workspace)}.{scratch}, {Cols(a[0])}));   // softmax − onehot, row by row");
                }
                break;
            case TensorOp.ScalarSigmoid:
                if (Needs(0)) Line($"{Adj(a[0])} += {ScalarShare(Op.Sigmoid, a[0], node.Id, d)};   // ∂σ(s)/∂s·d");
                break;
            case TensorOp.LogisticLoss:
                if (Needs(0)) Line($"{Adj(a[0])} += {d} * {k}LogisticLossDerivative{g}({Ref(a[0])}, {Ref(a[1])});   // σ(s) − label");
                break;
            case TensorOp.Hinge:
                if (Needs(0)) Line($"{Adj(a[0])} -= {d} * {k}HingeSlope{g}({Ref(a[0])}, {Ref(a[1])});   // −1 while 1 − s + s_c > 0, else 0");
                if (Needs(1)) Line($"{Adj(a[1])} += {d} * {k}HingeSlope{g}({Ref(a[0])}, {Ref(a[1])});   // 1 while 1 − s + s_c > 0, else 0");
                break;
            case TensorOp.VectorAdd:
                if (Needs(0)) Line($"{k}AddInPlace{g}({Adj(a[0])}, {d});");
                if (Needs(1)) Line($"{k}AddInPlace{g}({Adj(a[1])}, {d});");
                break;
            case TensorOp.PickRows:
                if (Needs(0))
                {
                    string r = _allocator.Unique("r");
                    Line($"for (int {r} = 0; {r} < {Ref(a[0])}.Rows; {r}++) {Adj(a[0])}.Data[{r} * {Ref(a[0])}.Cols + {Ref(a[1])}[{r}]] += {d};");
                    MarkDense(a[0]);
                }
                break;
            case TensorOp.RowCount or TensorOp.HingeSlope or TensorOp.Zeros:
                break;   // piecewise constant (or constant): nothing flows
            case TensorOp.AddScalar:
                if (Needs(0)) Line($"{k}AddInPlace{g}({Adj(a[0])}, {d});");
                if (Needs(1)) Line($"{Adj(a[1])} += {k}Sum{g}({AdjSpan(node.Id)});");
                break;
            case TensorOp.VectorSubtract:
                if (Needs(0)) Line($"{k}AddInPlace{g}({Adj(a[0])}, {d});");
                if (Needs(1)) Line($"{k}ScaleAdd{g}({Adj(a[1])}, {d}, {Code.Constant(-1, _m.Element).Text});");
                break;
            case TensorOp.Hadamard:
                if (Needs(0)) Line($"{k}MultiplyAdd{g}({AdjSpan(node.Id)}, {Span(a[1])}, {AdjSpan(a[0])});");
                if (Needs(1)) Line($"{k}MultiplyAdd{g}({AdjSpan(node.Id)}, {Span(a[0])}, {AdjSpan(a[1])});");
                if (Needs(0)) MarkDense(a[0]);
                if (Needs(1)) MarkDense(a[1]);
                break;
            case TensorOp.RowDots or TensorOp.ScaleRows or TensorOp.AddToRows:
                WriteRowWiseBackward(node);
                break;
            case TensorOp.Scale:
                if (Needs(0)) Line($"{k}ScaleAdd{g}({Adj(a[0])}, {d}, {Ref(a[1])});");
                if (Needs(1)) Line($"{Adj(a[1])} += {k}Dot{g}({d}, {Ref(a[0])});");
                break;
            case TensorOp.Dot:
                if (Needs(0)) Line($"{k}ScaleAdd{g}({Adj(a[0])}, {Ref(a[1])}, {d});");
                if (Needs(1)) Line($"{k}ScaleAdd{g}({Adj(a[1])}, {Ref(a[0])}, {d});");
                break;
            case TensorOp.Sum:
                if (Needs(0)) Line($"{k}AddScalarInPlace{g}({AdjSpan(a[0])}, {d});");
                if (Needs(0)) MarkDense(a[0]);
                break;
            case TensorOp.Softmax or TensorOp.LogSoftmax:
                if (Needs(0)) Line($"{k}{node.Op}Backward{g}({Span(node.Id)}, {AdjSpan(node.Id)}, {AdjSpan(a[0])});");
                if (Needs(0)) MarkDense(a[0]);
                break;
            case TensorOp.Tanh or TensorOp.Sigmoid or TensorOp.ReLU or TensorOp.HardTanh or TensorOp.Exp or TensorOp.Log or TensorOp.Map:
                if (Needs(0)) WriteElementWiseBackward(node);
                break;
            case TensorOp.Rule:
                WriteRuleBackward(node, d);
                break;
            case TensorOp.CrossEntropy:
                if (Needs(0))
                {
                    string scratch = _allocator.Unique("softmax_" + _names[a[0]]);
                    _fields.Add(scratch);
                    Line($"{k}CrossEntropyBackward{g}({Ref(a[0])}, {Ref(a[1])}, {d}, {Adj(a[0])}, {Emitter.TypePath(_m.Namespace, _m.ContainingTypes)}.{_m.Name}Workspace.Sized(ref {Id(_workspace)}.{scratch}, {Ref(a[0])}.Length));");
                }
                break;
            case TensorOp.SquaredNorm:
                if (Needs(0)) Line($"{k}ScaleAdd{g}({Adj(a[0])}, {Ref(a[0])}, {Code.Constant(2, _m.Element).Text} * {d});");
                break;
            case TensorOp.Row:
                if (Needs(0)) Line($"{k}ScatterAddRow{g}({Adj(a[0])}, {Ref(a[1])}, {d});   // only row {Ref(a[1])} of {Adj(a[0])} changes");
                break;
            case TensorOp.Concat:
                for (int i = 0; i < a.Count; i++)
                {
                    if (Needs(i)) Line($"{k}ConcatBackward{g}({d}, {Offset(node, i)}, {Adj(a[i])});");
                }
                break;
            case TensorOp.Element:
                if (Needs(0)) Line($"{Adj(a[0])}[{Ref(a[1])}] += {d};");
                break;
            default:
                throw new InvalidOperationException("no backward rule for " + node.Op);
        }
    }

    // ---- Text ----------------------------------------------------------------------------------

    private void Comment(int statement, string prefix = "")
    {
        if (statement != _lastStatement && statement < _m.Statements.Count)
        {
            _lastStatement = statement;
            Line($"// {prefix}{_m.Statements[statement].Text}");
        }
    }

    private void Line(string text = "")
    {
        if (text.Length == 0)
        {
            _text.AppendLine();
            return;
        }
        _text.Append(' ', 4 * _depth).AppendLine(text);
    }

    private string WriteFile(string body, string workspaceType)
    {
        var file = new StringBuilder();
        file.AppendLine("// <auto-generated/>");
        file.AppendLine("#nullable enable");
        file.AppendLine();
        int depth = 0;
        void Out(string text) => file.Append(' ', 4 * depth).AppendLine(text);
        if (_m.Namespace is { } ns)
        {
            Out($"namespace {ns}");
            Out("{");
            depth++;
        }
        foreach (var type in _m.ContainingTypes)
        {
            Out($"{(type.IsStatic ? "static " : "")}partial {type.Keyword} {type.Name}");
            Out("{");
            depth++;
        }
        string vec = TypeNames.Vec(_t), mat = TypeNames.Mat(_t);
        string TypeOf(ValueKind kind) => kind switch
        {
            ValueKind.Vector => vec,
            ValueKind.Matrix => mat,
            ValueKind.Index => "int",
            ValueKind.Indices => "global::System.ReadOnlySpan<int>",
            _ => _t,
        };

        Out($"/// <summary>Buffers for <see cref=\"{_m.GradientName}\"/>: reuse one per thread (a call that finds it in use by another throws) so calls after the first allocate nothing.</summary>");
        Out($"{_m.Accessibility} {(_m.Hiding.Contains(_m.Name + "Workspace") ? "new " : "")}sealed class {_m.Name}Workspace : global::SymbolicDiff.Tensors.GradientWorkspace");
        Out("{");
        depth++;
        foreach (var field in _fields.Distinct())
        {
            Out($"internal {_t}[] {Id(field)} = {TypeNames.Array}.Empty<{_t}>();");
        }
        foreach (var field in _matrixFields.Distinct())
        {
            Out($"internal {mat} {Id(field)} = new {mat}(0, 0);");
        }
        if (_fields.Count + _matrixFields.Count > 0)
        {
            Out("");
        }
        Out($"internal static {_t}[] Sized(ref {_t}[] buffer, int length)");
        Out("{");
        Out($"    if (buffer.Length != length) buffer = new {_t}[length];");
        Out("    return buffer;");
        Out("}");
        Out("");
        Out($"internal static {_t}[] Cleared(ref {_t}[] buffer, int length)");
        Out("{");
        Out($"    if (buffer.Length != length) buffer = new {_t}[length];");
        Out($"    else {TypeNames.Array}.Clear(buffer);");
        Out("    return buffer;");
        Out("}");
        if (_matrixFields.Count > 0)
        {
            Out("");
            Out($"internal static {mat} Sized(ref {mat} buffer, int rows, int cols)");
            Out("{");
            Out($"    if (buffer.Rows != rows || buffer.Cols != cols) buffer = new {mat}(rows, cols);");
            Out("    return buffer;");
            Out("}");
            Out("");
            Out($"internal static {mat} Cleared(ref {mat} buffer, int rows, int cols)");
            Out("{");
            Out($"    if (buffer.Rows != rows || buffer.Cols != cols) buffer = new {mat}(rows, cols);");
            Out("    else buffer.Clear();");
            Out("    return buffer;");
            Out("}");
        }
        depth--;
        Out("}");
        Out("");

        var parameters = _m.Parameters.Select(p => $"{TypeOf(p.Kind)} {Id(_names[p.Node]!)}")
            .Concat(_m.Parameters.Where(p => p.IsDifferentiable).Select(p => p.Kind == ValueKind.Scalar
                ? $"ref {_t} {Adj(p.Node)}"
                : $"{TypeOf(p.Kind)} {Adj(p.Node)}"))
            .Append($"{workspaceType} {Id(_workspace)}");
        var adjointDocs = _m.Parameters.Where(p => p.IsDifferentiable).Select(p => p.Kind == ValueKind.Scalar
            ? $"{Adj(p.Node)} += ∂{_m.Name}/∂{p.Name}"
            : $"{Adj(p.Node)} += ∂{_m.Name}/∂{p.Name} (same shape)");
        if (_m.SecondOrder is { } second)
        {
            var products = _m.Parameters.Where(p => p.IsDifferentiable).Select(p => $"{Adj(p.Node)} += (H·v) for {p.Name}");
            Out($"/// <summary>");
            Out($"/// Computes <see cref=\"{second.Function}\"/> and adds its Hessian-vector product H·v into the hv arguments, v being the");
            Out($"/// directions {string.Join(", ", second.Directions)} (same shapes as their parameters): {string.Join(", ", products)}.");
            Out($"/// Reverse mode over the derivative along v, which its forward pass computes with the value (Pearlmutter's trick):");
            Out($"/// about the cost of two gradients, no Hessian is formed. Memory: the workspace's buffers, sized on the first call.");
            Out($"/// </summary>");
        }
        else
        {
            Out($"/// <summary>Computes <see cref=\"{_m.Name}\"/> and adds its gradient into the adjoints: {string.Join(", ", adjointDocs)}.</summary>");
        }
        Out($"{_m.Accessibility} {(_m.Hiding.Contains(_m.GradientName) ? "new " : "")}static {_t} {_m.GradientName}({string.Join(", ", parameters)})");
        Out("{");
        file.Append(body);
        Out("}");
        while (depth > 0)
        {
            depth--;
            Out("}");
        }
        return file.ToString();
    }
}
