using System;
using System.Linq;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class TupleFunctions
{
    [Differentiable]
    public static (double s, double c) SinCos(double x) => (Math.Sin(x), Math.Cos(x));

    [Differentiable]
    public static (double Sum, double Product) SumProduct(double a, double b)
    {
        double p = a * b;
        return (a + b, p);
    }

    /// <summary>A swap in a loop: after n steps a is F(n−1)·a + F(n)·b.</summary>
    [Differentiable(Tangent = true)]
    public static double Fibonacci(double a, double b, int n)
    {
        for (int i = 0; i < n; i++)
        {
            (a, b) = (b, a + b);
        }
        return a;
    }

    /// <summary>Deconstruction of a tuple literal and of a call, and a tuple local read by name and as Item2.</summary>
    [Differentiable(Tangent = true, Hessian = true)]
    public static double Polar(double x, double y)
    {
        var (u, v) = (x * y, x + y);
        var (s, c) = SinCos(u);
        var t = SumProduct(s, v);
        return t.Sum * c + t.Item2;
    }

    [Differentiable]
    public static double Power(double x, int n) => PowerAndSlope(x, n).Value;

    [Differentiable]
    public static float SwapF(float x, float y)
    {
        float a = x, b = y * y;
        (a, b) = (b, a * b);
        return a * b + SinCosF(x).c;
    }

    [Differentiable]
    public static (float s, float c) SinCosF(float x) => (MathF.Sin(x), MathF.Cos(x));

    /// <summary>A tuple helper with a loop of its own: (xⁿ, n·xⁿ⁻¹).</summary>
    [Differentiable]
    public static (double Value, double Slope) PowerAndSlope(double x, int n)
    {
        double p = 1, q = 0;
        for (int i = 0; i < n; i++)
        {
            (p, q) = (p * x, q * x + p);
        }
        return (p, q);
    }

    /// <summary>Tuple helpers called in a loop body, with a switch expression choosing the update.</summary>
    [Differentiable]
    public static double Orbit(double x, double y, int steps)
    {
        double u = x, v = y;
        for (int k = 0; k < steps; k++)
        {
            var (s, c) = SinCos(u);
            var w = PowerAndSlope(v, 2);
            (u, v) = (k % 2) switch
            {
                0 => (u + 0.1 * c * v, v - 0.1 * s),
                _ => (u * 0.9 + 0.05 * w.Value, w.Slope * 0.5),
            };
        }
        return u * v;
    }

    /// <summary>Returns from nested loops: (x·1.3^k, x·Σ_{m≤k} 1.3^m) for the first k whose value passes limit (k ≤ 25).</summary>
    [Differentiable]
    public static (double value, double sum) FirstAbove(double x, double limit)
    {
        double a = x, b = 0;
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                if (a > limit)
                {
                    return (a, b);
                }
                a *= 1.3;
                b += a;
            }
        }
        return (a, b);
    }

    [Differentiable(Tangent = true)]
    public static double ProductAbove(double x)
    {
        var (p, q) = FirstAbove(x, 4);
        return p * q;
    }

    /// <summary>Early returns outside loops: (0, 1) for x &lt; 0, (sin x, x) where sin x &gt; 0.5, else (sin² x, cos x).</summary>
    [Differentiable]
    public static (double s, double c) Piecewise(double x)
    {
        if (x < 0)
        {
            return (0, 1);
        }
        double s = Math.Sin(x);
        if (s > 0.5)
        {
            return (s, x);
        }
        return (s * s, Math.Cos(x));
    }

    [Differentiable]
    public static double PiecewiseSum(double x, double y)
    {
        double t = 0;
        for (int i = 0; i < 3; i++)
        {
            var r = Piecewise(x + i * y);
            t += r.s * r.c;
        }
        return t;
    }

    [Differentiable(Hessian = true)]
    public static double PiecewiseProduct(double x)
    {
        var (s, c) = Piecewise(x);
        return s * c;
    }

    [Differentiable]
    public static (float lo, float hi) ClampPair(float x)
    {
        if (x > 1)
        {
            return (1, x);
        }
        if (x < -1)
        {
            return (x, -1);
        }
        return (x * x, x);
    }

    [Differentiable]
    public static float ClampPairEnergy(float x)
    {
        var (lo, hi) = ClampPair(x);
        return lo * hi + lo;
    }
}

