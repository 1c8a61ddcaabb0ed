using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// Writes the gradient method of one <see cref="DifferentiableMethod"/> as C# text: a forward pass in
/// node order that keeps the values the backward pass needs, then a backward pass in reverse order that
/// adds each node's share of the adjoint into its operands (so each adjoint is the sum over its successors).
/// </summary>
internal sealed class Emitter
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
    private readonly HashSet<string> _usedNames = new();
    private readonly HashSet<string> _namespacesUsed = new();

    private StringBuilder _text = new();
    private int _depth;
    private int _lastStatement = -1;
    private HashSet<int> _declaredAdjoints = new();
    private readonly HashSet<int> _hoisted = new();
    private readonly Dictionary<int, string[]> _callSlots = new();
    private Dictionary<int, Code> _aliasedAdjoints = new();
    private HashSet<int> _gated = new();
    private readonly Stack<int> _branchRegions = new();
    private bool _dryRun;
    private int _temporaries;

    private readonly bool _tangentMode;
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
    }

    /// <summary>The generated file: the gradient method, and the tangent method when it was asked for.</summary>
    public static string Emit(DifferentiableMethod method)
    {
        var gradient = new Emitter(method, tangentMode: false);
        var methods = new List<string> { gradient.WriteGradient() };
        var namespaces = new HashSet<string>(gradient._namespacesUsed);
        if (method.TangentName is not null)
        {
            var tangent = new Emitter(method, tangentMode: true);
            methods.Add(tangent.WriteTangent());
            namespaces.UnionWith(tangent._namespacesUsed);
        }
        return WriteFile(method, methods, namespaces);
    }

    private string WriteGradient()
    {
        Analyse();

        // A dry run of the backward pass finds the values it reads; those must be kept as named locals.
        _dryRun = true;
        WriteBackwardPass();
        _dryRun = false;
        _lastStatement = -1;
        _declaredAdjoints = new HashSet<int>();
        _aliasedAdjoints = new Dictionary<int, Code>();
        _gated = new HashSet<int>();
        AssignNames();

        var body = new StringBuilder();
        _text = body;
        _depth = 1 + _method.ContainingTypes.Count + (_method.Namespace is null ? 0 : 1);
        Line("// Forward pass");
        WriteForwardRegion(0);
        Line();
        _lastStatement = -1;
        Line(_needsAdjoint[_method.Result] && _nodes[_method.Result].Op != Op.Parameter
            ? "// Backward pass: each adjoint d<name> = ∂result/∂<name>, summed over the uses of <name>"
            : "// Backward pass");
        WriteBackwardPass();
        Line();
        Line("return " + Ref(_method.Result).Text + ";");

        var m = _method;
        var differentiable = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        var summary = new List<string> { $"Returns <see cref=\"{Cref()}\"/> and adds its partial derivatives to the adjoint arguments:" };
        summary.AddRange(differentiable.Select(p => $"<paramref name=\"{_adjointNames[p.Node]}\"/> += ∂{m.Name}/∂{p.Name}."));
        summary.Add("Adjoints accumulate, so a minibatch can sum gradients into the same variables.");
        var parameters = m.Parameters.Select(p => p.Type.Keyword() + " " + Identifier(_names[p.Node]!))
            .Concat(differentiable.Select(p => "ref " + p.Type.Keyword() + " " + Identifier(_adjointNames[p.Node]!)));
        return MethodText(summary, m.GradientName, parameters, body.ToString());
    }

    /// <summary>
    /// Forward mode: each value's tangent d&lt;name&gt; (its derivative along the direction given for the
    /// parameters) is computed right after the value, as the sum over its operands of ∂value/∂operand · d&lt;operand&gt;.
    /// </summary>
    private string WriteTangent()
    {
        Analyse();
        _dryRun = true;
        foreach (var node in _nodes.Where(n => _reachable[n.Id] && _active[n.Id] && n.Op is not (Op.Parameter or Op.Select)))
        {
            TangentOf(node);
        }
        foreach (var select in _nodes.Where(n => _reachable[n.Id] && n.Op == Op.Select))
        {
            Ref(select.Args[0]);
        }
        _dryRun = false;
        AssignNames();
        string output = Unique("d" + _method.Name);

        var body = new StringBuilder();
        _text = body;
        _depth = 1 + _method.ContainingTypes.Count + (_method.Namespace is null ? 0 : 1);
        Line("// Forward pass with tangents: d<name> is the derivative of <name> along the direction (d<parameter>, …)");
        WriteForwardRegion(0);
        Line();
        Line($"{Identifier(output)} = {(TangentCode(_method.Result) ?? Code.Constant(0, _method.ReturnType)).Text};");
        Line("return " + Ref(_method.Result).Text + ";");

        var m = _method;
        var differentiable = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        var summary = new List<string>
        {
            $"Returns <see cref=\"{Cref()}\"/> and, in <paramref name=\"{output}\"/>, its directional derivative",
            "(forward mode, a Jacobian-vector product): " + string.Join(" + ", differentiable.Select(p => $"∂{m.Name}/∂{p.Name}·{_adjointNames[p.Node]}")) + ".",
        };
        var parameters = m.Parameters.Select(p => p.Type.Keyword() + " " + Identifier(_names[p.Node]!))
            .Concat(differentiable.Select(p => p.Type.Keyword() + " " + Identifier(_adjointNames[p.Node]!)))
            .Append("out " + m.ReturnType.Keyword() + " " + Identifier(output));
        return MethodText(summary, m.TangentName!, parameters, body.ToString());
    }

    /// <summary>The tangent of a value, or null when it does not depend on a differentiated parameter.</summary>
    private Code? TangentCode(int id)
    {
        var node = _nodes[id];
        if (!_active[id])
        {
            return null;
        }
        if (node.Op == Op.Parameter || IsLocal(id))
        {
            return Code.Name(AdjointName(id));
        }
        return TangentOf(node);
    }

    /// <summary>Σ ∂node/∂operand · d(operand), from the same rules as the backward pass (with an adjoint of 1).</summary>
    private Code TangentOf(Node node)
    {
        Code? sum = null;
        foreach (var (arg, partial, negate) in Partials(node, Code.Constant(1, node.Type)))
        {
            if (TangentCode(arg) is not { } tangent)
            {
                continue;
            }
            if (_nodes[arg].Type != node.Type)
            {
                tangent = Code.Cast(node.Type, tangent);
            }
            var term = Code.Times(partial, tangent);
            sum = sum is null ? (negate ? Code.Prefix("-", term) : term) : negate ? Code.Minus(sum.Value, term) : Code.Plus(sum.Value, term);
        }
        return sum ?? Code.Constant(0, node.Type);
    }

    // ---- Analysis ------------------------------------------------------------------------------

    private void Analyse()
    {
        var pending = new Stack<int>();
        pending.Push(_method.Result);
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
        }

        var active = _active = new bool[_nodes.Count];
        foreach (var parameter in _method.Parameters)
        {
            active[parameter.Node] = parameter.IsDifferentiable;
            _isParameterWithAdjoint[parameter.Node] = parameter.IsDifferentiable;
        }
        foreach (var node in _nodes)
        {
            active[node.Id] |= DerivativeFlow.DifferentiableArgs(node, _nodes).Any(a => active[a]);
        }
        var reached = DerivativeFlow.ReachedNodes(_nodes, _method.Result);
        foreach (var node in _nodes)
        {
            _needsAdjoint[node.Id] = active[node.Id] && reached.Contains(node.Id);
            _mayBeNonFinite[node.Id] = node.Type.IsFloating() && (CanLeaveDomain(node.Op) || node.Args.Any(a => _mayBeNonFinite[a]));
        }
    }

    /// <summary>Constants and parameters are written in place; other nodes get a local unless used once, right there.</summary>
    private bool IsLocal(int id)
    {
        var node = _nodes[id];
        if (!_reachable[id] || node.Op is Op.Constant or Op.Parameter)
        {
            return false;
        }
        return node.Name is not null || id == _method.Result || node.Op is Op.Select or Op.Call
            || _useCount[id] != 1 || _neededByBackward[id] || _useRegion[id] != node.Region;
    }

    /// <summary>
    /// Names come first from the user (parameters, then locals), so generated names give way to them:
    /// temporaries are t1, t2, … and every adjoint is d + the name of its value.
    /// </summary>
    private void AssignNames()
    {
        foreach (var parameter in _method.Parameters)
        {
            _names[parameter.Node] = Claim(parameter.Name);
        }
        var locals = _nodes.Where(n => IsLocal(n.Id)).ToList();
        foreach (var node in locals.Where(n => n.Name is not null))
        {
            _names[node.Id] = Unique(node.Name!);
        }
        foreach (var parameter in _method.Parameters.Where(p => p.IsDifferentiable))
        {
            _adjointNames[parameter.Node] = Unique("d" + parameter.Name);
        }
        int temporaries = 0;
        foreach (var node in locals.Where(n => n.Name is null))
        {
            _names[node.Id] = Claim(NextTemporary("t", ref temporaries));
        }
        foreach (var node in locals.Where(n => _needsAdjoint[n.Id]))
        {
            _adjointNames[node.Id] = Unique("d" + _names[node.Id]);
        }
        _temporaries = temporaries;
    }

    /// <summary>
    /// The adjoint variable of a node. A value written inline usually needs none (its adjoint is an alias), so
    /// its name is made only when the backward pass declares it: dt + the next temporary number.
    /// </summary>
    private string AdjointName(int id) =>
        _dryRun ? "d" : Identifier(_adjointNames[id] ??= Claim(NextTemporary("dt", ref _temporaries)));

    private string NextTemporary(string prefix, ref int counter)
    {
        string name;
        do
        {
            name = prefix + ++counter;
        }
        while (_usedNames.Contains(name));
        return name;
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int suffix = 2; _usedNames.Contains(candidate); suffix++)
        {
            candidate = name + "_" + suffix;
        }
        return Claim(candidate);
    }

    private string Claim(string name)
    {
        _usedNames.Add(name);
        return name;
    }

    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    // ---- Forward pass --------------------------------------------------------------------------

    private void WriteForwardRegion(int region)
    {
        foreach (var node in _nodes.Where(n => n.Region == region && IsLocal(n.Id)))
        {
            string type = node.Type.Keyword();
            string name = Identifier(_names[node.Id]!);
            if (node.Op != Op.Select)
            {
                Comment(node.Statement, "");
                Line(_hoisted.Contains(node.Id) ? $"{name} = {Render(node).Text};" : $"{type} {name} = {Render(node).Text};");
                if (_tangentMode && _active[node.Id])
                {
                    WriteCallGradient(node);
                    Line($"{type} {AdjointName(node.Id)} = {TangentOf(node).Text};");
                }
                continue;
            }
            var group = BranchGroup(node);
            if (group[0] != node.Id)
            {
                continue;   // written with the first select of its if statement
            }
            Comment(node.Statement, "");
            var condition = Ref(node.Args[0]);
            if (group.Count == 1 && !HasLocals(node.TrueRegion) && !HasLocals(node.FalseRegion))
            {
                string value = Code.Condition(condition, Ref(node.Args[1]), Ref(node.Args[2])).Text;
                Line(_hoisted.Contains(node.Id) ? $"{name} = {value};" : $"{type} {name} = {value};");
                if (_tangentMode && _active[node.Id])
                {
                    var zero = Code.Constant(0, node.Type);
                    Line($"{type} {AdjointName(node.Id)} = {Code.Condition(condition, TangentCode(node.Args[1]) ?? zero, TangentCode(node.Args[2]) ?? zero).Text};");
                }
                continue;
            }
            // Values computed in a branch but read by the backward pass are declared outside it (forward mode
            // uses them only inside the branch).
            foreach (var kept in _nodes.Where(n => !_tangentMode && IsLocal(n.Id) && _neededByBackward[n.Id]
                && (Encloses(node.TrueRegion, n.Region) || Encloses(node.FalseRegion, n.Region)) && _hoisted.Add(n.Id)))
            {
                Line($"{kept.Type.Keyword()} {Identifier(_names[kept.Id]!)} = {Code.Constant(0, kept.Type).Text};");
            }
            foreach (int member in group.Where(m => !_hoisted.Contains(m)))
            {
                Line($"{_nodes[member].Type.Keyword()} {Identifier(_names[member]!)};");
            }
            foreach (int member in group.Where(m => _tangentMode && _active[m]))
            {
                Line($"{_nodes[member].Type.Keyword()} {AdjointName(member)};");
            }
            Line($"if ({condition.Text})");
            WriteForwardBranch(node.TrueRegion, group, 1);
            Line("else");
            WriteForwardBranch(node.FalseRegion, group, 2);
        }
    }

    /// <summary>Writes a branch, then assigns each select of the group its value from this branch (arg 1 or 2).</summary>
    private void WriteForwardBranch(int region, List<int> group, int arg)
    {
        Line("{");
        _depth++;
        int lastStatement = _lastStatement;
        WriteForwardRegion(region);
        _lastStatement = lastStatement;
        foreach (int member in group)
        {
            Line($"{Identifier(_names[member]!)} = {Ref(_nodes[member].Args[arg]).Text};");
            if (_tangentMode && _active[member])
            {
                var tangent = TangentCode(_nodes[member].Args[arg]) ?? Code.Constant(0, _nodes[member].Type);
                Line($"{AdjointName(member)} = {tangent.Text};");
            }
        }
        _depth--;
        Line("}");
    }

    /// <summary>
    /// The reachable selects that share this select's branches: an if statement that assigns several variables
    /// makes one select per variable, and its branches are written once for all of them.
    /// </summary>
    private List<int> BranchGroup(Node select) =>
        _nodes.Where(n => n.Op == Op.Select && n.TrueRegion == select.TrueRegion && _reachable[n.Id]).Select(n => n.Id).ToList();

    private bool HasLocals(int region) => _nodes.Any(n => IsLocal(n.Id) && Encloses(region, n.Region));

    // ---- Backward pass -------------------------------------------------------------------------

    private void WriteBackwardPass()
    {
        int result = _method.Result;
        if (_nodes[result].Op == Op.Parameter && _needsAdjoint[result])
        {
            Line($"{AdjointName(result)} += {Code.Constant(1, _nodes[result].Type).Text};");
            return;
        }
        if (_nodes[result].Name is { } name && _needsAdjoint[result])
        {
            // The result is one of the user's locals: seed its adjoint by name, so the chain rule reads df * ….
            _declaredAdjoints.Add(result);
            Comment(_nodes[result].Statement, "adjoint of: ");
            Line($"{_nodes[result].Type.Keyword()} {AdjointName(result)} = {Code.Constant(1, _nodes[result].Type).Text};   // ∂{name}/∂{name}");
        }
        WriteBackwardRegion(0);
    }

    private void WriteBackwardRegion(int region)
    {
        for (int id = _nodes.Count - 1; id >= 0; id--)
        {
            var node = _nodes[id];
            if (node.Region != region || !_reachable[id])
            {
                continue;
            }
            if (node.Op == Op.Select)
            {
                WriteSelectBackward(node);
                continue;
            }
            if (!_needsAdjoint[id] || node.Op == Op.Parameter || !HasAdjoint(id))
            {
                continue;
            }
            Comment(node.Statement, "adjoint of: ");
            var adjoint = Adjoint(id);
            var partials = Partials(node, adjoint).ToList();
            if (!_gated.Contains(id) || PreservesZero(node.Op) || !(CanLeaveDomain(node.Op) || _mayBeNonFinite[id] || node.Args.Any(a => _mayBeNonFinite[a])))
            {
                WriteCallGradient(node);
                foreach (var (arg, share, negate) in partials)
                {
                    Contribute(id, arg, share, negate, node.Type);
                }
                continue;
            }
            // This adjoint is zero whenever a branch not taken routed nothing here, and the local derivative may
            // be infinite or NaN there (a Sqrt the branch guarded against, say). Skipping it keeps 0·∞ = NaN out.
            foreach (int arg in partials.Select(p => p.Arg).Distinct().Where(a => _needsAdjoint[a] && !HasAdjoint(a)))
            {
                _declaredAdjoints.Add(arg);
                Line($"{_nodes[arg].Type.Keyword()} {AdjointName(arg)} = {Code.Constant(0, _nodes[arg].Type).Text};");
            }
            Line($"if ({Code.Binary(adjoint, "!=", Code.Constant(0, node.Type), Code.Equality).Text})");
            Line("{");
            _depth++;
            WriteCallGradient(node);
            foreach (var (arg, share, negate) in partials)
            {
                Contribute(id, arg, share, negate, node.Type);
            }
            _depth--;
            Line("}");
        }
    }

    /// <summary>
    /// For a call to another [Differentiable] method: runs its generated gradient into fresh slots, named
    /// d&lt;callee&gt;_d&lt;parameter&gt;, which the shares then scale by this node's adjoint.
    /// </summary>
    private void WriteCallGradient(Node node)
    {
        if (node.Op != Op.Call)
        {
            return;
        }
        var callee = node.Callee!;
        var slots = new List<string>();
        for (int i = 0; i < node.Args.Count; i++)
        {
            if (callee.Differentiable[i])
            {
                var type = _nodes[node.Args[i]].Type;
                Line($"{type.Keyword()} {CallSlot(node, i)} = {Code.Constant(0, type).Text};");
                slots.Add("ref " + CallSlot(node, i));
            }
        }
        var arguments = node.Args.Select(a => Ref(a).Text).Concat(slots);
        Line($"{callee.Gradient}({string.Join(", ", arguments)});");
    }

    private string CallSlot(Node node, int parameter)
    {
        if (_dryRun)
        {
            return "slot";
        }
        if (!_callSlots.TryGetValue(node.Id, out var slots))
        {
            string callee = node.Callee!.Method.Substring(node.Callee.Method.LastIndexOf('.') + 1);
            slots = node.Callee.Parameters.Select(p => Unique("d" + callee + "_d" + p)).ToArray();
            _callSlots[node.Id] = slots;
        }
        return slots[parameter];
    }

    /// <summary>Operations that can turn finite operands into ±∞ or NaN (or have such a derivative): poles, domains, overflow.</summary>
    private static bool CanLeaveDomain(Op op) =>
        op is Op.Divide or Op.Remainder or Op.Log or Op.Log10 or Op.Log2 or Op.Sqrt or Op.Cbrt or Op.Pow or Op.Exp
            or Op.Sinh or Op.Cosh or Op.Tan or Op.Asin or Op.Acos or Op.Atan2 or Op.Call;

    /// <summary>Rules whose shares are ±d or a routed d: a zero adjoint passes on exactly zero whatever the values.</summary>
    private static bool PreservesZero(Op op) =>
        op is Op.Add or Op.Subtract or Op.Negate or Op.Convert or Op.Abs or Op.Max or Op.Min or Op.Clamp or Op.ReLU or Op.HardTanh;

    /// <summary>The branch taken in the forward pass routes the adjoint, as max does in the lectures' circuits.</summary>
    private void WriteSelectBackward(Node node)
    {
        var group = BranchGroup(node);
        if (group[group.Count - 1] != node.Id)
        {
            return;   // written with the last select of its if statement, which comes first in reverse
        }
        var routed = group.Where(m => _needsAdjoint[m] && HasAdjoint(m)).ToList();
        if (routed.Count == 0)
        {
            return;
        }
        Comment(node.Statement, "adjoint of: ");
        var condition = Ref(node.Args[0]);
        bool branchesHaveWork = _nodes.Any(n => _reachable[n.Id] && _needsAdjoint[n.Id] && n.Op != Op.Parameter
            && (Encloses(node.TrueRegion, n.Region) || Encloses(node.FalseRegion, n.Region)));
        if (group.Count == 1 && !branchesHaveWork)
        {
            var adjoint = Adjoint(node.Id);
            var zero = Code.Constant(0, node.Type);
            Contribute(node.Id, node.Args[1], Code.Condition(condition, adjoint, zero), false, node.Type);
            Contribute(node.Id, node.Args[2], Code.Condition(condition, zero, adjoint), false, node.Type);
            return;
        }

        // Adjoints of values outside the branches that either branch adds to must exist before the if.
        var outerOperands = OperandsReceivingFrom(node.TrueRegion, routed.Select(m => _nodes[m].Args[1]))
            .Concat(OperandsReceivingFrom(node.FalseRegion, routed.Select(m => _nodes[m].Args[2])));
        foreach (int outer in outerOperands.Distinct().OrderBy(i => i))
        {
            if (!_declaredAdjoints.Contains(outer) && !_isParameterWithAdjoint[outer])
            {
                _declaredAdjoints.Add(outer);
                Line($"{_nodes[outer].Type.Keyword()} {AdjointName(outer)} = {Code.Constant(0, _nodes[outer].Type).Text};");
            }
        }
        bool trueHasWork = BranchHasWork(node.TrueRegion, routed, 1), falseHasWork = BranchHasWork(node.FalseRegion, routed, 2);
        if (trueHasWork)
        {
            Line($"if ({condition.Text})");
            WriteBackwardBranch(node.TrueRegion, routed, 1);
            if (falseHasWork)
            {
                Line("else");
                WriteBackwardBranch(node.FalseRegion, routed, 2);
            }
        }
        else if (falseHasWork)
        {
            Line($"if ({Code.Prefix("!", condition).Text})");
            WriteBackwardBranch(node.FalseRegion, routed, 2);
        }
    }

    private bool BranchHasWork(int region, List<int> routed, int arg) =>
        routed.Any(m => _needsAdjoint[_nodes[m].Args[arg]])
        || _nodes.Any(n => _reachable[n.Id] && _needsAdjoint[n.Id] && n.Op != Op.Parameter && Encloses(region, n.Region));

    private void WriteBackwardBranch(int region, List<int> routed, int arg)
    {
        Line("{");
        _depth++;
        var declaredOutside = new HashSet<int>(_declaredAdjoints);
        int lastStatement = _lastStatement;
        _branchRegions.Push(region);
        foreach (int member in routed)
        {
            Contribute(member, _nodes[member].Args[arg], Adjoint(member), false, _nodes[member].Type);
        }
        WriteBackwardRegion(region);
        _branchRegions.Pop();
        _declaredAdjoints = declaredOutside;   // adjoints declared in the branch go out of scope with it
        _lastStatement = lastStatement;
        _depth--;
        Line("}");
    }

    /// <summary>Nodes outside <paramref name="region"/> whose adjoints the branch adds to.</summary>
    private IEnumerable<int> OperandsReceivingFrom(int region, IEnumerable<int> values)
    {
        var sources = _nodes.Where(n => _reachable[n.Id] && _needsAdjoint[n.Id] && Encloses(region, n.Region))
            .SelectMany(n => DerivativeFlow.DifferentiableArgs(n, _nodes))
            .Concat(values);
        return sources.Where(a => _needsAdjoint[a] && !Encloses(region, _nodes[a].Region));
    }

    private bool HasAdjoint(int id) =>
        id == _method.Result || _declaredAdjoints.Contains(id) || _aliasedAdjoints.ContainsKey(id) || _isParameterWithAdjoint[id];

    private Code Adjoint(int id) =>
        _aliasedAdjoints.TryGetValue(id, out var alias) ? alias
        : id == _method.Result && !_declaredAdjoints.Contains(id) ? Code.Constant(1, _nodes[id].Type)
        : Code.Name(AdjointName(id));

    /// <summary>Adds <paramref name="share"/> (of type <paramref name="shareType"/>) from <paramref name="source"/> to the adjoint of <paramref name="target"/>.</summary>
    private void Contribute(int source, int target, Code share, bool negate, ScalarType shareType)
    {
        if (!_needsAdjoint[target])
        {
            return;
        }
        // The target's adjoint may be exactly zero when the share is routed by a condition, flows from an
        // adjoint that may be zero, or comes from inside a branch that need not have been taken.
        if (share.Precedence == Code.Conditional || _gated.Contains(source)
            || (_branchRegions.Count > 0 && !Encloses(_branchRegions.Peek(), _nodes[target].Region)))
        {
            _gated.Add(target);
        }
        var type = _nodes[target].Type;
        if (type != shareType)
        {
            share = Code.Cast(type, share);
        }
        var signed = negate ? Code.Prefix("-", share) : share;
        if (!IsLocal(target) && !_isParameterWithAdjoint[target] && !_declaredAdjoints.Contains(target) && signed.Precedence >= Code.Unary && signed.Text.IndexOfAny(new[] { ' ', '(' }) < 0)
        {
            // An inline value is used exactly once, so its adjoint is this one share: no variable needed
            // when the share is just a name or a number.
            _aliasedAdjoints[target] = signed;
            return;
        }
        string name = AdjointName(target);
        if (_isParameterWithAdjoint[target] || _declaredAdjoints.Contains(target))
        {
            if (Code.IsNegation(share))
            {
                (share, negate) = (Code.Prefix("-", share), !negate);
            }
            Line($"{name} {(negate ? "-=" : "+=")} {share.Text};");
        }
        else
        {
            _declaredAdjoints.Add(target);
            Line($"{type.Keyword()} {name} = {signed.Text};");
        }
    }

    // ---- Derivative rules ----------------------------------------------------------------------

    /// <summary>
    /// For each differentiable operand: its share of the node's adjoint <paramref name="d"/> (the local
    /// derivative times d) and whether that share is subtracted.
    /// </summary>
    private IEnumerable<(int Arg, Code Share, bool Negate)> Partials(Node node, Code d)
    {
        var args = node.Args;
        var type = node.Type;
        Code A(int i) => Ref(args[i]);
        Code R() => Ref(node.Id);
        Code K(double value) => Code.Constant(value, type);
        Code F(string function, params Code[] operands) => Code.Call(MathClass(type) + "." + function, operands);
        Code Square(Code x) => Code.Times(x, x);
        Code Route(Code condition, Code whenTrue, Code whenFalse) =>
            condition.Literal is double known ? (known != 0 ? whenTrue : whenFalse) : Code.Condition(condition, whenTrue, whenFalse);
        // Comparing a value with itself is known here (and C# warns about x >= x), e.g. for Math.Clamp(x, x, hi).
        Code Compare(int left, string op, int right) => left == right
            ? Code.Constant(op is "<=" or ">=" or "==" ? 1 : 0, ScalarType.Bool)
            : Code.Binary(Ref(left), op, Ref(right), op is "==" or "!=" ? Code.Equality : Code.Relational);
        Code CompareTo(int left, string op, double constant) =>
            Code.Binary(Ref(left), op, K(constant), op is "==" or "!=" ? Code.Equality : Code.Relational);
        Code Both(Code left, Code right) =>
            left.Literal is double l ? (l != 0 ? right : left) : right.Literal is double r ? (r != 0 ? left : right) : Code.Binary(left, "&&", right, Code.LogicalAnd);

        switch (node.Op)
        {
            case Op.Convert:
            case Op.Add:
                foreach (int arg in args)
                {
                    yield return (arg, d, false);
                }
                break;
            case Op.Negate:
                yield return (args[0], d, true);
                break;
            case Op.Subtract:
                yield return (args[0], d, false);
                yield return (args[1], d, true);
                break;
            case Op.Multiply when args[0] == args[1]:   // x·x: one share of 2·x rather than two of x
                yield return (args[0], Code.Times(d, Code.Times(K(2), A(0))), false);
                break;
            case Op.Multiply:
                yield return (args[0], Code.Times(d, A(1)), false);
                yield return (args[1], Code.Times(d, A(0)), false);
                break;
            case Op.Divide when _nodes[args[0]] is { Op: Op.Constant, Constant: 1 }:   // r = 1/b: ∂r/∂b = −r², no second division
                yield return (args[1], Code.Times(d, Square(R())), true);
                break;
            case Op.Divide:
                yield return (args[0], Code.Over(d, A(1)), false);
                yield return (args[1], Code.Over(Code.Times(d, R()), A(1)), true);
                break;
            case Op.Remainder:   // a % b = a − trunc(a / b)·b
                yield return (args[0], d, false);
                yield return (args[1], Code.Times(d, F("Truncate", Code.Over(A(0), A(1)))), true);
                break;
            case Op.Call:   // the slots the callee's gradient filled (see WriteCallGradient)
                for (int i = 0; i < args.Count; i++)
                {
                    if (node.Callee!.Differentiable[i])
                    {
                        yield return (args[i], Code.Times(d, Code.Name(CallSlot(node, i))), false);
                    }
                }
                break;
            case Op.Exp:
                yield return (args[0], Code.Times(d, R()), false);
                break;
            case Op.Log:
                yield return (args[0], Code.Over(d, A(0)), false);
                break;
            case Op.Log10:
                yield return (args[0], Code.Over(d, Code.Times(A(0), F("Log", K(10)))), false);
                break;
            case Op.Log2:
                yield return (args[0], Code.Over(d, Code.Times(A(0), F("Log", K(2)))), false);
                break;
            case Op.Sqrt:
                yield return (args[0], Code.Over(d, Code.Times(K(2), R())), false);
                break;
            case Op.Cbrt:
                yield return (args[0], Code.Over(d, Code.Times(K(3), Square(R()))), false);
                break;
            case Op.Pow:
                yield return (args[0], Code.Times(d, PowerRule(node, A, K, F)), false);
                // ∂(a^b)/∂b = a^b·ln a, which is 0·(−∞) at a = 0 where the derivative is 0.
                yield return (args[1], Route(CompareTo(args[0], "==", 0), K(0), Code.Times(d, Code.Times(R(), F("Log", A(0))))), false);
                break;
            case Op.Sin:
                yield return (args[0], Code.Times(d, F("Cos", A(0))), false);
                break;
            case Op.Cos:
                yield return (args[0], Code.Times(d, F("Sin", A(0))), true);
                break;
            case Op.Tan:
                yield return (args[0], Code.Times(d, Code.Plus(K(1), Square(R()))), false);
                break;
            case Op.Asin:
                yield return (args[0], Code.Over(d, F("Sqrt", Code.Minus(K(1), Square(A(0))))), false);
                break;
            case Op.Acos:
                yield return (args[0], Code.Over(d, F("Sqrt", Code.Minus(K(1), Square(A(0))))), true);
                break;
            case Op.Atan:
                yield return (args[0], Code.Over(d, Code.Plus(K(1), Square(A(0)))), false);
                break;
            case Op.Atan2:   // atan2(y, x): ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²)
                var radius = Code.Plus(Square(A(1)), Square(A(0)));
                yield return (args[0], Code.Over(Code.Times(d, A(1)), radius), false);
                yield return (args[1], Code.Over(Code.Times(d, A(0)), radius), true);
                break;
            case Op.Sinh:
                yield return (args[0], Code.Times(d, F("Cosh", A(0))), false);
                break;
            case Op.Cosh:
                yield return (args[0], Code.Times(d, F("Sinh", A(0))), false);
                break;
            case Op.Tanh:
                yield return (args[0], Code.Times(d, Code.Minus(K(1), Square(R()))), false);
                break;
            case Op.Sigmoid:
                yield return (args[0], Code.Times(d, Code.Times(R(), Code.Minus(K(1), R()))), false);
                break;
            case Op.Softplus:
                yield return (args[0], Code.Times(d, Code.Call(ActivationsClass() + ".Sigmoid", A(0))), false);
                break;
            case Op.Abs:
                yield return (args[0], Route(CompareTo(args[0], "<", 0), Code.Prefix("-", d), d), false);
                break;
            case Op.Max:
                yield return (args[0], Route(Compare(args[0], ">=", args[1]), d, K(0)), false);
                yield return (args[1], Route(Compare(args[0], ">=", args[1]), K(0), d), false);
                break;
            case Op.Min:
                yield return (args[0], Route(Compare(args[0], "<=", args[1]), d, K(0)), false);
                yield return (args[1], Route(Compare(args[0], "<=", args[1]), K(0), d), false);
                break;
            case Op.Clamp:   // Math.Clamp(x, lo, hi) returns lo when x < lo, hi when x > hi, else x
                var inside = Both(Compare(args[1], "<=", args[0]), Compare(args[0], "<=", args[2]));
                yield return (args[0], Route(inside, d, K(0)), false);
                yield return (args[1], Route(Compare(args[0], "<", args[1]), d, K(0)), false);
                yield return (args[2], Route(Compare(args[0], ">", args[2]), d, K(0)), false);
                break;
            case Op.ReLU:
                yield return (args[0], Route(CompareTo(args[0], ">", 0), d, K(0)), false);
                break;
            case Op.HardTanh:
                var linear = Code.Binary(CompareTo(args[0], ">=", -1), "&&", CompareTo(args[0], "<=", 1), Code.LogicalAnd);
                yield return (args[0], Route(linear, d, K(0)), false);
                break;
            case Op.LeakyReLU:
                yield return (args[0], Route(CompareTo(args[0], ">", 0), d, Code.Times(d, A(1))), false);
                yield return (args[1], Route(CompareTo(args[0], ">", 0), K(0), Code.Times(d, A(0))), false);
                break;
            default:
                throw new InvalidOperationException($"No derivative rule for {node.Op}");
        }
    }

    /// <summary>∂(a^b)/∂a = b·a^(b−1), with small constant exponents written out.</summary>
    private static Code PowerRule(Node node, Func<int, Code> arg, Func<double, Code> constant, Func<string, Code[], Code> function)
    {
        var exponent = arg(1);
        if (exponent.Literal is double b)
        {
            return b switch
            {
                1 => constant(1),
                2 => Code.Times(constant(2), arg(0)),
                _ => Code.Times(constant(b), function("Pow", new[] { arg(0), constant(b - 1) })),
            };
        }
        return Code.Times(exponent, function("Pow", new[] { arg(0), Code.Minus(exponent, constant(1)) }));
    }

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
        switch (node.Op)
        {
            case Op.Convert: return Code.Cast(node.Type, A(0));
            case Op.Negate: return Code.Prefix("-", A(0));
            case Op.Not: return Code.Prefix("!", A(0));
            case Op.Add: return Code.Plus(A(0), A(1));
            case Op.Subtract: return Code.Minus(A(0), A(1));
            case Op.Multiply: return Code.Binary(A(0), "*", A(1), Code.Multiplicative);
            case Op.Divide: return Code.Binary(A(0), "/", A(1), Code.Multiplicative);
            case Op.Remainder: return Code.Binary(A(0), "%", A(1), Code.Multiplicative);
            case Op.LessThan: return Code.Binary(A(0), "<", A(1), Code.Relational);
            case Op.LessThanOrEqual: return Code.Binary(A(0), "<=", A(1), Code.Relational);
            case Op.GreaterThan: return Code.Binary(A(0), ">", A(1), Code.Relational);
            case Op.GreaterThanOrEqual: return Code.Binary(A(0), ">=", A(1), Code.Relational);
            case Op.Equal: return Code.Binary(A(0), "==", A(1), Code.Equality);
            case Op.NotEqual: return Code.Binary(A(0), "!=", A(1), Code.Equality);
            case Op.And: return Code.Binary(A(0), "&&", A(1), Code.LogicalAnd);
            case Op.Or: return Code.Binary(A(0), "||", A(1), Code.LogicalOr);
            case Op.Select: return Code.Condition(A(0), A(1), A(2));
            case Op.Call:
                return Code.Call(node.Callee!.Method, node.Args.Select(Ref).ToArray());
            case Op.Sigmoid or Op.ReLU or Op.HardTanh or Op.Softplus or Op.LeakyReLU:
                return Code.Call(ActivationsClass() + "." + node.Op, node.Args.Select(Ref).ToArray());
            default:
                // Math functions: MathF when the operands are float, as the user wrote them.
                var operandType = node.Args.Count > 0 ? _nodes[node.Args[0]].Type : node.Type;
                if (node.Op == Op.Clamp)
                {
                    operandType = ScalarType.Double;   // MathF has no Clamp; Math.Clamp has a float overload
                }
                return Code.Call(MathClass(operandType) + "." + node.Op, node.Args.Select(Ref).ToArray());
        }
    }

    private string MathClass(ScalarType type)
    {
        string name = type == ScalarType.Float ? "MathF" : "Math";
        _namespacesUsed.Add("System");
        return _method.QualifyNames ? "global::System." + name : name;
    }

    private string ActivationsClass()
    {
        _namespacesUsed.Add("SymbolicDiff");
        return _method.QualifyNames ? "global::SymbolicDiff.Activations" : "Activations";
    }

    // ---- Text ----------------------------------------------------------------------------------

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
        if (text.Length == 0)
        {
            _text.AppendLine();
            return;
        }
        for (int i = 0; i < _depth; i++)
        {
            _text.Append(Indent);
        }
        _text.AppendLine(text);
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

    private string Cref() => _method.Name + "(" + string.Join(", ", _method.Parameters.Select(p => p.Type.Keyword())) + ")";

    /// <summary>One generated method with its doc comment; indentation is added by <see cref="WriteFile"/>.</summary>
    private string MethodText(List<string> summary, string name, IEnumerable<string> parameters, string body)
    {
        var text = new StringBuilder();
        text.AppendLine("/// <summary>");
        foreach (string line in summary)
        {
            text.AppendLine("/// " + line);
        }
        text.AppendLine("/// </summary>");
        text.AppendLine("[global::System.CodeDom.Compiler.GeneratedCode(\"SymbolicDiff.Generator\", \"0.1.0\")]");
        text.AppendLine($"{_method.Accessibility} static {_method.ReturnType.Keyword()} {name}({string.Join(", ", parameters)})");
        text.AppendLine("{");
        text.Append(body);   // already indented to its final depth
        text.AppendLine("}");
        return text.ToString();
    }

    private static string WriteFile(DifferentiableMethod m, List<string> methods, HashSet<string> namespacesUsed)
    {
        var file = new StringBuilder();
        file.AppendLine("// <auto-generated/>");
        file.AppendLine($"// Generated by SymbolicDiff from {string.Join(".", m.ContainingTypes.Select(t => t.Name))}.{m.Name}. Edit that method, not this file.");
        file.AppendLine("#nullable enable");
        file.AppendLine();
        if (!m.QualifyNames && namespacesUsed.Count > 0)
        {
            foreach (string ns in namespacesUsed.OrderBy(n => n, StringComparer.Ordinal))
            {
                file.AppendLine($"using {ns};");
            }
            file.AppendLine();
        }
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
