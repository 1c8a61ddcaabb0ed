using System;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public enum Activation
{
    Identity,
    Tanh,
    Leaky,
    Square,
}

public static partial class SwitchFunctions
{
    /// <summary>A switch expression over an int picks the activation; a grouped arm (2 or 3) and a final discard.</summary>
    [Differentiable(Tangent = true)]
    public static double Activate(double x, int kind) => kind switch
    {
        0 => x,
        1 => Math.Tanh(x),
        2 or 3 => x > 0 ? x : 0.1 * x,
        _ => x * x,
    };

    /// <summary>Relational patterns on a double: a piecewise model.</summary>
    [Differentiable(Tangent = true)]
    public static double Piecewise(double x, double y) => x switch
    {
        < -1 => -y * x,
        >= -1 and < 1 => y * x * x,
        _ => y + Math.Log(x),
    };

    /// <summary>A switch statement: grouped labels, a when clause, returns inside cases, an if in a case, default.</summary>
    [Differentiable]
    public static double Loss(double x, double y, int mode)
    {
        double s = x * y;
        switch (mode)
        {
            case 0:
                s = s * s;
                break;
            case 1:
            case 2:
                s += Math.Sin(x);
                break;
            case 3 when y > 0:
                return Math.Sqrt(y) * x;
            case 4:
                if (x > 0)
                {
                    return x * s;
                }
                s = -s;
                break;
            default:
                s = s + y * y;
                break;
        }
        return s * x + 1;
    }

    /// <summary>An enum parameter selects the activation.</summary>
    [Differentiable]
    public static double ActivateBy(double x, Activation activation) => activation switch
    {
        Activation.Identity => x,
        Activation.Tanh => Math.Tanh(x),
        Activation.Leaky => x > 0 ? x : 0.1 * x,
        _ => x * x,
    };

    [Differentiable]
    public static float ActivateF(float x, int kind) => kind switch
    {
        0 => x * x,
        < 0 => MathF.Exp(x),
        _ => MathF.Sin(x),
    };

    /// <summary>In a loop body, a case may continue or break the loop (a switch catches its own break, never continue).</summary>
    [Differentiable(Tangent = true)]
    public static double SkipEveryThird(double x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            switch (i % 3)
            {
                case 0:
                    continue;
                case 1:
                    s += x * x;
                    break;
                default:
                    if (s > 100)
                    {
                        return s;
                    }
                    s += x;
                    break;
            }
            s += 0.5 * x;
        }
        return s;
    }

    /// <summary>A vector output written by the cases of a switch statement (so it gets a Jacobian).</summary>
    [Differentiable]
    public static void Turn(double x, double y, int quarter, Span<double> r)
    {
        switch (quarter)
        {
            case 1:
                r[0] = -y;
                r[1] = x;
                break;
            case 2:
                r[0] = -x;
                r[1] = -y;
                break;
            default:
                r[0] = x * y;
                r[1] = x + y;
                break;
        }
    }
}

/// <summary>Central differences for the tests of switch, tuples and constant fields.</summary>
internal static class Central
{
    public static double D(Func<double, double> f, double x, double h = 1e-6) => (f(x + h) - f(x - h)) / (2 * h);

    /// <summary>A float function's derivative by central differences computed in double (h = 1e-2, so float rounding stays small).</summary>
    public static double F(Func<float, float> f, float x, float h = 1e-2f) => ((double)f(x + h) - f(x - h)) / ((double)(x + h) - (x - h));
}

public class SwitchTests
{
    [Theory]
    [InlineData(0.6, 0, 1.0)]
    [InlineData(0.6, 1, 0.71157776)]        // 1 − tanh²(0.6)
    [InlineData(-0.6, 2, 0.1)]
    [InlineData(0.6, 3, 1.0)]              // 2 or 3: the leaky branch
    [InlineData(0.6, 7, 1.2)]              // _ => x², 2x
    [InlineData(0.6, -1, 1.2)]
    public void ActivationSwitchExpressionMatchesClosedFormAndFiniteDifferences(double x, int kind, double expected)
    {
        double dx = 0;
        double value = SwitchFunctions.ActivateGradient(x, kind, ref dx);
        Assert.Equal(SwitchFunctions.Activate(x, kind), value);
        Assert.Equal(expected, dx, 7);
        Assert.Equal(Central.D(v => SwitchFunctions.Activate(v, kind), x), dx, 7);
        SwitchFunctions.ActivateTangent(x, kind, 1.0, out double tangent);
        Assert.Equal(dx, tangent, 12);
    }

