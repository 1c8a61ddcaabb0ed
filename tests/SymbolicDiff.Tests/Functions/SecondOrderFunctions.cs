using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// [Differentiable(Hessian = true)] methods with loops, array parameters, while loops with break, calls that take
/// arrays, and branches that must not run untaken: their second order comes from the tangent program (reverse mode
/// over the derivative along v). Checked in <see cref="SymbolicDiff.Tests.SecondOrderTests"/>.
/// </summary>
public static partial class SecondOrder
{
    /// <summary>The n-dimensional Rosenbrock function: Σ (1 − xᵢ)² + 100 (xᵢ₊₁ − xᵢ²)².</summary>
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(double[] x)
    {
        double sum = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double u = 1 - x[i];
            double w = x[i + 1] - x[i] * x[i];
            sum += u * u + 100 * w * w;
        }
        return sum;
    }

    [Differentiable(Hessian = true)]
    public static float RosenbrockF(float[] x)
    {
        float sum = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            float u = 1 - x[i];
            float w = x[i + 1] - x[i] * x[i];
            sum += u * u + 100 * w * w;
        }
        return sum;
    }

    /// <summary>exp of the quadratic form ½ xᵀAx (nested loops over a constant matrix): H = e^q (Ax (Ax)ᵀ + A) for a symmetric A.</summary>
    [Differentiable(Hessian = true)]
    public static double ExpQuadratic(double[] x, [NoDiff] double[] a)
    {
        int n = x.Length;
        double q = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                q += 0.5 * a[i * n + j] * x[i] * x[j];
            }
        }
        return Math.Exp(q);
    }

    /// <summary>A tanh recurrence over inputs, h ← tanh(w·h + u·xₜ), with scalar weights; the loss is h².</summary>
    [Differentiable(Hessian = true)]
    public static double Recurrence(double w, double u, [NoDiff] double[] inputs)
    {
        double h = 0;
        foreach (double input in inputs)
        {
            h = Math.Tanh(w * h + u * input);
        }
        return h * h;
    }

    /// <summary>Newton's iteration for √a, stopped when the step is tiny (a while loop with break), times b.</summary>
    [Differentiable(Hessian = true)]
    public static double NewtonSqrt(double a, double b)
    {
        double y = a > 1 ? a : 1;
        for (int k = 0; k < 60; k++)
        {
            double step = (y * y - a) / (2 * y);
            y -= step;
            if (Math.Abs(step) < 1e-15 * y)
            {
                break;
            }
        }
        return y * b;
    }

    /// <summary>A log-sum-exp over an array with a scalar temperature, through a [Differentiable] helper that takes the array.</summary>
    [Differentiable(Hessian = true)]
    public static double SoftMax(double[] x, double t) => t * Math.Log(SumExp(x, t));

    [Differentiable]
    public static double SumExp(double[] x, double t)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Exp(x[i] / t);
        }
        return s;
    }

    /// <summary>
    /// Branches that the straight-line second order could not evaluate on their untaken side (an integer division by a
    /// count that may be 0, Math.Sign of a log that may be NaN): the tangent program runs only the branch taken.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static double GuardedDivision(double x, double y, int n)
    {
        double r;
        if (n > 0)
        {
            r = x * y * (12 / n);
        }
        else
        {
            r = x * x;
        }
        return x > 0 ? r + Math.Sign(Math.Log(x)) * y * y : r;
    }

    /// <summary>A running maximum and a square root behind a ReLU in a loop: kinks and a routed zero meeting an infinite derivative.</summary>
    [Differentiable(Hessian = true)]
    public static double Kinks(double[] x, double c)
    {
        double best = x[0];
        double total = 0;
        for (int i = 1; i < x.Length; i++)
        {
            best = Math.Max(best, x[i] * c);
            total += Math.Sqrt(Activations.ReLU(x[i] - 0.5)) * x[i];
        }
        return best * best + total;
    }

    /// <summary>A while loop whose trip count depends on the parameters: repeated halving until below 1.</summary>
    [Differentiable(Hessian = true)]
    public static double Halving(double x, double y)
    {
        double v = x * x + y;
        int count = 0;
        while (v > 1)
        {
            v = v / 2 + Math.Sin(y) * 0.01;
            count++;
        }
        return v * x + count;
    }

    /// <summary>A local array filled by a loop and read back, and a short local array: (Σ x_i w_i)² with w = (sin x_i).</summary>
    [Differentiable(Hessian = true)]
    public static double LocalArrays(double[] x)
    {
        var w = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            w[i] = Math.Sin(x[i]);
        }
        Span<double> pair = stackalloc double[2];
        pair[0] = 0;
        pair[1] = 1;
        for (int i = 0; i < x.Length; i++)
        {
            pair[0] += x[i] * w[i];
            pair[1] *= 1 + 0.1 * x[i];
        }
        return pair[0] * pair[0] + pair[1];
    }

    /// <summary>Math.Clamp with a bound that is a parameter, inside a branch: it throws when hi &lt; 1, so it must run only when taken.</summary>
    [Differentiable(Hessian = true)]
    public static double ClampInBranch(double x, double hi) => hi > 1 ? Math.Clamp(x, 1.0, hi) * x : x * hi;

    /// <summary>A vector output: y_i = x_i·sin(x_{i+1})·c and a last element c·x_0², with a branch on the sign inside the loop.</summary>
    [Differentiable(Hessian = true)]
    public static void Layer(double[] x, double c, Span<double> y)
    {
        for (int i = 0; i + 1 < x.Length; i++)
        {
            if (x[i] > 0)
            {
                y[i] = x[i] * Math.Sin(x[i + 1]) * c;
            }
            else
            {
                y[i] = Math.Exp(x[i]) * c;
            }
        }
        y[x.Length - 1] = c * x[0] * x[0];
    }

    /// <summary>A dynamic-programming table updated in place (a local array held in memory), then a running vector over it.</summary>
    [Differentiable(Hessian = true)]
    public static double DpTable(double[] x, double c)
    {
        var dp = new double[x.Length];
        dp[0] = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            dp[i] = dp[i - 1] * c + Math.Sin(x[i]) * dp[i - 1] + x[i];
        }
        var acc = new double[2];
        for (int i = 0; i < x.Length; i++)
        {
            acc[i % 2] += dp[i] * dp[i];
        }
        return acc[0] - 0.5 * acc[1];
    }

    /// <summary>
    /// Regression (random-program property test): an array parameter the method never reads still has its rows and
    /// columns in the Hessian (zeros) and its direction in H·v, as one it reads does. f = x²y + sin y.
    /// </summary>
