using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// [Differentiable(Hessian = true)] methods: together they use every operation the Hessian mode supports.
/// Their generated Hessians are checked in <see cref="SymbolicDiff.Tests.HessianTests"/>.
/// </summary>
public static partial class Hess
{
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(double x, double y)
    {
        double u = 1 - x;
        double w = y - x * x;
        return u * u + 100 * w * w;
    }

    /// <summary>A helper without Hessian = true of its own; the Hessians below differentiate through it by inlining it.</summary>
    [Differentiable]
    public static double Damped(double u, double v)
    {
        double s = Math.Sin(u) * v;
        return u > 0 ? s * v : s + u * u;
    }

    /// <summary>Calls a helper twice (and through another call), including its branch: (x·y)² + Damped(x·y, x) + Damped(y, 2).</summary>
    [Differentiable(Hessian = true)]
    public static double ThroughCalls(double x, double y) => Square(x * y) + Damped(x * y, x) + Damped(y, Square(1.5));

    [Differentiable]
    public static double Square(double v) => v * v;

    [Differentiable(Hessian = true)]
    public static double ExpLog(double x, double y) => Math.Exp(x * y) + Math.Log(x + y * y);

    [Differentiable(Hessian = true)]
    public static double SinProduct(double x, double y) => Math.Sin(x * y);

    [Differentiable(Hessian = true)]
    public static double Powers(double x, double y) => Math.Pow(x, y) + Math.Sqrt(x * y) + Math.Pow(x, 3) + Math.Cbrt(y) + Math.Pow(2, x * y) + Math.Pow(y, 2) + Math.Pow(x, -1.5);

    [Differentiable(Hessian = true)]
    public static double Trig(double x, double y) => Math.Sin(x * y) + Math.Cos(x) * Math.Tan(y) + Math.Atan2(y, x);

    [Differentiable(Hessian = true)]
    public static double InverseTrig(double x, double y) => Math.Asin(x * 0.5) + Math.Acos(y * 0.3) * Math.Atan(x * y);

    [Differentiable(Hessian = true)]
    public static double Hyperbolic(double x, double y) => Math.Sinh(x) * Math.Cosh(y) + Math.Tanh(x * y);

    [Differentiable(Hessian = true)]
    public static double Smooth(double x, double y) => Activations.Sigmoid(x * y) + Activations.Softplus(x - 2 * y);

    [Differentiable(Hessian = true)]
    public static double Quotients(double x, double y) => x / (y + 2) + (x * y) % 1.5 + 1 / x - y / (x * x);

    [Differentiable(Hessian = true)]
    public static double Logs(double x, double y) => Math.Log10(x * y) + Math.Log2(x + y) + Math.Log(x, y) + Math.Log(y, 3);

    [Differentiable(Hessian = true)]
    public static double Kinks(double x, double y) =>
        Math.Abs(x - y) * x + Math.Max(x, y) * y + Math.Min(x * x, y) + Math.Clamp(x, -1.0, 1.0) * y
        + Activations.ReLU(x) * y + Activations.HardTanh(y) * x + Activations.LeakyReLU(x, 0.1) * x + Math.Max(x * y, 0.5) * x;

    [Differentiable(Hessian = true)]
    public static double LeakySlope(double x, double slope) => Activations.LeakyReLU(x, slope) * x + Math.Clamp(slope, x, 2.0) * slope;

    /// <summary>Rounding functions have zero derivatives, comparisons none: they must not disturb the rest.</summary>
    [Differentiable(Hessian = true)]
    public static double Piecewise(double x, double y) => x * Math.Floor(y) + Math.Sign(x) * x * y + Math.Round(x) * Math.Ceiling(y) * y + Math.Truncate(x) * x * x;

