using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>Calls to [Differentiable] helpers that take arrays (parameters and local arrays, passed whole): inlined, exact.</summary>
public class ArrayCallTests
{
    [Theory]
    [InlineData(3, 2)]
    [InlineData(1, 4)]
    public void ALayerCallingRowAndDotHelpersHasTheClosedFormGradientAndTangent(int n, int rows)
    {
        var x = Enumerable.Range(0, n).Select(i => Math.Cos(i + 0.3)).ToArray();
        var w = Enumerable.Range(0, n).Select(i => 0.5 - 0.2 * i).ToArray();
        var m = Enumerable.Range(0, n * rows).Select(i => 0.4 * Math.Sin(1.7 * i)).ToArray();
        var dm = new double[m.Length];
        var dx = new double[n];
        var dw = new double[n];
        double value = ArrayCallFunctions.LayerGradient(m, x, w, dm, dx, dw);

        // F = Σ_r tanh(z_r)² + g·h with z = M x, g = x·w, h = Σ sin² x_j.
        var t = Enumerable.Range(0, rows).Select(r => Math.Tanh(Enumerable.Range(0, n).Sum(c => m[r * n + c] * x[c]))).ToArray();
        double g = x.Zip(w, (a, b) => a * b).Sum(), h = x.Sum(v => Math.Sin(v) * Math.Sin(v));
        Assert.Equal(t.Sum(v => v * v) + g * h, value, 12);
        var em = new double[m.Length];
        var ex = new double[n];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double share = 2 * t[r] * (1 - t[r] * t[r]);
                em[r * n + c] = share * x[c];
                ex[c] += share * m[r * n + c];
            }
        }
        for (int c = 0; c < n; c++)
        {
            ex[c] += w[c] * h + g * 2 * Math.Sin(x[c]) * Math.Cos(x[c]);
        }
        Close(em, dm, 1e-13);
        Close(ex, dx, 1e-13);
        Close(x.Select(v => v * h).ToArray(), dw, 1e-13);
        var p = m.Concat(x).Concat(w).ToArray();
        Close(Numeric(q => ArrayCallFunctions.Layer(q[..m.Length], q[m.Length..(m.Length + n)], q[(m.Length + n)..]), p), dm.Concat(dx).Concat(dw).ToArray(), 1e-6);

        var v = Enumerable.Range(0, p.Length).Select(i => 0.1 * (i % 5) - 0.2).ToArray();
        ArrayCallFunctions.LayerTangent(m, x, w, v[..m.Length], v[m.Length..(m.Length + n)], v[(m.Length + n)..], out double tangent);
        Assert.Equal(dm.Concat(dx).Concat(dw).Zip(v, (a, b) => a * b).Sum(), tangent, 12);
    }

    [Fact]
    public void ACosineThroughAFloatDotHelperHasTheClosedFormGradient()
    {
        var a = new[] { 1.0f, -2.0f, 0.5f };
        var b = new[] { 0.25f, 1.5f, -1.0f };
        var da = new float[3];
        var db = new float[3];
        float cos = ArrayCallFunctions.CosineFloatGradient(a, b, da, db);
        double na = Math.Sqrt(a.Sum(v => (double)v * v)), nb = Math.Sqrt(b.Sum(v => (double)v * v));
        double expected = a.Zip(b, (p, q) => (double)p * q).Sum() / (na * nb);
        Assert.Equal(expected, cos, 5);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(b[i] / (na * nb) - expected * a[i] / (na * na), da[i], 5);
            Assert.Equal(a[i] / (na * nb) - expected * b[i] / (nb * nb), db[i], 5);
        }
        var numeric = Numeric(s => ArrayCallFunctions.CosineFloat(s[..3].Select(v => (float)v).ToArray(), s[3..].Select(v => (float)v).ToArray()),
            a.Concat(b).Select(v => (double)v).ToArray(), 1e-2);
        Close(numeric, da.Concat(db).Select(v => (double)v).ToArray(), 2e-3);
    }

    [Fact]
    public void InlinedArrayCallsAllocateNothingOnceWarm()
    {
        var x = new[] { 0.5, -1.0, 2.0 };
        var w = new[] { 0.1, 0.2, 0.3 };
        var m = new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 };
        var dm = new double[6];
        var dx = new double[3];
        var dw = new double[3];
        ArrayCallFunctions.LayerGradient(m, x, w, dm, dx, dw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            ArrayCallFunctions.LayerGradient(m, x, w, dm, dx, dw);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
