using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Loops whose body uses a long local array as scratch of each iteration (<see cref="ScratchArrayFunctions"/>), which the
/// gradient fuses, and the shapes it must not fuse; updates in place of every form. Against hand-derived values and
/// central differences.
/// </summary>
public class ScratchArrayTests
{
    /// <summary>n points of d coordinates, the diagonal w and the strictly lower triangle l.</summary>
    private static (double[] X, double[] W, double[] L) Points(int n, int d) => (Wave(n * d, 0.8, 0.3), Wave(d, 0.9, 1.1), Wave(d * (d - 1) / 2, 0.6, 2.0));

    /// <summary>f and its gradient by hand: g = 2y/(1 + |y|²); ∂w_j = Σ_p g_j x_pj; ∂L[j, i] = Σ_p g_j x_pi; ∂x_pi = g_i w_i + Σ_{j&gt;i} g_j L[j, i].</summary>
    private static (double F, double[] Dx, double[] Dw, double[] Dl) TriangularByHand(double[] x, double[] w, double[] l, int n, double sign)
    {
        int d = w.Length;
        double f = 0;
        var (dx, dw, dl) = (new double[x.Length], new double[d], new double[l.Length]);
        for (int p = 0; p < n; p++)
        {
            var y = new double[d];
            for (int j = 0; j < d; j++)
            {
                y[j] = w[j] * x[p * d + j];
                for (int i = 0; i < j; i++)
                {
                    y[j] += sign * l[j * (j - 1) / 2 + i] * x[p * d + i];
                }
            }
            double sq = y.Sum(v => v * v);
            f += Math.Log(1 + sq);
            var g = y.Select(v => 2 * v / (1 + sq)).ToArray();
            for (int j = 0; j < d; j++)
            {
                dw[j] += g[j] * x[p * d + j];
                dx[p * d + j] += g[j] * w[j];
                for (int i = 0; i < j; i++)
                {
                    dl[j * (j - 1) / 2 + i] += sign * g[j] * x[p * d + i];
                    dx[p * d + i] += sign * g[j] * l[j * (j - 1) / 2 + i];
                }
            }
        }
        return (f, dx, dw, dl);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    [InlineData(5, 3)]
    [InlineData(0, 3)]
    public void AFusedLoopOverPointsHasTheHandDerivedGradient(int n, int d)
    {
        var (x, w, l) = Points(n, d);
        var (f, ex, ew, el) = TriangularByHand(x, w, l, n, 1);
        var (dx, dw, dl) = (new double[x.Length], new double[d], new double[l.Length]);
        double value = ScratchArrayFunctions.TriangularLossGradient(x, w, l, n, dx, dw, dl);
        Assert.Equal(ScratchArrayFunctions.TriangularLoss(x, w, l, n), value);
        Assert.Equal(f, value, 12);
        Close(ex, dx, 1e-12);
        Close(ew, dw, 1e-12);
        Close(el, dl, 1e-12);
        var all = x.Concat(w).Concat(l).ToArray();
        Close(Numeric(q => ScratchArrayFunctions.TriangularLoss(q[..x.Length], q[x.Length..(x.Length + d)], q[(x.Length + d)..], n), all),
            dx.Concat(dw).Concat(dl).ToArray(), 1e-6);
    }

    [Fact]
    public void AFusedLoopInFloatWithTheArrayCreatedInTheBodyHasTheHandDerivedGradient()
    {
        const int n = 4, d = 5;
        var (x, w, l) = Points(n, d);
        var (f, ex, ew, el) = TriangularByHand(x, w, l, n, -1);
        float[] F(double[] v) => v.Select(e => (float)e).ToArray();
        var (dx, dw, dl) = (new float[x.Length], new float[d], new float[l.Length]);
        float value = ScratchArrayFunctions.TriangularLossFloatGradient(F(x), F(w), F(l), n, dx, dw, dl);
        Assert.Equal(f, value, 4);
        Close(ex, dx.Select(e => (double)e).ToArray(), 1e-4);
        Close(ew, dw.Select(e => (double)e).ToArray(), 1e-4);
        Close(el, dl.Select(e => (double)e).ToArray(), 1e-4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void ALoopThatPassesValuesThroughTheArrayIsExact(int n)
    {
        const int d = 4;
        var (x, w, l) = Points(n, d);
        var (dx, dw, dl) = (new double[x.Length], new double[d], new double[l.Length]);
        double dc = 0;
        double value = ScratchArrayFunctions.CarriedThroughTheArrayGradient(x, w, l, n, 0.7, dx, dw, dl, ref dc);
        Assert.Equal(ScratchArrayFunctions.CarriedThroughTheArray(x, w, l, n, 0.7), value);
        // By hand: the triangular loss plus c·Σ_{p<n−1} y_p[d − 1], y_p[d − 1] = w_{d−1} x_p,d−1 + Σ_i L[d−1, i] x_pi.
        var (f, ex, ew, el) = TriangularByHand(x, w, l, n, 1);
        double carried = 0;
        for (int p = 0; p + 1 < n; p++)
        {
            carried += w[d - 1] * x[p * d + d - 1];
            ex[p * d + d - 1] += 0.7 * w[d - 1];
            ew[d - 1] += 0.7 * x[p * d + d - 1];
            for (int i = 0; i < d - 1; i++)
            {
                int at = (d - 1) * (d - 2) / 2 + i;
                carried += l[at] * x[p * d + i];
                el[at] += 0.7 * x[p * d + i];
                ex[p * d + i] += 0.7 * l[at];
            }
        }
        Assert.Equal(f + 0.7 * carried, value, 12);
        Assert.Equal(carried, dc, 12);
        Close(ex, dx, 1e-12);
        Close(ew, dw, 1e-12);
        Close(el, dl, 1e-12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ALoopWhoseFillSkipsAnElementIsExact(int n)
    {
        const int d = 4;
        var x = Wave(n * d, 0.8, 0.3);
        var w = Wave(d, 0.9, 1.1);
        var (dx, dw) = (new double[x.Length], new double[d]);
        double value = ScratchArrayFunctions.PartialFillPerPointGradient(x, w, n, dx, dw);
        Assert.Equal(ScratchArrayFunctions.PartialFillPerPoint(x, w, n), value);
        var all = x.Concat(w).ToArray();
        Close(Numeric(q => ScratchArrayFunctions.PartialFillPerPoint(q[..x.Length], q[x.Length..], n), all), dx.Concat(dw).ToArray(), 1e-6);
    }

    /// <summary>
    /// z after point p by hand: z_j = (a_j x + p)·Π_{i&lt;j} tanh(a_i x + y), so f = Σ_p [y·z_{p−1, d−1} + log(1 + |z_p|²)];
    /// the gradient against central differences of that closed form and of the method.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ThreeNestedLoopsUnderAReversedLoopAreExact(int n)
    {
        var a = Wave(4, 0.7, 0.4);
        double x = 0.6, y = -0.3;
        double ClosedForm(double[] q, double qx, double qy)
        {
            double f = 0, last = 0;
            for (int p = 0; p < n; p++)
            {
                f += qy * last;
                var z = Enumerable.Range(0, q.Length).Select(j => (q[j] * qx + p) * Enumerable.Range(0, j).Aggregate(1.0, (m, i) => m * Math.Tanh(q[i] * qx + qy))).ToArray();
                f += Math.Log(1 + z.Sum(v => v * v));
                last = z[^1];
            }
            return f;
        }
        var da = new double[a.Length];
        double dx = 0, dy = 0;
        double value = ScratchArrayFunctions.ProductsThroughThreeLevelsGradient(a, x, y, n, da, ref dx, ref dy);
        Assert.Equal(ScratchArrayFunctions.ProductsThroughThreeLevels(a, x, y, n), value);
        Assert.Equal(ClosedForm(a, x, y), value, 12);
        var point = a.Append(x).Append(y).ToArray();
        var expected = Numeric(q => ClosedForm(q[..^2], q[^2], q[^1]), point);
        Close(expected, da.Append(dx).Append(dy).ToArray(), 1e-6);
        Close(Numeric(q => ScratchArrayFunctions.ProductsThroughThreeLevels(q[..^2], q[^2], q[^1], n), point), da.Append(dx).Append(dy).ToArray(), 1e-6);
    }

    /// <summary>Each form of update against central differences; z[j] + e and e + z[j] give the same gradient bit for bit.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void UpdatesInPlaceOfEveryFormAreExact(int form)
    {
        var a = Wave(5, 0.7, 0.4);
        var da = new double[a.Length];
        double dx = 0;
        double value = ScratchArrayFunctions.UpdatesInPlaceGradient(a, 0.6, form, da, ref dx);
        Assert.Equal(ScratchArrayFunctions.UpdatesInPlace(a, 0.6, form), value);
        Close(Numeric(q => ScratchArrayFunctions.UpdatesInPlace(q[..^1], q[^1], form), a.Append(0.6).ToArray()), da.Append(dx).ToArray(), 1e-6);
        if (form <= 1)
        {
            var other = new double[a.Length];
            double otherDx = 0;
            ScratchArrayFunctions.UpdatesInPlaceGradient(a, 0.6, 1 - form, other, ref otherDx);
            Assert.Equal(da, other);
            Assert.Equal(dx, otherDx);
        }
    }
}
