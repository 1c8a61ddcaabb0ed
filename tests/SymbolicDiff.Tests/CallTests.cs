using System;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class CalleeLayers
{
    [Differentiable]
    public static double Neuron(double w, double b, [NoDiff] double x) => Activations.Sigmoid(w * x + b);
}

public static partial class CallFunctions
{
    [Differentiable]
    public static double Square(double e) => e * e;

    /// <summary>Calls across types and within the type, twice to the same callee.</summary>
    [Differentiable]
    public static double Loss(double w, double b, [NoDiff] double x, [NoDiff] double y)
    {
        double p = CalleeLayers.Neuron(w, b, x);
        return Square(p - y) + 0.01 * Square(w);
    }

    /// <summary>Recursion: the backward pass calls the gradient of the same method.</summary>
    [Differentiable]
    public static double Power(double x, int n) => n == 0 ? 1.0 : x * Power(x, n - 1);

    /// <summary>A callee used in a branch not taken must not leak its (NaN) derivative.</summary>
    [Differentiable]
    public static double SafeRoot(double x) => x > 0 ? Root(x) : -x;

    [Differentiable]
    public static double Root(double x) => Math.Sqrt(x);
}

/// <summary>A function the generator cannot see into, with a hand-written gradient registered for it.</summary>
public static partial class NativeFunctions
{
    [CustomGradient(nameof(SoftClipGradient))]
    public static double SoftClip(double x, [NoDiff] double limit) => limit * Math.Tanh(x / limit);

    public static double SoftClipGradient(double x, double limit, ref double dx)
    {
        double t = Math.Tanh(x / limit);
        dx += 1 - t * t;
        return limit * t;
    }

    [Differentiable]
    public static double UsesSoftClip(double a, double b) => SoftClip(a * b, 2.0) * b;
}

public class CallTests
{
    [Theory]
    [InlineData(0.7, -1.2)]
    [InlineData(3.0, 2.5)]
    public void CustomGradientIsUsedByTheChainRule(double a, double b)
    {
        var report = GradientCheck.Check(
            p => NativeFunctions.UsesSoftClip(p[0], p[1]),
            (p, g) => NativeFunctions.UsesSoftClipGradient(p[0], p[1], ref g[0], ref g[1]),
            new[] { a, b });
        Assert.True(report.Passed(1e-8), report.ToString());
    }

    [Theory]
    [InlineData(0.5, -0.3, 1.5, 0.9)]
    [InlineData(-2.0, 1.0, -0.5, 0.1)]
    public void CallsMatchFiniteDifferences(double w, double b, double x, double y)
    {
        var report = GradientCheck.Check(
            p => CallFunctions.Loss(p[0], p[1], x, y),
            (p, g) => CallFunctions.LossGradient(p[0], p[1], x, y, ref g[0], ref g[1]),
            new[] { w, b });
        Assert.True(report.Passed(1e-8), report.ToString());
    }

    [Fact]
    public void CallsMatchTheHandDerivedGradient()
    {
        double w = 0.5, b = -0.3, x = 1.5, y = 0.9;
        double p = 1 / (1 + Math.Exp(-(w * x + b)));
        double dp = 2 * (p - y);
        double dw = 0, db = 0;
        CallFunctions.LossGradient(w, b, x, y, ref dw, ref db);
        Assert.Equal(dp * p * (1 - p) * x + 0.02 * w, dw, 12);
        Assert.Equal(dp * p * (1 - p), db, 12);
    }

    [Theory]
    [InlineData(1.3, 0)]
    [InlineData(1.3, 1)]
    [InlineData(-0.7, 5)]
    public void RecursionGivesNTimesXToTheNMinusOne(double x, int n)
    {
        double dx = 0;
        double value = CallFunctions.PowerGradient(x, n, ref dx);
        Assert.Equal(Math.Pow(x, n), value, 12);
        Assert.Equal(n == 0 ? 0 : n * Math.Pow(x, n - 1), dx, 12);
    }

    [Theory]
    [InlineData(4.0, 0.25)]
    [InlineData(-1.0, -1.0)]
    public void CalleeInTheUntakenBranchContributesNothing(double x, double expected)
    {
        double dx = 0;
        CallFunctions.SafeRootGradient(x, ref dx);
        Assert.Equal(expected, dx, 12);
    }
}