public class TupleTests
{
    [Theory]
    [InlineData(1.3, 0)]
    [InlineData(1.3, 1)]
    [InlineData(-0.7, 4)]
    public void TupleHelperWithALoopMatchesClosedForm(double x, int n)
    {
        // PowerAndSlope(x, n).Value = xⁿ; its derivative is the helper's own Slope.
        double dx = 0;
        double value = TupleFunctions.PowerGradient(x, n, ref dx);
        Assert.Equal(Math.Pow(x, n), value, 12);
        Assert.Equal(n * Math.Pow(x, n - 1), dx, 12);
        Assert.Equal(TupleFunctions.PowerAndSlope(x, n).Slope, dx, 12);
    }

    /// <summary>Orbit by hand in forward mode: each value carried with its derivatives along x and y.</summary>
    private static (double Value, double Dx, double Dy) OrbitByHand(double x, double y, int steps)
    {
        (double V, double X, double Y) u = (x, 1, 0), v = (y, 0, 1);
        for (int k = 0; k < steps; k++)
        {
            double s = Math.Sin(u.V), c = Math.Cos(u.V);
            if (k % 2 == 0)
            {
                // u + 0.1·c·v, v − 0.1·s
                (double, double, double) nu = (u.V + 0.1 * c * v.V, u.X + 0.1 * (-s * u.X * v.V + c * v.X), u.Y + 0.1 * (-s * u.Y * v.V + c * v.Y));
                (double, double, double) nv = (v.V - 0.1 * s, v.X - 0.1 * c * u.X, v.Y - 0.1 * c * u.Y);
                (u, v) = (nu, nv);
            }
            else
            {
                // 0.9·u + 0.05·v², 0.5·(2v)
                (double, double, double) nu = (0.9 * u.V + 0.05 * v.V * v.V, 0.9 * u.X + 0.1 * v.V * v.X, 0.9 * u.Y + 0.1 * v.V * v.Y);
                (double, double, double) nv = (v.V, v.X, v.Y);
                (u, v) = (nu, nv);
            }
        }
        return (u.V * v.V, u.X * v.V + u.V * v.X, u.Y * v.V + u.V * v.Y);
    }

    [Theory]
    [InlineData(0.4, 1.1, 0)]
    [InlineData(0.4, 1.1, 1)]
    [InlineData(0.4, 1.1, 2)]
    [InlineData(-1.2, 0.3, 5)]
    public void TupleCallsAndSwitchExpressionInALoopMatchClosedFormAndFiniteDifferences(double x, double y, int steps)
    {
        double dx = 0, dy = 0;
        double value = TupleFunctions.OrbitGradient(x, y, steps, ref dx, ref dy);
        var expected = OrbitByHand(x, y, steps);
        Assert.Equal(expected.Value, value, 12);
        Assert.Equal(expected.Dx, dx, 12);
        Assert.Equal(expected.Dy, dy, 12);
        Assert.Equal(Central.D(v => TupleFunctions.Orbit(v, y, steps), x), dx, 6);
        Assert.Equal(Central.D(v => TupleFunctions.Orbit(x, v, steps), y), dy, 6);
    }

