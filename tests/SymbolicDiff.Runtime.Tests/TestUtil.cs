using System;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

internal static class TestUtil
{
    public static double[] Random(int n, Rng rng, double scale = 1.0)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextDouble(-scale, scale);
        return a;
    }

    public static float[] ToFloat(double[] a) => Array.ConvertAll(a, v => (float)v);

    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tol = 1e-10)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            Assert.True(err <= tol * (1 + Math.Abs(expected[i])), $"index {i}: expected {expected[i]:R}, got {actual[i]:R} (err {err:E2})");
        }
    }

    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            Assert.True(err <= tol * (1 + Math.Abs(expected[i])), $"index {i}: expected {expected[i]:R}, got {actual[i]:R} (err {err:E2})");
        }
    }

    /// <summary>
    /// Checks a backward kernel against central finite differences of its forward: for random dy and a random
    /// initial dx0, backward(x, y, dy, dx) must leave dx = dx0 + ∇ₓ⟨dy, f(x)⟩.
    /// </summary>
    public static void CheckBackward(double[] x, int outLength, Action<double[], double[]> forward,
        Action<double[], double[], double[], double[]> backward, Rng rng, double h = 1e-6, double tol = 1e-6)
    {
        double[] y = new double[outLength];
        forward(x, y);
        double[] dy = Random(outLength, rng);
        double[] dx0 = Random(x.Length, rng);
        double[] dx = (double[])dx0.Clone();
        backward(x, y, dy, dx);

        var expected = new double[x.Length];
        var xp = (double[])x.Clone();
        var yp = new double[outLength];
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            xp[i] = xi + h; forward(xp, yp); double fp = Dot(dy, yp);
            xp[i] = xi - h; forward(xp, yp); double fm = Dot(dy, yp);
            xp[i] = xi;
            expected[i] = dx0[i] + (fp - fm) / (2 * h);
        }
        Close(expected, dx, tol);
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