    [Theory]
    [InlineData(-2.0, 1.5)]
    [InlineData(-0.5, 1.5)]
    [InlineData(0.5, -0.7)]
    [InlineData(3.0, 0.4)]
    public void RelationalPatternsMatchClosedFormAndFiniteDifferences(double x, double y)
    {
        double dx = 0, dy = 0;
        SwitchFunctions.PiecewiseGradient(x, y, ref dx, ref dy);
        var (ex, ey) = x switch
        {
            < -1 => (-y, -x),
            < 1 => (2 * y * x, x * x),
            _ => (1 / x, 1.0),
        };
        Assert.Equal(ex, dx, 12);
        Assert.Equal(ey, dy, 12);
        Assert.Equal(Central.D(v => SwitchFunctions.Piecewise(v, y), x), dx, 6);
        Assert.Equal(Central.D(v => SwitchFunctions.Piecewise(x, v), y), dy, 6);
        SwitchFunctions.PiecewiseTangent(x, y, 0.3, -0.8, out double tangent);
        Assert.Equal(0.3 * dx - 0.8 * dy, tangent, 12);
    }

    [Fact]
    public void AtACaseBoundaryTheDerivativeIsTheOneOfTheCaseTaken()
    {
        // x = −1 matches ">= -1 and < 1": y·x², so ∂/∂x = 2·y·x = −3 (the case before it would give −y = −1.5).
        double dx = 0, dy = 0;
        SwitchFunctions.PiecewiseGradient(-1.0, 1.5, ref dx, ref dy);
        Assert.Equal(-3.0, dx);
        Assert.Equal(1.0, dy);
    }

    public static TheoryData<double, double, int> LossPoints => new()
    {
        { 0.5, 1.5, 0 }, { 0.5, 1.5, 1 }, { -0.4, 2.0, 2 }, { 0.5, 1.5, 3 }, { 0.5, -1.5, 3 },
        { 0.7, 1.2, 4 }, { -0.7, 1.2, 4 }, { 0.3, 0.9, 9 },
    };

    [Theory]
    [MemberData(nameof(LossPoints))]
    public void SwitchStatementMatchesClosedFormAndFiniteDifferences(double x, double y, int mode)
    {
        double dx = 0, dy = 0;
        double value = SwitchFunctions.LossGradient(x, y, mode, ref dx, ref dy);
        Assert.Equal(SwitchFunctions.Loss(x, y, mode), value);
        // Hand-derived per case (s = x·y before the switch; the result is s'·x + 1 unless the case returns).
        var (ex, ey) = mode switch
        {
            0 => (3 * x * x * y * y, 2 * x * x * x * y),                        // x³y² + 1
            1 or 2 => (2 * x * y + Math.Sin(x) + x * Math.Cos(x), x * x),      // (xy + sin x)·x + 1
            3 when y > 0 => (Math.Sqrt(y), x / (2 * Math.Sqrt(y))),            // √y·x
            4 when x > 0 => (2 * x * y, x * x),                               // x·xy
            4 => (-2 * x * y, -x * x),                                        // −xy·x + 1
            _ => (2 * x * y + y * y, x * x + 2 * x * y),                      // (xy + y²)·x + 1
        };
        Assert.Equal(ex, dx, 12);
        Assert.Equal(ey, dy, 12);
        Assert.Equal(Central.D(v => SwitchFunctions.Loss(v, y, mode), x), dx, 6);
        Assert.Equal(Central.D(v => SwitchFunctions.Loss(x, v, mode), y), dy, 6);
    }

    /// <summary>
    /// n = 5 runs i = 1, 2, 4 past the continue: s = x² + 0.5x + x + 0.5x + x² + 0.5x = 2x² + 2.5x, ds/dx = 4x + 2.5;
    /// at x = 20 the return in the default case ends the loop at i = 2 with s = 410 (ds/dx = 2x + 0.5).
    /// </summary>
    [Theory]
    [InlineData(0.7, 5, 4 * 0.7 + 2.5)]
    [InlineData(-1.3, 5, 4 * -1.3 + 2.5)]
    [InlineData(20.0, 5, 2 * 20.0 + 0.5)]
    public void ContinueInASwitchCaseContinuesTheLoop(double x, int n, double expected)
    {
        double dx = 0;
        Assert.Equal(SwitchFunctions.SkipEveryThird(x, n), SwitchFunctions.SkipEveryThirdGradient(x, n, ref dx));
        Assert.Equal(expected, dx, 9);
        Assert.Equal(Central.D(v => SwitchFunctions.SkipEveryThird(v, n), x), dx, 6);
        SwitchFunctions.SkipEveryThirdTangent(x, n, 1.0, out double tangent);
        Assert.Equal(expected, tangent, 9);
    }

