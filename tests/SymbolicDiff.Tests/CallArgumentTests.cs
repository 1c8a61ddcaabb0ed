using System;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Calls that leave out optional arguments, name their arguments, or pass a params array.</summary>
public static partial class ArgumentFunctions
{
    [Differentiable]
    public static double Scaled(double a, double b = 2, [NoDiff] double c = 0.5, int n = 3) => a * b + c * n + Math.Sin(a * b);

    [Differentiable]
    public static float ScaledF(float a, float b = 1.5f) => a * b * b;

    [Differentiable]
    public static float CallerF(float x) => ScaledF(x) + ScaledF(b: x, a: 2f);

    /// <summary>Defaults filled in, named arguments in any order, a local function with a default.</summary>
    [Differentiable]
    public static double Caller(double x, double y)
    {
        double Local(double u, double v = 4) => u * v + v;
        double p = Scaled(x);                       // b = 2, c = 0.5, n = 3
        double q = Scaled(b: y, a: x * y);          // c, n by default
        double r = Scaled(y, n: 2, b: x);           // c by default
        return p + q * r + Local(x) + Local(v: y, u: x) + Math.Pow(y: 2, x: x);
    }

    /// <summary>A params array is an input array like any other.</summary>
    [Differentiable]
    public static double SumSquares(params double[] xs)
    {
        double s = 0;
        foreach (double v in xs)
            s += v * v * v;
        return s;
    }
}

public class CallArgumentTests
{
    [Theory]
    [InlineData(0.7, -1.2)]
    [InlineData(-1.5, 0.4)]
    public void DefaultAndNamedArgumentsMatchFiniteDifferences(double x, double y)
    {
        var report = GradientCheck.Check(
            p => ArgumentFunctions.Caller(p[0], p[1]),
            (p, g) => ArgumentFunctions.CallerGradient(p[0], p[1], ref g[0], ref g[1]),
            new[] { x, y });
        Assert.True(report.Passed(1e-6), report.ToString());
    }

    [Fact]
    public void DefaultArgumentsAreTheDeclaredValues()
    {
        // Scaled(a) = 2a + 1.5 + sin 2a, so d/da = 2 + 2 cos 2a; Local(x) = 4x + 4, so d/dx = 4 (hand-derived, at a = 0.3).
        double da = 0, db = 0;
        double value = ArgumentFunctions.ScaledGradient(0.3, 2, 0.5, 3, ref da, ref db);
        Assert.Equal(0.6 + 1.5 + Math.Sin(0.6), value, 12);
        Assert.Equal(2 + 2 * Math.Cos(0.6), da, 12);
        double dx = 0, dy = 0;
        ArgumentFunctions.CallerGradient(0.3, 0.0, ref dx, ref dy);
        // ∂/∂x at y = 0: p' = 2 + 2 cos 2x; q and r do not move with x there (q' = y² + …, r' = y + …); Local(x) gives 4,
        // Local(v: y, u: x) = xy + y gives y = 0, Pow(x, 2) gives 2x.
        Assert.Equal(2 + 2 * Math.Cos(0.6) + 4 + 2 * 0.3, dx, 12);
        // A float callee with a float default: ScaledF(a) = a·1.5², so ∂/∂a = 2.25 and ∂/∂b = 2·a·1.5.
        float fa = 0, fb = 0;
        Assert.Equal(0.5f * 2.25f, ArgumentFunctions.ScaledFGradient(0.5f, 1.5f, ref fa, ref fb));
        Assert.Equal(2.25f, fa);
        Assert.Equal(1.5f, fb);
    }

    [Fact]
    public void FloatDefaultArguments()
    {
        // CallerF(x) = 2.25x + 2x², so ∂/∂x = 2.25 + 4x (hand-derived).
        float dx = 0;
        float value = ArgumentFunctions.CallerFGradient(0.5f, ref dx);
        Assert.Equal(0.5f * 2.25f + 0.5f, value, 6);
        Assert.Equal(2.25f + 2f, dx, 6);
    }

    [Fact]
    public void ParamsArrayIsAnInputArray()
    {
        var xs = new[] { 0.5, -2.0, 1.5 };
        var dxs = new double[3];
        double value = ArgumentFunctions.SumSquaresGradient(xs, dxs);
        Assert.Equal(0.125 - 8 + 3.375, value, 12);
        Assert.Equal(new[] { 0.75, 12.0, 6.75 }, dxs);
    }
}