#pragma warning disable SD0017 // a is unread on purpose
    [Differentiable(Hessian = true)]
    public static double UnreadArray(double x, ReadOnlySpan<double> a, double y) => x * x * y + Math.Sin(y);
#pragma warning restore SD0017

    /// <summary>
    /// Regression (random-program property test): a vector output with elements it does not write (y_i = c·x_i² only
    /// where x_i &gt; 0); the second-order pullback writes J·v into every element, 0 into those.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static void PartialLayer(double[] x, double c, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > 0)
            {
                y[i] = c * x[i] * x[i];
            }
        }
    }

    /// <summary>
    /// A running vector held in memory, updated in place by an outer loop (b_j = 2c·x_j after it), then read back:
    /// f = Σ b_j² = 4c²·Σ x_j², so ∂²f/∂x_j² = 8c², ∂²f/∂x_j∂c = 16c·x_j, ∂²f/∂c² = 8·Σ x_j².
    /// </summary>
    [Differentiable(Hessian = true)]
    public static double RunningVector(double[] x, double c)
    {
        var b = new double[x.Length];
        for (int t = 0; t < 2; t++)
        {
            for (int j = 0; j < b.Length; j++)
            {
                b[j] += x[j] * c;
            }
        }
        double s = 0;
        for (int j = 0; j < b.Length; j++)
        {
            s += b[j] * b[j];
        }
        return s;
    }

    /// <summary>A [Differentiable] helper with a [NoDiff] parameter, called only to decide a branch.</summary>
    [Differentiable]
    public static double Threshold(double x, [NoDiff] double scale) => x * scale;

    /// <summary>Its call (inlined, as every call of a Hessian = true method) decides the branch: no derivative flows through it.</summary>
    [Differentiable(Hessian = true)]
    public static double CallInCondition(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 2; i++)
        {
            s += Threshold(x, 2) > 1 ? x * x * y : Math.Sin(x) * y;
        }
        return s;
    }

    /// <summary>A float array and a double scalar in a double method with a loop: Σ sin(xᵢ·s)·xᵢ.</summary>
    [Differentiable(Hessian = true)]
    public static double MixedTypes(float[] x, double s)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += Math.Sin(x[i] * s) * x[i];
        }
        return sum;
    }

    // ---- Calls to [Differentiable] methods with [NoDiff] parameters (inlined, the [NoDiff] arguments constants) ----

    /// <summary>g(v; k) = k·v³ + sin(k·v), k a constant of the differentiation: g′ = 3k·v² + k·cos(kv), g″ = 6k·v − k²·sin(kv).</summary>
    [Differentiable]
    public static double Bump(double v, [NoDiff] double k) => k * v * v * v + Math.Sin(k * v);

    [Differentiable]
    public static float BumpF(float v, [NoDiff] float k) => k * v * v * v + MathF.Sin(k * v);

    /// <summary>f = g(x·y; 2c) + g(y; 0.5): the [NoDiff] arguments 2c and 0.5 depend on no differentiable parameter.</summary>
    [Differentiable(Hessian = true)]
    public static double CallsNoDiff(double x, double y, [NoDiff] double c) => Bump(x * y, 2 * c) + Bump(y, 0.5);

    [Differentiable(Hessian = true)]
    public static float CallsNoDiffF(float x, float y, [NoDiff] float c) => BumpF(x * y, 2 * c) + BumpF(y, 0.5f);

    /// <summary>f = Σ g(xᵢ; c·(i + 1)) over an array (the tangent program's path): H is diagonal, Hᵢᵢ = g″(xᵢ; c·(i + 1)).</summary>
    [Differentiable(Hessian = true)]
    public static double CallsNoDiffInLoop(double[] x, [NoDiff] double c)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Bump(x[i], c * (i + 1));
        }
        return s;
    }

    // ---- Vector outputs of two floating types ------------------------------------------------------------

    /// <summary>y_i = c·x_i² (double) and z_i = sin(c·x_i) (float): the second-order pullback takes double and float weights.</summary>
    [Differentiable(Hessian = true)]
    public static void TwoTypes(double[] x, double c, Span<double> y, Span<float> z)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = c * x[i] * x[i];
            z[i] = (float)Math.Sin(c * x[i]);
        }
    }

    /// <summary>The float twin with float inputs: its Hessian is double (an output is), its float parameters get scratch of their own.</summary>
    [Differentiable(Hessian = true)]
    public static void TwoTypesF(float[] x, float c, Span<double> y, Span<float> z)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = c * x[i] * x[i];
            z[i] = MathF.Sin(c * x[i]);
        }
    }

    // ---- Outputs computed by recurrences: the recurrence runs in a local array, copied to the output -------------

    /// <summary>
    /// Prefix sums y_i = c·Σ_{j≤i} x_j² (reading y back is SD0026, so the running sum lives in a local array held in
    /// memory): for weights w, F = c·Σ_j x_j²·W_j with W_j = Σ_{i≥j} w_i, so H_jj = 2c·W_j, H_jc = 2x_j·W_j, H_cc = 0.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static void PrefixSums(double[] x, double c, Span<double> y)
    {
        var sums = new double[x.Length];
        sums[0] = c * x[0] * x[0];
        for (int i = 1; i < x.Length; i++)
        {
            sums[i] = sums[i - 1] + c * x[i] * x[i];
        }
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = sums[i];
        }
    }

    /// <summary>
    /// A pendulum integrated by symplectic Euler (u ← u − h·k·sin q, q ← q + h·u), its trajectory q_t kept in a local array
    /// and written to the output: y_t = q after t + 1 steps.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static void Trajectory(double q0, double u0, double k, Span<double> y)
    {
        var q = new double[y.Length + 1];
        q[0] = q0;
        double u = u0;
        for (int t = 0; t < y.Length; t++)
        {
            u -= 0.1 * k * Math.Sin(q[t]);
            q[t + 1] = q[t] + 0.1 * u;
        }
        for (int t = 0; t < y.Length; t++)
        {
            y[t] = q[t + 1];
        }
    }
}
