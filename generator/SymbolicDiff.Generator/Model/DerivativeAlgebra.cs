using System.Linq;
using static SymbolicDiff.Generator.Model.Derivative;

namespace SymbolicDiff.Generator.Model;

/// <summary>
/// Derivatives of the operation table's own expressions, taken with the table: the partial derivative of a rule
/// (a <see cref="Derivative"/> over the operand A, the result R and the incoming derivative D) with respect to one of
/// them, the others held fixed. Second order of element-wise tensor operations reads it: the tangent of tanh is the
/// rule D·(1 − R²) evaluated per element, and that rule's own derivatives (∂/∂A, ∂/∂R, ∂/∂D) are its backward pass.
/// Sums and products fold their zeros and ones, so a rule's derivative stays as small as written by hand.
/// </summary>
internal static class DerivativeAlgebra
{
    /// <summary>∂<paramref name="e"/>/∂<paramref name="wrt"/> (wrt is an <see cref="Operand"/>, <see cref="Result"/> or <see cref="Adjoint"/>).</summary>
    public static Derivative Partial(Derivative e, Derivative wrt)
    {
        switch (e)
        {
            case Operand or Result or Adjoint:
                return e == wrt ? 1 : 0;
            case Constant:
                return 0;
            case Route route:
                var (whenTrue, whenFalse) = (Partial(route.WhenTrue, wrt), Partial(route.WhenFalse, wrt));
                return IsZero(whenTrue) && IsZero(whenFalse) ? 0 : When(route.Condition, whenTrue, whenFalse);
            case Apply apply when Operations.Of(apply.Op) is { PiecewiseConstant: false } operation:
                Derivative sum = 0;
                for (int k = 0; k < apply.Args.Count; k++)
                {
                    var inner = Partial(apply.Args[k], wrt);
                    if (!IsZero(inner) && k < operation.Partials.Count && operation.Partials[k] is { } rule)
                    {
                        sum = Plus(sum, Substitute(rule, apply, inner));
                    }
                }
                return sum;
            default:   // comparisons, logic, rounding: piecewise constant
                return 0;
        }
    }

    /// <summary>A rule of the table with its operands, result and incoming derivative replaced (folding as it goes).</summary>
    private static Derivative Substitute(Derivative rule, Apply at, Derivative d) => rule switch
    {
        Operand o => at.Args[o.Index],
        Result => at,
        Adjoint => d,
        Route route => When(Substitute(route.Condition, at, d), Substitute(route.WhenTrue, at, d), Substitute(route.WhenFalse, at, d)),
        Apply apply => Make(apply.Op, apply.Args.Select(a => Substitute(a, at, d)).ToArray()),
        _ => rule,
    };

    private static Derivative Make(Op op, Derivative[] args) => op switch
    {
        Op.Add => Plus(args[0], args[1]),
        Op.Subtract => IsZero(args[1]) ? args[0] : IsZero(args[0]) ? Make(Op.Negate, new[] { args[1] }) : args[0] - args[1],
        Op.Multiply => IsZero(args[0]) || IsZero(args[1]) ? 0 : IsOne(args[0]) ? args[1] : IsOne(args[1]) ? args[0] : args[0] * args[1],
        Op.Divide => IsZero(args[0]) ? 0 : IsOne(args[1]) ? args[0] : args[0] / args[1],
        Op.Negate => IsZero(args[0]) ? 0 : args[0] is Apply { Op: Op.Negate } inner ? inner.Args[0] : -args[0],
        _ => Fn(op, args),
    };

    private static Derivative Plus(Derivative a, Derivative b) => IsZero(a) ? b : IsZero(b) ? a : a + b;

    private static bool IsZero(Derivative e) => e is Constant { Value: 0 };

    private static bool IsOne(Derivative e) => e is Constant { Value: 1 };
}
