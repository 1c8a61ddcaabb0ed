using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Second-order mode (Hessian = true). The method's DAG is replayed into a fresh <see cref="GraphBuilder"/>,
/// its reverse-mode gradient is built there AS NODES (adjoint of a node = Σ over its uses of the use's share,
/// every share a small node expression), and forward mode (tangents, also as nodes) is run over that larger
/// DAG: the tangent of ∂f/∂pᵢ along v is (H·v)ᵢ. Everything goes through the builder, so constants fold,
/// 0·x and x·1 vanish (unit directions cost nothing) and repeated subexpressions are shared (CSE).
/// <para>
/// Scope: straight-line methods (<see cref="IsStraightLine"/>: no loops or arrays; calls are inlined by the parser);
/// the others go through their <see cref="TangentProgram"/>. User branches (if/else, ?:, early returns: selects with regions) are replayed as eager selects: both sides
/// are evaluated and the select keeps the side taken, so the Hessian is that of the branch taken, with the
/// gradient's convention at the boundary (the side the condition picks). A node of a branch not taken may hold
/// NaN or ±∞ (Math.Log of a negative number that the branch guards against), so every derivative share a
/// branch node sends out is routed by whether its branch ran (<see cref="_guards"/>): select(ran, share, 0),
/// and a select never lets the other side's NaN through. What could throw when evaluated on the side not
/// taken (integer division, Math.Clamp without constant bounds, Math.Sign) sends the method to the tangent program.
/// The piecewise operations (Abs, Max, Min, Clamp, ReLU, HardTanh, LeakyReLU) route their adjoint with an
/// eager select node (both sides are plain values, no regions), so their second derivative is the routed
/// derivative of the side taken: 0 almost everywhere, and at an exact kink that of the side the first
/// derivative takes (Max routes to its first operand on a tie, Abs(0) routes +d, ReLU(0) routes 0).
/// </para>
/// </summary>
internal sealed class DerivativeGraph
{
    private readonly DifferentiableMethod _method;
    private readonly int[] _map;
    private readonly RuleNodes _rules;
    private readonly List<(int Start, string Label, string Prefix)> _phases = new();
    /// <summary>For a value computed inside a user branch: the bool node that says its branch ran (absent: always runs).</summary>
    private readonly Dictionary<int, int> _guards = new();

    public DerivativeGraph(DifferentiableMethod method)
    {
        _method = method;
        _rules = new RuleNodes(Builder, regionSelects: false);
        _map = new int[method.Nodes.Count];
        BeginPhase("Forward pass: the value", "");
        foreach (var node in method.Nodes)
        {
            Builder.CurrentStatement = node.Statement;
            var args = node.Args.Select(a => _map[a]).ToArray();
            int id = node.Op switch
            {
                Op.Parameter => Builder.Parameter(node.Name!, node.Type),
                Op.Constant => Builder.Constant(node.Constant, node.Type),
                Op.Convert => Builder.Convert(args[0], node.Type),
                _ when !Supports(node.Op) => throw new InvalidOperationException($"Hessian mode has no rule for {node.Op} (not rejected by Check)"),
                _ => Builder.Add(node.Op, node.Type, args),
            };
            if (node.Name is not null && node.Op is not Op.Parameter)
            {
                Builder.NameNode(id, node.Name);
            }
            _map[node.Id] = id;
        }
        Parameters = method.Parameters.Where(p => p.IsDifferentiable).ToList();
        GuardBranchValues();
    }

