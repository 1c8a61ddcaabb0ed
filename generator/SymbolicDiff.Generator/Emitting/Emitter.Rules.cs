using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The derivative rules: for each operation, the share of its adjoint that each operand receives.</summary>
internal sealed partial class Emitter
{
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
}
