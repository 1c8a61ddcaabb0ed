using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Loops that walk arrays with a running integer index (<see cref="RunningIndexFunctions"/>): the generated reverse
/// computes the index from its start and the iteration instead of keeping it. Gradients and tangents against closed
/// forms, a reference indexed by its counters, and central finite differences.
/// </summary>
public class RunningIndexTests
{
    private static double[] Join(params double[][] parts) => parts.SelectMany(p => p).ToArray();

    private static double[] Values(int n, double phase) => Enumerable.Range(0, n).Select(i => Math.Sin(1.3 * i + phase) * 0.8).ToArray();

    /// <summary>o = (I + L) x with L[j, i] = ltri[li] walked column by column (li counting from <paramref name="offset"/>).</summary>
    private static double[] Product(double[] ltri, double[] x, int offset = 0)
    {
        var o = (double[])x.Clone();
        int li = offset;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = i + 1; j < x.Length; j++)
            {
                o[j] += ltri[li++] * x[i];
            }
        }
        return o;
    }

    /// <summary>∂|o|²/∂x = 2 (I + L)ᵀ o and ∂|o|²/∂L[j, i] = 2 o[j] x[i], scaled by <paramref name="scale"/> and added to dx, dltri.</summary>
    private static void AddNormGradient(double[] ltri, double[] x, int offset, double scale, double[] dltri, double[] dx)
    {
        var o = Product(ltri, x, offset);
        int li = offset;
        for (int i = 0; i < x.Length; i++)
        {
            dx[i] += scale * 2 * o[i];
            for (int j = i + 1; j < x.Length; j++)
            {
                dx[i] += scale * 2 * ltri[li] * o[j];
                dltri[li++] += scale * 2 * o[j] * x[i];
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void ATriangleWalkedWithARunningIndexHasTheClosedFormGradientAndTangent(int d)
    {
        var ltri = Values(d * (d - 1) / 2, 0.4);
        var x = Values(d, 1.1);
        var (dltri, dx) = (new double[ltri.Length], new double[d]);
        double value = RunningIndexFunctions.TriangularNormGradient(ltri, x, dltri, dx);

        var (eltri, ex) = (new double[ltri.Length], new double[d]);
        AddNormGradient(ltri, x, 0, 1, eltri, ex);
        Assert.Equal(Product(ltri, x).Sum(v => v * v), value, 12);
        Close(eltri, dltri, 1e-12);
        Close(ex, dx, 1e-12);
        int m = ltri.Length;
        var p = Join(ltri, x);
        Close(Numeric(q => RunningIndexFunctions.TriangularNorm(q[..m], q[m..]), p), Join(dltri, dx), 1e-6);
        var v = Enumerable.Range(0, p.Length).Select(i => 0.3 + 0.1 * i).ToArray();
        RunningIndexFunctions.TriangularNormTangent(ltri, x, v[..m], v[m..], out double tangent);
        Assert.Equal(Join(dltri, dx).Zip(v, (g, vi) => g * vi).Sum(), tangent, 10);
    }

    [Fact]
    public void ATriangleWalkedWithARunningIndexInFloat()
    {
        const int d = 4;
        var ltri = Values(d * (d - 1) / 2, 0.4);
        var x = Values(d, 1.1);
        var (dltri, dx) = (new float[ltri.Length], new float[d]);
        float value = RunningIndexFunctions.TriangularNormFloatGradient(ltri.Select(v => (float)v).ToArray(), x.Select(v => (float)v).ToArray(), dltri, dx);

        var (eltri, ex) = (new double[ltri.Length], new double[d]);
        AddNormGradient(ltri, x, 0, 1, eltri, ex);
        Assert.Equal(Product(ltri, x).Sum(v => v * v), value, 4);
        Close(eltri, dltri.Select(v => (double)v).ToArray(), 1e-4);
        Close(ex, dx.Select(v => (double)v).ToArray(), 1e-4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void AnIndexContinuingAcrossRowsMatchesTheIndexComputedFromTheCounters(int n)
    {
        var l = Values(n * (n - 1) / 2, 0.2);
        var x = Values(n, 2.0);
        const double w = 0.7;
        var (dl, dx) = (new double[l.Length], new double[n]);
        double dw = 0;
        double value = RunningIndexFunctions.RowRecurrenceGradient(l, x, w, dl, dx, ref dw);
        var (el, ex) = (new double[l.Length], new double[n]);
        double ew = 0;
        double expected = RunningIndexFunctions.RowRecurrenceIndexedGradient(l, x, w, el, ex, ref ew);

        Assert.Equal(expected, value, 12);
        Close(el, dl, 1e-12);
        Close(ex, dx, 1e-12);
        Assert.Equal(ew, dw, 12);
        int m = l.Length;
        var p = Join(l, x, new[] { w });
        Close(Numeric(q => RunningIndexFunctions.RowRecurrence(q[..m], q[m..^1], q[^1]), p), Join(dl, dx, new[] { dw }), 1e-6);
        var v = Enumerable.Range(0, p.Length).Select(i => 0.3 + 0.1 * i).ToArray();
        RunningIndexFunctions.RowRecurrenceTangent(l, x, w, v[..m], v[m..^1], v[^1], out double tangent);
        Assert.Equal(Join(dl, dx, new[] { dw }).Zip(v, (g, vi) => g * vi).Sum(), tangent, 10);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(4, 3)]
    public void AnIndexStartingAgainPerComponentHasTheClosedFormGradientAndTangent(int d, int k)
    {
        int size = d * (d - 1) / 2;
        var ltri = Values(k * size, 0.9);
        var x = Values(d, 0.3);
        const double w = 0.8;
        var (dltri, dx) = (new double[ltri.Length], new double[d]);
        double dw = 0;
        double value = RunningIndexFunctions.ComponentsGradient(ltri, x, w, k, dltri, dx, ref dw);

        // total = Σ_c w^(k−1−c) s_c with s_c = |(I + L_c) x|².
        var (eltri, ex) = (new double[ltri.Length], new double[d]);
        double total = 0, ew = 0;
        for (int c = 0; c < k; c++)
        {
            double s = Product(ltri, x, c * size).Sum(v => v * v);
            total += Math.Pow(w, k - 1 - c) * s;
            ew += (k - 1 - c) * Math.Pow(w, k - 2 - c) * s;
            AddNormGradient(ltri, x, c * size, Math.Pow(w, k - 1 - c), eltri, ex);
        }
        Assert.Equal(total, value, 12);
        Close(eltri, dltri, 1e-12);
        Close(ex, dx, 1e-12);
        Assert.Equal(ew, dw, 12);
        int m = ltri.Length;
        var p = Join(ltri, x, new[] { w });
        Close(Numeric(q => RunningIndexFunctions.Components(q[..m], q[m..^1], q[^1], k), p), Join(dltri, dx, new[] { dw }), 1e-6);
        var v = Enumerable.Range(0, p.Length).Select(i => 0.3 + 0.1 * i).ToArray();
        RunningIndexFunctions.ComponentsTangent(ltri, x, w, k, v[..m], v[m..^1], v[^1], out double tangent);
        Assert.Equal(Join(dltri, dx, new[] { dw }).Zip(v, (g, vi) => g * vi).Sum(), tangent, 10);
    }

    [Theory]
    [InlineData(7, 1)]
    [InlineData(7, 3)]
    [InlineData(2, 5)]
    public void AWhileLoopWhoseIndexStepsDownByAParameterHasTheHornerGradient(int n, int stride)
    {
        var c = Values(n, 0.6);
        const double x = 0.9;
        var dc = new double[n];
        double dx = 0;
        double value = RunningIndexFunctions.StridedHornerGradient(c, x, stride, dc, ref dx);

        // p = Σ_t c[k_t] x^(m−1−t) over the m visited indices k_t = n−1−t·stride.
        var visited = Enumerable.Range(0, n).Select(t => n - 1 - t * stride).TakeWhile(k => k >= 0).ToArray();
        int m = visited.Length;
        Assert.Equal(visited.Select((k, t) => c[k] * Math.Pow(x, m - 1 - t)).Sum(), value, 12);
        Assert.Equal(visited.Select((k, t) => (m - 1 - t) * c[k] * Math.Pow(x, m - 2 - t)).Sum(), dx, 12);
        var edc = new double[n];
        for (int t = 0; t < m; t++)
        {
            edc[visited[t]] = Math.Pow(x, m - 1 - t);
        }
        Close(edc, dc, 1e-14);
        Close(Numeric(q => RunningIndexFunctions.StridedHorner(q[..^1], q[^1], stride), Join(c, new[] { x })), Join(dc, new[] { dx }), 1e-6);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(11)]
    [InlineData(40)]
    public void ACheckpointedLoopComputesItsIndexFromTheIterationAcrossSegments(int n)
    {
        var c = Values(n, 0.5);
        const double x = 0.8;
        var (dc, ec) = (new double[n], new double[n]);
        double dx = 0, ex = 0;
        double value = RunningIndexFunctions.OddWalkCheckpointedGradient(c, x, dc, ref dx);
        double expected = RunningIndexFunctions.OddWalkGradient(c, x, ec, ref ex);

        // The same arithmetic in the same order: bit for bit the gradient that keeps every iteration.
        Assert.Equal(expected, value);
        Assert.Equal(ec, dc);
        Assert.Equal(ex, dx);
        // p_t = sin(p_{t−1} x + c[2t + 1]): ∂p/∂c[k] = Π of the later cos(·)·x factors, so only odd k get one.
        Assert.All(Enumerable.Range(0, n).Where(k => k % 2 == 0 || k >= n / 2 * 2), k => Assert.Equal(0.0, dc[k]));
        Close(Numeric(q => RunningIndexFunctions.OddWalk(q[..^1], q[^1]), Join(c, new[] { x })), Join(dc, new[] { dx }), 1e-6);
    }

    [Fact]
    public void WarmGradientsWithRunningIndicesAllocateNothing()
    {
        var (ltri, l10, x, c) = (Values(3 * 10, 0.9), Values(10, 0.4), Values(5, 0.3), Values(9, 0.6));
        var (dltri, dl10, dx, dc) = (new double[ltri.Length], new double[10], new double[x.Length], new double[c.Length]);
        double dw = 0;
        void Run()
        {
            RunningIndexFunctions.TriangularNormGradient(l10, x, dl10, dx);
            RunningIndexFunctions.RowRecurrenceGradient(l10, x, 0.7, dl10, dx, ref dw);
            RunningIndexFunctions.ComponentsGradient(ltri, x, 0.8, 3, dltri, dx, ref dw);
            RunningIndexFunctions.StridedHornerGradient(c, 0.9, 2, dc, ref dw);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
