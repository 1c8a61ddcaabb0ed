using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

public enum Nonlinearity
{
    Relu,
    Tanh,
    Sigmoid,
}

/// <summary>
/// Issue 10 leftovers as users write them: enums passed on to [Differentiable] helpers, <c>return;</c> in void methods
/// that write outputs, helpers that write output spans, and slices passed to helpers.
/// </summary>
public static partial class CallShapeFunctions
{
    // ---- 1. An enum passed to another [Differentiable] method ----

    [Differentiable]
    public static double Activate(double z, Nonlinearity activation) => activation switch
    {
        Nonlinearity.Relu => z > 0 ? z : 0,
        Nonlinearity.Tanh => Math.Tanh(z),
        _ => 1 / (1 + Math.Exp(-z)),
    };

    /// <summary>One neuron: activation(w·x + b), the activation chosen by the caller.</summary>
    [Differentiable(Tangent = true)]
    public static double Neuron(double[] w, double[] x, double b, Nonlinearity activation)
    {
        double z = b;
        for (int i = 0; i < w.Length; i++)
        {
            z += w[i] * x[i];
        }
        return Activate(z, activation);
    }

    /// <summary>Constant enum arguments: each call keeps only its own case.</summary>
    [Differentiable]
    public static double Mixed(double u, double v) =>
        Activate(u * v, Nonlinearity.Tanh) + Activate(u - v, Nonlinearity.Sigmoid) + Activate(v, Nonlinearity.Relu);

    [Differentiable]
    public static float ActivateFloat(float z, Nonlinearity activation) =>
        activation == Nonlinearity.Tanh ? MathF.Tanh(z) : activation == Nonlinearity.Sigmoid ? 1 / (1 + MathF.Exp(-z)) : MathF.Max(z, 0);

    [Differentiable]
    public static float NeuronFloat(float w, float x, float b, Nonlinearity activation) => ActivateFloat(w * x + b, activation) * x;

    // ---- 2. return; in void methods that write outputs ----

    /// <summary>Running sums of scale·x written to y until one passes limit; the rest of y is left as it was.</summary>
    [Differentiable]
    public static void CappedPrefix(double[] x, double scale, [NoDiff] double limit, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += scale * x[i];
            if (s > limit)
            {
                return;
            }
            y[i] = s;
        }
    }

    /// <summary>An early return outside loops: y[1] is 0 for a negative x, else √x; y[2] is written only then.</summary>
    [Differentiable]
    public static void Clipped(double x, double[] y)
    {
        y[0] = x * x;
        if (x < 0)
        {
            y[1] = 0;
            return;
        }
        y[1] = Math.Sqrt(x);
        y[2] = Math.Exp(-x);
    }

    /// <summary>Products x[i]·x[j] written row by row until one passes limit (a return from nested loops).</summary>
    [Differentiable]
    public static void OuterUntil(double[] x, [NoDiff] double limit, double[] y)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double p = x[i] * x[j];
                if (p > limit)
                {
                    return;
                }
                y[i * n + j] = p;
            }
        }
    }

    // ---- 3. Helpers that write output spans ----

    /// <summary>result = M v, M row-major with v.Length columns.</summary>
    [Differentiable]
    public static void MatVec(ReadOnlySpan<double> m, ReadOnlySpan<double> v, Span<double> result)
    {
        for (int r = 0; r < result.Length; r++)
        {
            double s = 0;
            for (int c = 0; c < v.Length; c++)
            {
                s += m[r * v.Length + c] * v[c];
            }
            result[r] = s;
        }
    }

    /// <summary>y = a x.</summary>
    [Differentiable]
    public static void Scale(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = a * x[i];
        }
    }

    /// <summary>y = M₂ tanh(M₁ x): the hidden layer is a local array the helper fills, the output the caller's own.</summary>
    [Differentiable]
    public static void TwoLayer(double[] m1, double[] m2, double[] x, double[] y)
    {
        var h = new double[m1.Length / x.Length];
        MatVec(m1, x, h);
        var t = new double[h.Length];
        for (int j = 0; j < t.Length; j++)
        {
            t[j] = Math.Tanh(h[j]);
        }
        MatVec(m2, t, y);
    }

    /// <summary>‖M x‖²: a scalar method filling a local array through the helper.</summary>
    [Differentiable]
    public static double Energy(double[] m, double[] x)
    {
        var h = new double[m.Length / x.Length];
        MatVec(m, x, h);
        double e = 0;
        for (int j = 0; j < h.Length; j++)
        {
            e += h[j] * h[j];
        }
        return e;
    }

    /// <summary>A short buffer scaled in place by the helper on every iteration: u ← 1.5 u, summing u₀².</summary>
    [Differentiable]
    public static double Rescaled(double a, double[] x)
    {
        Span<double> u = stackalloc double[3];
        Scale(a, x, u);
        double s = 0;
        for (int k = 0; k < 3; k++)
        {
            Scale(1.5, u, u);
            s += u[k] * u[0];
        }
        return s;
    }

    [Differentiable]
    public static void ScaleFloat(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = a * x[i];
        }
    }

    /// <summary>y = sin(a x) through a float output helper writing a local array.</summary>
    [Differentiable]
    public static void SineOfScaledFloat(float a, float[] x, float[] y)
    {
        var u = new float[x.Length];
        ScaleFloat(a, x, u);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = MathF.Sin(u[i]);
        }
    }

    // ---- 4. Slices passed to helpers ----

    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    [Differentiable]
    public static double SumOfSquares(ReadOnlySpan<double> a)
    {
        double s = 0;
        foreach (double v in a)
        {
            s += v * v;
        }
        return s;
    }

    /// <summary>x₁w₀ + x₂w₁ + x[n−2]w₁ + x[n−1]w₂ for n = 4: every slice form (AsSpan, .., ^, Slice).</summary>
    [Differentiable(Tangent = true)]
    public static double Sliced(double[] x, double[] w) =>
        Dot(x.AsSpan(1, 2), w[..2]) + Dot(x[^2..], w.AsSpan(1)) + Dot(x.AsSpan().Slice(2), w.AsSpan().Slice(0, 2));

    /// <summary>Σᵢ sin(Σ_{j<k} x[i+j]²): a sliding window, its offset the loop counter.</summary>
    [Differentiable]
    public static double Windows(double[] x, int k)
    {
        double s = 0;
        for (int i = 0; i + k <= x.Length; i++)
        {
            s += Math.Sin(SumOfSquares(x.AsSpan(i, k)));
        }
        return s;
    }

    /// <summary>The first half of y is M x (M sliced to its rows), the second half 2·x[..]: helpers writing output slices.</summary>
    [Differentiable]
    public static void Blocks(double[] m, ReadOnlySpan<double> x, Span<double> y)
    {
        int half = y.Length / 2;
        MatVec(m.AsSpan(0, half * x.Length), x, y.Slice(0, half));
        Scale(2, x.Slice(0, y.Length - half), y[half..]);
    }

    [Differentiable]
    public static float DotFloat(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    /// <summary>Σᵢ (x[i..i+2]·w)²: each window of x against w, in float.</summary>
    [Differentiable]
    public static float WindowDotsFloat(float[] x, float[] w)
    {
        float s = 0;
        for (int i = 0; i + w.Length <= x.Length; i++)
        {
            float d = DotFloat(x.AsSpan(i, w.Length), w);
            s += d * d;
        }
        return s;
    }
}
