using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using static System.Math;

namespace SymbolicDiff.Tests;

public delegate double Grad1(double x, ref double dx);
public delegate double Grad2(double x, double y, ref double dx, ref double dy);
public delegate double Grad3(double x, double y, double z, ref double dx, ref double dy, ref double dz);

/// <summary>
/// One double [Differentiable] function under test: the function, its generated gradient, a hand-derived closed-form
/// gradient, and the points to check at.
/// </summary>
/// <param name="Step">Relative finite-difference step for <see cref="GradientCheck"/>.</param>
/// <param name="FiniteDifferenceTolerance">Tolerance on <see cref="GradientCheckReport.MaxError"/>.</param>
/// <param name="SkipFiniteDifferences">Points sit on a kink or a discontinuity: only the closed form applies.</param>
/// <param name="ClosedFormTolerance">Relative tolerance (absolute below 1) against the closed form.</param>
public sealed record DoubleCase(
    string Name,
    Func<double[], double> Function,
    GradientCheck.Gradient Gradient,
    Func<double[], double[]> ClosedForm,
    double[][] Points,
    double Step = 1e-6,
    double FiniteDifferenceTolerance = 1e-6,
    bool SkipFiniteDifferences = false,
    double ClosedFormTolerance = 1e-12);

public static class DoubleCases
{
    static double Sig(double x) => 1 / (1 + Exp(-x));
    static double Sq(double x) => x * x;

    static DoubleCase C1(string name, Func<double, double> f, Grad1 g, Func<double, double> d, params double[] xs) =>
        new(name, p => f(p[0]), (p, gr) => g(p[0], ref gr[0]), p => new[] { d(p[0]) }, xs.Select(x => new[] { x }).ToArray());

    static DoubleCase C2(string name, Func<double, double, double> f, Grad2 g, Func<double, double, (double, double)> d,
        params (double, double)[] points) =>
        new(name, p => f(p[0], p[1]), (p, gr) => g(p[0], p[1], ref gr[0], ref gr[1]),
            p => { var (a, b) = d(p[0], p[1]); return new[] { a, b }; },
            points.Select(q => new[] { q.Item1, q.Item2 }).ToArray());

    static DoubleCase C3(string name, Func<double, double, double, double> f, Grad3 g,
        Func<double, double, double, (double, double, double)> d, params (double, double, double)[] points) =>
        new(name, p => f(p[0], p[1], p[2]), (p, gr) => g(p[0], p[1], p[2], ref gr[0], ref gr[1], ref gr[2]),
            p => { var (a, b, c) = d(p[0], p[1], p[2]); return new[] { a, b, c }; },
            points.Select(q => new[] { q.Item1, q.Item2, q.Item3 }).ToArray());

