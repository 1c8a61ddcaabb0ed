using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The derivative rules as text: an interpreter of the operation table's <see cref="Derivative"/> expressions.</summary>
internal sealed partial class Emitter
{
    // ---- Derivative rules ----------------------------------------------------------------------

    /// <summary>
    /// For each differentiable operand: its share of the node's adjoint <paramref name="d"/> (the local
    /// derivative times d, from <see cref="Operations.Partial"/>) and whether that share is subtracted.
    /// </summary>
    private IEnumerable<(int Arg, Code Share, bool Negate)> Partials(Node node, Code d)
    {
        for (int k = 0; k < node.Args.Count; k++)
        {
            if (Operations.Partial(node, k, a => _nodes[a].Op == Op.Constant ? _nodes[a].Constant : null) is not { } partial)
            {
                continue;
            }
            // A leading minus becomes "-=" rather than a negated term.
            bool negate = partial is Derivative.Apply { Op: Op.Negate } minus;
            var share = Text(node, negate ? ((Derivative.Apply)partial).Args[0] : partial, d);
            yield return (node.Args[k], share, negate);
        }
    }

    /// <summary>The C# text of a table expression for <paramref name="node"/>, whose incoming adjoint is <paramref name="d"/>.</summary>
    private Code Text(Node node, Derivative expression, Code d)
    {
        var type = node.Type;
        Code Of(Derivative e) => Text(node, e, d);
        switch (expression)
        {
            case Derivative.Operand operand:
                return Ref(node.Args[operand.Index]);
            case Derivative.Result:
                return Ref(node.Id);
            case Derivative.Adjoint:
                return d;
            case Derivative.Constant constant:
                return Code.Constant(constant.Value, type);
            case Derivative.CallPartial slot:
                return Code.Name(CallSlot(node, slot.Index));
            case Derivative.Route route:
                var condition = Of(route.Condition);
                return condition.Literal is double known
                    ? (known != 0 ? Of(route.WhenTrue) : Of(route.WhenFalse))
                    : Code.Condition(condition, Of(route.WhenTrue), Of(route.WhenFalse));
            case Derivative.Apply apply:
                var args = apply.Args;
                switch (apply.Op)
                {
                    case Op.Add: return Code.Plus(Of(args[0]), Of(args[1]));
                    case Op.Subtract: return Code.Minus(Of(args[0]), Of(args[1]));
                    case Op.Multiply: return Code.Times(Of(args[0]), Of(args[1]));
                    case Op.Divide: return Code.Over(Of(args[0]), Of(args[1]));
                    case Op.Negate: return Code.Prefix("-", Of(args[0]));
                    case Op.And:
                        var left = Of(args[0]);
                        var right = Of(args[1]);
                        return left.Literal is double l ? (l != 0 ? right : left) : right.Literal is double r ? (r != 0 ? left : right)
                            : Code.Binary(left, "&&", right, Code.LogicalAnd);
                    case Op.LessThan or Op.LessThanOrEqual or Op.GreaterThan or Op.GreaterThanOrEqual or Op.Equal or Op.NotEqual:
                        string symbol = Operations.Of(apply.Op)!.Name;
                        // Comparing a value with itself is known here (and C# warns about x >= x), e.g. for Math.Clamp(x, x, hi).
                        if (args[0] is Derivative.Operand x && args[1] is Derivative.Operand y && node.Args[x.Index] == node.Args[y.Index])
                        {
                            return Code.Constant(symbol is "<=" or ">=" or "==" ? 1 : 0, ScalarType.Bool);
                        }
                        return Code.Binary(Of(args[0]), symbol, Of(args[1]), symbol is "==" or "!=" ? Code.Equality : Code.Relational);
                    default:
                        return Code.Call(FunctionName(Operations.Of(apply.Op)!, type, MathClass, ActivationsClass), args.Select(Of).ToArray());
                }
            default:
                throw new InvalidOperationException("Unknown derivative expression " + expression);
        }
    }
}
