using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// A [Differentiable] helper declared in another file, inlined where called: a local array it fills is recomputed where
/// read, so the recomputation parses the helper's statements against that file's semantic model.
/// </summary>
public class InlinedCallFileTests
{
    [Fact]
    public void AnOutputHelperInAnotherFileFillsALongLocalArrayReadLater()
    {
        var run = GeneratorHarness.Run("""
            using System;
            using SymbolicDiff;

            public static partial class Model
            {
                [Differentiable]
                public static double Energy(double[] m, double[] x, double shift)
                {
                    var h = new double[m.Length / x.Length];
                    Kernels.MatVec(m, x.AsSpan(), h);
                    double e = 0;
                    for (int j = 0; j < h.Length; j++)
                    {
                        e += (h[j] - shift) * (h[j] - shift);
                    }
                    return e;
                }

                public static double Gradient(double[] m, double[] x, double shift, double[] dm, double[] dx, double[] dshift)
                {
                    double d = 0;
                    double value = EnergyGradient(m, x, shift, dm, dx, ref d);
                    dshift[0] = d;
                    return value;
                }
            }
            """, """
            using System;
            using SymbolicDiff;

            public static partial class Kernels
            {
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
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        using var loaded = GeneratorHarness.Load(run);
        var type = loaded.Assembly.GetType("Model")!;
        var energy = type.GetMethod("Energy", BindingFlags.Public | BindingFlags.Static)!;
        var gradient = type.GetMethod("Gradient", BindingFlags.Public | BindingFlags.Static)!;
        double[] m = { 0.5, -0.3, 0.2, 0.8, -0.6, 0.1 }, x = { 0.6, -1.1 };
        double shift = 0.25;
        double[] dm = new double[6], dx = new double[2], dshift = new double[1];
        double value = (double)gradient.Invoke(null, new object[] { m, x, shift, dm, dx, dshift })!;

        // e = Σ_j (h_j − shift)² with h = M x.
        var h = Enumerable.Range(0, 3).Select(j => m[2 * j] * x[0] + m[2 * j + 1] * x[1]).ToArray();
        Assert.Equal(h.Sum(v => (v - shift) * (v - shift)), value, 14);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(2 * (h[i / 2] - shift) * x[i % 2], dm[i], 14);
        }
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(Enumerable.Range(0, 3).Sum(j => 2 * (h[j] - shift) * m[2 * j + c]), dx[c], 14);
        }
        Assert.Equal(-2 * h.Sum(v => v - shift), dshift[0], 14);
        const double step = 1e-6;
        var plus = (double[])x.Clone();
        var minus = (double[])x.Clone();
        plus[1] += step;
        minus[1] -= step;
        double numeric = ((double)energy.Invoke(null, new object[] { m, plus, shift })! - (double)energy.Invoke(null, new object[] { m, minus, shift })!) / (2 * step);
        Assert.Equal(numeric, dx[1], 7);
    }
}
