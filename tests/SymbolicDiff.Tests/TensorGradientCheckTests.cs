using System;
using System.Linq;
using SymbolicDiff;
using SymbolicDiff.Tensors;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>GradientCheck.CheckTensors: sampled central differences for Vec/Mat parameters.</summary>
public class TensorGradientCheckTests
{
    private static Mat<double> RandMat(Random r, int rows, int cols)
    {
        var m = new Mat<double>(rows, cols);
        for (int i = 0; i < m.Length; i++) m.Data[i] = r.NextDouble() * 2 - 1;
        return m;
    }

    private static Vec<double> RandVec(Random r, int n)
    {
        var v = new Vec<double>(n);
        for (int i = 0; i < n; i++) v.Data[i] = r.NextDouble() * 2 - 1;
        return v;
    }

    private sealed class TwoLayerCase
    {
        public TwoLayerCase(int n, int h1, int h2, int seed)
        {
            var r = new Random(seed);
            W1 = RandMat(r, h1, n); b1 = RandVec(r, h1); W2 = RandMat(r, h2, h1); b2 = RandVec(r, h2); u = RandVec(r, h2); x = RandVec(r, n);
            dW1 = new(h1, n); db1 = new(h1); dW2 = new(h2, h1); db2 = new(h2); du = new(h2); dx = new(n);
        }

        public Mat<double> W1, W2, dW1, dW2;
        public Vec<double> b1, b2, u, x, db1, db2, du, dx;
        public TensorModels.TwoLayerWorkspace Workspace = new();

        public double F() => TensorModels.TwoLayer(W1, b1, W2, b2, u, x);

        public double Gradient() => TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, Workspace);

