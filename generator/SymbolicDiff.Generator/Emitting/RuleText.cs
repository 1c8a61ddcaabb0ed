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
            && !expression.Reads(e => e is Derivative.Adjoint or Derivative.CallPartial))   // (a call's partial is computed later, by its call)
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

    /// <summary>
    /// The same expression over <c>System.Numerics.Vector&lt;T&gt;</c> lanes: operators as they are, comparisons as
    /// <c>Vector.GreaterThan</c> …, a kink's route as <c>Vector.ConditionalSelect</c>, &amp;&amp; as a bitwise &amp; of
    /// the masks. Null when it applies a function with no Vector&lt;T&gt; form to a lane (only square root and absolute
    /// value have one that rounds exactly as Math does): the caller then keeps the scalar loop. A part that reads no
    /// lane (a constant, Math.Log(10)) is written as scalar text and broadcast.
    /// </summary>
    /// <param name="lane">The lanes of a leaf: an operand, the result or the incoming adjoint.</param>
    public static Code? VectorOf(Derivative expression, ScalarType type, Func<Derivative, Code> lane, Func<Op, ScalarType, string> function) =>
        Lanes(expression, type, lane, function) is { } part ? Broadcast(part, type) : null;

    /// <summary>A part of a vector rendering: lanes, or (<see cref="Lanes"/> false) scalar text that reads no lane.</summary>
    private readonly record struct Part(Code Code, bool Lanes);

    private static Part? Lanes(Derivative expression, ScalarType type, Func<Derivative, Code> lane, Func<Op, ScalarType, string> function)
    {
        if (!expression.Reads(e => e is Derivative.Operand or Derivative.Result or Derivative.Adjoint))
        {
            return new Part(Of(expression, type, _ => throw Leaf(), _ => throw Leaf(), () => throw Leaf(), Code.Name("?"), _ => throw Leaf(), function), false);
        }
        string vector = TypeNames.Vector;
        Code Wide(Part part) => Broadcast(part, type);
        switch (expression)
        {
            case Derivative.Operand or Derivative.Result or Derivative.Adjoint:
                return new Part(lane(expression), true);
            case Derivative.Route route:
                if (Lanes(route.Condition, type, lane, function) is not { Lanes: true } condition
                    || Lanes(route.WhenTrue, type, lane, function) is not { } whenTrue || Lanes(route.WhenFalse, type, lane, function) is not { } whenFalse)
                {
                    return null;
                }
                return new Part(Code.Call(vector + ".ConditionalSelect", condition.Code, Wide(whenTrue), Wide(whenFalse)), true);
            case Derivative.Apply apply:
                var args = new Part[apply.Args.Count];
                for (int k = 0; k < args.Length; k++)
                {
                    if (Lanes(apply.Args[k], type, lane, function) is not { } arg)
                    {
                        return null;
                    }
                    args[k] = arg;
                }
                Part Lanes1(Code code) => new(code, true);
                switch (apply.Op)
                {
                    case Op.Add: return Lanes1(Code.Plus(Wide(args[0]), Wide(args[1])));
                    case Op.Subtract: return Lanes1(Code.Minus(Wide(args[0]), Wide(args[1])));
                    case Op.Multiply:
                        // 1·x is x, as in the scalar text.
                        return args[0] is { Lanes: false } one && one.Code.IsLiteral(1) ? args[1]
                            : args[1] is { Lanes: false } other && other.Code.IsLiteral(1) ? args[0]
                            : Lanes1(Code.Binary(Wide(args[0]), "*", Wide(args[1]), Code.Multiplicative));
                    case Op.Divide:
                        return args[1] is { Lanes: false } by && by.Code.IsLiteral(1) ? args[0] : Lanes1(Code.Binary(Wide(args[0]), "/", Wide(args[1]), Code.Multiplicative));
                    case Op.Negate: return Lanes1(Code.Prefix("-", args[0].Code));
                    case Op.And: return args.All(a => a.Lanes) ? Lanes1(Code.Binary(args[0].Code, "&", args[1].Code, BitwiseAnd)) : null;
                    case Op.LessThan: return Lanes1(Code.Call(vector + ".LessThan", Wide(args[0]), Wide(args[1])));
                    case Op.LessThanOrEqual: return Lanes1(Code.Call(vector + ".LessThanOrEqual", Wide(args[0]), Wide(args[1])));
                    case Op.GreaterThan: return Lanes1(Code.Call(vector + ".GreaterThan", Wide(args[0]), Wide(args[1])));
                    case Op.GreaterThanOrEqual: return Lanes1(Code.Call(vector + ".GreaterThanOrEqual", Wide(args[0]), Wide(args[1])));
                    case Op.Equal: return Lanes1(Code.Call(vector + ".Equals", Wide(args[0]), Wide(args[1])));
                    case Op.NotEqual: return Lanes1(Code.Call(vector + ".OnesComplement", Code.Call(vector + ".Equals", Wide(args[0]), Wide(args[1]))));
                    case Op.Sqrt: return Lanes1(Code.Call(vector + ".SquareRoot", args[0].Code));
                    case Op.Abs: return Lanes1(Code.Call(vector + ".Abs", args[0].Code));
                    default: return null;   // no Vector<T> form: exp, log, erf, …
                }
            default:
                return null;
        }
    }

    /// <summary>C#'s precedence of a bitwise &amp; (between == and ^).</summary>
    private const int BitwiseAnd = 9;

    /// <summary>Lanes as they are; a scalar in every lane (0 and 1 by name).</summary>
    private static Code Broadcast(Part part, ScalarType type)
    {
        string lanes = TypeNames.Lanes(type.Keyword());
        return part.Lanes ? part.Code
            : part.Code.IsLiteral(0) ? Code.Name(lanes + ".Zero")
            : part.Code.IsLiteral(1) ? Code.Name(lanes + ".One")
            : Code.Name($"new {lanes}({part.Code.Text})");
    }

    private static InvalidOperationException Leaf() => new("a part without lanes reads no leaf");
}
