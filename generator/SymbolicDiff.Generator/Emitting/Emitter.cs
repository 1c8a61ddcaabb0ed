using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// Writes the gradient method of one <see cref="DifferentiableMethod"/> as C# text: a forward pass in
/// node order that keeps the values the backward pass needs, then a backward pass in reverse order that
/// adds each node's share of the adjoint into its operands (so each adjoint is the sum over its successors).
/// In forward mode it writes the tangent method instead. The parts: Emitter.Forward.cs (forward pass and
/// forward mode), Emitter.Backward.cs, Emitter.Rules.cs (one derivative rule per operation), and this file
/// (analysis, names, rendering values, file text).
/// </summary>
internal sealed partial class Emitter
{
    private const string Indent = "    ";

    private readonly DifferentiableMethod _method;
    private readonly IReadOnlyList<Node> _nodes;
    private readonly bool[] _reachable;
    private readonly int[] _useCount;
    private readonly int[] _useRegion;
    private readonly bool[] _needsAdjoint;
    private readonly bool[] _neededByBackward;
    private readonly bool[] _mayBeNonFinite;
    private readonly bool[] _isParameterWithAdjoint;
    private readonly string?[] _names;
    private readonly string?[] _adjointNames;
    private readonly NameAllocator _allocator = new();

    private StringBuilder _text = new();
    private int _depth;
    private int _lastStatement = -1;
    private HashSet<int> _declaredAdjoints = new();
    private readonly HashSet<int> _hoisted = new();
    private readonly Dictionary<int, string[]> _callSlots = new();
    private Dictionary<int, Code> _aliasedAdjoints = new();
    private HashSet<int> _gated = new();
    private readonly Stack<int> _branchRegions = new();
    /// <summary>The <see cref="Op.If"/> statement a branch region belongs to, for ifs whose branches write outputs.</summary>
    private readonly Dictionary<int, int> _ifOfBranch = new();
    private bool _dryRun;
    private int _temporaries;

    private readonly bool _tangentMode;
    private bool _severalBackwardPasses;
    private bool[] _active = Array.Empty<bool>();

    private Emitter(DifferentiableMethod method, bool tangentMode)
    {
        _tangentMode = tangentMode;
        _method = method;
        _nodes = method.Nodes;
        int count = _nodes.Count;
        _reachable = new bool[count];
        _useCount = new int[count];
        _useRegion = Enumerable.Repeat(-1, count).ToArray();
        _needsAdjoint = new bool[count];
        _neededByBackward = new bool[count];
        _mayBeNonFinite = new bool[count];
        _isParameterWithAdjoint = new bool[count];
        _names = new string?[count];
        _adjointNames = new string?[count];
        foreach (var ifStatement in _nodes.Where(n => n.Op == Op.If))
        {
            _ifOfBranch[ifStatement.TrueRegion] = ifStatement.Id;
            _ifOfBranch[ifStatement.FalseRegion] = ifStatement.Id;
        }
    }

    /// <summary>The generated file: the gradient method, and the tangent method when it was asked for.</summary>
    public static string Emit(DifferentiableMethod method)
    {
        var gradient = new Emitter(method, tangentMode: false);
        var methods = new List<string> { gradient.WriteGradient() };
        if (CanWriteJacobian(method))
        {
            var jacobian = new Emitter(method, tangentMode: false);
            methods.Add(jacobian.WriteJacobian());
        }
        if (method.TangentName is not null)
        {
            var tangent = new Emitter(method, tangentMode: true);
            methods.Add(tangent.WriteTangent());
        }
        if (method.HessianName is not null)
        {
            methods.AddRange(HessianEmitter.Write(method));   // Hessian = true: see HessianEmitter
        }
        return WriteFile(method, methods);
    }

    /// <summary>The gradient method of <paramref name="method"/> alone (a tangent program's is its Hessian-vector product).</summary>
    internal static string GradientOf(DifferentiableMethod method) => new Emitter(method, tangentMode: false).WriteGradient();

