using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Tests.Functions;

namespace SymbolicDiff.Tests;

public delegate float Grad1F(float x, ref float dx);
public delegate float Grad2F(float x, float y, ref float dx, ref float dy);
public delegate float Grad3F(float x, float y, float z, ref float dx, ref float dy, ref float dz);

/// <summary>
/// A float [Differentiable] function. Its reference value and closed-form gradient are those of the double case
/// with the same <see cref="Reference"/> name, evaluated in double at the (float) point.
/// </summary>
public sealed record FloatCase(
    string Name,
    string Reference,
    Func<float[], float> Function,
    GradientCheck.GradientF Gradient,
    double FiniteDifferenceTolerance = 2e-3)
{
    public DoubleCase Double => DoubleCases.ByName[Reference];

    public float[][] Points => Double.Points.Select(p => p.Select(v => (float)v).ToArray()).ToArray();
}

public static class FloatCases
{
    static FloatCase F1(string name, Func<float, float> f, Grad1F g, string? reference = null) =>
        new(name, reference ?? name, p => f(p[0]), (p, gr) => g(p[0], ref gr[0]));

    static FloatCase F2(string name, Func<float, float, float> f, Grad2F g, string? reference = null) =>
        new(name, reference ?? name, p => f(p[0], p[1]), (p, gr) => g(p[0], p[1], ref gr[0], ref gr[1]));

    static FloatCase F3(string name, Func<float, float, float, float> f, Grad3F g, string? reference = null) =>
        new(name, reference ?? name, p => f(p[0], p[1], p[2]), (p, gr) => g(p[0], p[1], p[2], ref gr[0], ref gr[1], ref gr[2]));

