using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Output stores under control flow, Jacobians after loops that keep values, loop bounds at the int limits,
/// wrapping integer constants and mixed float/double outputs (issue 8, items 1–4, 12 and 13).
/// </summary>
public static partial class OutputAndBoundFunctions
{
    /// <summary>An output written only when a condition holds (item 1): y[0] keeps the caller's value otherwise.</summary>
    [Differentiable]
    public static void WhenPositive(double x, Span<double> y)
    {
        if (x > 0) y[0] = x * x;
    }

    /// <summary>A leaky-ReLU layer written with if/else stores in a loop.</summary>
    [Differentiable]
    public static void LeakyLayer(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > 0) y[i] = x[i];
            else y[i] = 0.01 * x[i];
        }
    }

    /// <summary>Stores in nested branches of a loop that carries a product, some elements left unwritten, and a store in an if after the loop.</summary>
    [Differentiable]
    public static void Branchy(double s, ReadOnlySpan<double> x, Span<double> y)
    {
        double c = s;
        for (int i = 0; i < x.Length; i++)
        {
            c = c * x[i];
            if (c > 0.5)
            {
                y[i] = Math.Sin(c) * s;
            }
            else if (x[i] < 0)
            {
                double t = Math.Exp(c);
                y[i] = t * t;
            }
        }
        if (c > 1) y[x.Length] = c * c;
        else y[x.Length] = s - c;
    }

    /// <summary>The reproducer of item 2: the second loop reads m, which the first loop keeps per iteration.</summary>
    [Differentiable]
    public static void ShiftedExp(ReadOnlySpan<double> x, Span<double> y)
    {
        double m = 1;
        for (int i = 0; i < x.Length; i++) m = m * x[i];
        for (int i = 0; i < y.Length; i++) y[i] = Math.Exp(x[i] - m);
    }

    /// <summary>A numerically stable softmax with loops: the running max is kept, then read by two later loops.</summary>
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> x, Span<double> y)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++) m = Math.Max(m, x[i]);
        double z = 0;
        for (int i = 0; i < x.Length; i++) z += Math.Exp(x[i] - m);
        for (int i = 0; i < x.Length; i++) y[i] = Math.Exp(x[i] - m) / z;
    }

    /// <summary>A sum over i in [0, n) (item 3): no iteration when n ≤ 0, int.MinValue included.</summary>
    [Differentiable]
    public static double SumTo(double x, int n)
    {
        double s = x;
        for (int i = 0; i < n; i++) s += x;
        return s;
    }

    /// <summary>A recurrence that keeps its value per iteration, from a to b inclusive.</summary>
    [Differentiable]
    public static double RecurrenceBetween(double x, int a, int b)
    {
        double s = x;
        for (int i = a; i <= b; i++) s = Math.Sin(s) * x + 0.5;
        return s;
    }

    /// <summary>The header i + 1 &lt; b, whose bound b − 1 would wrap at int.MinValue.</summary>
    [Differentiable]
    public static double RecurrenceBeforeLast(double x, int a, int b)
    {
        double s = x;
        for (int i = a; i + 1 < b; i++) s = Math.Sin(s) * x + 0.25;
        return s;
    }

    /// <summary>Item 4: k++ past int.MaxValue wraps to int.MinValue, as in C#.</summary>
    [Differentiable]
    public static double Wrapped(double x)
    {
        int k = int.MaxValue;
        k++;
        int m = int.MinValue;
        m = -m;
        int p = 65536;
        p *= 65536;
        long big = 1L << 52;
        big *= 2;
        return x * k + x * x * m + p + x * (big % 1000);
    }

    /// <summary>Item 12: a float input and a double output.</summary>
    [Differentiable]
    public static void Mixed(float a, ReadOnlySpan<float> v, Span<double> output)
    {
        for (int i = 0; i < output.Length; i++) output[i] = a * v[i % v.Length] * v[0] + Math.Sin(a);
    }
}