    [Theory]
    [InlineData(1.5, -0.5, 5, 3.0, 5.0)]    // a₅ = 3a + 5b
    [InlineData(0.2, 0.9, 1, 0.0, 1.0)]     // a₁ = b
    [InlineData(0.2, 0.9, 0, 1.0, 0.0)]
    public void SwapInALoopIsFibonacci(double a, double b, int n, double expectedA, double expectedB)
    {
        double da = 0, db = 0;
        double value = TupleFunctions.FibonacciGradient(a, b, n, ref da, ref db);
        Assert.Equal(TupleFunctions.Fibonacci(a, b, n), value);
        Assert.Equal(expectedA * a + expectedB * b, value, 12);
        Assert.Equal(expectedA, da);
        Assert.Equal(expectedB, db);
        Assert.Equal(Central.D(v => TupleFunctions.Fibonacci(v, b, n), a), da, 7);
        TupleFunctions.FibonacciTangent(a, b, n, 1.0, 0.0, out double tangent);
        Assert.Equal(expectedA, tangent);
    }

    /// <summary>Polar(x, y) = (sin u + v)·cos u + sin u·v with u = x·y, v = x + y.</summary>
    private static double PolarByHand(double x, double y, out double dx, out double dy)
    {
        double u = x * y, v = x + y, s = Math.Sin(u), c = Math.Cos(u);
        // ∂/∂u = c·c − (s + v)·s + c·v, ∂/∂v = c + s
        double du = c * c - (s + v) * s + c * v, dv = c + s;
        dx = du * y + dv;
        dy = du * x + dv;
        return (s + v) * c + s * v;
    }

    [Theory]
    [InlineData(0.3, 1.2)]
    [InlineData(-1.1, 0.4)]
    public void DeconstructionAndTupleCallsMatchClosedFormAndFiniteDifferences(double x, double y)
    {
        double dx = 0, dy = 0;
        double value = TupleFunctions.PolarGradient(x, y, ref dx, ref dy);
        double expected = PolarByHand(x, y, out double ex, out double ey);
        Assert.Equal(expected, value, 12);
        Assert.Equal(TupleFunctions.Polar(x, y), value);
        Assert.Equal(ex, dx, 12);
        Assert.Equal(ey, dy, 12);
        Assert.Equal(Central.D(v => TupleFunctions.Polar(v, y), x), dx, 7);
        Assert.Equal(Central.D(v => TupleFunctions.Polar(x, v), y), dy, 7);
        TupleFunctions.PolarTangent(x, y, 0.25, -2.0, out double tangent);
        Assert.Equal(0.25 * dx - 2.0 * dy, tangent, 12);
    }