    /// <summary>
    /// Fills <see cref="_guards"/>: a value that some node of the method body computes always runs; one computed only
    /// in branches (shared by CSE between several, maybe) runs when any of them does.
    /// </summary>
    private void GuardBranchValues()
    {
        var branchOf = new Dictionary<int, (int Condition, bool WhenTrue)>();
        foreach (var node in _method.Nodes.Where(n => n.Op == Op.Select && n.TrueRegion >= 0))
        {
            branchOf[node.TrueRegion] = (_map[node.Args[0]], true);
            branchOf[node.FalseRegion] = (_map[node.Args[0]], false);
        }
        var ran = new Dictionary<int, int?> { [0] = null };
        int? Ran(int region)
        {
            if (!ran.TryGetValue(region, out var guard))
            {
                // A region without a select merges no value; nothing computed in it is used outside it.
                int? parent = Ran(_method.Regions[region].Parent);
                if (branchOf.TryGetValue(region, out var branch))
                {
                    int taken = branch.WhenTrue ? branch.Condition : Builder.Add(Op.Not, ScalarType.Bool, branch.Condition);
                    guard = parent is int p ? _rules.And(p, taken) : taken;
                }
                else
                {
                    guard = parent;
                }
                ran[region] = guard;
            }
            return guard;
        }
        var always = new HashSet<int>();
        foreach (var node in _method.Nodes)
        {
            int id = _map[node.Id];
            if (always.Contains(id))
            {
                continue;
            }
            if (Ran(node.Region) is not int guard)
            {
                always.Add(id);
                _guards.Remove(id);
            }
            else
            {
                _guards[id] = _guards.TryGetValue(id, out int other) && other != guard ? Builder.Add(Op.Or, ScalarType.Bool, other, guard) : guard;
            }
        }
    }

    public GraphBuilder Builder { get; } = new();

    /// <summary>The differentiable parameters, in order: the rows and columns of the Hessian.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Readable names for derivative nodes (d&lt;name&gt; for an adjoint, …), first hint wins.</summary>
    public Dictionary<int, string> Hints { get; } = new();

    /// <summary>Where each phase of the construction starts (node id), with a comment for it and the prefix of statement comments.</summary>
    public IReadOnlyList<(int Start, string Label, string Prefix)> Phases => _phases;

    public int Map(int original) => _map[original];

    public int Result => _map[_method.Result];

    public void BeginPhase(string label, string prefix) => _phases.Add((Builder.Nodes.Count, label, prefix));

    public void Hint(int id, string name)
    {
        // Only nodes made in the current phase: a node shared with an earlier phase (CSE) means something else there.
        if (Builder[id].Op is not (Op.Constant or Op.Parameter) && !Hints.ContainsKey(id) && id >= _phases[_phases.Count - 1].Start)
        {
            Hints[id] = name;
        }
    }

    // ---- What this mode supports ---------------------------------------------------------------

    /// <summary>The operations with a rule in the operation table, and selects. Anything else (new ops included) is rejected.</summary>
    public static bool Supports(Op op) => Operations.Supports(op) || op == Op.Select;

    /// <summary>
    /// True when this straight-line construction applies: no loops, no array parameters (not even unread ones: the
    /// Hessian's layout and H·v's directions have their elements), and nothing inside a branch that could throw on the
    /// side not taken (this construction evaluates both). Other methods take their second order from their
    /// <see cref="TangentProgram"/>, which runs branches and loops as the method does.
    /// </summary>
    public static bool IsStraightLine(DifferentiableMethod method) =>
        !method.HasVectorOutput && method.Parameters.All(p => p.Kind == ParameterKind.Scalar || !p.IsDifferentiable)
        && method.Nodes.All(n => Supports(n.Op) && !(n.Region != 0 && ThrowsOnSomeValues(n, method.Nodes) is not null));

    /// <summary>
    /// What computes a node that may throw for some operand values (so it cannot be evaluated on a branch's untaken
    /// side); null when it never throws.
    /// </summary>
    private static string? ThrowsOnSomeValues(Node node, IReadOnlyList<Node> nodes)
    {
        double? Constant(int k) => nodes[node.Args[k]] is { Op: Op.Constant } c ? c.Constant : null;
        return node.Op switch
        {
            // x / 0 throws, and int.MinValue / −1 overflows.
            Op.Divide or Op.Remainder when !node.Type.IsFloating() && Constant(1) is not (double and not (0.0 or -1.0)) => "an integer division",
            Op.Abs when !node.Type.IsFloating() => "Math.Abs of an integer",
            // Math.Clamp throws when min > max.
            Op.Clamp when !(Constant(1) is double lo && Constant(2) is double hi && lo <= hi) => "Math.Clamp",
            Op.Sign when nodes[node.Args[0]].Type.IsFloating() => "Math.Sign",   // of NaN
            _ => null,
        };
    }