    [Theory]
    [InlineData(0.6, Activation.Identity, 1.0)]
    [InlineData(0.6, Activation.Tanh, 0.71157776)]
    [InlineData(-0.6, Activation.Leaky, 0.1)]
    [InlineData(0.6, Activation.Square, 1.2)]
    public void EnumSwitchMatchesClosedFormAndFiniteDifferences(double x, Activation activation, double expected)
    {
        double dx = 0;
        Assert.Equal(SwitchFunctions.ActivateBy(x, activation), SwitchFunctions.ActivateByGradient(x, activation, ref dx));
        Assert.Equal(expected, dx, 7);
        Assert.Equal(Central.D(v => SwitchFunctions.ActivateBy(v, activation), x), dx, 7);
    }

    [Theory]
    [InlineData(0.8f, 0)]
    [InlineData(0.8f, -3)]
    [InlineData(0.8f, 5)]
    public void FloatSwitchMatchesClosedFormAndFiniteDifferences(float x, int kind)
    {
        float dx = 0;
        SwitchFunctions.ActivateFGradient(x, kind, ref dx);
        double expected = kind switch { 0 => 2 * x, < 0 => Math.Exp(x), _ => Math.Cos(x) };
        Assert.Equal(expected, dx, 5);
        Assert.Equal(Central.F(v => SwitchFunctions.ActivateF(v, kind), x), dx, 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(0)]
    public void SwitchWritingOutputsHasTheClosedFormJacobian(int quarter)
    {
        double x = 0.7, y = -1.3;
        var r = new double[2];
        var jacobian = new double[4];
        SwitchFunctions.TurnJacobian(x, y, quarter, r, jacobian);
        double[] expected = quarter switch
        {
            1 => new[] { 0.0, -1, 1, 0 },
            2 => new[] { -1.0, 0, 0, -1 },
            _ => new[] { y, x, 1, 1 },
        };
        Assert.Equal(expected, jacobian);
        var check = new double[2];
        for (int input = 0; input < 2; input++)
        {
            double h = 1e-6;
            var plus = new double[2];
            var minus = new double[2];
            SwitchFunctions.Turn(x + (input == 0 ? h : 0), y + (input == 1 ? h : 0), quarter, plus);
            SwitchFunctions.Turn(x - (input == 0 ? h : 0), y - (input == 1 ? h : 0), quarter, minus);
            for (int output = 0; output < 2; output++)
            {
                Assert.Equal((plus[output] - minus[output]) / (2 * h), jacobian[output * 2 + input], 6);
            }
        }
        var tangent = new double[2];
        SwitchFunctions.TurnTangent(x, y, quarter, check, 1.0, 0.0, tangent);
        Assert.Equal(new[] { expected[0], expected[2] }, tangent);
    }
}

public static partial class SwitchInLoopFunctions
{
    /// <summary>A switch in a loop body: its breaks end cases, not the loop.</summary>
    [Differentiable(Tangent = true)]
    public static double Cycle(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++)
        {
            switch (i % 3)
            {
                case 0:
                    s = s * x;
                    break;
                case 1:
                    s += Math.Sin(s);
                    break;
                default:
                    s = s - 0.5 * x;
                    break;
            }
        }
        return s;
    }
}