    [Fact]
    public void HessianThroughTupleCallsMatchesFiniteDifferencesOfTheGradient()
    {
        double x = 0.3, y = 1.2, h = 1e-5;
        var hessian = new double[4];
        TupleFunctions.PolarHessian(x, y, hessian);
        PolarByHand(x + h, y, out double xpx, out double xpy);
        PolarByHand(x - h, y, out double xmx, out double xmy);
        PolarByHand(x, y + h, out double ypx, out double ypy);
        PolarByHand(x, y - h, out double ymx, out double ymy);
        double[] numeric = { (xpx - xmx) / (2 * h), (xpy - xmy) / (2 * h), (ypx - ymx) / (2 * h), (ypy - ymy) / (2 * h) };
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(numeric[i], hessian[i], 6);
        }
        Assert.Equal(hessian[1], hessian[2], 12);
    }

    [Theory]
    [InlineData(0.7f, 1.3f)]
    [InlineData(-0.4f, 0.6f)]
    public void FloatSwapMatchesClosedFormAndFiniteDifferences(float x, float y)
    {
        // a = y², b = x·y², result = x·y⁴ + cos x
        float dx = 0, dy = 0;
        TupleFunctions.SwapFGradient(x, y, ref dx, ref dy);
        Assert.Equal(Math.Pow(y, 4) - Math.Sin(x), dx, 5);
        Assert.Equal(4 * x * Math.Pow(y, 3), dy, 5);
        Assert.Equal(Central.F(v => TupleFunctions.SwapF(v, y), x), dx, 2);
        Assert.Equal(Central.F(v => TupleFunctions.SwapF(x, v), y), dy, 2);
    }

    [Theory]
    [InlineData(1.0)]    // passes 4 after 6 steps
    [InlineData(0.01)]   // after 23 steps, in the fifth outer iteration
    [InlineData(-1.0)]   // never: the return at the end
    public void ATupleReturnedFromNestedLoopsHasTheClosedFormGradientAndTangent(double x)
    {
        int k = 0;
        while (k < 25 && x * Math.Pow(1.3, k) <= 4)
        {
            k++;
        }
        double sum = Enumerable.Range(1, k).Sum(m => Math.Pow(1.3, m));
        double dx = 0;
        double value = TupleFunctions.ProductAboveGradient(x, ref dx);
        // p q = x² 1.3^k S_k at a fixed k, so its derivative is 2x 1.3^k S_k.
        Near(x * x * Math.Pow(1.3, k) * sum, value, 1e-13);
        Near(2 * x * Math.Pow(1.3, k) * sum, dx, 1e-13);
        double h = 1e-6;
        Near((TupleFunctions.ProductAbove(x + h) - TupleFunctions.ProductAbove(x - h)) / (2 * h), dx, 1e-7);
        TupleFunctions.ProductAboveTangent(x, 0.5, out double tangent);
        Near(0.5 * dx, tangent, 1e-15);
    }

    private static void Near(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    private static double PiecewiseProductSlope(double z) =>
        z < 0 ? 0 : Math.Sin(z) > 0.5 ? Math.Sin(z) + z * Math.Cos(z) : 2 * Math.Sin(z) * Math.Cos(z) * Math.Cos(z) - Math.Pow(Math.Sin(z), 3);

    [Theory]
    [InlineData(-0.4, 0.5)]   // z = −0.4, 0.1, 0.6: every return
    [InlineData(2.0, 0.6)]
    public void ATupleWithEarlyReturnsCalledInALoopHasTheClosedFormGradient(double x, double y)
    {
        double dx = 0, dy = 0;
        TupleFunctions.PiecewiseSumGradient(x, y, ref dx, ref dy);
        Assert.Equal(Enumerable.Range(0, 3).Sum(i => PiecewiseProductSlope(x + i * y)), dx, 13);
        Assert.Equal(Enumerable.Range(0, 3).Sum(i => i * PiecewiseProductSlope(x + i * y)), dy, 13);
        double h = 1e-6;
        Assert.Equal((TupleFunctions.PiecewiseSum(x + h, y) - TupleFunctions.PiecewiseSum(x - h, y)) / (2 * h), dx, 6);
        Assert.Equal((TupleFunctions.PiecewiseSum(x, y + h) - TupleFunctions.PiecewiseSum(x, y - h)) / (2 * h), dy, 6);
    }

    [Theory]
    [InlineData(0.3)]   // sin² x cos x: f'' = 2cos³ x − 7 sin² x cos x
    [InlineData(1.2)]   // x sin x: f'' = 2cos x − x sin x
    [InlineData(-0.5)]  // the constant (0, 1)
    public void TheHessianThroughATupleWithEarlyReturnsIsTheBranchTakensSecondDerivative(double x)
    {
        var hessian = new double[1];
        TupleFunctions.PiecewiseProductHessian(x, hessian);
        double s = Math.Sin(x), c = Math.Cos(x);
        double expected = x < 0 ? 0 : s > 0.5 ? 2 * c - x * s : 2 * c * c * c - 7 * s * s * c;
        Assert.Equal(expected, hessian[0], 12);
    }

    [Theory]
    [InlineData(1.5f, 1.0)]
    [InlineData(-2f, 0.0)]
    [InlineData(0.5f, 1.75)]   // 3x² + 2x
    public void AFloatTupleWithEarlyReturnsHasTheClosedFormGradient(float x, double expected)
    {
        float dx = 0;
        TupleFunctions.ClampPairEnergyGradient(x, ref dx);
        Assert.Equal(expected, dx, 5);
        float h = 1e-2f;
        Assert.Equal(expected, (TupleFunctions.ClampPairEnergy(x + h) - TupleFunctions.ClampPairEnergy(x - h)) / (2 * h), 3);
    }
}