    public static readonly DoubleCase[] All =
    {
        // ---- Operators ----
        C2("Add", D.Add, D.AddGradient, (x, y) => (1, 1), (1, 2), (-3.5, 0.25)),
        C2("Sub", D.Sub, D.SubGradient, (x, y) => (1, -1), (1, 2), (-3.5, 0.25)),
        C2("Mul", D.Mul, D.MulGradient, (x, y) => (y, x), (1.5, 2), (-3, 0.25), (0, 4)),
        C2("Div", D.Div, D.DivGradient, (x, y) => (1 / y, -x / (y * y)), (3, 2), (-1, 0.5), (2, -4)),
        C2("Rem", D.Rem, D.RemGradient, (x, y) => (1, -Truncate(x / y)), (7.5, 2), (-7.5, 2), (5.3, -1.5), (0.5, 3)),
        C1("Neg", D.Neg, D.NegGradient, x => -1, -1, 2),
        C2("NegChain", D.NegChain, D.NegChainGradient, (x, y) => (2 * x + y, x), (1, 2), (-3, 0.5)),
        C1("Scale", D.Scale, D.ScaleGradient, x => 2.5, -2, 0.5, 3),
        C1("Square", D.Square, D.SquareGradient, x => 2 * x, -1.5, 0, 3),
        C1("Reciprocal", D.Reciprocal, D.ReciprocalGradient, x => -1 / (x * x), -2, 0.5, 3),
        C1("SelfDivide", D.SelfDivide, D.SelfDivideGradient, x => 1, -2, 0.5, 3),
        C2("SelfSubtract", D.SelfSubtract, D.SelfSubtractGradient, (x, y) => (y, x), (1, 2), (-3, 0.5)),

        // ---- Math functions ----
        C1("Exp", D.Exp, D.ExpGradient, x => Exp(x), -3, 0, 2.5),
        C1("Log", D.Log, D.LogGradient, x => 1 / x, 0.3, 1.7, 25),
        C1("Log10", D.Log10, D.Log10Gradient, x => 1 / (x * Log(10)), 0.3, 1.7, 25),
        C1("Log2", D.Log2, D.Log2Gradient, x => 1 / (x * Log(2)), 0.3, 1.7, 25),
        C2("LogBase", D.LogBase, D.LogBaseGradient, (x, b) => (1 / (x * Log(b)), -Log(x) / (b * Sq(Log(b)))), (2, 10), (0.5, 3), (8, 2), (3, 0.5)),
        C1("LogConstBase", D.LogConstBase, D.LogConstBaseGradient, x => 1 / (x * Log(3)), 0.3, 1.7, 25),
        C1("LogConstArg", D.LogConstArg, D.LogConstArgGradient, b => -Log(5) / (b * Sq(Log(b))), 0.5, 2, 10),
        C1("Sqrt", D.Sqrt, D.SqrtGradient, x => 0.5 / Sqrt(x), 0.04, 2, 9),
        C1("Cbrt", D.Cbrt, D.CbrtGradient, x => 1 / (3 * Sq(Cbrt(x))), -8, -0.5, 0.5, 27),
        C1("PowCube", D.PowCube, D.PowCubeGradient, x => 3 * x * x, -2, 0, 1.5),
        C1("PowSquare", D.PowSquare, D.PowSquareGradient, x => 2 * x, -2, 0, 1.5),
        C1("PowHalf", D.PowHalf, D.PowHalfGradient, x => 0.5 / Sqrt(x), 0.25, 4),
        C1("PowNegative", D.PowNegative, D.PowNegativeGradient, x => -1.5 * Pow(x, -2.5), 0.5, 2),
        C1("PowConstBase", D.PowConstBase, D.PowConstBaseGradient, x => Pow(2, x) * Log(2), -1, 0, 3),
        C2("PowVar", D.PowVar, D.PowVarGradient, (x, y) => (y * Pow(x, y - 1), Pow(x, y) * Log(x)), (2, 3), (0.5, -1.5), (3, 0.5), (1.5, 2.2)),
        C1("PowSelf", D.PowSelf, D.PowSelfGradient, x => Pow(x, x) * (Log(x) + 1), 0.5, 2),
        C1("Sin", D.Sin, D.SinGradient, x => Cos(x), -2, 0.5, 3),
        C1("Cos", D.Cos, D.CosGradient, x => -Sin(x), -2, 0.5, 3),
        C1("Tan", D.Tan, D.TanGradient, x => 1 / Sq(Cos(x)), -1.2, 0.3, 1.4),
        C1("Asin", D.Asin, D.AsinGradient, x => 1 / Sqrt(1 - x * x), -0.7, 0.2, 0.9),
        C1("Acos", D.Acos, D.AcosGradient, x => -1 / Sqrt(1 - x * x), -0.7, 0.2, 0.9),
        C1("Atan", D.Atan, D.AtanGradient, x => 1 / (1 + x * x), -3, 0.2, 10),
        // d/dy atan2(y, x) = x / (x² + y²), d/dx = −y / (x² + y²), in every quadrant
        C2("Atan2", D.Atan2, D.Atan2Gradient, (y, x) => (x / (x * x + y * y), -y / (x * x + y * y)), (1, 2), (-1, 2), (1, -2), (-1, -2), (3, 0.5), (0, 1)),
        C1("Sinh", D.Sinh, D.SinhGradient, x => Cosh(x), -2, 0.3, 1.5),
        C1("Cosh", D.Cosh, D.CoshGradient, x => Sinh(x), -2, 0.3, 1.5),
        C1("Tanh", D.Tanh, D.TanhGradient, x => 1 - Sq(Tanh(x)), -2, 0.3, 1.5),
        C1("Abs", D.Abs, D.AbsGradient, x => x > 0 ? 1 : -1, -2.5, -0.1, 0.1, 0.7),
        C2("Max", D.Max, D.MaxGradient, (x, y) => x > y ? (1, 0) : (0, 1), (1, 2), (3, -1), (-0.5, -0.4)),
        C2("Min", D.Min, D.MinGradient, (x, y) => x < y ? (1, 0) : (0, 1), (1, 2), (3, -1), (-0.5, -0.4)),
        C1("MaxConst", D.MaxConst, D.MaxConstGradient, x => x > 0.5 ? 1 : 0, 0.2, 1),
        C3("Clamp", D.Clamp, D.ClampGradient, (x, lo, hi) => x < lo ? (0, 1, 0) : x > hi ? (0, 0, 1) : (1, 0, 0),
            (0.5, -1, 1), (-2, -1, 1), (3, -1, 1)),
        C1("ClampConst", D.ClampConst, D.ClampConstGradient, x => x < -1 || x > 2 ? 0 : 1, -3, 0.5, 2.5),
        C1("Floor", D.Floor, D.FloorGradient, x => 0, -1.3, 0.4, 2.7),
        C1("Ceiling", D.Ceiling, D.CeilingGradient, x => 0, -1.3, 0.4, 2.7),
        C1("Round", D.Round, D.RoundGradient, x => 0, -1.3, 0.4, 2.7),
        C1("Truncate", D.Truncate, D.TruncateGradient, x => 0, -1.3, 0.4, 2.7),
        C1("Sign", D.Sign, D.SignGradient, x => 0, -1.3, 0.4, 2.7),
        C2("Simplified", D.Simplified, D.SimplifiedGradient, (x, y) => (7, 0), (1, 2), (-3, 0.5)),
        C1("FloorTimes", D.FloorTimes, D.FloorTimesGradient, x => Floor(x) + Sign(x), -1.3, 0.4, 2.7),
        C2("CeilingTruncate", D.CeilingTruncate, D.CeilingTruncateGradient, (x, y) => (Truncate(y), Ceiling(x)), (1.5, 2.5), (-0.7, -3.2)),

        // ---- Activations ----
        C1("Sigmoid", D.Sigmoid, D.SigmoidGradient, x => Sig(x) * (1 - Sig(x)), -30, -3, 0, 2, 30),
        C1("ReLU", D.ReLU, D.ReLUGradient, x => x > 0 ? 1 : 0, -1.5, -0.1, 0.1, 2),
        C1("HardTanh", D.HardTanh, D.HardTanhGradient, x => Abs(x) < 1 ? 1 : 0, -2, -0.5, 0.5, 2),
        C1("Softplus", D.Softplus, D.SoftplusGradient, x => Sig(x), -30, -2, 0, 3, 40),
        C2("LeakyReLU", D.LeakyReLU, D.LeakyReLUGradient, (x, s) => x > 0 ? (1, 0) : (s, x), (-2, 0.1), (3, 0.2), (-0.5, 0.3)),
        C1("LeakyReLUConst", D.LeakyReLUConst, D.LeakyReLUConstGradient, x => x > 0 ? 1 : 0.01, -1, 1),

        // ---- Conditionals: both sides of every comparison ----
        C1("TernaryGt", D.TernaryGt, D.TernaryGtGradient, x => x > 0 ? 2 * x : -3, -1, 2),
        C1("TernaryLe", D.TernaryLe, D.TernaryLeGradient, x => x <= 1 ? Cos(x) : Exp(x), 0.5, 2),
        C2("TernaryLt", D.TernaryLt, D.TernaryLtGradient, (x, y) => x < y ? (y, x) : (1, -1), (1, 2), (3, 1)),
        C1("TernaryGe", D.TernaryGe, D.TernaryGeGradient, x => x >= 2 ? 5 : 3 * x * x, 1, 3),
        C2("TernaryEq", D.TernaryEq, D.TernaryEqGradient, (x, y) => x == 2 ? (0, 2 * y) : (y, x), (1, 3), (2.5, -1)),
        C1("TernaryNe", D.TernaryNe, D.TernaryNeGradient, x => (x * Cos(x) - Sin(x)) / (x * x), 0.5, -2),
        C2("TernaryAnd", D.TernaryAnd, D.TernaryAndGradient, (x, y) => x > 0 && y > 0 ? (y, x) : (1, 1), (1, 2), (-1, 2), (1, -2)),
        C2("TernaryOr", D.TernaryOr, D.TernaryOrGradient, (x, y) => x > 1 || y < 0 ? (2 * x, 0) : (0, 2 * y), (2, 1), (0.5, -1), (0.5, 1)),
        C1("TernaryNot", D.TernaryNot, D.TernaryNotGradient, x => x <= 1 ? 2 : 2 * x, 0.5, 3),
        C2("TernaryMax", D.TernaryMax, D.TernaryMaxGradient, (x, y) => x > y ? (1, 0) : (0, 1), (1, 2), (3, -1)),
        C2("TernaryProduct", D.TernaryProduct, D.TernaryProductGradient, (x, y) => x * y > 1 ? (1 / x, 1 / y) : (y, x), (2, 3), (0.5, 1), (-2, -3)),
        C1("NestedTernary", D.NestedTernary, D.NestedTernaryGradient, x => x < -1 ? -2 * x : x < 1 ? 1 : 0.5 / Sqrt(x), -2, 0.5, 4),
        C1("SafeSqrt", D.SafeSqrt, D.SafeSqrtGradient, x => x > 0 ? 0.5 / Sqrt(x) : -1, -1, -4, 4),
        C1("SafeLog", D.SafeLog, D.SafeLogGradient, x => x > 0 ? 1 / x : 1, -2, 0.5),
        C2("TernaryLocal", D.TernaryLocal, D.TernaryLocalGradient, TernaryLocalGradient, (3, 1), (1, 3), (0.5, 0.7), (-1, 0.1)),

        // ---- Casts and integers ----
        C1("ViaFloat", D.ViaFloat, D.ViaFloatGradient, x => 1, -2.5, 0.3, 7) with { Step = 1e-2, FiniteDifferenceTolerance = 1e-4 },
        C1("ViaFloatSquared", D.ViaFloatSquared, D.ViaFloatSquaredGradient, x => 6 * x, -2.5, 0.3, 7) with { Step = 1e-2, FiniteDifferenceTolerance = 1e-4 },
        // The adjoint of the float value (float)x is itself a float, so it is rounded to single precision on its way to dx.
        C1("FloatInMath", D.FloatInMath, D.FloatInMathGradient, x => Cos((float)x), -2.5, 0.3, 7)
            with { Step = 2e-3, FiniteDifferenceTolerance = 2e-4, ClosedFormTolerance = 1e-7 },
        C1("IntCast", D.IntCast, D.IntCastGradient, x => (int)x, -1.5, 0.3, 2.5),
        C1("IntParam(n=3)", x => D.IntParam(x, 3), (double x, ref double dx) => D.IntParamGradient(x, 3, ref dx), x => 6 * x + 1.0 / 3, -1.5, 2),
        C1("IntParam(n=-2)", x => D.IntParam(x, -2), (double x, ref double dx) => D.IntParamGradient(x, -2, ref dx), x => -4 * x - 0.5, -1.5, 2),
        C1("LongParam(m=3)", x => D.LongParam(x, 3L), (double x, ref double dx) => D.LongParamGradient(x, 3L, ref dx), x => 3 * x * x + 3, -1.5, 0, 2),
        // k = 2n + 2, f = k·x² + (k % 3)·x
        C1("IntLocal(n=2)", x => D.IntLocal(x, 2), (double x, ref double dx) => D.IntLocalGradient(x, 2, ref dx), x => 12 * x + 0, -1.5, 2),
        C1("IntLocal(n=3)", x => D.IntLocal(x, 3), (double x, ref double dx) => D.IntLocalGradient(x, 3, ref dx), x => 16 * x + 2, -1.5, 2),
        C1("BoolParam(true)", x => D.BoolParam(x, true), (double x, ref double dx) => D.BoolParamGradient(x, true, ref dx), x => -1, -1.5, 2),
        C1("BoolParam(false)", x => D.BoolParam(x, false), (double x, ref double dx) => D.BoolParamGradient(x, false, ref dx), x => 2 * x, -1.5, 2),

        // ---- [NoDiff] ----
        C1("NoDiffScale(s=1.5)", x => D.NoDiffScale(x, 1.5), (double x, ref double dx) => D.NoDiffScaleGradient(x, 1.5, ref dx), x => 1.5 * Cos(x), -1, 2),
        C2("NoDiffMiddle(s=-2)", (x, y) => D.NoDiffMiddle(x, -2, y), (double x, double y, ref double dx, ref double dy) => D.NoDiffMiddleGradient(x, -2, y, ref dx, ref dy),
            (x, y) => (-2, -4 * y), (1, 2), (-3, 0.5)),
        C1("Kinky(s=2)", x => D.Kinky(x, 2), (double x, ref double dx) => D.KinkyGradient(x, 2, ref dx), x => KinkyGradient(x, 2), -1.5, -0.3, 0.4, 2),

        // ---- Statements ----
        C2("Compound", D.Compound, D.CompoundGradient, (x, y) => ((2 * x + y) / 2, (x - 1) / 2), (1, 2), (-3, 0.5), (4, 5)),
        C2("CompoundMulDiv", D.CompoundMulDiv, D.CompoundMulDivGradient, (x, y) => (y * y / Sq(x + y) - 1, x * x / Sq(x + y)), (1, 2), (-3, 0.5)),
        C2("Reassign", D.Reassign, D.ReassignGradient, (x, y) =>
        {
            double t = x * x * (y + 1);
            return (Cos(t) * 2 * x * (y + 1) * x + Sin(t), Cos(t) * x * x * x);
        }, (1, 2), (-0.7, 0.5), (0.3, -3)),
        C2("ParamReassign", D.ParamReassign, D.ParamReassignGradient, (x, y) => (2 * y + 8 * x, 2 * x), (1, 2), (-3, 0.5)),
        C1("IncDec", D.IncDec, D.IncDecGradient, x => 4 * x * (x * x + 1), -1.5, 0, 2),

        // ---- CSE and deep compositions ----
        C2("Cse", D.Cse, D.CseGradient, (x, y) =>
        {
            double u = x * y, d = 2 * Sin(u) * Cos(u) + Exp(u) + 1;
            return (y * d, x * d);
        }, (1, 2), (-0.7, 0.5), (0.3, -3)),
        C1("CseCube", D.CseCube, D.CseCubeGradient, x => 3 * Sq(x + 1), -2, 0.5),
        C1("Deep1", D.Deep1, D.Deep1Gradient, x =>
        {
            double l = Log(x * x + 1);
            return Exp(Sin(l)) * Cos(l) * 2 * x / (x * x + 1);
        }, -2, 0.3, 5),
        C2("Deep2", D.Deep2, D.Deep2Gradient, (x, y) =>
        {
            double t = Tanh(x * y), s = Sig(x - y), g = Sqrt(t * t + s);
            double dt = 2 * t * (1 - t * t), ds = s * (1 - s);
            return ((dt * y + ds) / (2 * g), (dt * x - ds) / (2 * g));
        }, (1, 2), (-0.7, 0.5), (0.3, -3)),
        C3("Deep3", D.Deep3, D.Deep3Gradient, (x, y, z) =>
        {
            double a = x * y - z, p = Log(1 + Exp(a)), s = Sig(a), n = 1 + Abs(x);
            return (s * y * Cos(z) / n - p * Cos(z) * Sign(x) / (n * n), s * x * Cos(z) / n, (-s * Cos(z) - p * Sin(z)) / n);
        }, (1, 2, 0.5), (-0.7, 0.5, -1), (0.3, -3, 2)),
        C2("Deep4", D.Deep4, D.Deep4Gradient, Deep4Gradient, (1, 2), (-0.7, 0.5), (0.3, -3), (3, 0.1)),

        C1("CustomNamed", D.CustomNamed, D.CustomNamedGrad, x => 6 * x, -1, 2),

        // ---- Edge cases (class E) ----
        C2("PowVarAtZero", Edge.PowVarAtZero, Edge.PowVarAtZeroGradient, (x, y) => (y * Pow(x, y - 1), x == 0 ? 0 : Pow(x, y) * Log(x)), (0, 2), (0, 3), (2, 0)),
        C1("IntDivision", Edge.IntDivision, Edge.IntDivisionGradient, x => 8, -1, 2),
        C1("FloatLiteral", Edge.FloatLiteral, Edge.FloatLiteralGradient, x => (double)0.1f, -1, 2) with { ClosedFormTolerance = 0 },
        C1("ThirdConstant", Edge.ThirdConstant, Edge.ThirdConstantGradient, x => 1.0 / 3.0 + 0.1, -1, 2),
        C1("IntMath(n=5)", x => Edge.IntMath(x, 5), (double x, ref double dx) => Edge.IntMathGradient(x, 5, ref dx), x => 15, -1, 2),
        C1("IntMath(n=-4)", x => Edge.IntMath(x, -4), (double x, ref double dx) => Edge.IntMathGradient(x, -4, ref dx), x => 11, -1, 2),
        C1("IntCompare(n=2)", x => Edge.IntCompare(x, 2), (double x, ref double dx) => Edge.IntCompareGradient(x, 2, ref dx), x => x > 2 ? 2 * x : 0, 1, 3),
        C1("IntBranchLiteral", Edge.IntBranchLiteral, Edge.IntBranchLiteralGradient, x => x > 0 ? 1 : 0, -1, 2),
        C2("BoolLocal", Edge.BoolLocal, Edge.BoolLocalGradient, (x, y) => x > 0 && y > 0 ? (y, x) : x > 0 ? (1, 0) : (0, -1), (1, 2), (1, -2), (-1, 2)),
        C1("CseAcrossBranch", Edge.CseAcrossBranch, Edge.CseAcrossBranchGradient, x => x > 1 ? 2 * Exp(x) : Exp(x), 0.5, 2),
        C1("CseIntoBranch", Edge.CseIntoBranch, Edge.CseIntoBranchGradient, x => x > 1 ? 4 * Exp(2 * x) : 2 * Exp(2 * x), 0.5, 2),
        C1("SqrtInCondition", Edge.SqrtInCondition, Edge.SqrtInConditionGradient, x => x > 1 ? 0.5 / Sqrt(x) : 1, -2, 0.5, 4),
        C1("SqrtLocalInUntakenBranch", Edge.SqrtLocalInUntakenBranch, Edge.SqrtLocalInUntakenBranchGradient, x => x > 0 ? 0.5 / Sqrt(x) : -1, -1, 4),
        C1("NaNNested", Edge.NaNNested, Edge.NaNNestedGradient, x => x > 0 ? 1 / Sqrt(x) : x < -5 ? 1 / x : 1 / (x + 5.5) - 1, 4, -8, -2),
        C2("BranchThenReassign", Edge.BranchThenReassign, Edge.BranchThenReassignGradient,
            (x, y) => x > 0 ? (5 * y - 8 * x * y, 5 * x - 4 * x * x) : (-4 * y, 5 - 4 * x), (1, 2), (0.5, -1), (-1, 2)),
        C2("RemAssign", Edge.RemAssign, Edge.RemAssignGradient, (x, y) => (3, -Truncate(3 * x / y)), (2.5, 2), (-1.1, 0.7)),
        C1("ParamIncrement", Edge.ParamIncrement, Edge.ParamIncrementGradient, x => 2 * (x + 1), -2, 0.5),
        C2("Names(x, dx)", Edge.Names, Edge.NamesGradient, (x, dx) => (dx, x + 1), (2, 3), (-1, 0.5)),
        C3("Temps(t1, dt1, t2)", Edge.Temps, Edge.TempsGradient, (t1, dt1, t2) => (dt1 + Cos(t2 * t1) * t2, t1, Cos(t2 * t1) * t1), (2, 3, 0.5), (-1, 0.5, 2)),
        C1("LocalNames", Edge.LocalNames, Edge.LocalNamesGradient, x => 6 * x + 3, -2, 0.5),
        C2("Keywords(@in, @double)", Edge.Keywords, Edge.KeywordsGradient, (i, d) => (d + 1, i), (2, 3), (-1, 0.5)),
        C1("MaxSelf", Edge.MaxSelf, Edge.MaxSelfGradient, x => 1, -1, 2),
        C1("MinSelf", Edge.MinSelf, Edge.MinSelfGradient, x => 1, -1, 2),
        C1("ClampSelf", Edge.ClampSelf, Edge.ClampSelfGradient, x => 1, -1, 2),
    };

