using System;
using System.Collections.Generic;
using System.Linq;
using static SymbolicDiff.Generator.Model.Derivative;

namespace SymbolicDiff.Generator.Model;

/// <summary>Where an operation's C# spelling lives.</summary>
internal enum Spelling
{
    /// <summary>An operator (<see cref="Operation.Name"/> is its symbol).</summary>
    Operator,
    /// <summary><c>Math.Name</c>, or <c>MathF.Name</c> for float operands.</summary>
    Math,
    /// <summary><c>Math.Name</c> for double and float (MathF has no such overload, e.g. Clamp).</summary>
    MathOnly,
    /// <summary><c>double.Name</c> / <c>float.Name</c> (the generic-math functions System.Math lacks).</summary>
    Number,
    /// <summary><c>SymbolicDiff.Activations.Name</c>.</summary>
    Activations,
}

/// <summary>
/// One operation: how C# spells it, the local derivative of its result with respect to each operand (null: no
/// derivative flows into that operand), and its flags. A static table, never part of a cached model.
/// </summary>
/// <param name="Op">The DAG operation.</param>
/// <param name="Name">The function name (or operator symbol) as the user writes it.</param>
/// <param name="Spelling">Which class (or operator) spells it.</param>
/// <param name="Partials">For each operand, its share of the incoming adjoint d (∂result/∂operand·d).</param>
/// <param name="CanLeaveDomain">The result or a local derivative can be ±∞ or NaN at finite operands (poles, domain edges,
/// overflow): where a kink routed exactly zero here, the share is skipped so that 0·∞ never makes a NaN.</param>
/// <param name="PiecewiseConstant">Constant between jumps (rounding, sign): no derivative flows through it.</param>
/// <param name="Kink">Where the derivative jumps and which side the rule takes there (for the docs and the tests).</param>
internal sealed record Operation(
    Op Op,
    string Name,
    Spelling Spelling,
    IReadOnlyList<Derivative?> Partials,
    bool CanLeaveDomain = false,
    bool PiecewiseConstant = false,
    string? Kink = null)
{
    public int Arity => Partials.Count;

    /// <summary>Every share is ±d or d routed by a kink: a zero adjoint passes on exactly zero (no gate needed).</summary>
    public bool PreservesZero => Partials.Count > 0 && Partials.All(p => p is null || p.PreservesZero);
}

/// <summary>
/// The operation table: the one place a derivative rule is written. Reverse mode, forward mode, the Jacobian and
/// the Hessian read it through two interpreters (<c>Emitter.Share</c> for text, <c>DerivativeGraph.Share</c> for
/// nodes); the parser's function map, rendering, the domain and zero-preservation flags are lookups into it.
/// Adding a function is one entry here (plus a runtime implementation where System.Math lacks one).
/// </summary>
internal static class Operations
{
    private const double TwoOverSqrtPi = 1.1283791670955126, InvSqrt2 = 0.7071067811865476, InvSqrt2Pi = 0.3989422804014327;
    private const double SeluScale = 1.0507009873554805, SeluScaleAlpha = 1.7580993408473766;

    /// <summary>An operand into which no derivative flows.</summary>
    private static readonly Derivative? None = null;