    public static readonly FloatCase[] All =
    {
        F2("Add", F.Add, F.AddGradient),
        F2("Sub", F.Sub, F.SubGradient),
        F2("Mul", F.Mul, F.MulGradient),
        F2("Div", F.Div, F.DivGradient),
        F2("Rem", F.Rem, F.RemGradient),
        F1("Neg", F.Neg, F.NegGradient),
        F2("NegChain", F.NegChain, F.NegChainGradient),
        F1("Square", F.Square, F.SquareGradient),
        F1("Reciprocal", F.Reciprocal, F.ReciprocalGradient),
        F1("Exp", F.Exp, F.ExpGradient),
        F1("Log", F.Log, F.LogGradient),
        F1("Log10", F.Log10, F.Log10Gradient),
        F1("Log2", F.Log2, F.Log2Gradient),
        F2("LogBase", F.LogBase, F.LogBaseGradient),
        F1("LogConstBase", F.LogConstBase, F.LogConstBaseGradient),
        F1("Sqrt", F.Sqrt, F.SqrtGradient),
        F1("Cbrt", F.Cbrt, F.CbrtGradient),
        F1("PowCube", F.PowCube, F.PowCubeGradient),
        F1("PowSquare", F.PowSquare, F.PowSquareGradient),
        F1("PowHalf", F.PowHalf, F.PowHalfGradient),
        F1("PowNegative", F.PowNegative, F.PowNegativeGradient),
        F1("PowConstBase", F.PowConstBase, F.PowConstBaseGradient),
        F2("PowVar", F.PowVar, F.PowVarGradient),
        F1("Sin", F.Sin, F.SinGradient),
        F1("Cos", F.Cos, F.CosGradient),
        F1("Tan", F.Tan, F.TanGradient),
        F1("Asin", F.Asin, F.AsinGradient),
        F1("Acos", F.Acos, F.AcosGradient),
        F1("Atan", F.Atan, F.AtanGradient),
        F2("Atan2", F.Atan2, F.Atan2Gradient),
        F1("Sinh", F.Sinh, F.SinhGradient),
        F1("Cosh", F.Cosh, F.CoshGradient),
        F1("Tanh", F.Tanh, F.TanhGradient),
        F1("Abs", F.Abs, F.AbsGradient),
        F2("Max", F.Max, F.MaxGradient),
        F2("Min", F.Min, F.MinGradient),
        F3("Clamp", F.Clamp, F.ClampGradient),
        F1("Floor", F.Floor, F.FloorGradient),
        F1("Ceiling", F.Ceiling, F.CeilingGradient),
        F1("Round", F.Round, F.RoundGradient),
        F1("Truncate", F.Truncate, F.TruncateGradient),
        F1("Sign", F.Sign, F.SignGradient),
        F1("FloorTimes", F.FloorTimes, F.FloorTimesGradient),
        F1("Sigmoid", F.Sigmoid, F.SigmoidGradient),
        F1("ReLU", F.ReLU, F.ReLUGradient),
        F1("HardTanh", F.HardTanh, F.HardTanhGradient),
        F1("Softplus", F.Softplus, F.SoftplusGradient),
        F2("LeakyReLU", F.LeakyReLU, F.LeakyReLUGradient),
        F1("LeakyReLUConst", F.LeakyReLUConst, F.LeakyReLUConstGradient),
        F1("TernaryGt", F.TernaryGt, F.TernaryGtGradient),
        F2("TernaryAnd", F.TernaryAnd, F.TernaryAndGradient),
        F2("TernaryOr", F.TernaryOr, F.TernaryOrGradient),
        F1("NestedTernary", F.NestedTernary, F.NestedTernaryGradient),
        F1("SafeSqrt", F.SafeSqrt, F.SafeSqrtGradient),
        F1("SafeLog", F.SafeLog, F.SafeLogGradient),
        F1("ViaDoubleSqrt", F.ViaDoubleSqrt, F.ViaDoubleSqrtGradient, "Sqrt"),
        F1("ViaDoubleScale", F.ViaDoubleScale, F.ViaDoubleScaleGradient, "Scale"),
        F1("IntCast", F.IntCast, F.IntCastGradient),
        F1("IntParam(n=3)", x => F.IntParam(x, 3), (float x, ref float dx) => F.IntParamGradient(x, 3, ref dx)),
        F1("IntParam(n=-2)", x => F.IntParam(x, -2), (float x, ref float dx) => F.IntParamGradient(x, -2, ref dx)),
        F1("NoDiffScale(s=1.5)", x => F.NoDiffScale(x, 1.5f), (float x, ref float dx) => F.NoDiffScaleGradient(x, 1.5f, ref dx)),
        F2("Compound", F.Compound, F.CompoundGradient),
        F2("Reassign", F.Reassign, F.ReassignGradient),
        F2("ParamReassign", F.ParamReassign, F.ParamReassignGradient),
        F2("Cse", F.Cse, F.CseGradient),
        F1("Deep1", F.Deep1, F.Deep1Gradient),
        F2("Deep2", F.Deep2, F.Deep2Gradient),
        F3("Deep3", F.Deep3, F.Deep3Gradient),
    };

    /// <summary>Float twins of <see cref="DoubleCases.AtKinks"/>.</summary>
    public static readonly FloatCase[] AtKinks =
    {
        F1("ReLU@0", F.ReLU, F.ReLUGradient),
        F2("LeakyReLU@0", F.LeakyReLU, F.LeakyReLUGradient),
        F1("TernaryGt@0", F.TernaryGt, F.TernaryGtGradient),
        F1("SafeSqrt@0", F.SafeSqrt, F.SafeSqrtGradient),
        F1("SafeLog@0", F.SafeLog, F.SafeLogGradient),
        F1("NestedTernary@-1", F.NestedTernary, F.NestedTernaryGradient),
        F1("NestedTernary@1", F.NestedTernary, F.NestedTernaryGradient),
    };

    public static readonly Dictionary<string, FloatCase> ByName = All.Concat(AtKinks).ToDictionary(c => c.Name);

    public static IEnumerable<object[]> Rows(IEnumerable<FloatCase> cases) =>
        cases.SelectMany(c => c.Points.Select((p, i) => new object[] { c.Name, i, DoubleCases.Format(p.Select(v => (double)v).ToArray()) }));
}
