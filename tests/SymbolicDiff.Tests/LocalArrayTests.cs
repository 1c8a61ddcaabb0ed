using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Local arrays and spans (scratch buffers, buffers refilled per iteration, short arrays updated in place):
/// generated gradients, tangents and Jacobians against closed forms and central finite differences.
/// </summary>
public class LocalArrayTests
{
    [Theory]
    [InlineData(0.7, 5)]
    [InlineData(-1.2, 1)]
    [InlineData(0.3, 0)]
    public void AScratchBufferFilledThenReadHasTheClosedFormGradientAndTangent(double w, int n)
    {
        var x = Enumerable.Range(0, n).Select(i => Math.Cos(i + 0.5) * 1.5).ToArray();
        var dx = new double[n];
        double dw = 0;
        double value = LocalArrayFunctions.ScratchGradient(x, w, dx, ref dw);

        // f = Σ yⱼ² with yⱼ = w xⱼ + sin xⱼ: ∂f/∂xⱼ = 2yⱼ(w + cos xⱼ), ∂f/∂w = Σ 2yⱼxⱼ.
        var y = x.Select(xj => w * xj + Math.Sin(xj)).ToArray();
        Assert.Equal(y.Sum(v => v * v), value, 12);
        Close(y.Select((yj, j) => 2 * yj * (w + Math.Cos(x[j]))).ToArray(), dx, 1e-13);
        Assert.Equal(y.Select((yj, j) => 2 * yj * x[j]).Sum(), dw, 12);
        Close(Numeric(p => LocalArrayFunctions.Scratch(p[..^1], p[^1]), x.Append(w).ToArray()), dx.Append(dw).ToArray(), 1e-6);

        var direction = Enumerable.Range(0, n).Select(i => 0.2 + 0.1 * i).ToArray();
        LocalArrayFunctions.ScratchTangent(x, w, direction, 0.4, out double tangent);
        Assert.Equal(dx.Zip(direction, (g, v) => g * v).Sum() + dw * 0.4, tangent, 12);
    }