    private static readonly Operation[] Table =
    {
        // Operators. Comparisons and logic produce bools: no derivative.
        Entry(Op.Negate, "-", Spelling.Operator, -D),
        Entry(Op.Add, "+", Spelling.Operator, D, D),
        Entry(Op.Subtract, "-", Spelling.Operator, D, -D),
        Entry(Op.Multiply, "*", Spelling.Operator, D * B, D * A),
        // a / b: d / b into a, −(d / b)·r into b: the same quotient twice, which the JIT computes once (one division, not two).
        Entry(Op.Divide, "/", Spelling.Operator, D / B, -(D / B * R)) with { CanLeaveDomain = true },
        // a % b = a − trunc(a / b)·b
        Entry(Op.Remainder, "%", Spelling.Operator, D, -(D * Fn(Op.Truncate, A / B))) with { CanLeaveDomain = true },
        Entry(Op.LessThan, "<", Spelling.Operator, None, None),
        Entry(Op.LessThanOrEqual, "<=", Spelling.Operator, None, None),
        Entry(Op.GreaterThan, ">", Spelling.Operator, None, None),
        Entry(Op.GreaterThanOrEqual, ">=", Spelling.Operator, None, None),
        Entry(Op.Equal, "==", Spelling.Operator, None, None),
        Entry(Op.NotEqual, "!=", Spelling.Operator, None, None),
        Entry(Op.And, "&&", Spelling.Operator, None, None),
        Entry(Op.Or, "||", Spelling.Operator, None, None),
        Entry(Op.Not, "!", Spelling.Operator, None),

        // System.Math / MathF.
        Entry(Op.Exp, "Exp", Spelling.Math, D * R) with { CanLeaveDomain = true },
        Entry(Op.Log, "Log", Spelling.Math, D / A) with { CanLeaveDomain = true },
        Entry(Op.Log10, "Log10", Spelling.Math, D / (A * Fn(Op.Log, 10))) with { CanLeaveDomain = true },
        Entry(Op.Log2, "Log2", Spelling.Math, D / (A * Fn(Op.Log, 2))) with { CanLeaveDomain = true },
        Entry(Op.Sqrt, "Sqrt", Spelling.Math, D / (2 * R)) with { CanLeaveDomain = true },
        Entry(Op.Cbrt, "Cbrt", Spelling.Math, D / (3 * Square(R))) with { CanLeaveDomain = true },
        // ∂(a^b)/∂b = a^b·ln a, which is 0·(−∞) at a = 0 where the derivative is 0.
        Entry(Op.Pow, "Pow", Spelling.Math, D * (B * Fn(Op.Pow, A, B - 1)), When(Equal(A, 0), 0, D * (R * Fn(Op.Log, A)))) with { CanLeaveDomain = true },
        Entry(Op.Sin, "Sin", Spelling.Math, D * Fn(Op.Cos, A)),
        Entry(Op.Cos, "Cos", Spelling.Math, -(D * Fn(Op.Sin, A))),
        Entry(Op.Tan, "Tan", Spelling.Math, D * (1 + Square(R))) with { CanLeaveDomain = true },
        Entry(Op.Asin, "Asin", Spelling.Math, D / Fn(Op.Sqrt, 1 - Square(A))) with { CanLeaveDomain = true },
        Entry(Op.Acos, "Acos", Spelling.Math, -(D / Fn(Op.Sqrt, 1 - Square(A)))) with { CanLeaveDomain = true },
        Entry(Op.Atan, "Atan", Spelling.Math, D / (1 + Square(A))),
        // atan2(y, x): ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²)
        Entry(Op.Atan2, "Atan2", Spelling.Math, D * B / (Square(B) + Square(A)), -(D * A / (Square(B) + Square(A)))) with { CanLeaveDomain = true },
        Entry(Op.Sinh, "Sinh", Spelling.Math, D * Fn(Op.Cosh, A)) with { CanLeaveDomain = true },
        Entry(Op.Cosh, "Cosh", Spelling.Math, D * Fn(Op.Sinh, A)) with { CanLeaveDomain = true },
        Entry(Op.Tanh, "Tanh", Spelling.Math, D * (1 - Square(R))),
        Entry(Op.Asinh, "Asinh", Spelling.Math, D / Fn(Op.Sqrt, Square(A) + 1)),
        Entry(Op.Acosh, "Acosh", Spelling.Math, D / Fn(Op.Sqrt, Square(A) - 1)) with { CanLeaveDomain = true },
        Entry(Op.Atanh, "Atanh", Spelling.Math, D / (1 - Square(A))) with { CanLeaveDomain = true },
        Entry(Op.Abs, "Abs", Spelling.Math, When(Less(A, 0), -D, D)) with { Kink = "x = 0: the + side (derivative 1)" },
        Entry(Op.Max, "Max", Spelling.Math, When(GreaterOrEqual(A, B), D, 0), When(GreaterOrEqual(A, B), 0, D)) with { Kink = "a = b: all to a" },
        Entry(Op.Min, "Min", Spelling.Math, When(LessOrEqual(A, B), D, 0), When(LessOrEqual(A, B), 0, D)) with { Kink = "a = b: all to a" },
        // Math.Clamp(x, lo, hi) returns lo when x < lo, hi when x > hi, else x
        Entry(Op.Clamp, "Clamp", Spelling.MathOnly, When(And(LessOrEqual(B, A), LessOrEqual(A, C)), D, 0), When(Less(A, B), D, 0), When(Greater(A, C), D, 0))
            with { Kink = "x = lo or x = hi: all to x" },
        Entry(Op.FusedMultiplyAdd, "FusedMultiplyAdd", Spelling.Math, D * B, D * A, D),
        // ScaleB(x, n) = x·2ⁿ is linear in x and exact; n is an integer.
        Entry(Op.ScaleB, "ScaleB", Spelling.Math, Fn(Op.ScaleB, D, B), None) with { CanLeaveDomain = true },
        // CopySign(x, y) = |x|·sign(y): piecewise constant in y.
        Entry(Op.CopySign, "CopySign", Spelling.Math, When(Less(A, 0), -(D * Fn(Op.CopySign, 1, B)), D * Fn(Op.CopySign, 1, B)), None)
            with { Kink = "x = 0: the + side of |x| (derivative sign(y))" },
        Entry(Op.Sign, "Sign", Spelling.Math, None) with { PiecewiseConstant = true },
        Entry(Op.Floor, "Floor", Spelling.Math, None) with { PiecewiseConstant = true },
        Entry(Op.Ceiling, "Ceiling", Spelling.Math, None) with { PiecewiseConstant = true },
        Entry(Op.Round, "Round", Spelling.Math, None) with { PiecewiseConstant = true },
        Entry(Op.Truncate, "Truncate", Spelling.Math, None) with { PiecewiseConstant = true },

        // double.X / float.X (generic math; System.Math has no such function).
        Entry(Op.Hypot, "Hypot", Spelling.Number, D * A / R, D * B / R) with { CanLeaveDomain = true, Kink = "(0, 0): not differentiable (NaN)" },
        Entry(Op.ExpM1, "ExpM1", Spelling.Number, D * Fn(Op.Exp, A)) with { CanLeaveDomain = true },
        Entry(Op.LogP1, "LogP1", Spelling.Number, D / (1 + A)) with { CanLeaveDomain = true },

        // SymbolicDiff.Activations.
        Entry(Op.Sigmoid, "Sigmoid", Spelling.Activations, D * (R * (1 - R))),
        Entry(Op.ReLU, "ReLU", Spelling.Activations, When(Greater(A, 0), D, 0)) with { Kink = "x = 0: the zero side" },
        Entry(Op.HardTanh, "HardTanh", Spelling.Activations, When(And(GreaterOrEqual(A, -1), LessOrEqual(A, 1)), D, 0))
            with { Kink = "x = ±1: the linear side" },
        Entry(Op.Softplus, "Softplus", Spelling.Activations, D * Fn(Op.Sigmoid, A)),
        Entry(Op.LeakyReLU, "LeakyReLU", Spelling.Activations, When(Greater(A, 0), D, D * B), When(Greater(A, 0), 0, D * A))
            with { Kink = "x = 0: the slope side" },
        Entry(Op.Erf, "Erf", Spelling.Activations, D * (TwoOverSqrtPi * Fn(Op.Exp, -Square(A)))),
        // GELU x·Φ(x): Φ(x) + x·φ(x)
        Entry(Op.Gelu, "Gelu", Spelling.Activations, D * (0.5 * (1 + Fn(Op.Erf, A * InvSqrt2)) + A * (InvSqrt2Pi * Fn(Op.Exp, -0.5 * Square(A))))),
        // Swish (SiLU) x·σ(x): σ + xσ(1 − σ) = r + σ(1 − r)
        Entry(Op.Swish, "Swish", Spelling.Activations, D * (R + Fn(Op.Sigmoid, A) * (1 - R))),
        // Mish x·tanh(softplus x): t + x·(1 − t²)·σ(x)
        Entry(Op.Mish, "Mish", Spelling.Activations, D * (Fn(Op.Tanh, Fn(Op.Softplus, A)) + A * ((1 - Square(Fn(Op.Tanh, Fn(Op.Softplus, A)))) * Fn(Op.Sigmoid, A)))),
        Entry(Op.Softsign, "Softsign", Spelling.Activations, D / Square(1 + Fn(Op.Abs, A))),
        // ELU(x, α): x for x > 0, else α(eˣ − 1), whose derivative is α·eˣ = r + α
        Entry(Op.Elu, "Elu", Spelling.Activations, When(Greater(A, 0), D, D * (R + B)), When(Greater(A, 0), 0, D * Fn(Op.ExpM1, A)))
            with { Kink = "x = 0: the exponential side (derivative α)" },
        Entry(Op.Selu, "Selu", Spelling.Activations, When(Greater(A, 0), D * SeluScale, D * (R + SeluScaleAlpha)))
            with { Kink = "x = 0: the exponential side (derivative λα)" },
    };

