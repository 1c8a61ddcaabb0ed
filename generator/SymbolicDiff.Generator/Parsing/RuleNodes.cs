using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// The operation table's derivative rules (<see cref="Operations.Partial"/>) interpreted as nodes of a
/// <see cref="GraphBuilder"/>: the share ∂node/∂operand·d, with the zero-adjoint gate where d may be zero by routing
/// and the derivative infinite there, and the small folding helpers (sum, select, compare, and) the second-order
/// builders share (<see cref="DerivativeGraph"/> for straight-line methods, <see cref="TangentProgram"/> for the rest).
/// </summary>
internal sealed class RuleNodes
{
    private readonly Dictionary<int, bool> _routedZero = new();
    private readonly bool _regionSelects;

    /// <param name="builder">Where the nodes go.</param>
    /// <param name="regionSelects">Make each routing select a branch with two empty regions (as the parser makes
    /// <c>c ? a : b</c>), for a program the gradient emitter differentiates; otherwise an eager select node.</param>
    public RuleNodes(GraphBuilder builder, bool regionSelects)
    {
        Builder = builder;
        _regionSelects = regionSelects;
    }

    public GraphBuilder Builder { get; }

    /// <summary>Gates: select(d == 0, 0, d·∂) made where d may be zero by routing and ∂ may be ±∞/NaN; value = d.</summary>
    public Dictionary<int, int> Gates { get; } = new();

    /// <summary>
    /// The share of the derivative <paramref name="d"/> (of node's type) that operand <paramref name="k"/> gets:
    /// ∂node/∂operand·d, as a node. Null when zero. Where d may be exactly zero by routing (a kink chose the
    /// other side) and ∂ may be infinite there, the share is gated: d == 0 ? 0 : share, so 0·∞ never makes a NaN.
    /// </summary>
    public int? Share(Node node, int k, int d)
    {
        if (Builder.IsConstant(d, out double dc) && dc == 0)
        {
            return null;
        }
        int? share = Rule(node, k, d);
        if (share is int s && Operations.CanLeaveDomain(node.Op) && MayBeRoutedZero(d))
        {
            var zero = Builder.Constant(0, node.Type);
            int gate = Select(Compare(Op.Equal, d, zero), zero, s, node.Type);
            if (gate != s)
            {
                Gates[gate] = d;
            }
            return gate;
        }
        return share;
    }

    /// <summary>∂node/∂operand k · d as nodes: <see cref="Operations.Partial"/> interpreted through the builder.</summary>
    private int? Rule(Node node, int k, int d) =>
        Operations.Partial(node, k, a => Builder.IsConstant(a, out double value) ? value : null) is { } partial ? Nodes(node, partial, d) : null;

    private int Nodes(Node node, Derivative expression, int d)
    {
        var type = node.Type;
        int Of(Derivative e) => Nodes(node, e, d);
        switch (expression)
        {
            case Derivative.Operand operand:
                return node.Args[operand.Index];
            case Derivative.Result:
                return node.Id;
            case Derivative.Adjoint:
                return d;
            case Derivative.Constant constant:
                return Builder.Constant(constant.Value, type);
            case Derivative.Route route:
                int condition = Of(route.Condition);
                return Select(condition, Of(route.WhenTrue), Of(route.WhenFalse), type);
            case Derivative.Apply { Op: Op.And } and:
                return And(Of(and.Args[0]), Of(and.Args[1]));
            case Derivative.Apply { Op: Op.LessThan or Op.LessThanOrEqual or Op.GreaterThan or Op.GreaterThanOrEqual or Op.Equal or Op.NotEqual } compare:
                return Compare(compare.Op, Of(compare.Args[0]), Of(compare.Args[1]));
            case Derivative.Apply apply:
                return Builder.Add(apply.Op, type, apply.Args.Select(Of).ToArray());
            default:   // CallPartial: calls are rejected by Check
                throw new InvalidOperationException($"No second-order rule for {node.Op}");
        }
    }