    /// <summary>A local used many times, reassignments, constants and [NoDiff]/int parameters.</summary>
    [Differentiable(Hessian = true)]
    public static double Neuron(double w, double b, double c, [NoDiff] double x, int n)
    {
        double z = w * x + b * n;
        double s = Activations.Sigmoid(z);
        s = s * s + c * z;
        s -= Math.Exp(-c * c) * w;
        return Math.Log(1 + s * s) + -z / (1 + c * c);
    }

    [Differentiable(Hessian = true)]
    public static double Gaussian(double x, double y, double z) => Math.Exp(-(x * x + y * y + z * z) / 2) * x * y + z * Math.Log(1 + x * x);

    [Differentiable(Hessian = true)]
    public static double Cubic(double x) => x * x * x - 2 * x;

    // ---- Kinks, exactly on them: the second derivative of the side the first derivative takes ----
    [Differentiable(Hessian = true)] public static double ReLUTimesX(double x) => Activations.ReLU(x) * x;
    [Differentiable(Hessian = true)] public static double MaxTimesX(double x) => Math.Max(x, 0.0) * x;
    [Differentiable(Hessian = true)] public static double AbsTimesX(double x) => Math.Abs(x) * x;
    /// <summary>sqrt(max(x, 0)): for x &lt; 0 the derivative routed to the Sqrt is exactly 0 and its ∂ is ∞; the gate keeps 0·∞ out.</summary>
    [Differentiable(Hessian = true)] public static double SqrtOfMax(double x, double y) => Math.Sqrt(Math.Max(x, 0.0)) + x * y;

    // ---- Branches: the Hessian of the branch taken -------------------------------------------------
    [Differentiable(Hessian = true)]
    public static double Branchy(double x, double y) => x > y ? x * x * y : Math.Sin(x) * y * y;

    /// <summary>An early return: for x ≤ 0 the side not taken computes Log and Sqrt of a negative number (NaN) or of 0 (−∞, ∞ derivatives).</summary>
    [Differentiable(Hessian = true)]
    public static double GuardedLog(double x, double y)
    {
        if (x <= 0)
        {
            return x * x * y;
        }
        double l = Math.Log(x);
        return l * l * y + Math.Sqrt(x) * y;
    }

    /// <summary>Nested if/else; the branches assign r, read afterwards.</summary>
    [Differentiable(Hessian = true)]
    public static double NestedBranches(double x, double y)
    {
        double r;
        if (x > 0)
        {
            if (y > 0)
            {
                r = x * y * y;
            }
            else
            {
                r = Math.Exp(x * y);
            }
        }
        else
        {
            r = Math.Cos(x) * y;
        }
        return r * x;
    }

    /// <summary>exp(x·y) is computed in both branches (one shared value) and again after them.</summary>
    [Differentiable(Hessian = true)]
    public static double SharedAcrossBranches(double x, double y)
    {
        double a = x > 1 ? Math.Exp(x * y) * x : Math.Exp(x * y) + y * y;
        return a + (y < 0 ? Math.Exp(x * y) * y : 0);
    }

    // ---- Float ---------------------------------------------------------------------------------
    [Differentiable(Hessian = true)]
    public static float BranchyF(float x, float y) => x > y ? x * x * y : MathF.Sin(x) * y * y;

    [Differentiable(Hessian = true)]
    public static float RosenbrockF(float x, float y)
    {
        float u = 1 - x;
        float w = y - x * x;
        return u * u + 100 * w * w;
    }

    [Differentiable(Hessian = true)]
    public static float MixedF(float x, float y, int n) =>
        MathF.Exp(x * y) / (1 + MathF.Tanh(y * n)) + MathF.Pow(x, 3) + (float)Math.Atan2(y, x) + Activations.Sigmoid(x - y) + MathF.Log(x * x + 1) * MathF.Cos(y);

    [Differentiable(Hessian = true)]
    public static double MixedD(double x, double y, int n) =>
        Math.Exp(x * y) / (1 + Math.Tanh(y * n)) + Math.Pow(x, 3) + Math.Atan2(y, x) + Activations.Sigmoid(x - y) + Math.Log(x * x + 1) * Math.Cos(y);
}