    private string WriteGradient()
    {
        PrepareReverseMode();
        var body = new StringBuilder();
        _text = body;
        _depth = 1 + _method.ContainingTypes.Count + (_method.Namespace is null ? 0 : 1);
        WriteLengthChecks();
        DeclareBuffers();
        if (_method.SecondOrder is not null && _method.HasVectorOutput)
        {
            Line("// The outputs receive their derivatives along v (J·v); an element this call does not write is constant: 0");
            foreach (var written in _method.Parameters.Where(p => p.Kind == ParameterKind.OutputArray))
            {
                Line($"{Identifier(_names[written.Node]!)}.Clear();");
            }
        }
        Line("// Forward pass");
        int forwardStart = _text.Length;
        WriteForwardRegion(0, recordLoops: true);
        if (_text.Length == forwardStart && _deferred.Count > 0)
        {
            Line("// (nothing: the fused loop below runs forward as the backward pass takes its derivatives)");
        }
        Line();
        _lastStatement = -1;
        bool seeded = _method.Result >= 0 && _needsAdjoint[_method.Result] && _nodes[_method.Result].Op != Op.Parameter;
        Line(seeded || _method.HasVectorOutput
            ? "// Backward pass: each adjoint d<name> = ∂result/∂<name>, summed over the uses of <name>"
            : "// Backward pass");
        _writingBackward = true;
        WriteBackwardPass();
        WriteDeferred();
        _writingBackward = false;
        if (_method.HasVectorOutput)
        {
            // Every seed is used up, also those of elements this call did not write (their rows of the Jacobian are zero).
            foreach (var output in _method.Parameters.Where(p => p.Kind == ParameterKind.OutputArray))
            {
                Line($"{Identifier(_adjointNames[output.Node]!)}.Clear();");
            }
        }
        ReturnBuffers();
        if (!_method.HasVectorOutput)
        {
            Line();
            Line("return " + Ref(_method.SecondOrder?.Value ?? _method.Result).Text + ";");
        }

        var m = _method;
        var differentiable = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        var outputs = m.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).ToList();
        var summary = new List<string>();
        if (m.SecondOrder is { } secondOrder)
        {
            summary.AddRange(HessianVectorProductSummary(secondOrder, differentiable));
        }
        else if (m.HasVectorOutput)
        {
            summary.Add($"Runs <see cref=\"{Cref()}\"/> and adds to each input adjoint the vector-Jacobian product dᵀ·∂output/∂input, where the");
            summary.Add("output adjoints " + string.Join(", ", outputs.Select(p => $"<paramref name=\"{_adjointNames[p.Node]}\"/>")) + " give d (they are read and then zeroed):");
        }
        else
        {
            summary.Add($"Returns <see cref=\"{Cref()}\"/> and adds its partial derivatives to the adjoint arguments:");
        }
        if (m.SecondOrder is null)
        {
            summary.AddRange(differentiable.Select(p => $"<paramref name=\"{_adjointNames[p.Node]}\"/> += ∂{m.Name}/∂{p.Name}."));
            summary.Add("Adjoints accumulate, so a minibatch can sum gradients into the same variables.");
        }
        var parameters = m.Parameters.Select(p => DeclaredType(p) + " " + Identifier(_names[p.Node]!))
            .Concat(outputs.Select(p => SpanOf(p.Type) + " " + Identifier(_adjointNames[p.Node]!)))
            .Concat(differentiable.Select(p => (p.Kind == ParameterKind.Scalar ? "ref " + p.Type.Keyword() : SpanOf(p.Type)) + " " + Identifier(_adjointNames[p.Node]!)));
        return MethodText(summary, m.GradientName, parameters, body.ToString());
    }

    /// <summary>While the backward pass is written: a read of an array held in memory written then would see the array as the forward pass left it.</summary>
    private bool _writingBackward;

    private readonly HashSet<int> _memoryReadsInBackward = new();

    /// <summary>
    /// The reads of local arrays held in memory that the backward pass would read again (a loop's reverse recomputing
    /// them, inside an if of its body or in an inner loop run again), when the array may have changed since: the parser
    /// reports each one (SD0060). Empty when every read is kept (see <see cref="Keepable"/>).
    /// </summary>
    internal static IReadOnlyCollection<int> RecomputedMemoryReads(DifferentiableMethod method)
    {
        var gradient = new Emitter(method, tangentMode: false);
        gradient.WriteGradient();
        var reads = new HashSet<int>(gradient._memoryReadsInBackward);
        if (CanWriteJacobian(method))
        {
            var jacobian = new Emitter(method, tangentMode: false);
            jacobian.WriteJacobian();
            reads.UnionWith(jacobian._memoryReadsInBackward);
        }
        return reads;
    }

    /// <summary>The analysis the backward pass needs: a dry run finds the values it reads, which must be kept as named locals.</summary>
    private void PrepareReverseMode()
    {
        Analyse();
        _dryRun = true;
        WriteBackwardPass();
        _dryRun = false;
        ResetBackwardState();
        PlanLoops();
        AssignNames();
    }

    /// <summary>Forgets which adjoints the backward pass declared, before it is written (again).</summary>
    private void ResetBackwardState()
    {
        _lastStatement = -1;
        _declaredAdjoints = new HashSet<int>();
        _aliasedAdjoints = new Dictionary<int, Code>();
        _gated = new HashSet<int>();
    }

    private string DeclaredType(Parameter parameter) =>
        parameter.Kind == ParameterKind.Scalar ? parameter.DeclaredType ?? parameter.Type.Keyword()
        : parameter.DeclaredType!;

    private static string ReadOnlySpanOf(ScalarType type) => TypeNames.ReadOnlySpan(type.Keyword());

    private static string SpanOf(ScalarType type) => TypeNames.Span(type.Keyword());

    /// <summary>Every adjoint array must match its array, checked before anything is written.</summary>
    private void WriteLengthChecks()
    {
        foreach (var p in _method.Parameters.Where(p => p.Kind != ParameterKind.Scalar && _adjointNames[p.Node] is not null))
        {
            string array = Identifier(_names[p.Node]!), adjoint = Identifier(_adjointNames[p.Node]!);
            Line($"if ({adjoint}.Length != {array}.Length) throw new {TypeNames.ArgumentException}(\"{adjoint} must have the length of {array}.\", {TypeNames.Quoted(adjoint)});");
        }
        if (_method.SecondOrder is { } secondOrder)
        {
            // A Hessian-vector product's direction has an element per element of its parameter, like the product.
            var differentiable = _method.Parameters.Where(p => p.IsDifferentiable).ToList();
            foreach (var (p, direction) in differentiable.Zip(secondOrder.Directions, (p, d) => (p, _method.Parameters.First(q => q.Name == d))).Where(pair => pair.p.Kind != ParameterKind.Scalar))
            {
                string array = Identifier(_names[p.Node]!), v = Identifier(_names[direction.Node]!);
                Line($"if ({v}.Length != {array}.Length) throw new {TypeNames.ArgumentException}(\"{v} must have the length of {array}.\", {TypeNames.Quoted(v)});");
            }
        }
        WriteOverlapChecks();
    }

    private void WriteOverlapChecks()
    {
        // An output written over an input would change the values the derivatives are taken at.
        foreach (var output in _method.Parameters.Where(p => p.Kind == ParameterKind.OutputArray))
        {
            foreach (var input in _method.Parameters.Where(p => p.Kind == ParameterKind.InputArray && p.Type == output.Type))
            {
                string o = Identifier(_names[output.Node]!), i = Identifier(_names[input.Node]!);
                Line($"if ({TypeNames.MemoryExtensions}.Overlaps(({ReadOnlySpanOf(output.Type)}){o}, {i})) throw new {TypeNames.ArgumentException}(\"{o} must not overlap {i}.\", {TypeNames.Quoted(o)});");
            }
        }
    }

    // ---- Analysis ------------------------------------------------------------------------------

    private void Analyse()
    {
        var pending = new Stack<int>();
        if (_method.Result >= 0)
        {
            pending.Push(_method.Result);
        }
        if (_method.SecondOrder is { Value: >= 0 } secondOrder)
        {
            pending.Push(secondOrder.Value);   // the Hessian-vector product returns the method's value
        }
        foreach (var store in _nodes.Where(n => DerivativeFlow.IsOutputStore(n, _nodes)))
        {
            pending.Push(store.Id);   // a vector output's elements are results too
        }
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (_reachable[id])
            {
                continue;
            }
            _reachable[id] = true;
            var node = _nodes[id];
            for (int i = 0; i < node.Args.Count; i++)
            {
                int arg = node.Args[i];
                _useCount[arg]++;
                // A select's branch values are used inside their branch; everything else where the node is.
                _useRegion[arg] = node.Op == Op.Select && i > 0 ? (i == 1 ? node.TrueRegion : node.FalseRegion) : node.Region;
                pending.Push(arg);
            }
            if (node.Op == Op.Loop && node.LoopCondition >= 0)
            {
                pending.Push(node.LoopCondition);   // a while loop's condition decides its trip count
            }
            if (node.Op == Op.NewArray)
            {
                // An array held in memory is read, so what is written into it is needed.
                foreach (var store in _nodes.Where(n => n.Op == Op.Store && n.Args[0] == id))
                {
                    pending.Push(store.Id);
                }
            }
            // A value computed in a loop body needs the loop around it, one in a branch that writes outputs its if.
            for (int r = node.Region; r >= 0; r = _method.Regions[r].Parent)
            {
                if (_method.Regions[r].Loop is int loop and >= 0 && !_reachable[loop])
                {
                    pending.Push(loop);
                }
                if (_ifOfBranch.TryGetValue(r, out int ifStatement) && !_reachable[ifStatement])
                {
                    pending.Push(ifStatement);
                }
            }
        }
        AnalyseLoops();

        var active = _active = new bool[_nodes.Count];
        foreach (var parameter in _method.Parameters)
        {
            active[parameter.Node] = parameter.IsDifferentiable;
            _isParameterWithAdjoint[parameter.Node] = parameter.IsDifferentiable;
        }
        foreach (var array in _nodes.Where(n => n.Op == Op.NewArray))
        {
            _isParameterWithAdjoint[array.Id] = true;   // its adjoint is a buffer, declared up front like a parameter's
        }
        // Loop-carried values refer forward (a phi to the value the body computes), so iterate to a fixed point.
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var node in _nodes)
            {
                bool isActive = active[node.Id] || DerivativeFlow.DifferentiableArgs(node, _nodes).Any(a => active[a]);
                bool nonFinite = node.Type.IsFloating() && (Operations.CanLeaveDomain(node.Op) || node.Args.Any(a => _mayBeNonFinite[a]));
                changed |= isActive != active[node.Id] || nonFinite != _mayBeNonFinite[node.Id];
                active[node.Id] = isActive;
                _mayBeNonFinite[node.Id] = nonFinite;
            }
        }
        var reached = new HashSet<int>();
        foreach (var root in _nodes.Where(n => n.Id == _method.Result || DerivativeFlow.IsOutputStore(n, _nodes)))
        {
            reached.UnionWith(DerivativeFlow.ReachedNodes(_nodes, root.Id));
        }
        foreach (var node in _nodes)
        {
            // Every write of an output uses up that element's adjoint, even a constant one (a later write hides earlier ones);
            // so does every write of an array held in memory that has an adjoint.
            _needsAdjoint[node.Id] = (active[node.Id] && reached.Contains(node.Id))
                || (node.Op == Op.Store && _reachable[node.Id] && (DerivativeFlow.IsOutputStore(node, _nodes) || (active[node.Args[0]] && reached.Contains(node.Args[0]))));
        }
        foreach (var load in _nodes.Where(n => n.Op == Op.Load && _nodes[n.Args[0]].Op == Op.NewArray))
        {
            _forcedLocals.Add(load.Id);   // read where it is, before a later write changes the element
        }
        LimitInlineNesting();
    }

    /// <summary>
    /// How deep values written inline may nest in the expression that uses them. Past it a value gets a local, so a long
    /// chain (a 100,000-term sum) is written as a series of statements: rendering it needs no deep recursion, and no
    /// compiler has to take in one enormous expression.
    /// </summary>
    internal const int MaxInlineNesting = 32;

    private void LimitInlineNesting()
    {
        var nesting = new int[_nodes.Count];
        foreach (var node in _nodes)   // operands come before their users (a phi's next value is only named)
        {
            if (!_reachable[node.Id] || node.Op is Op.Constant or Op.Parameter or Op.Phi or Op.LoopCounter or Op.Loop or Op.Store or Op.NewArray || IsLocal(node.Id))
            {
                continue;
            }
            int depth = 1 + node.Args.Select(a => nesting[a]).DefaultIfEmpty(0).Max();
            if (depth > MaxInlineNesting)
            {
                _forcedLocals.Add(node.Id);
                depth = 0;
            }
            nesting[node.Id] = depth;
        }
    }

    /// <summary>Constants and parameters are written in place; other nodes get a local unless used once, right there.</summary>
    private bool IsLocal(int id)
    {
        var node = _nodes[id];
        if (!_reachable[id] || node.Op is Op.Constant or Op.Parameter or Op.Loop or Op.Store or Op.If or Op.Phi or Op.LoopCounter or Op.NewArray)
        {
            return false;
        }
        if (node.Op == Op.LoopExit)
        {
            // The carried variable itself, except where the backward pass rewinds the variable (its reverse restores
            // it iteration by iteration): the value after the loop then gets its own local, as it may be read after
            // that (the returned value, the next pass of a Jacobian, the next values of a fused loop around it). A
            // value kept per iteration gets one too: it is written to the buffer as it is computed.
            return _keptBy.ContainsKey(id) || _rewound.Contains(node.Args[0]);
        }
        // The value a loop body leaves in a carried variable is written straight into it when used nowhere else.
        bool onlyCarried = _useCount[id] == 1 && (_nextOfPhi.Contains(id) || _initOfPhi.Contains(id)) && !_neededByBackward[id];
        if (onlyCarried && id != _method.Result && node.Op is not (Op.Select or Op.Call) && !_forcedLocals.Contains(id))
        {
            return false;
        }
        return node.Name is not null || id == _method.Result || node.Op is Op.Select or Op.Call || _forcedLocals.Contains(id)
            || _useCount[id] != 1 || (_neededByBackward[id] && !IsRecomputedInPlace(node)) || _useRegion[id] != node.Region;
    }

    /// <summary>
    /// A single arithmetic operation on constants and parameters (<c>2 * x</c>, <c>a - b</c>) is written again where the
    /// backward pass needs it rather than kept in a local: it costs one instruction, reads nothing that changes, and a
    /// long sum of such terms then needs no local per term (the compiler slows down and stops at 65,534 locals).
    /// </summary>
    private bool IsRecomputedInPlace(Node node) =>
        node.Op is Op.Negate or Op.Add or Op.Subtract or Op.Multiply && node.Type.IsFloating()
        && node.Args.All(a => _nodes[a].Op is Op.Constant or Op.Parameter);

    /// <summary>
    /// Names come first from the user (parameters, then locals), so generated names give way to them:
    /// temporaries are t1, t2, … and every adjoint is d + the name of its value.
    /// </summary>
    private void AssignNames()
    {
        // Methods the generated code calls by their simple name must not be hidden by a generated local or adjoint.
        foreach (var callee in _nodes.Select(n => n.Callee).OfType<Callee>())
        {
            foreach (string name in new[] { callee.Method, callee.Gradient }.Where(n => !n.Contains(".")))
            {
                _allocator.Claim(name);
            }
        }
        foreach (var parameter in _method.Parameters)
        {
            _names[parameter.Node] = _allocator.Claim(parameter.Name);
        }
        foreach (var field in _nodes.Where(n => n.IsReadAsWritten()))
        {
            _names[field.Id] = field.Name;   // global::Type.Field or ((int)kind), written as it is
        }
        foreach (var node in _nodes.Where(n => (_reachable[n.Id] && n.Op == Op.Phi) || (n.Op == Op.LoopCounter && _reachable[n.Args[0]])))
        {
            _names[node.Id] = _allocator.Unique(node.Name!);
        }
        foreach (var array in _nodes.Where(n => n.Op == Op.NewArray && _reachable[n.Id]))
        {
            _names[array.Id] = _allocator.Unique(array.Name!);
            if (_tangentMode ? _active[array.Id] : _needsAdjoint[array.Id])
            {
                _adjointNames[array.Id] = _allocator.Unique("d" + array.Name);
            }
        }
        foreach (var exit in _nodes.Where(n => n.Op == Op.LoopExit && !IsLocal(n.Id)))
        {
            _names[exit.Id] = _names[exit.Args[0]];
        }
        var locals = _nodes.Where(n => IsLocal(n.Id)).ToList();
        foreach (var node in locals.Where(n => n.Name is not null))
        {
            _names[node.Id] = _allocator.Unique(node.Name!);
        }
        foreach (var parameter in _method.Parameters.Where(p => p.IsDifferentiable || p.Kind == ParameterKind.OutputArray))
        {
            // A Hessian-vector product's input adjoints are its products hv; an output's adjoint is the weight d either way.
            _adjointNames[parameter.Node] = _allocator.Unique((_method.SecondOrder is null || parameter.Kind == ParameterKind.OutputArray ? "d" : "hv") + parameter.Name);
        }
        foreach (var phi in _nodes.Where(n => n.Op == Op.Phi && _reachable[n.Id] && (_tangentMode ? _active[n.Id] : _needsAdjoint[n.Id])))
        {
            _adjointNames[phi.Id] = _allocator.Unique("d" + _names[phi.Id]);
        }
        foreach (var read in locals.Where(n => n.Name is null && DerivativeFlow.IsMemoryAccess(n, _nodes)))
        {
            _names[read.Id] = _allocator.Unique(_nodes[read.Args[0]].Name + "Element");   // an element read from an array held in memory
        }
        int temporaries = 0;
        foreach (var node in locals.Where(n => n.Name is null && _names[n.Id] is null))
        {
            _names[node.Id] = _allocator.Next("t", ref temporaries);
        }
        AssignBufferNames();   // after every value has its name: kept values' buffers are named after them
        foreach (var node in locals.Where(n => _needsAdjoint[n.Id]))
        {
            _adjointNames[node.Id] = _allocator.Unique("d" + _names[node.Id]);
        }
        _temporaries = temporaries;
    }

    /// <summary>
    /// The adjoint variable of a node. A value written inline usually needs none (its adjoint is an alias), so
    /// its name is made only when the backward pass declares it: dt + the next temporary number.
    /// </summary>
    private string AdjointName(int id)
    {
        if (_dryRun)
        {
            return "d";
        }
        string name = _adjointNames[id] ??= _allocator.Next("dt", ref _temporaries);
        if (_lanes == 1)
        {
            return Identifier(name);
        }
        // Vector mode: one adjoint per row, written as a lane token that Line expands (see LaneVariable).
        return _laneTokens.TryGetValue(id, out var token) ? token : _laneTokens[id] = LaneVariable(name);
    }

    private static string Identifier(string name) => NameAllocator.Identifier(name);

    // ---- Rendering values ----------------------------------------------------------------------

    /// <summary>A reference to a node's value: its local's name, or its expression when it is used once, right there.</summary>
    private Code Ref(int id)
    {
        var node = _nodes[id];
        if (_dryRun)
        {
            _neededByBackward[id] = true;
            return node.Op == Op.Constant ? Code.Constant(node.Constant, node.Type) : Code.Name("value");
        }
        return node.Op switch
        {
            Op.Constant => Code.Constant(node.Constant, node.Type),
            _ when _names[id] is { } name => Code.Name(Identifier(name)),
            _ => Render(node),
        };
    }

    private Code Render(Node node)
    {
        Code A(int i) => Ref(node.Args[i]);
        return node.Op switch
        {
            Op.Load => Code.Name(A(0).Text + "[" + A(1).Text + "]"),
            Op.Length => Code.Name(A(0).Text + ".Length"),
            Op.LoopExit => A(0),
            Op.Call => Code.Call(node.Callee!.Method, node.Args.Select(Ref).ToArray()),
            _ => RenderOperation(node, _nodes, Ref, MathClass, ActivationsClass),
        };
    }

    /// <summary>
    /// The C# expression of an operation from its operands (shared with the Hessian emitter): operators with their
    /// precedence, activations, and Math functions (MathF when the operands are float, as the user wrote them).
    /// </summary>
    internal static Code RenderOperation(Node node, IReadOnlyList<Node> nodes, Func<int, Code> reference, Func<ScalarType, string> mathClass, Func<string> activationsClass)
    {
        Code A(int i) => reference(node.Args[i]);
        switch (node.Op)
        {
            case Op.Convert: return Code.Cast(node.Type, A(0));
            case Op.Select: return Code.Condition(A(0), A(1), A(2));
        }
        var operation = Operations.Of(node.Op) ?? throw new InvalidOperationException($"{node.Op} is not rendered as an expression");
        if (operation.Spelling != Spelling.Operator)
        {
            // Math, or MathF when the operands are float, as the user wrote them.
            return Code.Call(FunctionName(operation, nodes[node.Args[0]].Type, mathClass, activationsClass), node.Args.Select(reference).ToArray());
        }
        return node.Args.Count == 1 ? Code.Prefix(operation.Name, A(0)) : Code.Binary(A(0), operation.Name, A(1), Code.PrecedenceOf(operation.Name));
    }

    /// <summary>Math, or MathF for float operands (as the user wrote them).</summary>
    internal static string MathClass(ScalarType type) => type == ScalarType.Float ? TypeNames.MathF : TypeNames.Math;

    /// <summary>How the generated code names a function of the table for operands of <paramref name="type"/>.</summary>
    internal static string FunctionName(Operation operation, ScalarType type, Func<ScalarType, string> mathClass, Func<string> activationsClass) =>
        operation.Spelling switch
        {
            Spelling.Math => mathClass(type),
            Spelling.MathOnly => mathClass(ScalarType.Double),   // MathF has no Clamp; Math.Clamp has a float overload.
            Spelling.Number => type.Keyword(),
            Spelling.Activations => activationsClass(),
            _ => throw new InvalidOperationException($"{operation.Op} is not a function"),
        } + "." + operation.Name;

    internal static string ActivationsClass() => TypeNames.Activations;

    // ---- Text ----------------------------------------------------------------------------------

    /// <summary>The method's type, fully qualified (<c>global::Demo.Outer&lt;T&gt;.Inner</c>), for naming a generated member a parameter could hide.</summary>
    internal static string TypePath(string? ns, IEnumerable<ContainingType> types) =>
        "global::" + (ns is null ? "" : ns + ".") + string.Join(".", types.Select(t => t.Name));

    private void Comment(int statement, string prefix)
    {
        if (statement >= 0 && statement != _lastStatement)
        {
            _lastStatement = statement;
            Line("// " + prefix + _method.Statements[statement].Text);
        }
    }

    private void Line(string text = "")
    {
        if (_dryRun)
        {
            return;
        }
        string line = text.Length == 0 ? "" : Pad(_depth) + text;
        if (_laneBlock is not null)
        {
            _laneBlock.Add(line);   // written once per lane when the block ends (PerLane)
        }
        else if (_lanes > 1 && text.IndexOf(LaneOpen) >= 0)
        {
            for (int lane = 0; lane < _lanes; lane++)
            {
                _text.AppendLine(InLane(line, lane));   // a statement on adjoints: once per row, the rows side by side
            }
        }
        else
        {
            _text.AppendLine(line);
        }
    }

    private bool Encloses(int outer, int inner)
    {
        for (int r = inner; r >= 0; r = _method.Regions[r].Parent)
        {
            if (r == outer)
            {
                return true;
            }
        }
        return false;
    }

    private string Cref() => CrefOf(_method);

    /// <summary>
    /// The summary of a Hessian-vector product (the gradient of a <see cref="SecondOrder"/> tangent program): what each
    /// hv argument receives, and the memory its loops keep.
    /// </summary>
    private IEnumerable<string> HessianVectorProductSummary(SecondOrder secondOrder, List<Parameter> differentiable)
    {
        var m = _method;
        var directions = differentiable.Select((p, i) => secondOrder.Directions[i]).ToList();
        var function = m with { Name = secondOrder.Function, Parameters = m.Parameters.Where(p => !secondOrder.Directions.Contains(p.Name)).ToEquatableArray() };
        var outputs = m.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).ToList();
        string of = secondOrder.Function;
        if (outputs.Count > 0)
        {
            // The second-order pullback: the Hessian of dᵀ·output, applied to v.
            string weights = string.Join(" + ", outputs.Select(o => $"{_adjointNames[o.Node]}ᵀ·{o.Name}"));
            yield return $"Runs <see cref=\"{CrefOf(function)}\"/>'s second-order pullback: adds to the hv arguments the Hessian-vector product H·v of";
            yield return $"{weights}, where the output adjoints " + string.Join(", ", outputs.Select(o => $"<paramref name=\"{_adjointNames[o.Node]}\"/>")) + " give d (read, then zeroed),";
            yield return "and writes into the outputs " + string.Join(", ", outputs.Select(o => $"<paramref name=\"{o.Name}\"/>")) + " their derivatives along v (J·v) rather than their values:";
            of = "(" + weights + ")";
        }
        else
        {
            yield return $"Returns <see cref=\"{CrefOf(function)}\"/> and adds its Hessian-vector product H·v to the hv arguments";
            yield return "(reverse mode over its derivative along v, which the forward pass computes with the value; no Hessian is formed):";
        }
        foreach (var (p, i) in differentiable.Select((p, i) => (p, i)))
        {
            yield return $"<paramref name=\"{_adjointNames[p.Node]}\"/> += " + string.Join(" + ", differentiable.Select((q, j) => $"∂²{of}/∂{p.Name}∂{q.Name}·{directions[j]}")) + ".";
        }
        yield return "The products accumulate, like the gradient's adjoints. Memory: " + (_plans.Values.Any(p => p.BytesPerIteration > 0)
            ? "what its loops keep, as the comment on each loop says, in pooled buffers (no tape; nothing is allocated when warm)."
            : "its locals only (no tape, no allocation).");
    }

    /// <summary>The user's method as a doc-comment cref, e.g. <c>Loss(double, double[], ReadOnlySpan{double})</c>.</summary>
    internal static string CrefOf(DifferentiableMethod m) => m.Name + "(" + string.Join(", ", m.Parameters.Select(p =>
        p.Kind == ParameterKind.Scalar && p.DeclaredType is null ? p.Type.Keyword() : p.DeclaredType!.Replace('<', '{').Replace('>', '}'))) + ")";

    private string MethodText(List<string> summary, string name, IEnumerable<string> parameters, string body) =>
        MethodText(_method, _method.HasVectorOutput ? "void" : _method.ReturnType.Keyword(), summary, name, parameters, body);

    /// <summary>One generated method with its doc comment; indentation is added by <see cref="WriteFile"/>.</summary>
    internal static string MethodText(DifferentiableMethod m, string returnType, List<string> summary, string name, IEnumerable<string> parameters, string body)
    {
        var text = new StringBuilder();
        text.AppendLine("/// <summary>");
        foreach (string line in summary)
        {
            text.AppendLine("/// " + line);
        }
        text.AppendLine("/// </summary>");
        text.AppendLine($"[{TypeNames.GeneratedCode}(\"SymbolicDiff.Generator\", \"0.1.0\")]");
        if (m.Nodes.Any(n => n.Op == Op.Loop))
        {
            // A method with loops is compiled fully optimized at its first call: under tiered compilation, the profile
            // its first calls gave made the JIT's code up to 1.3x slower (ADBench GMM; see the README, Loops and arrays).
            text.AppendLine($"[{TypeNames.MethodImpl}({TypeNames.AggressiveOptimization})]");
        }
        string hides = m.Hiding.Contains(name) ? "new " : "";
        text.AppendLine($"{m.Accessibility} {hides}static {returnType} {name}({string.Join(", ", parameters)})");
        text.AppendLine("{");
        text.Append(body);   // already indented to its final depth
        text.AppendLine("}");
        return text.ToString();
    }

    private static string WriteFile(DifferentiableMethod m, List<string> methods)
    {
        var file = new StringBuilder();
        file.AppendLine("// <auto-generated/>");
        file.AppendLine($"// Generated by SymbolicDiff from {string.Join(".", m.ContainingTypes.Select(t => t.Name))}.{m.Name}. Edit that method, not this file.");
        file.AppendLine("#nullable enable");
        file.AppendLine();
        int depth = 0;
        if (m.Namespace is not null)
        {
            // A block namespace, not a file-scoped one, so projects on older language versions compile it too.
            file.AppendLine($"namespace {m.Namespace}");
            file.AppendLine("{");
            depth++;
        }
        foreach (var type in m.ContainingTypes)
        {
            file.AppendLine(Pad(depth) + (type.IsStatic ? "static " : "") + "partial " + type.Keyword + " " + type.Name);
            file.AppendLine(Pad(depth) + "{");
            depth++;
        }
        for (int i = 0; i < methods.Count; i++)
        {
            if (i > 0)
            {
                file.AppendLine();
            }
            foreach (string line in methods[i].Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
            {
                // Method bodies come indented already; the signature lines get the type's depth.
                file.AppendLine(line.StartsWith(" ") || line.Length == 0 ? line : Pad(depth) + line);
            }
        }
        while (depth > 0)
        {
            depth--;
            file.AppendLine(Pad(depth) + "}");
        }
        return file.ToString();
    }

    private static string Pad(int depth) => new(' ', depth * Indent.Length);
}