    /// <summary>Points on kinks and discontinuities: the closed form follows the branch that is taken.</summary>
    public static readonly DoubleCase[] AtKinks =
    {
        // ReLU's documented derivative is 1 for x > 0, else 0; LeakyReLU's is 1 or slope, so at 0 it is slope.
        C1("ReLU@0", D.ReLU, D.ReLUGradient, x => 0, 0),
        C2("LeakyReLU@0", D.LeakyReLU, D.LeakyReLUGradient, (x, s) => (s, 0), (0, 0.1)),
        C1("TernaryGt@0", D.TernaryGt, D.TernaryGtGradient, x => -3, 0),
        C1("TernaryGe@2", D.TernaryGe, D.TernaryGeGradient, x => 5, 2),
        C1("TernaryNot@1", D.TernaryNot, D.TernaryNotGradient, x => 2, 1),
        C2("TernaryEq@2", D.TernaryEq, D.TernaryEqGradient, (x, y) => (0, 2 * y), (2, 3)),
        C1("SafeSqrt@0", D.SafeSqrt, D.SafeSqrtGradient, x => -1, 0),
        C1("SafeLog@0", D.SafeLog, D.SafeLogGradient, x => 1, 0),
        C2("SafeDivide@y=0", D.SafeDivide, D.SafeDivideGradient, (x, y) => (1, 0), (3, 0), (0, 0)),
        C1("TernaryNe@0", D.TernaryNe, D.TernaryNeGradient, x => 0, 0),
        C1("Kinky(s=2)@0", x => D.Kinky(x, 2), (double x, ref double dx) => D.KinkyGradient(x, 2, ref dx), x => 0, 0),
        C1("NestedTernary@-1", D.NestedTernary, D.NestedTernaryGradient, x => 1, -1),
        C1("NestedTernary@1", D.NestedTernary, D.NestedTernaryGradient, x => 0.5, 1),
    };