    [Fact]
    public void AScratchBufferInFloatHasTheClosedFormGradient()
    {
        var x = new[] { 0.5f, -1.25f, 2f };
        const float w = 0.75f;
        var dx = new float[3];
        float dw = 0;
        LocalArrayFunctions.ScratchFloatGradient(x, w, dx, ref dw);
        for (int j = 0; j < 3; j++)
        {
            float yj = w * x[j] + MathF.Sin(x[j]);
            Assert.Equal(2 * yj * (w + MathF.Cos(x[j])), dx[j], 5);
        }
        Assert.Equal(x.Select(xj => 2 * (w * xj + MathF.Sin(xj)) * xj).Sum(), dw, 4);
        // Central differences in float, step 1e-2 (relative error ≈ h²).
        var numeric = Numeric(p => LocalArrayFunctions.ScratchFloat(p[..^1].Select(v => (float)v).ToArray(), (float)p[^1]),
            x.Select(v => (double)v).Append(w).ToArray(), 1e-2);
        Close(numeric, dx.Select(v => (double)v).Append(dw).ToArray(), 2e-3);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 2)]
    [InlineData(3, 1)]
    public void BuffersRefilledForEveryCentreHaveTheClosedFormGradient(int d, int k)
    {
        var x = Enumerable.Range(0, d).Select(i => Math.Sin(i + 1.0)).ToArray();
        var m = Enumerable.Range(0, d * k).Select(i => 0.3 * Math.Cos(2.0 * i)).ToArray();
        var l = Enumerable.Range(0, d * d).Select(i => i % (d + 1) == 0 ? 1.0 + 0.1 * i : 0.2 * Math.Sin(i)).ToArray();
        var dx = new double[d];
        var dm = new double[d * k];
        var dl = new double[d * d];
        double value = LocalArrayFunctions.RefilledGradient(x, m, l, dx, dm, dl);

        // f = Σ_k exp(−½‖L c_k‖²), c_k = x − m_k: with a = L c and g_k = exp(…), ∂f/∂c = −g Lᵀa, ∂f/∂L[r][col] = −g a_r c_col (col ≤ r).
        double f = 0;
        var ex = new double[d];
        var em = new double[d * k];
        var el = new double[d * d];
        for (int centre = 0; centre < k; centre++)
        {
            var c = Enumerable.Range(0, d).Select(j => x[j] - m[centre * d + j]).ToArray();
            var a = Enumerable.Range(0, d).Select(r => Enumerable.Range(0, r + 1).Sum(col => l[r * d + col] * c[col])).ToArray();
            double g = Math.Exp(-0.5 * a.Sum(v => v * v));
            f += g;
            for (int col = 0; col < d; col++)
            {
                double dc = -g * Enumerable.Range(col, d - col).Sum(r => l[r * d + col] * a[r]);
                ex[col] += dc;
                em[centre * d + col] -= dc;
            }
            for (int r = 0; r < d; r++)
            {
                for (int col = 0; col <= r; col++)
                {
                    el[r * d + col] += -g * a[r] * c[col];
                }
            }
        }
        Assert.Equal(f, value, 12);
        Close(ex, dx, 1e-12);
        Close(em, dm, 1e-12);
        Close(el, dl, 1e-12);
        var p = x.Concat(m).Concat(l).ToArray();
        Close(Numeric(q => LocalArrayFunctions.Refilled(q[..d], q[d..(d + d * k)], q[(d + d * k)..]), p), dx.Concat(dm).Concat(dl).ToArray(), 1e-6);
    }

    [Theory]
    [InlineData(0.4, 5)]
    [InlineData(-0.9, 1)]
    [InlineData(1.1, 0)]
    public void AStackallocVectorRotatedInPlaceHasTheClosedFormGradientAndTangent(double theta, int n)
    {
        const double a = 1.3, b = -0.7;
        double da = 0, db = 0, dtheta = 0;
        double value = LocalArrayFunctions.RotateGradient(a, b, theta, n, ref da, ref db, ref dtheta);

        // h = R(nθ)(a, b): h₀ = a cos nθ − b sin nθ, h₁ = a sin nθ + b cos nθ, f = h₀ + 2h₁.
        double cn = Math.Cos(n * theta), sn = Math.Sin(n * theta);
        Assert.Equal(a * cn - b * sn + 2 * (a * sn + b * cn), value, 12);
        Assert.Equal(cn + 2 * sn, da, 12);
        Assert.Equal(-sn + 2 * cn, db, 12);
        Assert.Equal(n * (-a * sn - b * cn + 2 * (a * cn - b * sn)), dtheta, 11);
        Close(Numeric(p => LocalArrayFunctions.Rotate(p[0], p[1], p[2], n), new[] { a, b, theta }), new[] { da, db, dtheta }, 1e-6);

        LocalArrayFunctions.RotateTangent(a, b, theta, n, 0.3, -0.2, 0.5, out double tangent);
        Assert.Equal(0.3 * da - 0.2 * db + 0.5 * dtheta, tangent, 11);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(2)]
    public void AListedArrayReadAndASpanUpdatedAtAComputedIndexHaveTheClosedFormGradient(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => 0.5 + Math.Sin(3.0 * i)).ToArray();
        const double a = 0.8, b = -1.4;
        var dx = new double[n];
        double da = 0, db = 0;
        double value = LocalArrayFunctions.CyclicGradient(x, a, b, dx, ref da, ref db);

        // w = (a, b, ab); accᵣ = Σ_{i%3=r} xᵢ²; f = Σ w_{i%3} xᵢ + acc₀acc₁ + acc₂.
        var w = new[] { a, b, a * b };
        var acc = new double[3];
        for (int i = 0; i < n; i++) acc[i % 3] += x[i] * x[i];
        Assert.Equal(x.Select((xi, i) => w[i % 3] * xi).Sum() + acc[0] * acc[1] + acc[2], value, 12);
        var dacc = new[] { acc[1], acc[0], 1.0 };
        Close(x.Select((xi, i) => w[i % 3] + dacc[i % 3] * 2 * xi).ToArray(), dx, 1e-13);
        double s0 = x.Where((_, i) => i % 3 == 0).Sum(), s1 = x.Where((_, i) => i % 3 == 1).Sum(), s2 = x.Where((_, i) => i % 3 == 2).Sum();
        Assert.Equal(s0 + b * s2, da, 12);
        Assert.Equal(s1 + a * s2, db, 12);
        Close(Numeric(p => LocalArrayFunctions.Cyclic(p[..n], p[n], p[n + 1]), x.Append(a).Append(b).ToArray()), dx.Append(da).Append(db).ToArray(), 1e-6);
    }

    [Fact]
    public void SoftmaxThroughABufferHasTheClosedFormJacobianInEveryMode()
    {
        var x = new[] { 0.3, -1.2, 2.0, 0.5 };
        double sum = x.Sum(Math.Exp);
        var y = x.Select(v => Math.Exp(v) / sum).ToArray();
        // ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)
        var expected = new double[16];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) expected[i * 4 + j] = y[i] * ((i == j ? 1 : 0) - y[j]);
        var jacobian = new double[16];
        var output = new double[4];
        LocalArrayFunctions.SoftmaxJacobian(x, output, jacobian);
        Close(y, output, 1e-15);
        Close(expected, jacobian, 1e-14);
        var dy = new[] { 1.0, -2.0, 0.5, 3.0 };
        var dx = new double[4];
        var pulled = Enumerable.Range(0, 4).Select(j => Enumerable.Range(0, 4).Sum(i => dy[i] * expected[i * 4 + j])).ToArray();
        LocalArrayFunctions.SoftmaxGradient(x, new double[4], dy, dx);   // consumes dy
        Close(pulled, dx, 1e-14);
        var v = new[] { 0.1, 0.2, -0.3, 0.4 };
        var tangent = new double[4];
        LocalArrayFunctions.SoftmaxTangent(x, new double[4], v, tangent);
        Close(Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 4).Sum(j => expected[i * 4 + j] * v[j])).ToArray(), tangent, 1e-14);
        for (int i = 0; i < 4; i++)
        {
            var plus = new double[4];
            var minus = new double[4];
            for (int j = 0; j < 4; j++)
            {
                var xp = (double[])x.Clone(); xp[j] += 1e-6;
                var xm = (double[])x.Clone(); xm[j] -= 1e-6;
                LocalArrayFunctions.Softmax(xp, plus);
                LocalArrayFunctions.Softmax(xm, minus);
                Assert.Equal(expected[i * 4 + j], (plus[i] - minus[i]) / 2e-6, 8);
            }
        }
    }

    [Fact]
    public void LocalArrayGradientsAllocateNothingOnceWarm()
    {
        var x = new[] { 0.5, -1.0, 2.0, 0.25, 1.5 };
        var m = new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };
        var l = Enumerable.Range(0, 25).Select(i => 0.1 * i).ToArray();
        var dx = new double[5];
        var dm = new double[10];
        var dl = new double[25];
        var y = new double[5];
        var jacobian = new double[25];
        void Run()
        {
            double d1 = 0, d2 = 0, d3 = 0;
            LocalArrayFunctions.ScratchGradient(x, 0.5, dx, ref d1);
            LocalArrayFunctions.RefilledGradient(x, m, l, dx, dm, dl);
            LocalArrayFunctions.RotateGradient(1, 2, 0.3, 50, ref d1, ref d2, ref d3);
            LocalArrayFunctions.CyclicGradient(x, 0.5, 0.7, dx, ref d1, ref d2);
            LocalArrayFunctions.SoftmaxJacobian(x, y, jacobian);
        }
        Run();
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Run();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(-0.6)]
    public void ReadsSeeTheVariablesAsTheFillSawThem(double x)
    {
        var v = new[] { 0.5, -1.5, 2.0, 0.25 };
        var dv = new double[4];
        double dx = 0;
        double value = LocalArrayFunctions.CapturedAtFillGradient(x, v, ref dx, dv);
        // f = x Σ j v_j + 2x + (x > 0 ? x² : −x)
        double sjv = v.Select((vj, j) => j * vj).Sum();
        Assert.Equal(x * sjv + 2 * x + (x > 0 ? x * x : -x), value, 13);
        Assert.Equal(sjv + 2 + (x > 0 ? 2 * x : -1), dx, 13);
        Close(v.Select((_, j) => x * j).ToArray(), dv, 1e-15);
        Close(Numeric(p => LocalArrayFunctions.CapturedAtFill(p[0], p[1..]), v.Prepend(x).ToArray()), dv.Prepend(dx).ToArray(), 1e-6);
    }
}