    /// <summary>a + b, written a − c when b = −c (and b − c when a = −c).</summary>
    public int Sum(int a, int b, ScalarType type)
    {
        if (Builder[b] is { Op: Op.Negate } nb && Builder[nb.Args[0]].Type == type)
        {
            return Builder.Add(Op.Subtract, type, a, nb.Args[0]);
        }
        if (Builder[a] is { Op: Op.Negate } na && Builder[na.Args[0]].Type == type)
        {
            return Builder.Add(Op.Subtract, type, b, na.Args[0]);
        }
        return Builder.Add(Op.Add, type, a, b);
    }

    /// <summary>An eager select (both sides are plain values): folded when the condition is known or the sides agree.</summary>
    public int Select(int condition, int whenTrue, int whenFalse, ScalarType type)
    {
        if (Builder.IsConstant(condition, out double c))
        {
            return c != 0 ? whenTrue : whenFalse;
        }
        if (Builder[condition] is { Op: Op.Not } not)
        {
            (condition, whenTrue, whenFalse) = (not.Args[0], whenFalse, whenTrue);
        }
        // c ? (c ? a : b) : e is c ? a : e (guards nest inside routes of the same condition).
        if (Builder[whenTrue] is { Op: Op.Select } t && t.Args[0] == condition)
        {
            whenTrue = t.Args[1];
        }
        if (Builder[whenFalse] is { Op: Op.Select } f && f.Args[0] == condition)
        {
            whenFalse = f.Args[2];
        }
        if (whenTrue == whenFalse)
        {
            return whenTrue;
        }
        if (_regionSelects)
        {
            int trueRegion = Builder.NewRegion(), falseRegion = Builder.NewRegion();
            return Builder.Select(condition, whenTrue, whenFalse, trueRegion, falseRegion, type);
        }
        return Builder.Add(Op.Select, type, condition, whenTrue, whenFalse);
    }

    public int Compare(Op op, int left, int right)
    {
        if (left == right)
        {
            return Builder.Constant(op is Op.LessThanOrEqual or Op.GreaterThanOrEqual or Op.Equal ? 1 : 0, ScalarType.Bool);
        }
        if (Builder.IsConstant(left, out double l) && Builder.IsConstant(right, out double r))
        {
            bool value = op switch
            {
                Op.LessThan => l < r,
                Op.LessThanOrEqual => l <= r,
                Op.GreaterThan => l > r,
                Op.GreaterThanOrEqual => l >= r,
                Op.Equal => l == r,
                _ => l != r,
            };
            return Builder.Constant(value ? 1 : 0, ScalarType.Bool);
        }
        return Builder.Add(op, ScalarType.Bool, left, right);
    }

    public int And(int left, int right)
    {
        if (Builder.IsConstant(left, out double l))
        {
            return l != 0 ? right : left;
        }
        if (Builder.IsConstant(right, out double r))
        {
            return r != 0 ? left : right;
        }
        return Builder.Add(Op.And, ScalarType.Bool, left, right);
    }

    /// <summary>True when a derivative value may be exactly zero because a kink routed nothing to it.</summary>
    public bool MayBeRoutedZero(int id)
    {
        if (_routedZero.TryGetValue(id, out bool known))
        {
            return known;
        }
        var node = Builder[id];
        bool IsZero(int a) => Builder.IsConstant(a, out double v) && v == 0;
        bool result = node.Op switch
        {
            Op.Select => IsZero(node.Args[1]) || IsZero(node.Args[2]) || MayBeRoutedZero(node.Args[1]) || MayBeRoutedZero(node.Args[2]),
            Op.Multiply => MayBeRoutedZero(node.Args[0]) || MayBeRoutedZero(node.Args[1]),
            Op.Divide or Op.Negate or Op.Convert => MayBeRoutedZero(node.Args[0]),
            Op.Add or Op.Subtract => MayBeRoutedZero(node.Args[0]) && MayBeRoutedZero(node.Args[1]),
            _ => false,
        };
        _routedZero[id] = result;
        return result;
    }
}
