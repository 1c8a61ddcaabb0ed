using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>[Differentiable] helpers that take arrays (inlined where called), and methods that call them.</summary>
public static partial class ArrayCallFunctions
{
    /// <summary>The dot product a·b.</summary>
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

    /// <summary>Row r of a row-major matrix (x.Length columns) times x.</summary>
    [Differentiable]
    public static double RowDot(double[] m, double[] x, int r)
    {
        double s = 0;
        for (int c = 0; c < x.Length; c++)
        {
            s += m[r * x.Length + c] * x[c];
        }
        return s;
    }

    /// <summary>f = Σ_r tanh((M x)_r)² + (x·w)·(u·u) with u = sin(x) a local array passed to Dot.</summary>
    [Differentiable(Tangent = true)]
    public static double Layer(double[] m, double[] x, double[] w)
    {
        int rows = m.Length / x.Length;
        double f = 0;
        for (int r = 0; r < rows; r++)
        {
            double t = Math.Tanh(RowDot(m, x, r));
            f += t * t;
        }
        var u = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            u[j] = Math.Sin(x[j]);
        }
        return f + Dot(x, w) * Dot(u, u);
    }

    /// <summary>The dot product in float, through a helper.</summary>
    [Differentiable]
    public static float DotFloat(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    [Differentiable]
    public static float CosineFloat(float[] a, float[] b) => DotFloat(a, b) / MathF.Sqrt(DotFloat(a, a) * DotFloat(b, b));
}