public class SwitchInLoopTests
{
    [Theory]
    [InlineData(0.7, 0)]
    [InlineData(0.7, 1)]
    [InlineData(0.7, 2)]
    [InlineData(1.3, 3)]
    [InlineData(-0.4, 7)]
    public void SwitchInsideALoopMatchesTheChainRuleByHandAndFiniteDifferences(double x, int n)
    {
        // By hand: carry (s, ds/dx) through the iterations.
        double s = x, ds = 1;
        for (int i = 0; i < n; i++)
        {
            switch (i % 3)
            {
                case 0: ds = ds * x + s; s *= x; break;
                case 1: ds += Math.Cos(s) * ds; s += Math.Sin(s); break;
                default: ds -= 0.5; s -= 0.5 * x; break;
            }
        }
        double dx = 0;
        Assert.Equal(s, SwitchInLoopFunctions.CycleGradient(x, n, ref dx), 12);
        Assert.Equal(ds, dx, 12);
        Assert.Equal(Central.D(v => SwitchInLoopFunctions.Cycle(v, n), x), dx, 6);
        SwitchInLoopFunctions.CycleTangent(x, n, 1.0, out double tangent);
        Assert.Equal(ds, tangent, 12);
    }
}

public static partial class BranchThenLoopFunctions
{
    /// <summary>
    /// A case that returns makes the statements after the switch part of each other case, so the loop is inside a
    /// branch; its recomputation in the backward pass reads y * y, computed in that branch before the loop.
    /// </summary>
    [Differentiable]
    public static double AfterSwitch(double x, double y, int n)
    {
        double s = x;
        switch (n % 4)
        {
            case 1:
                s += Math.Sqrt(y * y + 0.5);
                break;
            case 2 when x > 0.3:
                return x * x;
            default:
                s = s * 2;
                break;
        }
        double w = 1;
        for (int i = 0; i < 3; i++)
        {
            switch (i % 3)
            {
                case 0: w = 0.5; break;
                case 1: s += Math.Log2(y * y + 2.0); break;
                default: w = w * s; break;
            }
        }
        return s * w;
    }

    /// <summary>The same with if/else (the emitter bug the switch shape found was there before switch).</summary>
    [Differentiable]
    public static double AfterIf(double x, double y, int n)
    {
        double s = x;
        if (n == 1) s += Math.Sqrt(y * y + 0.5);
        else if (n == 2 && x > 0.3) return x * x;
        else s = s * 2;
        double w = 1;
        for (int i = 0; i < 3; i++)
        {
            if (i % 3 == 0) w = 0.5;
            else if (i % 3 == 1) s += Math.Log2(y * y + 2.0);
            else w = w * s;
        }
        return s * w;
    }
}

public class BranchThenLoopTests
{
    [Theory]
    [InlineData(0.7, 1.2, 1)]
    [InlineData(0.7, 1.2, 2)]
    [InlineData(0.1, 1.2, 2)]
    [InlineData(0.7, -0.4, 3)]
    public void LoopInsideABranchRecomputesFromTheBranchValues(double x, double y, int n)
    {
        // By hand: after the loop s = s0 + log2(y² + 2) and w = 0.5·s, so the result is 0.5·s² (unless case 2 returned x²).
        bool returned = n % 4 == 2 && x > 0.3;
        double s0 = n % 4 == 1 ? x + Math.Sqrt(y * y + 0.5) : 2 * x;
        double ds0dx = n % 4 == 1 ? 1 : 2, ds0dy = n % 4 == 1 ? y / Math.Sqrt(y * y + 0.5) : 0;
        double s = s0 + Math.Log2(y * y + 2);
        double dsdy = ds0dy + 2 * y / ((y * y + 2) * Math.Log(2));
        double ex = returned ? 2 * x : s * ds0dx, ey = returned ? 0 : s * dsdy;

        double dx = 0, dy = 0;
        double value = BranchThenLoopFunctions.AfterSwitchGradient(x, y, n, ref dx, ref dy);
        Assert.Equal(returned ? x * x : 0.5 * s * s, value, 12);
        Assert.Equal(ex, dx, 12);
        Assert.Equal(ey, dy, 12);
        Assert.Equal(Central.D(v => BranchThenLoopFunctions.AfterSwitch(v, y, n), x), dx, 6);
        Assert.Equal(Central.D(v => BranchThenLoopFunctions.AfterSwitch(x, v, n), y), dy, 6);

        int m = n % 4 == 1 ? 1 : n % 4 == 2 ? 2 : 3;   // the same paths through the if/else version
        double dxIf = 0, dyIf = 0;
        Assert.Equal(value, BranchThenLoopFunctions.AfterIfGradient(x, y, m, ref dxIf, ref dyIf), 12);
        Assert.Equal(ex, dxIf, 12);
        Assert.Equal(ey, dyIf, 12);
    }
}