        public CheckedTensor<double>[] Tensors() => new[]
        {
            GradientCheck.Param("W1", W1, dW1), GradientCheck.Param("b1", b1, db1), GradientCheck.Param("W2", W2, dW2),
            GradientCheck.Param("b2", b2, db2), GradientCheck.Param("u", u, du), GradientCheck.Param("x", x, dx),
        };
    }

    [Theory]
    [InlineData(17, 7, 1)]
    [InlineData(1, 17, 7)]
    [InlineData(7, 1, 17)]
    public void GeneratedGradientsPassOnASeededSample(int n, int h1, int h2)
    {
        var c = new TwoLayerCase(n, h1, h2, n + h1 + h2);
        c.dW1.Data[0] = 123;   // stale adjoints are cleared before the gradient runs
        var report = GradientCheck.CheckTensors(c.F, c.Gradient, c.Tensors(), samplesPerTensor: 5, seed: 3);
        Assert.True(report.Passed(1e-7), report.ToString());
        Assert.Equal(c.F(), report.Value, 14);
        Assert.Equal(report.Value, report.GradientValue, 12);
        // At most 5 entries per tensor, all of a smaller one, each distinct and in range.
        foreach (var (name, length) in new[] { ("W1", h1 * n), ("b1", h1), ("W2", h2 * h1), ("b2", h2), ("u", h2), ("x", n) })
        {
            var indices = report.Entries.Where(e => e.Tensor == name).Select(e => e.Index).ToArray();
            Assert.Equal(Math.Min(5, length), indices.Length);
            Assert.Equal(indices.Length, indices.Distinct().Count());
            Assert.All(indices, i => Assert.InRange(i, 0, length - 1));
        }
        // The parameters are restored.
        Assert.Equal(new TwoLayerCase(n, h1, h2, n + h1 + h2).W1.Data, c.W1.Data);
        // Matrix entries are reported by row and column.
        var w1 = report.Entries.First(e => e.Tensor == "W1");
        Assert.Equal(w1.Index, w1.Row * n + w1.Col);
        Assert.Equal($"W1[{w1.Row},{w1.Col}]", w1.Where);
    }

    [Fact]
    public void TheSampleIsSeeded()
    {
        var c = new TwoLayerCase(17, 17, 7, 1);
        int[] Indices(ulong seed) => GradientCheck.CheckTensors(c.F, c.Gradient, c.Tensors(), samplesPerTensor: 6, seed: seed)
            .Entries.Where(e => e.Tensor == "W1").Select(e => e.Index).ToArray();
        Assert.Equal(Indices(5), Indices(5));
        Assert.NotEqual(Indices(5), Indices(6));
    }

    [Fact]
    public void FloatGradientsPassWithAFloatTolerance()
    {
        var r = new Random(12);
        var W = new Mat<float>(7, 17); var b = new Vec<float>(7); var u = new Vec<float>(7); var x = new Vec<float>(17);
        foreach (var data in new[] { W.Data, b.Data, u.Data, x.Data })
            for (int i = 0; i < data.Length; i++) data[i] = (float)(r.NextDouble() * 2 - 1);
        var dW = new Mat<float>(7, 17); var db = new Vec<float>(7); var du = new Vec<float>(7); var dx = new Vec<float>(17);
        var ws = new TensorModels.TwoLayerFWorkspace();
        var report = GradientCheck.CheckTensors(
            () => TensorModels.TwoLayerF(W, b, u, x),
            () => TensorModels.TwoLayerFGradient(W, b, u, x, dW, db, du, dx, ws),
            new[] { GradientCheck.Param("W", W, dW), GradientCheck.Param("b", b, db), GradientCheck.Param("u", u, du), GradientCheck.Param("x", x, dx) },
            samplesPerTensor: 8, seed: 2);
        Assert.True(report.Passed(5e-3), report.ToString());
        Assert.Equal(8 + 7 + 7 + 8, report.Entries.Count);
    }

    /// <summary>A classic backprop bug: δ = u, forgetting the σ′(z) factor of s = uᵀσ(Wx + b).</summary>
    private static double BuggyGradient(Mat<double> W, Vec<double> b, Vec<double> u, Vec<double> x, Mat<double> dW, Vec<double> db, Vec<double> du)
    {
        double s = 0;
        for (int i = 0; i < W.Rows; i++)
        {
            double z = b[i];
            for (int j = 0; j < W.Cols; j++) z += W[i, j] * x[j];
            double a = 1 / (1 + Math.Exp(-z));
            s += u[i] * a;
            du[i] += a;
            double delta = u[i];                      // should be u[i] * a * (1 - a)
            db[i] += delta;
            for (int j = 0; j < W.Cols; j++) dW.Data[i * W.Cols + j] += delta * x[j];
        }
        return s;
    }

    private static double OneLayer(Mat<double> W, Vec<double> b, Vec<double> u, Vec<double> x) =>
        Tensor.Dot(u, Tensor.Sigmoid(Tensor.Add(Tensor.MatVec(W, x), b)));

    [Fact]
    public void AWrongGradientIsCaughtAndNamed()
    {
        var r = new Random(21);
        var W = RandMat(r, 7, 17); var b = RandVec(r, 7); var u = RandVec(r, 7); var x = RandVec(r, 17);
        var dW = new Mat<double>(7, 17); var db = new Vec<double>(7); var du = new Vec<double>(7);
        var report = GradientCheck.CheckTensors(
            () => OneLayer(W, b, u, x),
            () => BuggyGradient(W, b, u, x, dW, db, du),
            new[] { GradientCheck.Param("W", W, dW), GradientCheck.Param("b", b, db), GradientCheck.Param("u", u, du) },
            samplesPerTensor: 4, seed: 9);
        Assert.False(report.Passed(1e-4), report.ToString());
        Assert.True(report.MaxError > 0.05, report.ToString());
        Assert.Contains(report.Worst!.Tensor, new[] { "W", "b" });
        Assert.All(report.Entries.Where(e => e.Tensor == "u"), e => Assert.True(e.Error < 1e-7, e.ToString()));   // du is right
        Assert.Contains("max error", report.ToString());
        Assert.Contains(report.Worst.Where, report.ToString());
    }

    [Fact]
    public void ASingleWrongEntryIsFoundWhenEveryEntryIsChecked()
    {
        var c = new TwoLayerCase(3, 4, 2, 8);
        var report = GradientCheck.CheckTensors(c.F, () =>
        {
            double value = c.Gradient();
            c.dW2.Data[1 * 4 + 2] += 0.01;   // one wrong entry: W2[1,2]
            return value;
        }, c.Tensors(), samplesPerTensor: 100);
        Assert.False(report.Passed(1e-4));
        Assert.Equal("W2[1,2]", report.Worst!.Where);
        Assert.Equal(12 + 4 + 8 + 2 + 2 + 3, report.Entries.Count);
        Assert.Single(report.Entries, e => e.Error > 1e-6);
    }

    [Fact]
    public void AWrongValueFailsTheCheck()
    {
        var c = new TwoLayerCase(3, 4, 2, 10);
        var report = GradientCheck.CheckTensors(c.F, () => c.Gradient() + 0.5, c.Tensors(), samplesPerTensor: 2);
        Assert.True(report.MaxError < 1e-7);
        Assert.False(report.Passed(1e-4));
        Assert.Equal(0.5, report.GradientValue - report.Value, 12);
    }

    [Fact]
    public void MismatchedShapesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => GradientCheck.Param("W", new Mat<double>(2, 3), new Mat<double>(3, 2)));
        Assert.Throws<ArgumentException>(() => GradientCheck.Param("b", new Vec<double>(2), new Vec<double>(3)));
    }
}