    private static readonly Dictionary<Op, Operation> ByOp = Table.ToDictionary(e => e.Op);

    private static Operation Entry(Op op, string name, Spelling spelling, params Derivative?[] partials) =>
        new(op, name, spelling, partials);

    /// <summary>All entries, in table order (the tests run one row per entry).</summary>
    public static IReadOnlyList<Operation> All => Table;

    /// <summary>The entry of <paramref name="op"/>, or null for structural operations (calls, selects, loops, …).</summary>
    public static Operation? Of(Op op) => ByOp.TryGetValue(op, out var entry) ? entry : null;

    /// <summary>How a function's containing type (its display name) spells table functions, or null for a type without any.</summary>
    public static Spelling? SpellingOf(string? containingType) => containingType switch
    {
        "System.Math" or "System.MathF" => Spelling.Math,
        "double" or "float" => Spelling.Number,
        "SymbolicDiff.Activations" => Spelling.Activations,
        _ => null,
    };

    /// <summary>The operation a function call names: Math/MathF (<paramref name="spelling"/> Math), double/float (Number) or Activations.</summary>
    public static Op? FunctionOf(Spelling spelling, string name, int arity) =>
        Table.FirstOrDefault(e => e.Name == name && e.Arity == arity && (e.Spelling == spelling || (e.Spelling == Spelling.MathOnly && spelling == Spelling.Math)))?.Op;

