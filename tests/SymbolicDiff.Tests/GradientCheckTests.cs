using System;
using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>GradientCheck itself: it must accept right gradients and reject wrong ones.</summary>
public class GradientCheckTests
{
    static readonly double[] Point = { 1.5, -0.5 };

    static double Function(double[] p) => Math.Sin(p[0]) * p[1] + p[0] * p[0];

    [Fact]
    public void CorrectGradientHasSmallError()
    {
        var report = GradientCheck.Check(Function, (p, g) =>
        {
            g[0] += Math.Cos(p[0]) * p[1] + 2 * p[0];
            g[1] += Math.Sin(p[0]);
            return Function(p);
        }, Point);
        Assert.True(report.Passed(1e-8), report.ToString());
        Assert.True(report.MaxError < 1e-8);
        Assert.Equal(2, report.Analytic.Length);
        Assert.Equal(report.Analytic[0], report.Numeric[0], 1e-8);
    }

    [Fact]
    public void GeneratedGradientHasSmallError()
    {
        var report = GradientCheck.Check(p => D.Deep2(p[0], p[1]), (p, g) => D.Deep2Gradient(p[0], p[1], ref g[0], ref g[1]), Point);
        Assert.True(report.Passed(1e-8), report.ToString());
    }

    [Fact]
    public void WrongGradientHasLargeErrorAtTheWrongComponent()
    {
        var report = GradientCheck.Check(Function, (p, g) =>
        {
            g[0] += Math.Cos(p[0]) * p[1] + 2 * p[0];
            g[1] += Math.Cos(p[0]);   // wrong: should be sin
            return Function(p);
        }, Point);
        Assert.False(report.Passed(1e-3), report.ToString());
        Assert.Equal(1, report.WorstIndex);
        Assert.Equal(Math.Abs(Math.Cos(1.5) - Math.Sin(1.5)), report.MaxError, 1e-6);
        Assert.Contains("max error", report.ToString());
        Assert.Contains("[1]", report.ToString());
    }

    [Fact]
    public void OffByAFactorIsCaughtRelativeToLargeDerivatives()
    {
        // f = 1000·x: the analytic gradient 1001 has relative error 1e-3.
        var report = GradientCheck.Check(p => 1000 * p[0], (p, g) => { g[0] += 1001; return 1000 * p[0]; }, new[] { 2.0 });
        Assert.Equal(1e-3, report.MaxError, 1e-6);
        Assert.False(report.Passed(1e-4));
        Assert.True(report.Passed(2e-3));
    }

    [Fact]
    public void NaNGradientFails()
    {
        var report = GradientCheck.Check(Function, (p, g) => { g[0] += double.NaN; g[1] += Math.Sin(p[0]); return 0; }, Point);
        Assert.True(double.IsNaN(report.MaxError), report.ToString());
        Assert.False(report.Passed(1e300));
        Assert.False(report.Passed(double.PositiveInfinity));
    }

    /// <summary>A NaN in the last component: the running maximum must not drop it.</summary>
    [Fact]
    public void NaNInLastComponentFails()
    {
        var report = GradientCheck.Check(Function, (p, g) => { g[0] += Math.Cos(p[0]) * p[1] + 2 * p[0]; g[1] += double.NaN; return 0; }, Point);
        Assert.False(report.Passed(1e-3), report.ToString());
        Assert.Equal(1, report.WorstIndex);
    }

    /// <summary>A NaN followed by a correct component: the NaN must still fail the check.</summary>
    [Fact]
    public void NaNInFirstComponentFollowedByCorrectOneFails()
    {
        var report = GradientCheck.Check(Function, (p, g) => { g[0] += double.NaN; g[1] += Math.Sin(p[0]); return 0; }, Point);
        Assert.False(report.Passed(1e-3), report.ToString());
        Assert.Equal(0, report.WorstIndex);
    }

    [Fact]
    public void NaNFunctionFails()
    {
        var report = GradientCheck.Check(p => Math.Sqrt(p[0]), (p, g) => { g[0] += 1; return 0; }, new[] { -1.0 });
        Assert.False(report.Passed(1e-3), report.ToString());
    }

    [Fact]
    public void PointIsNotModifiedAndGradientStartsAtZero()
    {
        double[] point = { 1.5, -0.5 };
        var report = GradientCheck.Check(Function, (p, g) =>
        {
            Assert.Equal(new[] { 0.0, 0.0 }, g);
            p[0] = 99;   // the check passes a copy
            g[0] += 1;
            return 0;
        }, point);
        Assert.Equal(new[] { 1.5, -0.5 }, point);
        Assert.Equal(new[] { 1.0, 0.0 }, report.Analytic);
    }

    [Fact]
    public void SmallDerivativesUseAbsoluteError()
    {
        // analytic 1e-9 vs numeric ~0: relative error would be 1, absolute is 1e-9.
        var report = GradientCheck.Check(p => 5.0, (p, g) => { g[0] += 1e-9; return 5; }, new[] { 3.0 });
        Assert.True(report.Passed(1e-8), report.ToString());
    }

    [Fact]
    public void FloatOverloadAcceptsCorrectGradient()
    {
        var report = GradientCheck.Check(p => F.Deep1(p[0]), (p, g) => F.Deep1Gradient(p[0], ref g[0]), new[] { 0.3f });
        Assert.True(report.Passed(2e-3), report.ToString());
        Assert.Single(report.Analytic);
    }

    [Fact]
    public void FloatOverloadRejectsWrongGradient()
    {
        var report = GradientCheck.Check(p => MathF.Sin(p[0]) * p[1], (p, g) =>
        {
            g[0] += MathF.Cos(p[0]) * p[1] * 1.1f;   // 10 % off
            g[1] += MathF.Sin(p[0]);
            return MathF.Sin(p[0]) * p[1];
        }, new[] { 0.5f, 2f });
        Assert.False(report.Passed(1e-2), report.ToString());
        Assert.Equal(0, report.WorstIndex);
    }

    [Fact]
    public void FloatOverloadReportsNaN()
    {
        var report = GradientCheck.Check(p => p[0], (p, g) => { g[0] += float.NaN; return p[0]; }, new[] { 1f });
        Assert.False(report.Passed(1), report.ToString());
    }

    [Fact]
    public void EmptyPointHasNoError()
    {
        var report = GradientCheck.Check(p => 1.0, (p, g) => 1.0, Array.Empty<double>());
        Assert.Equal(-1, report.WorstIndex);
        Assert.True(report.Passed(0));
    }
}
