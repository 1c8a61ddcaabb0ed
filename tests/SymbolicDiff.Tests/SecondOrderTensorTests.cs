using System;
using System.Linq;
using SymbolicDiff.Tensors;
using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>
/// Hessian-vector products of tensor methods (Pearlmutter's trick): H·v against central differences of the generated
/// gradient along v, the symmetry uᵀ(Hv) = vᵀ(Hu), the value returned, float against double, 0 bytes when warm.
/// A point is the differentiable parameters' elements, one array per parameter (a matrix row-major, a scalar alone).
/// </summary>
public class SecondOrderTensorTests
{
    public sealed record TensorCase(
        string Name,
        Func<double[][], double> Function,
        Func<double[][], double[][]> Gradient,
        Func<double[][], double[][], (double Value, double[][] Product)> Product,
        double[][] Point)
    {
        public override string ToString() => Name;
    }

    private static Mat<double> M(double[] data, int rows) => new(rows, data.Length / rows, (double[])data.Clone());

    private static Vec<double> V(double[] data) => new((double[])data.Clone());

    private static double[] Fill(int count, int seed) { var random = new Random(seed); return Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5).ToArray(); }

    private static readonly double[] s_x = Fill(4, 7);

    private static readonly SecondOrderTensors.SigmoidLayerWorkspace s_sigmoid = new();
    private static readonly SecondOrderTensors.SigmoidLayerHessianVectorProductWorkspace s_sigmoidProduct = new();
    private static readonly SecondOrderTensors.WindowWorkspace s_window = new();
    private static readonly SecondOrderTensors.WindowHessianVectorProductWorkspace s_windowProduct = new();
    private static readonly SecondOrderTensors.MixedWorkspace s_mixed = new();
    private static readonly SecondOrderTensors.MixedHessianVectorProductWorkspace s_mixedProduct = new();

    // SigmoidLayer(W 3×4, b 3, u 3; x fixed)
    private static readonly TensorCase s_sigmoidLayer = new("SigmoidLayer",
        p => SecondOrderTensors.SigmoidLayer(M(p[0], 3), V(p[1]), V(p[2]), V(s_x)),
        p =>
        {
            var (dW, db, du) = (M(new double[12], 3), V(new double[3]), V(new double[3]));
            SecondOrderTensors.SigmoidLayerGradient(M(p[0], 3), V(p[1]), V(p[2]), V(s_x), dW, db, du, s_sigmoid);
            return new[] { dW.Data, db.Data, du.Data };
        },
        (p, v) =>
        {
            var (hW, hb, hu) = (M(new double[12], 3), V(new double[3]), V(new double[3]));
            double value = SecondOrderTensors.SigmoidLayerHessianVectorProduct(M(p[0], 3), V(p[1]), V(p[2]), V(s_x), M(v[0], 3), V(v[1]), V(v[2]), hW, hb, hu, s_sigmoidProduct);
            return (value, new[] { hW.Data, hb.Data, hu.Data });
        },
        new[] { Fill(12, 1), Fill(3, 2), Fill(3, 3) });

    // Window(E 6×2, W 4×6, b 4, U 3×4; λ = 0.1, words 1, 4, 1, label 2)
    private static readonly TensorCase s_windowCase = new("Window",
        p => SecondOrderTensors.Window(M(p[0], 6), M(p[1], 4), V(p[2]), M(p[3], 3), 0.1, 1, 4, 1, 2),
        p =>
        {
            var (dE, dW, db, dU) = (M(new double[12], 6), M(new double[24], 4), V(new double[4]), M(new double[12], 3));
            SecondOrderTensors.WindowGradient(M(p[0], 6), M(p[1], 4), V(p[2]), M(p[3], 3), 0.1, 1, 4, 1, 2, dE, dW, db, dU, s_window);
            return new[] { dE.Data, dW.Data, db.Data, dU.Data };
        },
        (p, v) =>
        {
            var (hE, hW, hb, hU) = (M(new double[12], 6), M(new double[24], 4), V(new double[4]), M(new double[12], 3));
            double value = SecondOrderTensors.WindowHessianVectorProduct(M(p[0], 6), M(p[1], 4), V(p[2]), M(p[3], 3), 0.1, 1, 4, 1, 2,
                M(v[0], 6), M(v[1], 4), V(v[2]), M(v[3], 3), hE, hW, hb, hU, s_windowProduct);
            return (value, new[] { hE.Data, hW.Data, hb.Data, hU.Data });
        },
        new[] { Fill(12, 4), Fill(24, 5), Fill(4, 6), Fill(12, 8) });

    // Mixed(W 3×3, a 3, c 3, t; i = 1, label 1)
    private static readonly TensorCase s_mixedCase = new("Mixed",
        p => SecondOrderTensors.Mixed(M(p[0], 3), V(p[1]), V(p[2]), p[3][0], 1, 1),
        p =>
        {
            var (dW, da, dc) = (M(new double[9], 3), V(new double[3]), V(new double[3]));
            double dt = 0;
            SecondOrderTensors.MixedGradient(M(p[0], 3), V(p[1]), V(p[2]), p[3][0], 1, 1, dW, da, dc, ref dt, s_mixed);
            return new[] { dW.Data, da.Data, dc.Data, new[] { dt } };
        },
        (p, v) =>
        {
            var (hW, ha, hc) = (M(new double[9], 3), V(new double[3]), V(new double[3]));
            double ht = 0;
            double value = SecondOrderTensors.MixedHessianVectorProduct(M(p[0], 3), V(p[1]), V(p[2]), p[3][0], 1, 1,
                M(v[0], 3), V(v[1]), V(v[2]), v[3][0], hW, ha, hc, ref ht, s_mixedProduct);
            return (value, new[] { hW.Data, ha.Data, hc.Data, new[] { ht } });
        },
        // W·a has entries of both signs (ReLU passes some, cuts others), away from 0.
        new[] { new[] { 1.2, -0.7, 0.4, -0.9, 0.3, 1.1, 0.6, 0.8, -0.5 }, new[] { 0.9, -0.4, 0.7 }, new[] { 0.3, 0.5, -0.6 }, new[] { 0.8 } });

    private static readonly SecondOrderTensors.ElementwiseWorkspace s_elementwise = new();
    private static readonly SecondOrderTensors.ElementwiseHessianVectorProductWorkspace s_elementwiseProduct = new();

    // Elementwise(W 3×3, a 3): z = W·a has entries of both signs, inside and outside HardTanh's [−1, 1], away from kinks.
    private static readonly TensorCase s_elementwiseCase = new("Elementwise",
        p => SecondOrderTensors.Elementwise(M(p[0], 3), V(p[1])),
        p =>
        {
            var (dW, da) = (M(new double[9], 3), V(new double[3]));
            SecondOrderTensors.ElementwiseGradient(M(p[0], 3), V(p[1]), dW, da, s_elementwise);
            return new[] { dW.Data, da.Data };
        },
        (p, v) =>
        {
            var (hW, ha) = (M(new double[9], 3), V(new double[3]));
            double value = SecondOrderTensors.ElementwiseHessianVectorProduct(M(p[0], 3), V(p[1]), M(v[0], 3), V(v[1]), hW, ha, s_elementwiseProduct);
            return (value, new[] { hW.Data, ha.Data });
        },
        new[] { new[] { 1.2, -0.7, 0.4, -0.9, 0.3, 1.1, 0.6, 0.8, -0.5 }, new[] { 0.9, -0.4, 0.7 } });

    private static readonly double[] s_batch = Fill(12, 21);   // 4 examples × 3 features
    private static readonly int[] s_labels = { 0, 2, 1, 2 };
    private static readonly int[] s_windows = { 1, 3, 0, 2, 4, 4, 2, 1 };   // 4 windows of 2 words
    private static readonly SecondOrderTensors.BatchMlpWorkspace s_batchMlp = new();
    private static readonly SecondOrderTensors.BatchMlpHessianVectorProductWorkspace s_batchMlpProduct = new();
    private static readonly SecondOrderTensors.BatchWindowsWorkspace s_batchWindows = new();
    private static readonly SecondOrderTensors.BatchWindowsHessianVectorProductWorkspace s_batchWindowsProduct = new();

    // BatchMlp(W1 5×3, b1 5, W2 3×5, b2 3; X 4×3, labels)
    private static readonly TensorCase s_batchMlpCase = new("BatchMlp",
        p => SecondOrderTensors.BatchMlp(M(p[0], 5), V(p[1]), M(p[2], 3), V(p[3]), M(s_batch, 4), s_labels),
        p =>
        {
            var (dW1, db1, dW2, db2) = (M(new double[15], 5), V(new double[5]), M(new double[15], 3), V(new double[3]));
            SecondOrderTensors.BatchMlpGradient(M(p[0], 5), V(p[1]), M(p[2], 3), V(p[3]), M(s_batch, 4), s_labels, dW1, db1, dW2, db2, s_batchMlp);
            return new[] { dW1.Data, db1.Data, dW2.Data, db2.Data };
        },
        (p, v) =>
        {
            var (hW1, hb1, hW2, hb2) = (M(new double[15], 5), V(new double[5]), M(new double[15], 3), V(new double[3]));
            double value = SecondOrderTensors.BatchMlpHessianVectorProduct(M(p[0], 5), V(p[1]), M(p[2], 3), V(p[3]), M(s_batch, 4), s_labels,
                M(v[0], 5), V(v[1]), M(v[2], 3), V(v[3]), hW1, hb1, hW2, hb2, s_batchMlpProduct);
            return (value, new[] { hW1.Data, hb1.Data, hW2.Data, hb2.Data });
        },
        new[] { Fill(15, 22), Fill(5, 23), Fill(15, 24), Fill(3, 25) });

    // BatchWindows(E 5×2, W 3×4, U 3×3; windows of 2, labels)
    private static readonly TensorCase s_batchWindowsCase = new("BatchWindows",
        p => SecondOrderTensors.BatchWindows(M(p[0], 5), M(p[1], 3), M(p[2], 3), s_windows, s_labels),
        p =>
        {
            var (dE, dW, dU) = (M(new double[10], 5), M(new double[12], 3), M(new double[9], 3));
            SecondOrderTensors.BatchWindowsGradient(M(p[0], 5), M(p[1], 3), M(p[2], 3), s_windows, s_labels, dE, dW, dU, s_batchWindows);
            return new[] { dE.Data, dW.Data, dU.Data };
        },
        (p, v) =>
        {
            var (hE, hW, hU) = (M(new double[10], 5), M(new double[12], 3), M(new double[9], 3));
            double value = SecondOrderTensors.BatchWindowsHessianVectorProduct(M(p[0], 5), M(p[1], 3), M(p[2], 3), s_windows, s_labels,
                M(v[0], 5), M(v[1], 3), M(v[2], 3), hE, hW, hU, s_batchWindowsProduct);
            return (value, new[] { hE.Data, hW.Data, hU.Data });
        },
        new[] { Fill(10, 26), Fill(12, 27), Fill(9, 28) });

    private static readonly double[] s_c = { 0.4, -0.2 };
    private static readonly double[] s_x23 = { 0.3, -0.6, 0.2, 0.9, 0.1, -0.4 };   // 2 rows × 3
    private static readonly SecondOrderTensors.RemainingWorkspace s_remaining = new();
    private static readonly SecondOrderTensors.RemainingHessianVectorProductWorkspace s_remainingProduct = new();

    // Remaining(a 3, b 3; c, X fixed): a·b = 0.3 and 1 − a·b + b·b > 0 (the hinge is on its linear side).
    private static readonly TensorCase s_remainingCase = new("Remaining",
        p => SecondOrderTensors.Remaining(V(p[0]), V(p[1]), V(s_c), M(s_x23, 2)),
        p =>
        {
            var (da, db) = (V(new double[3]), V(new double[3]));
            SecondOrderTensors.RemainingGradient(V(p[0]), V(p[1]), V(s_c), M(s_x23, 2), da, db, s_remaining);
            return new[] { da.Data, db.Data };
        },
        (p, v) =>
        {
            var (ha, hb) = (V(new double[3]), V(new double[3]));
            double value = SecondOrderTensors.RemainingHessianVectorProduct(V(p[0]), V(p[1]), V(s_c), M(s_x23, 2), V(v[0]), V(v[1]), ha, hb, s_remainingProduct);
            return (value, new[] { ha.Data, hb.Data });
        },
        new[] { new[] { 0.5, -0.3, 0.8 }, new[] { 0.6, 0.4, -0.2 } });

    private static readonly SecondOrderTensors.BatchRowwiseWorkspace s_rowwise = new();
    private static readonly SecondOrderTensors.BatchRowwiseHessianVectorProductWorkspace s_rowwiseProduct = new();

    // BatchRowwise(W 3×3; X 4×3)
    private static readonly TensorCase s_rowwiseCase = new("BatchRowwise",
        p => SecondOrderTensors.BatchRowwise(M(p[0], 3), M(s_batch, 4)),
        p =>
        {
            var dW = M(new double[9], 3);
            SecondOrderTensors.BatchRowwiseGradient(M(p[0], 3), M(s_batch, 4), dW, s_rowwise);
            return new[] { dW.Data };
        },
        (p, v) =>
        {
            var hW = M(new double[9], 3);
            double value = SecondOrderTensors.BatchRowwiseHessianVectorProduct(M(p[0], 3), M(s_batch, 4), M(v[0], 3), hW, s_rowwiseProduct);
            return (value, new[] { hW.Data });
        },
        new[] { Fill(9, 29) });

    public static TheoryData<TensorCase> Cases() => new() { s_sigmoidLayer, s_windowCase, s_mixedCase, s_elementwiseCase, s_batchMlpCase, s_batchWindowsCase, s_remainingCase, s_rowwiseCase };

    private static double[][] Step(double[][] p, double[][] v, double h) => p.Select((a, i) => a.Select((x, j) => x + h * v[i][j]).ToArray()).ToArray();

    private static double Dot(double[][] a, double[][] b) => a.Zip(b, (x, y) => x.Zip(y, (s, t) => s * t).Sum()).Sum();

    private static double[][] Direction(double[][] p, int seed) => p.Select((a, i) => Fill(a.Length, seed * 31 + i)).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProductMatchesCentralDifferencesOfTheGradient(TensorCase c)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var v = Direction(c.Point, seed);
            var (value, hv) = c.Product(c.Point, v);
            Assert.Equal(c.Function(c.Point), value, 12);
            const double h = 1e-5;
            var plus = c.Gradient(Step(c.Point, v, h));
            var minus = c.Gradient(Step(c.Point, v, -h));
            for (int i = 0; i < hv.Length; i++)
            {
                for (int j = 0; j < hv[i].Length; j++)
                {
                    double numeric = (plus[i][j] - minus[i][j]) / (2 * h);
                    Assert.True(Math.Abs(hv[i][j] - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                        $"{c.Name}: (H·v)[{i}][{j}] = {hv[i][j]}, central differences of the gradient {numeric}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProductIsSymmetric(TensorCase c)
    {
        var u = Direction(c.Point, 5);
        var v = Direction(c.Point, 6);
        double uHv = Dot(u, c.Product(c.Point, v).Product), vHu = Dot(v, c.Product(c.Point, u).Product);
        Assert.True(Math.Abs(uHv - vHu) <= 1e-12 * Math.Max(1, Math.Abs(uHv)), $"{c.Name}: uᵀHv = {uHv}, vᵀHu = {vHu}");
    }

    /// <summary>(uᵀσ(Wx + b))² is quadratic in u: its u-block of the Hessian is 2hhᵀ, so H·(0, 0, v_u) has u-part 2h(h·v_u).</summary>
    [Fact]
    public void SigmoidLayerProductIsTheClosedFormInU()
    {
        var p = s_sigmoidLayer.Point;
        var h = Enumerable.Range(0, 3).Select(r => 1 / (1 + Math.Exp(-(Enumerable.Range(0, 4).Sum(k => p[0][r * 4 + k] * s_x[k]) + p[1][r])))).ToArray();
        double[] vu = { 0.3, -1.2, 0.5 };
        var (_, hv) = s_sigmoidLayer.Product(p, new[] { new double[12], new double[3], vu });
        double hDotV = h.Zip(vu, (a, b) => a * b).Sum();
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(2 * h[r] * hDotV, hv[2][r], 12);
        }
    }

    [Fact]
    public void FloatProductMatchesDouble()
    {
        var p = s_sigmoidLayer.Point;
        var v = Direction(p, 9);
        var (value, hv) = s_sigmoidLayer.Product(p, v);
        static Mat<float> MF(double[] d, int rows) => new(rows, d.Length / rows, d.Select(x => (float)x).ToArray());
        static Vec<float> VF(double[] d) => new(d.Select(x => (float)x).ToArray());
        var (hW, hb, hu) = (new Mat<float>(3, 4), new Vec<float>(3), new Vec<float>(3));
        float valueF = SecondOrderTensors.SigmoidLayerFHessianVectorProduct(MF(p[0], 3), VF(p[1]), VF(p[2]), VF(s_x), MF(v[0], 3), VF(v[1]), VF(v[2]), hW, hb, hu,
            new SecondOrderTensors.SigmoidLayerFHessianVectorProductWorkspace());
        Assert.Equal(value, valueF, 5);
        var actual = hW.Data.Concat(hb.Data).Concat(hu.Data).ToArray();
        var expected = hv.SelectMany(a => a).ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] float {actual[i]}, double {expected[i]}");
        }
    }

    [Fact]
    public void DirectionOfTheWrongShapeIsRejected()
    {
        var p = s_sigmoidLayer.Point;
        var ex = Assert.Throws<ArgumentException>(() => SecondOrderTensors.SigmoidLayerHessianVectorProduct(M(p[0], 3), V(p[1]), V(p[2]), V(s_x),
            M(new double[8], 2), V(new double[3]), V(new double[3]), M(new double[12], 3), V(new double[3]), V(new double[3]), s_sigmoidProduct));
        Assert.Contains("the direction vW must have the shape of W", ex.Message);
    }

    [Fact]
    public void WarmProductAllocatesNothing()
    {
        var p = s_windowCase.Point;
        var v = Direction(p, 4);
        var args = (E: M(p[0], 6), W: M(p[1], 4), b: V(p[2]), U: M(p[3], 3), vE: M(v[0], 6), vW: M(v[1], 4), vb: V(v[2]), vU: M(v[3], 3));
        var (hE, hW, hb, hU) = (M(new double[12], 6), M(new double[24], 4), V(new double[4]), M(new double[12], 3));
        var workspace = new SecondOrderTensors.WindowHessianVectorProductWorkspace();
        void Run() => SecondOrderTensors.WindowHessianVectorProduct(args.E, args.W, args.b, args.U, 0.1, 1, 4, 1, 2, args.vE, args.vW, args.vb, args.vU, hE, hW, hb, hU, workspace);
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
