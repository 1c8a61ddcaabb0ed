using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Long local arrays held in memory (<see cref="MemoryArrayFunctions"/>): DP tables, running vectors, partial fills,
/// fills inside an if and elements overwritten from their old values, against hand-derived values and central
/// differences, in double and float, reverse and forward mode and a Jacobian.
/// </summary>
public class MemoryArrayTests
{
    /// <summary>dp and the hand-derived adjoints of f = dp[n−1] + Σ dp[i]², dp[i] = sin(dp[i−1])·w + x[i].</summary>
    private static (double F, double[] Dx, double Dw) RecurrenceByHand(double[] x, double w)
    {
        int n = x.Length;
        var dp = new double[n];
        dp[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            dp[i] = Math.Sin(dp[i - 1]) * w + x[i];
        }
        // g[i] = ∂f/∂dp[i] through everything after it: 2 dp[i] (+1 for the last) + g[i+1]·w·cos dp[i].
        var g = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            g[i] = 2 * dp[i] + (i == n - 1 ? 1 : g[i + 1] * w * Math.Cos(dp[i]));
        }
        double dw = Enumerable.Range(1, n - 1).Sum(i => g[i] * Math.Sin(dp[i - 1]));
        return (dp[n - 1] + dp.Sum(v => v * v), g, dw);
    }

    [Theory]
    [InlineData(1, 0.8)]
    [InlineData(2, -0.4)]
    [InlineData(7, 0.9)]
    public void ADynamicProgrammingTableHasTheHandDerivedGradientAndTangent(int n, double w)
    {
        var x = Wave(n, 0.7, 0.2);
        var (f, expectedDx, expectedDw) = RecurrenceByHand(x, w);
        var dx = new double[n];
        double dw = 0;
        double value = MemoryArrayFunctions.RecurrenceGradient(x, w, dx, ref dw);
        Assert.Equal(f, value, 12);
        Close(expectedDx, dx, 1e-12);
        Assert.Equal(expectedDw, dw, 12);
        Close(Numeric(p => MemoryArrayFunctions.Recurrence(p[..^1], p[^1]), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);

        var direction = Wave(n, 0.3, 1.1);
        MemoryArrayFunctions.RecurrenceTangent(x, w, direction, -0.6, out double tangent);
        Assert.Equal(expectedDx.Zip(direction, (g, v) => g * v).Sum() + expectedDw * -0.6, tangent, 11);
    }

    /// <summary>
    /// An index past the array's length throws in the gradient as in the method, although the pooled buffer behind it may
    /// be longer (the generated code reads and writes it through a span of exactly n elements).
    /// </summary>
    [Fact]
    public void AnIndexPastTheLengthThrowsLikeTheMethod()
    {
        Assert.Throws<IndexOutOfRangeException>(() => MemoryArrayFunctions.IndexedUpdate(1.5, 5, 5));
        double dx = 0;
        Assert.Throws<IndexOutOfRangeException>(() => MemoryArrayFunctions.IndexedUpdateGradient(1.5, 5, 5, ref dx));
        // In range, the gradient is exact: s = Σ (x·i)² with a[3] = a[2]·x = 2x², so ∂s/∂x = 2x(1 + 4 + 16) + 16x³.
        dx = 0;
        double value = MemoryArrayFunctions.IndexedUpdateGradient(1.5, 5, 3, ref dx);
        Assert.Equal(MemoryArrayFunctions.IndexedUpdate(1.5, 5, 3), value);
        Assert.Equal(2 * 1.5 * 21 + 16 * Math.Pow(1.5, 3), dx, 12);
    }

    [Fact]
    public void CheckpointingLeavesTheTableLoopsAloneAndMatchesFullStorageBitForBit()
    {
        var x = Wave(9, 0.7, 0.2);
        var dxc = new double[9];
        var dxf = new double[9];
        double dwc = 0, dwf = 0;
        double checkpointed = MemoryArrayFunctions.RecurrenceCheckpointedGradient(x, 0.8, dxc, ref dwc);
        double full = MemoryArrayFunctions.RecurrenceFullStorageGradient(x, 0.8, dxf, ref dwf);
        Assert.Equal(full, checkpointed);
        Assert.Equal(dxf, dxc);
        Assert.Equal(dwf, dwc);
        Close(Numeric(p => MemoryArrayFunctions.RecurrenceFullStorage(p[..^1], p[^1]), x.Append(0.8).ToArray()), dxc.Append(dwc).ToArray(), 1e-6);
    }

    [Fact]
    public void ADynamicProgrammingTableInFloatHasTheHandDerivedGradient()
    {
        var x = Wave(6, 0.7, 0.2);
        const double w = 0.8;
        var (_, expectedDx, expectedDw) = RecurrenceByHand(x, w);
        var dx = new float[6];
        float dw = 0;
        MemoryArrayFunctions.RecurrenceFloatGradient(x.Select(v => (float)v).ToArray(), (float)w, dx, ref dw);
        Close(expectedDx, dx.Select(v => (double)v).ToArray(), 1e-5);
        Assert.Equal(expectedDw, dw, 4);
        var numeric = Numeric(p => MemoryArrayFunctions.RecurrenceFloat(p[..^1].Select(v => (float)v).ToArray(), (float)p[^1]), x.Append(w).ToArray(), 1e-2);
        Close(numeric, dx.Select(v => (double)v).Append(dw).ToArray(), 2e-3);
    }

    [Fact]
    public void ATwoDimensionalTableHasTheClosedFormGradient()
    {
        // 3 × 2: t[1,1] = a1 + b1 and t[2,1] = t[1,1]·a2 + b1 = (a1 + b1)·a2 + b1.
        double[] a = { 0.4, 1.5, -0.7 }, b = { 2.0, 0.3 };
        var da = new double[3];
        var db = new double[2];
        double value = MemoryArrayFunctions.PathsGradient(a, b, da, db);
        Assert.Equal((a[1] + b[1]) * a[2] + b[1], value, 14);
        Close(new[] { 0, a[2], a[1] + b[1] }, da, 1e-14);
        Close(new[] { 0, a[2] + 1 }, db, 1e-14);

        // A larger table against central differences.
        var a5 = Wave(5, 0.8, 0.1);
        var b4 = Wave(4, 0.9, 0.5);
        var da5 = new double[5];
        var db4 = new double[4];
        MemoryArrayFunctions.PathsGradient(a5, b4, da5, db4);
        Close(Numeric(p => MemoryArrayFunctions.Paths(p[..5], p[5..]), a5.Concat(b4).ToArray()), da5.Concat(db4).ToArray(), 1e-7);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(1, 1)]
    [InlineData(4, 0)]
    public void ARunningVectorAcrossAnOuterLoopHasTheClosedFormGradientAndTangent(int n, int m)
    {
        var x = Wave(n * m, 1.1, 0.3);
        var w = Wave(n, 0.9, 0.8);
        var dx = new double[n * m];
        var dw = new double[n];
        double value = MemoryArrayFunctions.RunningVectorGradient(x, w, m, dx, dw);

        // acc[j] = Σᵢ w[i]·x[i,j]: ∂f/∂w[i] = Σⱼ 2 acc[j] x[i,j], ∂f/∂x[i,j] = 2 acc[j] w[i].
        var acc = Enumerable.Range(0, m).Select(j => Enumerable.Range(0, n).Sum(i => w[i] * x[i * m + j])).ToArray();
        Assert.Equal(acc.Sum(v => v * v), value, 12);
        Close(Enumerable.Range(0, n * m).Select(k => 2 * acc[k % m] * w[k / m]).ToArray(), dx, 1e-13);
        Close(Enumerable.Range(0, n).Select(i => Enumerable.Range(0, m).Sum(j => 2 * acc[j] * x[i * m + j])).ToArray(), dw, 1e-13);
        Close(Numeric(p => MemoryArrayFunctions.RunningVector(p[..(n * m)], p[(n * m)..], m), x.Concat(w).ToArray()), dx.Concat(dw).ToArray(), 1e-6);

        var vx = Wave(n * m, 0.5, 2.0);
        var vw = Wave(n, 0.4, 0.7);
        MemoryArrayFunctions.RunningVectorTangent(x, w, m, vx, vw, out double tangent);
        Assert.Equal(dx.Zip(vx, (g, v) => g * v).Sum() + dw.Zip(vw, (g, v) => g * v).Sum(), tangent, 11);
    }

    [Fact]
    public void ARunningVectorInFloatHasTheClosedFormGradient()
    {
        const int n = 3, m = 2;
        var x = Wave(n * m, 1.1, 0.3);
        var w = Wave(n, 0.9, 0.8);
        var dx = new float[n * m];
        var dw = new float[n];
        MemoryArrayFunctions.RunningVectorFloatGradient(x.Select(v => (float)v).ToArray(), w.Select(v => (float)v).ToArray(), m, dx, dw);
        var acc = Enumerable.Range(0, m).Select(j => Enumerable.Range(0, n).Sum(i => w[i] * x[i * m + j])).ToArray();
        Close(Enumerable.Range(0, n * m).Select(k => 2 * acc[k % m] * w[k / m]).ToArray(), dx.Select(v => (double)v).ToArray(), 1e-5);
        Close(Enumerable.Range(0, n).Select(i => Enumerable.Range(0, m).Sum(j => 2 * acc[j] * x[i * m + j])).ToArray(), dw.Select(v => (double)v).ToArray(), 1e-5);
    }

    [Theory]
    [InlineData(0.7, 5)]
    [InlineData(-1.3, 2)]
    [InlineData(0.4, 1)]
    public void APartialFillLeavesTheRestZeroAndHasTheClosedFormGradient(double x, int n)
    {
        double dx = 0;
        double value = MemoryArrayFunctions.PartialFillGradient(x, n, ref dx);
        // a[j] = x(j + 1) for j < n − 1, a[n − 1] = 0: f = Σ_{j<n−1} sin(x(j + 1)), f' = Σ (j + 1) cos(x(j + 1)).
        Assert.Equal(Enumerable.Range(1, n - 1).Sum(k => Math.Sin(x * k)), value, 13);
        Assert.Equal(Enumerable.Range(1, n - 1).Sum(k => k * Math.Cos(x * k)), dx, 12);
        Assert.Equal(Numeric(p => MemoryArrayFunctions.PartialFill(p[0], n), new[] { x })[0], dx, 6);
        MemoryArrayFunctions.PartialFillTangent(x, n, 1.5, out double tangent);
        Assert.Equal(1.5 * dx, tangent, 12);
    }

    [Theory]
    [InlineData(0.8, 4)]
    [InlineData(-0.6, 4)]
    [InlineData(1.2, 0)]
    public void AFillInsideAnIfHasEachBranchsClosedFormGradient(double x, int n)
    {
        double dx = 0;
        double value = MemoryArrayFunctions.FillInAnIfGradient(x, n, ref dx);
        // x > 0: a[j] = x²j, f = x⁵ Σj², f' = 5x⁴ Σj²; otherwise a[j] = −x, f = n x³, f' = 3n x².
        double squares = Enumerable.Range(0, n).Sum(j => (double)j * j);
        Assert.Equal(x > 0 ? Math.Pow(x, 5) * squares : n * x * x * x, value, 12);
        Assert.Equal(x > 0 ? 5 * Math.Pow(x, 4) * squares : 3 * n * x * x, dx, 12);
        Assert.Equal(Numeric(p => MemoryArrayFunctions.FillInAnIf(p[0], n), new[] { x })[0], dx, 6);
        MemoryArrayFunctions.FillInAnIfTangent(x, n, -2.0, out double tangent);
        Assert.Equal(-2.0 * dx, tangent, 12);
    }

    [Theory]
    [InlineData(0.7f, 5)]
    [InlineData(-0.6f, 4)]
    public void APartialFillAndAFillInAnIfInFloatHaveTheClosedFormGradients(float x, int n)
    {
        float dPartial = 0, dIf = 0;
        MemoryArrayFunctions.PartialFillFloatGradient(x, n, ref dPartial);
        MemoryArrayFunctions.FillInAnIfFloatGradient(x, n, ref dIf);
        Assert.Equal(Enumerable.Range(1, n - 1).Sum(k => k * Math.Cos((double)x * k)), dPartial, 4);
        double squares = Enumerable.Range(0, n).Sum(j => (double)j * j);
        Assert.Equal(x > 0 ? 5 * Math.Pow(x, 4) * squares : 3.0 * n * x * x, dIf, 3);
        Assert.Equal(Numeric(p => MemoryArrayFunctions.PartialFillFloat((float)p[0], n), new double[] { x }, 1e-2)[0], dPartial, 2);
        Assert.Equal(Numeric(p => MemoryArrayFunctions.FillInAnIfFloat((float)p[0], n), new double[] { x }, 1e-2)[0], dIf, 1);
    }

    /// <summary>a⁽⁰⁾ = x, a⁽ᵏ⁺¹⁾ = a⁽ᵏ⁾·w + 1; f = Σₖ Σⱼ sin a⁽ᵏ⁾ⱼ + a⁽³⁾₀ a⁽³⁾ₙ₋₁, with ∂a⁽ᵏ⁾ⱼ/∂xⱼ = wᵏ and ∂a⁽ᵏ⁺¹⁾/∂w = a⁽ᵏ⁾ + w ∂a⁽ᵏ⁾/∂w.</summary>
    private static (double F, double[] Dx, double Dw) OverwrittenByHand(double[] x, double w)
    {
        int n = x.Length;
        var a = (double[])x.Clone();
        var aw = new double[n];   // ∂a/∂w
        double f = 0, dw = 0;
        var dx = new double[n];
        for (int k = 0; k < 3; k++)
        {
            for (int j = 0; j < n; j++)
            {
                f += Math.Sin(a[j]);
                dx[j] += Math.Cos(a[j]) * Math.Pow(w, k);
                dw += Math.Cos(a[j]) * aw[j];
                aw[j] = a[j] + w * aw[j];
                a[j] = a[j] * w + 1;
            }
        }
        f += a[0] * a[n - 1];
        dx[0] += a[n - 1] * Math.Pow(w, 3);
        dx[n - 1] += a[0] * Math.Pow(w, 3);
        dw += aw[0] * a[n - 1] + a[0] * aw[n - 1];
        return (f, dx, dw);
    }

    [Theory]
    [InlineData(4, 0.6)]
    [InlineData(1, -1.1)]
    public void ElementsReadThenOverwrittenHaveTheHandDerivedGradientAndTangent(int n, double w)
    {
        var x = Wave(n, 0.9, 0.4);
        var (f, expectedDx, expectedDw) = OverwrittenByHand(x, w);
        var dx = new double[n];
        double dw = 0;
        double value = MemoryArrayFunctions.OverwrittenGradient(x, w, dx, ref dw);
        Assert.Equal(f, value, 12);
        Close(expectedDx, dx, 1e-12);
        Assert.Equal(expectedDw, dw, 11);
        Close(Numeric(p => MemoryArrayFunctions.Overwritten(p[..^1], p[^1]), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);

        var direction = Wave(n, 0.2, 0.9);
        MemoryArrayFunctions.OverwrittenTangent(x, w, direction, 0.7, out double tangent);
        Assert.Equal(expectedDx.Zip(direction, (g, v) => g * v).Sum() + expectedDw * 0.7, tangent, 11);
    }

    [Fact]
    public void ElementsReadThenOverwrittenInFloatHaveTheHandDerivedGradient()
    {
        var x = Wave(3, 0.9, 0.4);
        const double w = 0.6;
        var (_, expectedDx, expectedDw) = OverwrittenByHand(x, w);
        var dx = new float[3];
        float dw = 0;
        MemoryArrayFunctions.OverwrittenFloatGradient(x.Select(v => (float)v).ToArray(), (float)w, dx, ref dw);
        Close(expectedDx, dx.Select(v => (double)v).ToArray(), 1e-5);
        Assert.Equal(expectedDw, dw, 4);
    }

    [Theory]
    [InlineData(4, 0.7)]
    [InlineData(1, -0.3)]
    public void ATableCreatedInsideALoopHasTheHandDerivedGradientAndTangent(int n, double w)
    {
        var x = Wave(n, 0.8, 0.6);
        // t[j] = t[j−1]·x[j] + k from t[0] = w, carried forward with its derivatives; f = Σₖ t[n−1]².
        double f = 0, dw = 0;
        var dx = new double[n];
        for (int k = 0; k < 3; k++)
        {
            double t = w, tw = 1;
            var tx = new double[n];
            for (int j = 1; j < n; j++)
            {
                for (int i = 1; i < j; i++)
                {
                    tx[i] *= x[j];
                }
                tx[j] = t;
                tw *= x[j];
                t = t * x[j] + k;
            }
            f += t * t;
            dw += 2 * t * tw;
            for (int i = 0; i < n; i++)
            {
                dx[i] += 2 * t * tx[i];
            }
        }
        var gx = new double[n];
        double gw = 0;
        double value = MemoryArrayFunctions.CreatedInALoopGradient(x, w, gx, ref gw);
        Assert.Equal(f, value, 12);
        Close(dx, gx, 1e-12);
        Assert.Equal(dw, gw, 12);
        Close(Numeric(p => MemoryArrayFunctions.CreatedInALoop(p[..^1], p[^1]), x.Append(w).ToArray()), gx.Append(gw).ToArray(), 1e-6);
        var direction = Wave(n, 0.5, 0.1);
        MemoryArrayFunctions.CreatedInALoopTangent(x, w, direction, 0.9, out double tangent);
        Assert.Equal(dx.Zip(direction, (g, v) => g * v).Sum() + dw * 0.9, tangent, 11);
    }

    [Theory]
    [InlineData(0.6, 2.0)]
    [InlineData(-0.4, 0.5)]
    [InlineData(0.3, 100.0)]
    public void ALoopThatBreaksAfterWritingHasTheHandDerivedGradientAndTangent(double w, double limit)
    {
        var x = new[] { 0.5, 0.9, -0.7, 1.1, 0.4, 0.8 };
        int n = x.Length;
        // Forward mode by hand over p = (x…, w): a[i] = s·w + x[i], s += a[i]² until s passes the limit.
        double s = 0, a0 = 0;
        var ds = new double[n + 1];
        var da0 = new double[n + 1];
        for (int i = 0; i < n && !(s > limit); i++)
        {
            double a = s * w + x[i];
            var da = ds.Select(d => d * w).ToArray();
            da[i] += 1;
            da[n] += s;
            for (int p = 0; p <= n; p++)
            {
                ds[p] += 2 * a * da[p];
            }
            s += a * a;
            if (i == 0)
            {
                (a0, da0) = (a, da);
            }
        }
        var expected = ds.Zip(da0, (u, v) => u + v).ToArray();
        var dx = new double[n];
        double dw = 0;
        double value = MemoryArrayFunctions.UntilLimitGradient(x, w, limit, dx, ref dw);
        Assert.Equal(s + a0, value, 12);
        Close(expected, dx.Append(dw).ToArray(), 1e-12);
        Close(Numeric(p => MemoryArrayFunctions.UntilLimit(p[..^1], p[^1], limit), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);
        var direction = new[] { 0.1, -0.2, 0.3, 0.05, 0.4, -0.1 };
        MemoryArrayFunctions.UntilLimitTangent(x, w, limit, direction, 0.5, out double tangent);
        Assert.Equal(direction.Append(0.5).Zip(expected, (v, g) => v * g).Sum(), tangent, 11);
    }

    [Theory]
    [InlineData(0.8, 1.5)]
    [InlineData(1.2, 100.0)]
    [InlineData(0.5, -1.0)]
    public void AWhileLoopUpdatingInPlaceHasTheHandDerivedGradientAndTangent(double w, double limit)
    {
        var x = new[] { 0.4, -0.3, 0.9, 0.2, -0.8 };
        int n = x.Length;
        // a[i] = a[i]·w + 1 once each while s < limit; with ∂a/∂p and ∂s/∂p carried by hand over p = (x…, w).
        var a = (double[])x.Clone();
        var da = Enumerable.Range(0, n).Select(j => Enumerable.Range(0, n + 1).Select(p => p == j ? 1.0 : 0.0).ToArray()).ToArray();
        double s = 0;
        var ds = new double[n + 1];
        for (int i = 0; i < n && s < limit; i++)
        {
            double old = a[i];
            a[i] = old * w + 1;
            da[i] = da[i].Select(d => d * w).ToArray();
            da[i][n] += old;
            s += Math.Sin(a[i]);
            for (int p = 0; p <= n; p++)
            {
                ds[p] += Math.Cos(a[i]) * da[i][p];
            }
        }
        var expected = Enumerable.Range(0, n + 1).Select(p => ds[p] + da[0][p] * a[n - 1] + a[0] * da[n - 1][p]).ToArray();
        var dx = new double[n];
        double dw = 0;
        double value = MemoryArrayFunctions.ScaleUntilGradient(x, w, limit, dx, ref dw);
        Assert.Equal(s + a[0] * a[n - 1], value, 13);
        Close(expected, dx.Append(dw).ToArray(), 1e-13);
        Close(Numeric(p => MemoryArrayFunctions.ScaleUntil(p[..^1], p[^1], limit), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);
        var direction = new[] { 0.3, 0.2, -0.1, 0.5, 0.25 };
        MemoryArrayFunctions.ScaleUntilTangent(x, w, limit, direction, -0.4, out double tangent);
        Assert.Equal(direction.Append(-0.4).Zip(expected, (v, g) => v * g).Sum(), tangent, 12);
    }

    [Theory]
    [InlineData(1.4)]
    [InlineData(0.6)]
    public void AnEarlyReturnBeforeAnOverwriteHasEachPathsClosedFormGradientAndTangent(double w)
    {
        double[] x = { 0.7, -0.2, 0.9 };
        var dx = new double[3];
        double dw = 0;
        double value = MemoryArrayFunctions.EarlyReturnGradient(x, w, dx, ref dw);
        double[] expected;
        if (w > 1)
        {
            // f = (x0 w)²
            Assert.Equal(x[0] * w * x[0] * w, value, 14);
            expected = new[] { 2 * x[0] * w * w, 0, 0, 2 * x[0] * x[0] * w };
        }
        else
        {
            // L = x2 w, b = sin(L) w, f = b (1 + L)
            double l = x[2] * w, b = Math.Sin(l) * w;
            Assert.Equal(b * (1 + l), value, 14);
            expected = new[] { 0, 0, Math.Cos(l) * w * w * (1 + l) + b * w, (Math.Cos(l) * x[2] * w + Math.Sin(l)) * (1 + l) + b * x[2] };
        }
        Close(expected, dx.Append(dw).ToArray(), 1e-14);
        Close(Numeric(p => MemoryArrayFunctions.EarlyReturn(p[..^1], p[^1]), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);
        MemoryArrayFunctions.EarlyReturnTangent(x, w, new[] { 0.1, 0.2, 0.3 }, 0.4, out double tangent);
        Assert.Equal(expected.Zip(new[] { 0.1, 0.2, 0.3, 0.4 }, (g, v) => g * v).Sum(), tangent, 13);
    }

    [Fact]
    public void ForeachOverALocalArrayHasTheClosedFormGradientAndTangent()
    {
        double[] x = { 0.3, -1.1, 2.0, 0.7 };
        const double w = 1.3;
        var dx = new double[4];
        double dw = 0;
        double value = MemoryArrayFunctions.ForeachOverAnArrayGradient(x, w, dx, ref dw);
        // f = w² Σ sin² xⱼ: ∂f/∂xⱼ = 2w² sin xⱼ cos xⱼ, ∂f/∂w = 2w Σ sin² xⱼ.
        Assert.Equal(w * w * x.Sum(v => Math.Sin(v) * Math.Sin(v)), value, 13);
        Close(x.Select(v => 2 * w * w * Math.Sin(v) * Math.Cos(v)).ToArray(), dx, 1e-14);
        Assert.Equal(2 * w * x.Sum(v => Math.Sin(v) * Math.Sin(v)), dw, 13);
        Close(Numeric(p => MemoryArrayFunctions.ForeachOverAnArray(p[..^1], p[^1]), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);
        MemoryArrayFunctions.ForeachOverAnArrayTangent(x, w, new[] { 1.0, 0, 0, 0 }, 0, out double tangent);
        Assert.Equal(dx[0], tangent, 13);
    }

    [Fact]
    public void AReadInsideAnIfOfALoopThatOverwritesHasTheHandDerivedGradient()
    {
        var x = new[] { 0.9, 1.2, -0.5, 0.8, 1.1 };
        const double w = 0.7;
        int n = x.Length;
        // b[0] = x[0]·w, b[i] = x[i]·w·b[i−1]; with ∂b/∂p carried by hand over p = (x…, w).
        var b = new double[n];
        var db = new double[n][];
        b[0] = x[0] * w;
        db[0] = new double[n + 1];
        db[0][0] = w;
        db[0][n] = x[0];
        double f = 0;
        var df = new double[n + 1];
        for (int i = 1; i < n; i++)
        {
            if (x[i] > 0)
            {
                f += Math.Sin(b[i - 1]) * x[i];
                for (int p = 0; p <= n; p++)
                {
                    df[p] += Math.Cos(b[i - 1]) * db[i - 1][p] * x[i];
                }
                df[i] += Math.Sin(b[i - 1]);
            }
            b[i] = x[i] * w * b[i - 1];
            db[i] = db[i - 1].Select(d => x[i] * w * d).ToArray();
            db[i][i] += w * b[i - 1];
            db[i][n] += x[i] * b[i - 1];
        }
        f += b[n - 1];
        var expected = df.Zip(db[n - 1], (u, v) => u + v).ToArray();
        var dx = new double[n];
        double dw = 0;
        double value = MemoryArrayFunctions.ReadInAnIfGradient(x, w, dx, ref dw);
        Assert.Equal(f, value, 13);
        Close(expected, dx.Append(dw).ToArray(), 1e-13);
        Close(Numeric(p => MemoryArrayFunctions.ReadInAnIf(p[..^1], p[^1]), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);
    }

    [Fact]
    public void ATableWrittenToAnOutputHasTheClosedFormJacobianGradientAndTangent()
    {
        double[] x = { 0.5, -1.5, 2.0, 0.8 };
        const int n = 4;
        // y[i] = Π_{k ≤ i} x[k]: ∂y[i]/∂x[k] = y[i] / x[k] for k ≤ i.
        var y = new double[n];
        var jacobian = new double[n * n];
        MemoryArrayFunctions.PrefixProductsJacobian(x, y, jacobian);
        var products = Enumerable.Range(0, n).Select(i => x.Take(i + 1).Aggregate(1.0, (p, v) => p * v)).ToArray();
        Close(products, y, 1e-15);
        var expected = Enumerable.Range(0, n * n).Select(e => e % n <= e / n ? products[e / n] / x[e % n] : 0).ToArray();
        Close(expected, jacobian, 1e-14);
        Close(NumericJacobian(p =>
        {
            var output = new double[n];
            MemoryArrayFunctions.PrefixProducts(p, output);
            return output;
        }, x, n), jacobian, 1e-7);

        // The gradient is a vector-Jacobian product, the tangent a Jacobian-vector product.
        var seed = new[] { 1.0, -0.5, 0.25, 2.0 };
        var dx = new double[n];
        MemoryArrayFunctions.PrefixProductsGradient(x, y, (double[])seed.Clone(), dx);
        Close(Enumerable.Range(0, n).Select(c => Enumerable.Range(0, n).Sum(r => seed[r] * expected[r * n + c])).ToArray(), dx, 1e-14);
        var direction = new[] { 0.3, 0.1, -0.2, 0.4 };
        var dy = new double[n];
        MemoryArrayFunctions.PrefixProductsTangent(x, y, direction, dy);
        Close(Enumerable.Range(0, n).Select(r => Enumerable.Range(0, n).Sum(c => expected[r * n + c] * direction[c])).ToArray(), dy, 1e-14);
    }

    [Fact]
    public void ArraysHeldInMemoryAllocateNothingOnceWarm()
    {
        var x = Wave(6, 0.7, 0.2);
        var w = Wave(3, 0.9, 0.8);
        var dx = new double[6];
        var dw = new double[3];
        var dxp = new double[6];
        double dws = 0, dsum = 0;
        var db = new double[3];
        var jacobian = new double[36];
        var y = new double[6];
        void Call()
        {
            MemoryArrayFunctions.RecurrenceGradient(x, 0.8, dx, ref dws);
            MemoryArrayFunctions.RunningVectorGradient(x, w, 2, dxp, dw);
            MemoryArrayFunctions.PathsGradient(w, w, dw, db);
            MemoryArrayFunctions.OverwrittenGradient(x, 0.6, dx, ref dws);
            MemoryArrayFunctions.FillInAnIfGradient(0.5, 6, ref dsum);
            MemoryArrayFunctions.RecurrenceTangent(x, 0.8, dxp, 0.1, out _);
            MemoryArrayFunctions.PrefixProductsJacobian(x, y, jacobian);
            MemoryArrayFunctions.CreatedInALoopGradient(x, 0.7, dx, ref dws);
            MemoryArrayFunctions.ScaleUntilGradient(x, 0.8, 1.5, dx, ref dws);
            MemoryArrayFunctions.UntilLimitGradient(x, 0.6, 2.0, dx, ref dws);
            MemoryArrayFunctions.ReadInAnIfGradient(x, 0.7, dx, ref dws);
        }
        Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Call();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
