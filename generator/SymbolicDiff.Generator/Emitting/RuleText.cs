using System;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// The text interpreter of the operation table: a <see cref="Derivative"/> expression as C#, for the scalar emitter
/// (gradient, tangent, Jacobian) and for element-wise tensor operations alike.
/// </summary>
internal static class RuleText
{
    /// <param name="expression">The table expression.</param>
    /// <param name="type">The node's type (literals are written in it).</param>
    /// <param name="operand">How to read operand i.</param>
    /// <param name="operandId">Which value operand i is (two operands that are one value compare as known).</param>
    /// <param name="result">How to read the result (only asked for when the rule uses it).</param>
    /// <param name="d">The incoming adjoint.</param>
    /// <param name="callPartial">For calls: the slot holding ∂callee/∂operand i.</param>
    /// <param name="function">How the generated code names a function of the table for operands of a type.</param>
    /// <param name="computed">A value the method already computes, for a function of the operands (given by index):
    /// the rule reads it rather than calling the function again (∂sin θ reads cos θ when the method has it); null: none.</param>
    /// <param name="shared">Given, the parts that do not read the adjoint go through it (a vector-mode backward pass names
    /// each once for all its rows); null: written in place.</param>
    public static Code Of(Derivative expression, ScalarType type, Func<int, Code> operand, Func<int, int> operandId, Func<Code> result, Code d,
        Func<int, Code> callPartial, Func<Op, ScalarType, string> function, Func<Op, int[], Code?>? computed = null, Func<Code, Code>? shared = null)
    {
        Code Of(Derivative e) => RuleText.Of(e, type, operand, operandId, result, d, callPartial, function, computed, shared);
        if (shared is not null && expression is Derivative.Apply { Op: not (Op.And or Op.LessThan or Op.LessThanOrEqual or Op.GreaterThan or Op.GreaterThanOrEqual or Op.Equal or Op.NotEqual) }
            && !ReadsAdjoint(expression))
        {
            // A part that does not read the adjoint (a local derivative such as 2·x or 1/(2√x)), written once and named
            return shared(RuleText.Of(expression, type, operand, operandId, result, d, callPartial, function, computed));
        }
        switch (expression)
        {
            case Derivative.Operand o:
                return operand(o.Index);
            case Derivative.Result:
                return result();
            case Derivative.Adjoint:
                return d;
            case Derivative.Constant constant:
                return Code.Constant(constant.Value, type);
            case Derivative.CallPartial slot:
                return callPartial(slot.Index);
            case Derivative.Route route:
                var condition = RuleText.Of(route.Condition, type, operand, operandId, result, d, callPartial, function, computed);
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
                        if (args[0] is Derivative.Operand x && args[1] is Derivative.Operand y && operandId(x.Index) == operandId(y.Index))
                        {
                            return Code.Constant(symbol is "<=" or ">=" or "==" ? 1 : 0, ScalarType.Bool);
                        }
                        return Code.Binary(Of(args[0]), symbol, Of(args[1]), symbol is "==" or "!=" ? Code.Equality : Code.Relational);
                    default:
                        if (computed is not null && args.All(a => a is Derivative.Operand)
                            && computed(apply.Op, args.Select(a => ((Derivative.Operand)a).Index).ToArray()) is { } value)
                        {
                            return value;
                        }
                        return Code.Call(function(apply.Op, type), args.Select(Of).ToArray());
                }
            default:
                throw new InvalidOperationException("Unknown derivative expression " + expression);
        }
    }

    /// <summary>Whether the expression reads the incoming adjoint or a call's partial (which its call computes later).</summary>
    private static bool ReadsAdjoint(Derivative expression) => expression switch
    {
        Derivative.Adjoint or Derivative.CallPartial => true,
        Derivative.Route route => ReadsAdjoint(route.Condition) || ReadsAdjoint(route.WhenTrue) || ReadsAdjoint(route.WhenFalse),
        Derivative.Apply apply => apply.Args.Any(ReadsAdjoint),
        _ => false,
    };
}
