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

    /// <summary>Defaults filled in, named arguments in any order, a local function with a default.</summary>
    [Differentiable]
    public static double Caller(double x, double y)
    {
        double Local(double u, double v = 4) => u * v + v;
        double p = Scaled(x);                       // b = 2, c = 0.5, n = 3
        double q = Scaled(b: y, a: x * y);          // c, n by default
        double r = Scaled(y, n: 2, b: x);           // c by default
        return p + q * r + Local(x) + Local(v: y, u: x) + Math.Pow(y: 2, x: x) + ScaledF((float)x);
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
        // ∂/∂x at y = 0: p' + q·r' + r·q' + 4 + 0 + 2x + ScaledF' with q = Scaled(0, 0) = 1.5, r = Scaled(0, x) = 1.0 (n = 2),
        // r' = 0, q' = ∂Scaled/∂a(0, 0)·y = 0; ScaledF(a) = 2.25a.
        Assert.Equal(2 + 2 * Math.Cos(0.6) + 0 + 0 + 4 + 2 * 0.3 + 2.25, dx, 5);
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
