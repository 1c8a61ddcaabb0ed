using System;
using System.Linq;

namespace SymbolicDiff.Generator.Model;

/// <summary>
/// A local-derivative expression of the operation table (<see cref="Operations"/>): a small expression over the
/// operands (<see cref="Derivative.A"/>, <see cref="Derivative.B"/>, <see cref="Derivative.C"/>), the result
/// (<see cref="Derivative.R"/>) and the incoming adjoint (<see cref="Derivative.D"/>). It is written once and read
/// by two interpreters: the emitter turns it into C# text (gradient, tangent, Jacobian), the Hessian builder into
/// graph nodes. Operators build the tree: <c>D * (R * (1 - R))</c> is σ′·d.
/// </summary>
internal abstract record Derivative
{
    public static readonly Derivative A = new Operand(0), B = new Operand(1), C = new Operand(2);
    public static readonly Derivative R = new Result();
    public static readonly Derivative D = new Adjoint();

    /// <summary>Operand <see cref="Index"/> of the node.</summary>
    public sealed record Operand(int Index) : Derivative;

    /// <summary>The node's own value.</summary>
    public sealed record Result : Derivative;

    /// <summary>The derivative arriving at the node (its adjoint in reverse mode, 1 for a tangent's partial).</summary>
    public sealed record Adjoint : Derivative;

    /// <summary>A literal of the node's type (of bool for a condition).</summary>
    public sealed record Constant(double Value) : Derivative;

    /// <summary>An operation of the table applied to sub-expressions: arithmetic, a function, a comparison or &amp;&amp;.</summary>
    public sealed record Apply(Op Op, EquatableArray<Derivative> Args) : Derivative;

    /// <summary><c>condition ? whenTrue : whenFalse</c>: how a kink routes the derivative to one side.</summary>
    public sealed record Route(Derivative Condition, Derivative WhenTrue, Derivative WhenFalse) : Derivative;

    /// <summary>∂callee/∂operand <see cref="Index"/>, as the callee's generated gradient computed it (calls only).</summary>
    public sealed record CallPartial(int Index) : Derivative;

    public static implicit operator Derivative(double value) => new Constant(value);

    public static Derivative operator +(Derivative x, Derivative y) => Fn(Op.Add, x, y);

    public static Derivative operator -(Derivative x, Derivative y) => Fn(Op.Subtract, x, y);

    public static Derivative operator *(Derivative x, Derivative y) => Fn(Op.Multiply, x, y);

    public static Derivative operator /(Derivative x, Derivative y) => Fn(Op.Divide, x, y);

    public static Derivative operator -(Derivative x) => Fn(Op.Negate, x);

    public static Derivative Fn(Op op, params Derivative[] args) => new Apply(op, args.ToEquatableArray());

    public static Derivative Square(Derivative x) => x * x;

    public static Derivative When(Derivative condition, Derivative whenTrue, Derivative whenFalse) => new Route(condition, whenTrue, whenFalse);

    public static Derivative Less(Derivative x, Derivative y) => Fn(Op.LessThan, x, y);

    public static Derivative LessOrEqual(Derivative x, Derivative y) => Fn(Op.LessThanOrEqual, x, y);

    public static Derivative Greater(Derivative x, Derivative y) => Fn(Op.GreaterThan, x, y);

    public static Derivative GreaterOrEqual(Derivative x, Derivative y) => Fn(Op.GreaterThanOrEqual, x, y);

    public static Derivative Equal(Derivative x, Derivative y) => Fn(Op.Equal, x, y);

    public static Derivative And(Derivative x, Derivative y) => Fn(Op.And, x, y);

    /// <summary>Whether a leaf of this expression (an operand, the result, the adjoint, a call's partial, …) matches <paramref name="leaf"/>.</summary>
    public bool Reads(Func<Derivative, bool> leaf) => this switch
    {
        Apply apply => apply.Args.Any(a => a.Reads(leaf)),
        Route route => route.Condition.Reads(leaf) || route.WhenTrue.Reads(leaf) || route.WhenFalse.Reads(leaf),
        _ => leaf(this),
    };

    /// <summary>
    /// True when the share is ±d or d routed by a kink (or 0): a zero adjoint then passes on exactly zero whatever
    /// the operand values, so no zero-adjoint gate is needed.
    /// </summary>
    public bool PreservesZero => this switch
    {
        Adjoint or Constant { Value: 0 } => true,
        Apply { Op: Op.Negate } negate => negate.Args[0].PreservesZero,
        Route route => route.WhenTrue.PreservesZero && route.WhenFalse.PreservesZero,
        _ => false,
    };
}
