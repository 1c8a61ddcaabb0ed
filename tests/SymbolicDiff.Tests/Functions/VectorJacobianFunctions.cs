using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Methods with 2 to 4 outputs written at constant indices, whose Jacobians take all rows in one backward pass
/// (vector mode): straight-line, with kinks and branches, with a loop, float, a float input of a double Jacobian,
/// two output spans with an element never written, and a call under a branch.
/// </summary>
public static partial class VectorJacobianFunctions
{
    /// <summary>Polar coordinates: r = √(x² + y²), θ = atan2(y, x).</summary>
    [Differentiable]
    public static void Polar(double x, double y, Span<double> p)
    {
        double r = Math.Sqrt(x * x + y * y);
        p[0] = r;
        p[1] = Math.Atan2(y, x);
    }

    [Differentiable]
    public static void PolarF(float x, float y, Span<float> p)
    {
        float r = MathF.Sqrt(x * x + y * y);
        p[0] = r;
        p[1] = MathF.Atan2(y, x);
    }

    /// <summary>
    /// Max and Abs kinks (the square root under the Max gets its adjoint only where the Max picks it, so each row skips
    /// it where that row's adjoint is zero), and an if/else writing y[1] with a log only where a &gt; 0.
    /// </summary>
    [Differentiable]
    public static void Kinks(double a, double b, ReadOnlySpan<double> c, Span<double> y)
    {
        double m = Math.Max(a, Math.Sqrt(b * b + 1));
        y[0] = m * c[0];
        if (a > 0)
        {
            y[1] = Math.Log(a) * b;
        }
        else
        {
            y[1] = Math.Abs(b) * c[1];
        }
        y[2] = Math.Abs(a - b) + c[0] * c[1];
    }

    [Differentiable]
    public static void KinksF(float a, float b, ReadOnlySpan<float> c, Span<float> y)
    {
        float m = MathF.Max(a, MathF.Sqrt(b * b + 1));
        y[0] = m * c[0];
        if (a > 0)
        {
            y[1] = MathF.Log(a) * b;
        }
        else
        {
            y[1] = MathF.Abs(b) * c[1];
        }
        y[2] = MathF.Abs(a - b) + c[0] * c[1];
    }

    /// <summary>Four statistics of a loop: scaled sum, sum of squares, product of scale·x, running max.</summary>
    [Differentiable]
    public static void Moments(ReadOnlySpan<double> x, double scale, Span<double> stats)
    {
        double s = 0;
        double q = 0;
        double p = 1;
        double m = x[0];
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i];
            q += x[i] * x[i];
            p *= scale * x[i];
            m = Math.Max(m, x[i]);
        }
        stats[0] = s * scale;
        stats[1] = q;
        stats[2] = p;
        stats[3] = m;
    }

    [Differentiable]
    public static void MomentsF(ReadOnlySpan<float> x, float scale, Span<float> stats)
    {
        float s = 0;
        float q = 0;
        float p = 1;
        float m = x[0];
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i];
            q += x[i] * x[i];
            p *= scale * x[i];
            m = MathF.Max(m, x[i]);
        }
        stats[0] = s * scale;
        stats[1] = q;
        stats[2] = p;
        stats[3] = m;
    }

    /// <summary>A float array and a float scalar in a double Jacobian: their adjoints are float, copied into each row.</summary>
    [Differentiable]
    public static void Narrow(ReadOnlySpan<float> v, double a, float g, Span<double> y)
    {
        y[0] = v[0] * a * g;
        y[1] = Math.Sin(a) * v[1] + v[0] * g;
    }

    /// <summary>
    /// Two outputs: rows u[0], v[0], v[1] (u[1] is never written, its row is zero); v[0] is written twice, so only the
    /// second write has a derivative.
    /// </summary>
    [Differentiable]
    public static void TwoOutputs(double a, ReadOnlySpan<double> b, Span<double> u, Span<double> v)
    {
        v[0] = a * a * b[1];
        u[0] = a * b[0];
        v[1] = Math.Exp(a) * b[0];
        v[0] = a + b[1];
    }

    [Differentiable]
    public static double Soft(double t) => Math.Log(1 + Math.Exp(t));

    /// <summary>A call to another [Differentiable] method in a branch, and one under a Max (its gradient runs when some row needs it).</summary>
    [Differentiable]
    public static void Calls(double a, double b, Span<double> y)
    {
        if (a > 0)
        {
            y[0] = Soft(a) * b;
        }
        else
        {
            y[0] = b;
        }
        y[1] = Math.Max(Soft(b), a) * a;
    }

    /// <summary>y[2] is written only when x[0] &gt; 10: a y of length 2 is fine otherwise (the Jacobian then runs in forward mode).</summary>
    [Differentiable]
    public static void Short(ReadOnlySpan<double> x, Span<double> y)
    {
        y[0] = x[0] * x[1];
        y[1] = Math.Sin(x[2]) + x[3];
        if (x[0] > 10)
        {
            y[2] = x[0];
        }
    }

    /// <summary>An output index computed at run time: one backward pass per row, as before.</summary>
    [Differentiable]
    public static void Scaled(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        for (int i = 0; i < 2; i++) y[i] = a * x[i];
    }
}