    /// <summary>
    /// The type of a method's second derivatives: its result's, or for a void method its outputs' (double when one of
    /// them is: the Hessian of dyᵀ·y + dzᵀ·z with a double y and a float z is double).
    /// </summary>
    public static ScalarType ElementType(DifferentiableMethod method) =>
        !method.HasVectorOutput ? method.ReturnType
        : method.Parameters.Any(p => p.Kind == ParameterKind.OutputArray && p.Type == ScalarType.Double) ? ScalarType.Double : ScalarType.Float;

    /// <summary>What the user wrote that made a node the second-order code cannot take, in the user's terms.</summary>
    private static string Describe(Op op) => op switch
    {
        _ => "the operation '" + op + "'",
    };

    /// <summary>
    /// Why the Hessian of <paramref name="method"/> cannot be generated: for each offending node reachable from
    /// the result, the diagnostic id and its message arguments (after the method's name). Empty when it can.
    /// </summary>
    public static List<(string Id, string[] Args)> Check(DifferentiableMethod method)
    {
        var problems = new List<(string, string[])>();
        var outputs = new HashSet<int>(method.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).Select(p => p.Node));
        if (method.Nodes.FirstOrDefault(n => n.Op == Op.Load && outputs.Contains(n.Args[0])) is { } readBack)
        {
            // The second-order code writes the outputs' derivatives where their values were, so it cannot read them back.
            // (The parser rejects reading an output, SD0026, so this only guards a model that would.)
            problems.Add((Diagnostics.HessianUnsupportedOperation.Id, new[] { "reading back an output array", method.Statements[readBack.Statement].Text }));
            return problems;
        }
        // A call whose value only decides a condition is evaluated, never differentiated: only calls a derivative flows through count.
        var reachable = new HashSet<int>(method.Nodes.Where(n => n.Id == method.Result || n.Op == Op.Store)
            .SelectMany(root => DerivativeFlow.ReachedNodes(method.Nodes, root.Id)));
        foreach (var node in method.Nodes)
        {
            string statement = node.Statement >= 0 ? method.Statements[node.Statement].Text : method.Name;
            (string, string[])? problem = node.Op switch
            {
                Op.Call when reachable.Contains(node.Id) => (Diagnostics.HessianCall.Id, new[] { statement, node.Callee?.Method ?? "?" }),
                Op.Call => null,   // evaluated for a condition only: nothing to differentiate
                _ when !TangentProgram.Supports(node.Op) => (Diagnostics.HessianUnsupportedOperation.Id, new[] { Describe(node.Op), statement }),
                _ => null,
            };
            if (problem is { } p && !problems.Any(q => q.Item1 == p.Item1 && q.Item2.SequenceEqual(p.Item2)))
            {
                problems.Add(p);
            }
        }
        return problems;
    }

    // ---- Reverse mode as nodes -----------------------------------------------------------------

    /// <summary>
    /// Builds ∂f/∂p for every differentiable parameter as nodes, in reverse node order: a node's adjoint is
    /// complete once every later node (all its uses) has added its share. Null means structurally zero.
    /// </summary>
    public int?[] Gradient()
    {
        BeginPhase("Gradient (reverse mode, as nodes): d<name> = ∂result/∂<name>, summed over the uses of <name>", "adjoint of: ");
        int count = Builder.Nodes.Count;
        var nodes = Builder.Nodes;
        var active = Active(count);
        var adjoint = new int?[count];
        int result = Result;
        if (active[result])
        {
            adjoint[result] = Builder.Constant(1, nodes[result].Type);
        }
        for (int id = count - 1; id >= 0; id--)
        {
            if (adjoint[id] is not int d || nodes[id].Op is Op.Parameter or Op.Constant)
            {
                continue;
            }
            var node = nodes[id];
            Builder.CurrentStatement = node.Statement;
            foreach (int k in DerivativeFlow.FlowingOperands(node, Builder.Nodes))
            {
                int target = node.Args[k];
                if (!active[target] || _rules.Share(node, k, d) is not int share)
                {
                    continue;
                }
                share = Builder.Convert(share, nodes[target].Type);
                if (_guards.TryGetValue(id, out int ran) && !Linear(node, k))
                {
                    share = _rules.Select(ran, share, Builder.Constant(0, nodes[target].Type), nodes[target].Type);
                }
                adjoint[target] = adjoint[target] is int sum ? _rules.Sum(sum, share, nodes[target].Type) : share;
            }
        }
        for (int id = 0; id < count; id++)
        {
            if (adjoint[id] is int a && nodes[id].Name is { } name)
            {
                Hint(a, "d" + name);
            }
        }
        return Parameters.Select(p => adjoint[Map(p.Node)]).ToArray();
    }

    /// <summary>
    /// The share to operand k is d times finite, nonzero-divisor constants (or routed by a bool): zero wherever d is, so it needs no
    /// guard. An adjoint in a branch not taken is exactly zero (the select routes 0 to it, every other share is guarded).
    /// </summary>
    private bool Linear(Node node, int k) => node.Op switch
    {
        Op.Add or Op.Subtract or Op.Negate or Op.Convert or Op.Select => true,
        Op.Multiply => node.Args[0] != node.Args[1] && Finite(node.Args[1 - k]),
        Op.Divide => k == 0 && Finite(node.Args[1]) && Builder[node.Args[1]].Constant != 0,
        _ => false,
    };

    private bool Finite(int id) => Builder.IsConstant(id, out double value) && !double.IsInfinity(value) && !double.IsNaN(value);

    // ---- Forward mode as nodes -----------------------------------------------------------------

    /// <summary>
    /// The tangent (directional derivative, as a node; null = structurally zero) of every node that
    /// <paramref name="outputs"/> depend on, given the tangent of each differentiable parameter.
    /// </summary>
    public Dictionary<int, int?> Tangents(IEnumerable<int> outputs, IReadOnlyList<int?> direction, Func<string, string> hint)
    {
        var nodes = Builder.Nodes;
        var needed = new HashSet<int>();
        foreach (int output in outputs)
        {
            needed.UnionWith(DerivativeFlow.Reach(output, id => nodes[id].Args));
        }
        var seeds = new Dictionary<int, int?>();
        for (int i = 0; i < Parameters.Count; i++)
        {
            seeds[Map(Parameters[i].Node)] = direction[i];
        }
        var tangent = new Dictionary<int, int?>();
        foreach (int id in needed.OrderBy(i => i))
        {
            var node = nodes[id];
            Builder.CurrentStatement = node.Statement;
            int? t = null;
            if (node.Op == Op.Parameter)
            {
                t = seeds.TryGetValue(id, out var seed) ? seed : null;
            }
            else if (node.Op == Op.Select && node.Type.IsFloating())
            {
                // An eager select made by this pass: the tangent is routed as the value is. A gate's condition
                // (d == 0) also asks for a zero tangent of d, so where d is zero but not locally zero, nothing is lost.
                int? whenTrue = tangent[node.Args[1]], whenFalse = tangent[node.Args[2]];
                if (whenTrue is not null || whenFalse is not null)
                {
                    int condition = node.Args[0];
                    if (_rules.Gates.TryGetValue(id, out int gated) && tangent.TryGetValue(gated, out var gatedTangent) && gatedTangent is int dt)
                    {
                        condition = _rules.And(condition, _rules.Compare(Op.Equal, dt, Builder.Constant(0, nodes[dt].Type)));
                    }
                    var zero = Builder.Constant(0, node.Type);
                    t = _rules.Select(condition, whenTrue ?? zero, whenFalse ?? zero, node.Type);
                }
            }
            else
            {
                foreach (int k in DerivativeFlow.FlowingOperands(node, Builder.Nodes))
                {
                    if (tangent[node.Args[k]] is not int ta || _rules.Share(node, k, Builder.Convert(ta, node.Type)) is not int share)
                    {
                        continue;
                    }
                    t = t is int sum ? _rules.Sum(sum, share, node.Type) : share;
                }
            }
            if (t is int tv && Builder.IsConstant(tv, out double c) && c == 0)
            {
                t = null;
            }
            tangent[id] = t;
            if (t is int named && (node.Name ?? (Hints.TryGetValue(id, out var h) ? h : null)) is { } name)
            {
                Hint(named, hint(name));
            }
        }
        return tangent;
    }

    // ---- The rules ------------------------------------------------------------------------------

    private bool[] Active(int count)
    {
        var active = new bool[count];
        foreach (var p in Parameters)
        {
            active[Map(p.Node)] = true;
        }
        for (int id = 0; id < count; id++)
        {
            active[id] |= DerivativeFlow.FlowingOperands(Builder[id], Builder.Nodes).Any(k => active[Builder[id].Args[k]]);
        }
        return active;
    }
}