    /// <summary>The operation has a rule in the table (every mode supports it).</summary>
    public static bool Supports(Op op) => op is Op.Parameter or Op.Constant or Op.Convert || ByOp.ContainsKey(op);

    public static bool CanLeaveDomain(Op op) => op == Op.Call || (Of(op)?.CanLeaveDomain ?? false);

    public static bool PreservesZero(Op op) => op == Op.Convert || (Of(op)?.PreservesZero ?? false);

    public static bool PiecewiseConstant(Op op) => Of(op)?.PiecewiseConstant ?? false;

    /// <summary>
    /// Costs more to compute again than to keep (tens of cycles against one store and one load): a transcendental
    /// function, a root, a division. The loop planner keeps such values per iteration instead of recomputing them.
    /// </summary>
    public static bool IsCostly(Op op) => op == Op.Divide
        || (Of(op) is { Spelling: not Spelling.Operator, PiecewiseConstant: false } entry && entry.Kink is null
            && op is not (Op.FusedMultiplyAdd or Op.ScaleB));

    /// <summary>
    /// The local derivative of <paramref name="node"/> for operand <paramref name="k"/>: its table entry, or one of the
    /// structural cases kept here next to the table (they depend on the node, not only on its operation). Null: no
    /// derivative flows into that operand. <paramref name="constant"/> gives an operand's value when it is a literal.
    /// </summary>
    public static Derivative? Partial(Node node, int k, Func<int, double?> constant)
    {
        var args = node.Args;
        switch (node.Op)
        {
            case Op.Convert:
                return D;
            case Op.Multiply when args[0] == args[1]:   // x·x: one share of 2·x rather than two of x
                return k == 0 ? D * (2 * A) : null;
            case Op.Divide when constant(args[0]) == 1:   // r = 1/b: ∂r/∂b = −r², no second division
                return k == 1 ? -(D * Square(R)) : null;
            case Op.Pow when k == 0 && constant(args[1]) is double b:   // b·a^(b−1) with small constant exponents written out
                return b switch
                {
                    1 => D,
                    2 => D * (2 * A),
                    _ => D * (b * Fn(Op.Pow, A, b - 1)),
                };
            case Op.Call:   // the slots the callee's gradient filled
                return node.Callee!.Differentiable[k] ? D * new CallPartial(k) : null;
            case Op.Select:   // c ? a : b routes the derivative to the side taken, never to the condition
                return k switch
                {
                    0 => null,
                    1 => When(A, D, 0),
                    _ => When(A, 0, D),
                };
        }
        var entry = Of(node.Op) ?? throw new InvalidOperationException($"No derivative rule for {node.Op}");
        return k < entry.Partials.Count ? entry.Partials[k] : null;
    }
}