    static (double, double) TernaryLocalGradient(double x, double y)
    {
        double a, dax, day;
        if (x > y) { a = Sqrt(x - y); dax = 0.5 / a; day = -0.5 / a; }
        else { a = Log(y - x); dax = -1 / (y - x); day = 1 / (y - x); }
        double b = a * a + x, dbx = 2 * a * dax + 1, dby = 2 * a * day;
        return b > 2 ? (dbx * y, dby * y + b) : (dbx, dby - 1);
    }

    static double KinkyGradient(double x, double s)
    {
        double y = x > 0 ? Sqrt(x) * s : -x * x;
        double dy = x > 0 ? 0.5 * s / Sqrt(x) : -2 * x;
        double z = Log(1 + y * y), dz = 2 * y / (1 + y * y);
        return (dz + Cos(y) * z + Sin(y) * dz) * dy;
    }

    static (double, double) Deep4Gradient(double x, double y)
    {
        double r = Sqrt(x * x + y * y), theta = Atan2(y, x);
        double drx = x / r, dry = y / r, dtx = -y / (r * r), dty = x / (r * r);
        double c = Cosh(r / 4), u = c * Cos(theta);
        double dur = Sinh(r / 4) / 4 * Cos(theta), dut = -c * Sin(theta);
        double dux = dur * drx + dut * dtx, duy = dur * dry + dut * dty;
        double mx = Max(u, theta), mn = Min(r, 2);
        double dmx = u > theta ? dux : dtx, dmy = u > theta ? duy : dty;
        double dnx = r < 2 ? drx : 0, dny = r < 2 ? dry : 0;
        double dl = 2 * u / (1 + u * u);
        return (dl * dux + dmx * mn + mx * dnx, dl * duy + dmy * mn + mx * dny);
    }

    public static readonly Dictionary<string, DoubleCase> ByName = All.Concat(AtKinks).ToDictionary(c => c.Name);

    public static string Format(double[] point) =>
        "(" + string.Join(", ", point.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + ")";

    /// <summary>(function, point index, point) rows for MemberData.</summary>
    public static IEnumerable<object[]> Rows(IEnumerable<DoubleCase> cases) =>
        cases.SelectMany(c => c.Points.Select((p, i) => new object[] { c.Name, i, Format(p) }));
}
