using System;
using System.Linq;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Central finite differences and the closeness check the value tests compare generated derivatives with.</summary>
internal static class FiniteDifferences
{
    /// <summary>n smooth test values scale·sin(1.3 i + phase).</summary>
    public static double[] Wave(int n, double scale, double phase) => Enumerable.Range(0, n).Select(i => scale * Math.Sin(1.3 * i + phase)).ToArray();

    /// <summary>Central differences of f with respect to every element of p.</summary>
    public static double[] Numeric(Func<double[], double> f, double[] p, double h = 1e-6) =>
        Enumerable.Range(0, p.Length).Select(i =>
        {
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[i] += h;
            minus[i] -= h;
            return (f(plus) - f(minus)) / (2 * h);
        }).ToArray();

    /// <summary>Row-major central-difference Jacobian of a vector function (rows: outputs, columns: inputs).</summary>
    public static double[] NumericJacobian(Func<double[], double[]> f, double[] p, int outputs, double h = 1e-6)
    {
        var jacobian = new double[outputs * p.Length];
        for (int c = 0; c < p.Length; c++)
        {
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[c] += h;
            minus[c] -= h;
            double[] up = f(plus), down = f(minus);
            for (int r = 0; r < outputs; r++)
            {
                jacobian[r * p.Length + c] = (up[r] - down[r]) / (2 * h);
            }
        }
        return jacobian;
    }

    /// <summary>Each element of actual within tolerance·(1 + |expected|) of expected.</summary>
    public static void Close(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
