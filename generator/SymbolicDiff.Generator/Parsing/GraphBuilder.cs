using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Builds the expression DAG. Every node goes through <see cref="Add"/>, which folds constants, applies
/// identities (x·1, x+0, 0·x, −(−x)) and reuses an existing identical node (common-subexpression elimination)
/// when that node is evaluated on every path that reaches the current region.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly List<Node> _nodes = new();
    private readonly List<Region> _regions = new() { new Region(0, -1) };
    private readonly Dictionary<NodeKey, List<int>> _existing = new();

    public GraphBuilder()
    {
    }

    /// <summary>A builder whose regions start as <paramref name="regions"/> (a program rebuilt from a method keeps its branches and loop bodies).</summary>
    public GraphBuilder(IEnumerable<Region> regions)
    {
        _regions = regions.ToList();
    }

    /// <summary>The region new nodes are placed in.</summary>
    public int CurrentRegion { get; set; }

    /// <summary>The statement new nodes are attributed to.</summary>
    public int CurrentStatement { get; set; }

    public IReadOnlyList<Node> Nodes => _nodes;

    public IReadOnlyList<Region> Regions => _regions;

    public Node this[int id] => _nodes[id];

    public int NewRegion()
    {
        _regions.Add(new Region(_regions.Count, CurrentRegion));
        return _regions.Count - 1;
    }

    /// <summary>Makes a copied loop body's region point at the copy of its loop node.</summary>
    public void SetLoopOfRegion(int region, int loop) => _regions[region] = _regions[region] with { Loop = loop };

    /// <summary>
    /// Appends <paramref name="node"/> as it is, with new operands (no folding). A pure operation is registered for
    /// sharing, so nodes added later reuse it (a derivative rule's 2·y is the copy's 2·y).
    /// </summary>
    public int Copy(Node node, int[] args)
    {
        int id = Append(node with { Args = args.ToEquatableArray() });
        bool memory = node.Op == Op.Load && _nodes[args[0]].Op == Op.NewArray;   // a read of an array written in place is never shared
        if (!memory && node.Op is not (Op.Parameter or Op.Constant or Op.Loop or Op.LoopCounter or Op.Phi or Op.LoopExit or Op.Store or Op.If or Op.Select or Op.Call or Op.NewArray))
        {
            var key = new NodeKey(node.Op, node.Type, 0, IsCommutative(node.Op) ? args.OrderBy(a => a).ToArray() : args);
            if (!_existing.TryGetValue(key, out var candidates))
            {
                _existing[key] = candidates = new List<int>();
            }
            candidates.Add(id);
        }
        return id;
    }

    /// <summary>Replaces a node's operands (a rebuilt loop's forward references, known only once its body is built).</summary>
    public void SetArgs(int id, int[] args) => _nodes[id] = _nodes[id] with { Args = args.ToEquatableArray() };

    public int Parameter(string name, ScalarType type) => Append(new Node(0, Op.Parameter, type, EquatableArray<int>.Empty, 0, name, 0, -1));

    // ---- Loops: the body is a region entered once per iteration; loop-carried variables are phi nodes ----

    /// <summary>
    /// Starts a loop from start by step while i + offset &lt; end (&lt;= when inclusive; &gt; or &gt;= when step is
    /// negative) in the current region; returns the loop node (its body region is TrueRegion).
    /// </summary>
    public int Loop(int start, int end, bool inclusive = false, int offset = 0, int step = 1)
    {
        int loop = Append(new Node(0, Op.Loop, ScalarType.Int, new[] { start, end }.ToEquatableArray(), 0, null, CurrentRegion, CurrentStatement,
            Inclusive: inclusive, Offset: offset, Step: step));
        _regions.Add(new Region(_regions.Count, CurrentRegion, loop));
        _nodes[loop] = _nodes[loop] with { TrueRegion = _regions.Count - 1 };
        return loop;
    }

    /// <summary>Makes a loop a while loop: it runs while <paramref name="condition"/> (a node in its body) holds.</summary>
    public void SetLoopCondition(int loop, int condition, bool afterBody = false) =>
        _nodes[loop] = _nodes[loop] with { LoopCondition = condition, ConditionAfterBody = afterBody };

    /// <summary>The loop counter, in the loop's body.</summary>
    public int LoopCounter(int loop, string name) =>
        Append(new Node(0, Op.LoopCounter, ScalarType.Int, new[] { loop }.ToEquatableArray(), 0, name, _nodes[loop].TrueRegion, CurrentStatement));

    /// <summary>A loop-carried variable's value at the start of an iteration; its next value is set by <see cref="SetNext"/>.</summary>
    public int Phi(int loop, int init, string name) =>
        Append(new Node(0, Op.Phi, _nodes[init].Type, new[] { init, init }.ToEquatableArray(), 0, name, _nodes[loop].TrueRegion, CurrentStatement));

    public void SetNext(int phi, int next) => _nodes[phi] = _nodes[phi] with { Args = new[] { _nodes[phi].Args[0], next }.ToEquatableArray() };

    /// <summary>The variable's value after the loop, in the loop's region.</summary>
    public int LoopExit(int phi, int loop) =>
        Append(new Node(0, Op.LoopExit, _nodes[phi].Type, new[] { phi }.ToEquatableArray(), 0, _nodes[phi].Name, _nodes[loop].Region, _nodes[loop].Statement));

    /// <summary>Writes an element of an output array (never shared or folded: it is a statement).</summary>
    public int Store(int array, int index, int value) =>
        Append(new Node(0, Op.Store, _nodes[array].Type, new[] { array, index, value }.ToEquatableArray(), 0, null, CurrentRegion, CurrentStatement));

    /// <summary>A long local array held in memory, zeroed (never shared: each <c>new</c> is its own array).</summary>
    public int NewArray(int length, ScalarType element, string name) =>
        Append(new Node(0, Op.NewArray, element, new[] { length }.ToEquatableArray(), 0, name, CurrentRegion, CurrentStatement));

    /// <summary>
    /// Reads an element of a local array held in memory. Not shared through <see cref="Add"/>: two reads of one element
    /// differ when a write comes between them (the parser shares reads with no write between).
    /// </summary>
    public int LoadMemory(int array, int index) =>
        Append(new Node(0, Op.Load, _nodes[array].Type, new[] { array, index }.ToEquatableArray(), 0, null, CurrentRegion, CurrentStatement));

    public int Constant(double value, ScalarType type)
    {
        value = type switch
        {
            ScalarType.Float => (float)value,
            ScalarType.Int => (int)value,
            ScalarType.Long => (long)value,
            ScalarType.Bool => value != 0 ? 1 : 0,
            _ => value,
        };
        var key = new NodeKey(Op.Constant, type, BitConverter.DoubleToInt64Bits(value), Array.Empty<int>());
        if (_existing.TryGetValue(key, out var ids))
        {
            return ids[0];
        }
        // Constants cost nothing to evaluate, so they live in the method body and are shared by every branch.
        int id = Append(new Node(0, Op.Constant, type, EquatableArray<int>.Empty, value, null, 0, -1));
        _existing[key] = new List<int> { id };
        return id;
    }

    /// <summary>Gives a node the name of the user's local it was assigned to, unless it already has one.</summary>
    public void NameNode(int id, string name)
    {
        Node node = _nodes[id];
        if (node.Name is null && node.Op is not Op.Constant)
        {
            _nodes[id] = node with { Name = name };
        }
    }

    public int Select(int condition, int whenTrue, int whenFalse, int trueRegion, int falseRegion, ScalarType type)
    {
        if (IsConstant(condition, out double c))
        {
            return c != 0 ? whenTrue : whenFalse;
        }
        if (whenTrue == whenFalse)
        {
            return whenTrue;
        }
        return Append(new Node(0, Op.Select, type, new[] { condition, whenTrue, whenFalse }.ToEquatableArray(), 0, null,
            CurrentRegion, CurrentStatement, trueRegion, falseRegion));
    }

    /// <summary>An if statement whose branches write output elements (never shared: it is a statement).</summary>
    public int If(int condition, int trueRegion, int falseRegion) =>
        Append(new Node(0, Op.If, ScalarType.Bool, new[] { condition }.ToEquatableArray(), 0, null, CurrentRegion, CurrentStatement, trueRegion, falseRegion));

    /// <summary>A call to another [Differentiable] method (never shared: CSE keys do not include the callee).</summary>
    public int Call(Callee callee, ScalarType type, int[] args) =>
        Append(new Node(0, Op.Call, type, args.ToEquatableArray(), 0, null, CurrentRegion, CurrentStatement, Callee: callee));

    public int Convert(int arg, ScalarType type)
    {
        Node node = _nodes[arg];
        if (node.Type == type)
        {
            return arg;
        }
        if (node.Op == Op.Constant)
        {
            // long to int keeps the low 32 bits, as C# does (a double cast would saturate instead).
            return Constant(node.Type == ScalarType.Long && type == ScalarType.Int ? unchecked((int)(long)node.Constant) : node.Constant, type);
        }
        return Add(Op.Convert, type, arg);
    }

    public int Add(Op op, ScalarType type, params int[] args)
    {
        int? simplified = Simplify(op, type, args);
        if (simplified is int existing)
        {
            return existing;
        }
        var key = new NodeKey(op, type, 0, IsCommutative(op) ? args.OrderBy(a => a).ToArray() : args);
        if (_existing.TryGetValue(key, out var candidates))
        {
            foreach (int candidate in candidates)
            {
                if (Encloses(_nodes[candidate].Region, CurrentRegion))
                {
                    return candidate;
                }
            }
        }
        else
        {
            candidates = new List<int>();
            _existing[key] = candidates;
        }
        int id = Append(new Node(0, op, type, args.ToEquatableArray(), 0, null, CurrentRegion, CurrentStatement));
        candidates.Add(id);
        return id;
    }

    public bool IsConstant(int id, out double value)
    {
        Node node = _nodes[id];
        value = node.Constant;
        return node.Op == Op.Constant;
    }

    private bool IsConstant(int id, double expected) => IsConstant(id, out double value) && value == expected;

    private int? Simplify(Op op, ScalarType type, int[] args)
    {
        if (type is ScalarType.Int or ScalarType.Long && args.All(a => _nodes[a].Op == Op.Constant))
        {
            // Constant integer arithmetic is folded as C# runs it (wrapping around), so the generated code never holds
            // a constant expression that overflows (CS0220); what cannot be folded exactly stays as written.
            return FoldInteger(op, type, args.Select(a => _nodes[a].Constant).ToArray()) is long wrapped ? Constant(wrapped, type) : null;
        }
        // 1 == 1 from a constant enum argument, 3.5 > 1.2 from constant arguments of an inlined helper: only the branch
        // taken is parsed (and no if on a constant is emitted). A float constant compares as the float C# holds.
        if (type == ScalarType.Bool && args.All(a => _nodes[a].Op == Op.Constant)
            && FoldLogic(op, args.Select(a => _nodes[a].Type == ScalarType.Float ? (float)_nodes[a].Constant : _nodes[a].Constant).ToArray()) is bool known)
        {
            return Constant(known ? 1 : 0, ScalarType.Bool);
        }
        if (!type.IsFloating())
        {
            return null;   // other integer and boolean arithmetic is emitted exactly as written
        }
        if (args.All(a => _nodes[a].Op == Op.Constant) && Fold(op, args.Select(a => _nodes[a].Constant).ToArray()) is double folded)
        {
            return Constant(folded, type);
        }
        switch (op)
        {
            case Op.Add when IsConstant(args[1], 0):
            case Op.Subtract when IsConstant(args[1], 0):
            case Op.Multiply when IsConstant(args[1], 1):
            case Op.Divide when IsConstant(args[1], 1):
                return args[0];
            case Op.Add when IsConstant(args[0], 0):
            case Op.Multiply when IsConstant(args[0], 1):
                return args[1];
            case Op.Multiply when IsConstant(args[0], 0) || IsConstant(args[1], 0):
                return Constant(0, type);
            case Op.Subtract when IsConstant(args[0], 0):
                return Add(Op.Negate, type, args[1]);
            case Op.Multiply when IsConstant(args[1], -1):
                return Add(Op.Negate, type, args[0]);
            case Op.Multiply when IsConstant(args[0], -1):
                return Add(Op.Negate, type, args[1]);
            case Op.Max or Op.Min when args[0] == args[1]:
                return args[0];
            case Op.Negate when _nodes[args[0]].Op == Op.Negate && _nodes[args[0]].Type == type:
                return _nodes[args[0]].Args[0];
            default:
                return null;
        }
    }

    /// <summary>Comparisons of constants, and !, &amp;&amp;, || of bool constants (exact, NaN included).</summary>
    private static bool? FoldLogic(Op op, double[] values) => op switch
    {
        Op.Equal => values[0] == values[1],
        Op.NotEqual => values[0] != values[1],
        Op.LessThan => values[0] < values[1],
        Op.LessThanOrEqual => values[0] <= values[1],
        Op.GreaterThan => values[0] > values[1],
        Op.GreaterThanOrEqual => values[0] >= values[1],
        Op.Not => values[0] == 0,
        Op.And => values[0] != 0 && values[1] != 0,
        Op.Or => values[0] != 0 || values[1] != 0,
        _ => null,
    };

    /// <summary>Folds exactly-rounded arithmetic only; transcendental functions are left to run time.</summary>
    private static double? Fold(Op op, double[] values) => op switch
    {
        Op.Negate => -values[0],
        Op.Add => values[0] + values[1],
        Op.Subtract => values[0] - values[1],
        Op.Multiply => values[0] * values[1],
        Op.Divide => values[0] / values[1],
        _ => null,
    };

    /// <summary>
    /// Int arithmetic with C#'s unchecked wrap-around; long arithmetic only where a double holds every value exactly
    /// (|v| ≤ 2⁵³). Division by zero and int.MinValue / −1 are not folded: they throw when the method runs.
    /// </summary>
    private static long? FoldInteger(Op op, ScalarType type, double[] values)
    {
        const long exact = 1L << 53;
        if (values.Any(v => !(Math.Abs(v) <= exact)))
        {
            return null;
        }
        long a = (long)values[0], b = values.Length > 1 ? (long)values[1] : 0;
        bool isInt = type == ScalarType.Int;
        long? result;
        unchecked
        {
            result = op switch
            {
                Op.Negate => isInt ? -(int)a : -a,
                Op.Add => isInt ? (int)a + (int)b : a + b,
                Op.Subtract => isInt ? (int)a - (int)b : a - b,
                Op.Multiply => isInt ? (int)a * (int)b : a * b,
                Op.Divide when b != 0 && !(b == -1 && a == (isInt ? int.MinValue : long.MinValue)) => a / b,
                Op.Remainder when b != 0 && b != -1 => a % b,
                Op.Remainder when b == -1 && a != (isInt ? int.MinValue : long.MinValue) => 0,
                _ => null,
            };
        }
        return result is long r && (isInt || (r >= -exact && r <= exact)) ? r : null;
    }

    private static bool IsCommutative(Op op) => op is Op.Add or Op.Multiply or Op.Max or Op.Min or Op.Equal or Op.NotEqual;

    /// <summary>True when <paramref name="outer"/> is <paramref name="inner"/> or one of its ancestors.</summary>
    private bool Encloses(int outer, int inner)
    {
        for (int r = inner; r >= 0; r = _regions[r].Parent)
        {
            if (r == outer)
            {
                return true;
            }
        }
        return false;
    }

    private int Append(Node node)
    {
        int id = _nodes.Count;
        _nodes.Add(node with { Id = id });
        return id;
    }

    private sealed class NodeKey : IEquatable<NodeKey>
    {
        private readonly Op _op;
        private readonly ScalarType _type;
        private readonly long _bits;
        private readonly int[] _args;

        public NodeKey(Op op, ScalarType type, long bits, int[] args)
        {
            _op = op;
            _type = type;
            _bits = bits;
            _args = args;
        }

        public bool Equals(NodeKey? other) =>
            other is not null && _op == other._op && _type == other._type && _bits == other._bits && _args.SequenceEqual(other._args);

        public override bool Equals(object? obj) => Equals(obj as NodeKey);

        public override int GetHashCode()
        {
            int hash = ((int)_op * 31 + (int)_type) * 31 + _bits.GetHashCode();
            foreach (int a in _args)
            {
                hash = unchecked(hash * 31 + a);
            }
            return hash;
        }
    }
}
