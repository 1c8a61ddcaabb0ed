using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>Local arrays and spans: scratch buffers filled then read, refilled per iteration, short arrays updated in place.</summary>
public static partial class LocalArrayFunctions
{
    /// <summary>A scratch buffer filled by one loop, then read: f = Σ (w·xⱼ + sin xⱼ)².</summary>
    [Differentiable(Tangent = true)]
    public static double Scratch(double[] x, double w)
    {
        var y = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            y[j] = w * x[j] + Math.Sin(x[j]);
        }
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += y[i] * y[i];
        }
        return s;
    }

    /// <summary>The scratch buffer in float.</summary>
    [Differentiable]
    public static float ScratchFloat(float[] x, float w)
    {
        var y = new float[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            y[j] = w * x[j] + MathF.Sin(x[j]);
        }
        float s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += y[i] * y[i];
        }
        return s;
    }

    /// <summary>
    /// Two buffers refilled for every centre k (as ADBench's GMM does): c = x − m_k, then a = L c with a lower-triangular
    /// L (row r: L[r·d + col], col ≤ r); f = Σ_k exp(−½‖a‖²).
    /// </summary>
    [Differentiable]
    public static double Refilled(double[] x, double[] m, double[] l)
    {
        int d = x.Length;
        int k = m.Length / d;
        var c = new double[d];
        var a = new double[d];
        double f = 0;
        for (int centre = 0; centre < k; centre++)
        {
            for (int j = 0; j < d; j++)
            {
                c[j] = x[j] - m[centre * d + j];
            }
            for (int r = 0; r < d; r++)
            {
                double s = 0;
                for (int col = 0; col <= r; col++)
                {
                    s += l[r * d + col] * c[col];
                }
                a[r] = s;
            }
            double q = 0;
            for (int r = 0; r < d; r++)
            {
                q += a[r] * a[r];
            }
            f += Math.Exp(-0.5 * q);
        }
        return f;
    }

    /// <summary>A 2-vector rotated n times in place (a stackalloc running vector): f = h₀ + 2h₁.</summary>
    [Differentiable(Tangent = true)]
    public static double Rotate(double a, double b, double theta, int n)
    {
        Span<double> h = stackalloc double[2];
        h[0] = a;
        h[1] = b;
        double c = Math.Cos(theta), s = Math.Sin(theta);
        for (int t = 0; t < n; t++)
        {
            double h0 = h[0];
            h[0] = c * h0 - s * h[1];
            h[1] = s * h0 + c * h[1];
        }
        return h[0] + 2 * h[1];
    }

    /// <summary>Weights from a listed array read at a computed index, and sums accumulated in place at one: Σ wᵢ%₃ xᵢ + acc₀·acc₁ + acc₂.</summary>
    [Differentiable]
    public static double Cyclic(double[] x, double a, double b)
    {
        double[] w = { a, b, a * b };
        Span<double> acc = stackalloc double[3];
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += w[i % 3] * x[i];
            acc[i % 3] += x[i] * x[i];
        }
        return s + acc[0] * acc[1] + acc[2];
    }

    /// <summary>Softmax through a buffer of exponentials: yᵢ = e^(xᵢ) / Σ e^(xⱼ).</summary>
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> x, Span<double> y)
    {
        var e = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            e[j] = Math.Exp(x[j]);
        }
        double sum = 0;
        for (int j = 0; j < x.Length; j++)
        {
            sum += e[j];
        }
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = e[i] / sum;
        }
    }

    /// <summary>
    /// Reads see the variables as they were when the fill ran (k changes after it), a short array is written in
    /// both branches of an if, and an unfilled long array reads as zeros: f = Σ_j (x·j)·x_j over a[j] = k·j with k = x,
    /// + 2x + (x > 0 ? x² : −x) + 0.
    /// </summary>
    [Differentiable]
    public static double CapturedAtFill(double x, double[] v)
    {
        double k = x;
        var a = new double[v.Length];
        for (int j = 0; j < v.Length; j++)
        {
            a[j] = k * j;
        }
        var zeros = new double[v.Length];
        k = 2 * x;
        Span<double> b = stackalloc double[2];
        if (x > 0)
        {
            b[1] = x * x;
        }
        else
        {
            b[1] = -x;
        }
        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += a[i] * v[i] + zeros[i];
        }
        return s + k + b[1];
    }
}
