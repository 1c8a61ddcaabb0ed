using System;
using System.Collections.Generic;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class ControlFlowFunctions
{
    /// <summary>Branches that assign several variables, a nested if with an early return, and a final early return.</summary>
    [Differentiable]
    public static double Piecewise(double x, double y)
    {
        double a = x * y;
        double b = 1;
        if (x > 0)
        {
            a = Math.Sqrt(x) * a;
            b = Math.Exp(y);
        }
        else if (y > 1)
        {
            return a * a;
        }
        else
        {
            b = -x;
        }
        double c = a + b * b;
        if (c > 10) return Math.Log(c);
        return c * y;
    }

    /// <summary>An if without else that changes one variable; the untaken branch would be NaN.</summary>
    [Differentiable]
    public static double GuardedSqrt(double x)
    {
        double r = -x;
        if (x >= 0)
            r = Math.Sqrt(x);
        return r;
    }

    /// <summary>Statements after a branch that only sometimes returns run on the other path only.</summary>
    [Differentiable]
    public static float Clipped(float x, float limit)
    {
        if (x > limit)
        {
            if (limit > 0) return limit;
            x = -x;
        }
        float y = x * x;
        return y + limit;
    }
}

public class ControlFlowTests
{
    public static IEnumerable<object[]> PiecewisePoints() => new[]
    {
        new object[] { 0.5, 2.0 },    // x > 0, c ≤ 10
        new object[] { 2.0, 3.0 },    // x > 0, c > 10
        new object[] { -0.5, 2.0 },   // early return a·a
        new object[] { -0.5, 0.5 },   // else branch
        new object[] { -4.0, 0.2 },   // else branch, c > 10
    };

    [Theory]
    [MemberData(nameof(PiecewisePoints))]
    public void PiecewiseMatchesFiniteDifferences(double x, double y)
    {
        var report = GradientCheck.Check(
            p => ControlFlowFunctions.Piecewise(p[0], p[1]),
            (p, g) => ControlFlowFunctions.PiecewiseGradient(p[0], p[1], ref g[0], ref g[1]),
            new[] { x, y });
        Assert.True(report.Passed(1e-7), report.ToString());
    }

    [Fact]
    public void EarlyReturnGivesTheHandDerivedGradient()
    {
        // x ≤ 0 and y > 1 returns (x·y)², so ∂/∂x = 2x·y², ∂/∂y = 2x²·y.
        double dx = 0, dy = 0;
        double f = ControlFlowFunctions.PiecewiseGradient(-0.5, 2, ref dx, ref dy);
        Assert.Equal(1.0, f, 12);
        Assert.Equal(2 * -0.5 * 4, dx, 12);
        Assert.Equal(2 * 0.25 * 2, dy, 12);
    }

    [Theory]
    [InlineData(4.0, 0.25)]
    [InlineData(-1.0, -1.0)]   // the untaken sqrt branch must not leak NaN into the gradient
    public void GuardedSqrtRoutesThroughTheBranchTaken(double x, double expected)
    {
        double dx = 0;
        ControlFlowFunctions.GuardedSqrtGradient(x, ref dx);
        Assert.Equal(expected, dx, 12);
    }

    [Theory]
    [InlineData(3f, 2f, 0f, 1f)]     // x > limit > 0: returns limit
    [InlineData(3f, -2f, 6f, 1f)]    // x > limit, limit ≤ 0: y = (−x)², so ∂/∂x = 2x
    [InlineData(1f, 2f, 2f, 1f)]     // x ≤ limit: y = x²
    public void ClippedFollowsEachPath(float x, float limit, float expectedDx, float expectedDlimit)
    {
        float dx = 0, dlimit = 0;
        ControlFlowFunctions.ClippedGradient(x, limit, ref dx, ref dlimit);
        Assert.Equal(expectedDx, dx, 5);
        Assert.Equal(expectedDlimit, dlimit, 5);
    }
}

public static partial class DefiniteAssignmentFunctions
{
    /// <summary>A local declared without a value and assigned in both branches.</summary>
    [Differentiable]
    public static double AssignedInBothBranches(double x)
    {
        double y;
        if (x > 1)
            y = x * x;
        else
            y = Math.Sin(x);
        return y * 3;
    }
}

public class DefiniteAssignmentTests
{
    [Theory]
    [InlineData(2.0, 12.0)]
    [InlineData(0.5, 2.6327476856711183)]   // 3·cos(0.5)
    public void LocalAssignedInBothBranchesIsMerged(double x, double expected)
    {
        double dx = 0;
        DefiniteAssignmentFunctions.AssignedInBothBranchesGradient(x, ref dx);
        Assert.Equal(expected, dx, 12);
    }
}

public static partial class NestedControlFlowFunctions
{
    /// <summary>Nested ifs that fall through, assign in one branch only, compound-assign, and return from inside.</summary>
    [Differentiable]
    public static double Nested(double x, double y)
    {
        double a = x + y;
        double b = x * y;
        if (a > 0)
        {
            double t = Math.Exp(-a);
            if (b > 1)
            {
                a *= t;
                b += Math.Sin(a);
            }
            else
            {
                if (y < -1) return a * b * t;
                b = b - t;
            }
        }
        else
        {
            a = -a;
        }
        return a * a + b;
    }
}

public class NestedControlFlowTests
{
    public static IEnumerable<object[]> Points() => new[]
    {
        new object[] { 1.5, 1.2 },     // a > 0, b > 1
        new object[] { 0.4, 0.3 },     // a > 0, b ≤ 1, y ≥ −1
        new object[] { 3.0, -1.5 },    // a > 0, b ≤ 1, y < −1: early return
        new object[] { -2.0, 0.7 },    // a ≤ 0
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void NestedMatchesFiniteDifferences(double x, double y)
    {
        var report = GradientCheck.Check(
            p => NestedControlFlowFunctions.Nested(p[0], p[1]),
            (p, g) => NestedControlFlowFunctions.NestedGradient(p[0], p[1], ref g[0], ref g[1]),
            new[] { x, y });
        Assert.True(report.Passed(1e-7), report.ToString());
    }
}
