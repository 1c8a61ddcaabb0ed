using System;
using SymbolicDiff;
using SymbolicDiff.Tensors;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class TensorModels
{
    /// <summary>The lectures' two-layer net: s = uᵀ f(W2 f(W1 x + b1) + b2) with f = sigmoid.</summary>
    [Differentiable]
    public static double TwoLayer(Mat<double> W1, Vec<double> b1, Mat<double> W2, Vec<double> b2, Vec<double> u, Vec<double> x)
    {
        var z1 = Tensor.Add(Tensor.MatVec(W1, x), b1);
        var h1 = Tensor.Sigmoid(z1);
        var z2 = Tensor.Add(Tensor.MatVec(W2, h1), b2);
        var h2 = Tensor.Sigmoid(z2);
        return Tensor.Dot(u, h2);
    }

    /// <summary>A window classifier: five word vectors from E, concatenated, a tanh layer, softmax cross-entropy, L2 penalty.</summary>
    [Differentiable]
    public static double Window(Mat<double> E, Mat<double> W, Vec<double> b, Mat<double> U, [NoDiff] double lambda,
        int w0, int w1, int w2, int w3, int w4, int label)
    {
        var x = Tensor.Concat(Tensor.Row(E, w0), Tensor.Row(E, w1), Tensor.Row(E, w2), Tensor.Row(E, w3), Tensor.Row(E, w4));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        var s = Tensor.MatVec(U, h);
        return Tensor.CrossEntropy(s, label) + lambda * Tensor.SquaredNorm(W);
    }

    /// <summary>The remaining rules: Subtract, Multiply, Scale, Sum, ReLU, HardTanh, Exp, Log, Softmax, LogSoftmax, Dropout, Element, scalar ops.</summary>
    [Differentiable]
    public static double Mixed(Vec<double> a, Vec<double> b, [NoDiff] Vec<double> mask, double c, int i)
    {
        var d = Tensor.Subtract(a, b);
        var e = Tensor.Scale(Tensor.Multiply(d, a), c);
        var f = Tensor.Add(Tensor.ReLU(e), Tensor.HardTanh(b));
        var g = Tensor.Log(Tensor.Add(Tensor.Exp(f), Tensor.Softmax(a)));
        var p = Tensor.LogSoftmax(Tensor.Dropout(g, mask));
        double q = Tensor.Sum(p) / c - Tensor.Element(g, i) * Tensor.SquaredNorm(a);
        return -q + Tensor.Dot(g, g) * 0.5;
    }

    [Differentiable]
    public static float TwoLayerF(Mat<float> W1, Vec<float> b1, Vec<float> u, Vec<float> x)
    {
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W1, x), b1));
        return Tensor.Dot(u, h);
    }
}

public class TensorGradientTests
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

    /// <summary>Checks every entry of <paramref name="grad"/> against a central difference of <paramref name="f"/> in <paramref name="data"/>.</summary>
    private static void CheckFd(Func<double> f, double[] data, double[] grad, string what, double tol = 1e-6)
    {
        Assert.Equal(data.Length, grad.Length);
        const double h = 1e-5;
        for (int i = 0; i < data.Length; i++)
        {
            double saved = data[i];
            data[i] = saved + h;
            double plus = f();
            data[i] = saved - h;
            double minus = f();
            data[i] = saved;
            double fd = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) <= tol * (1 + Math.Abs(fd)), $"{what}[{i}]: generated {grad[i]} vs finite difference {fd}");
        }
    }

    private static double Sig(double z) => 1 / (1 + Math.Exp(-z));

    [Theory]
    [InlineData(3, 4, 2, 1)]
    [InlineData(1, 7, 1, 2)]
    [InlineData(7, 1, 17, 3)]
    [InlineData(17, 7, 1, 4)]
    public void TwoLayerNetMatchesFiniteDifferencesAndHandBackprop(int n, int h1n, int h2n, int seed)
    {
        var r = new Random(seed);
        var W1 = RandMat(r, h1n, n); var b1 = RandVec(r, h1n);
        var W2 = RandMat(r, h2n, h1n); var b2 = RandVec(r, h2n);
        var u = RandVec(r, h2n); var x = RandVec(r, n);
        var dW1 = new Mat<double>(h1n, n); var db1 = new Vec<double>(h1n);
        var dW2 = new Mat<double>(h2n, h1n); var db2 = new Vec<double>(h2n);
        var du = new Vec<double>(h2n); var dx = new Vec<double>(n);
        var ws = new TensorModels.TwoLayerWorkspace();

        double s = TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, ws);
        Func<double> f = () => TensorModels.TwoLayer(W1, b1, W2, b2, u, x);
        Assert.Equal(f(), s, 12);
        CheckFd(f, W1.Data, dW1.Data, "dW1");
        CheckFd(f, b1.Data, db1.Data, "db1");
        CheckFd(f, W2.Data, dW2.Data, "dW2");
        CheckFd(f, b2.Data, db2.Data, "db2");
        CheckFd(f, u.Data, du.Data, "du");
        CheckFd(f, x.Data, dx.Data, "dx");

        // Hand-written backprop from the lectures.
        var z1 = new double[h1n]; var a1 = new double[h1n];
        for (int i = 0; i < h1n; i++) { z1[i] = b1[i]; for (int j = 0; j < n; j++) z1[i] += W1[i, j] * x[j]; a1[i] = Sig(z1[i]); }
        var z2 = new double[h2n]; var a2 = new double[h2n];
        for (int i = 0; i < h2n; i++) { z2[i] = b2[i]; for (int j = 0; j < h1n; j++) z2[i] += W2[i, j] * a1[j]; a2[i] = Sig(z2[i]); }
        var delta2 = new double[h2n];
        for (int i = 0; i < h2n; i++) delta2[i] = u[i] * a2[i] * (1 - a2[i]);                 // δ2 = u ∘ f′(z2)
        var delta1 = new double[h1n];
        for (int j = 0; j < h1n; j++)
        {
            double back = 0;
            for (int i = 0; i < h2n; i++) back += W2[i, j] * delta2[i];                        // W2ᵀ δ2
            delta1[j] = back * a1[j] * (1 - a1[j]);                                            // ∘ f′(z1)
        }
        for (int i = 0; i < h2n; i++)
        {
            Assert.Equal(delta2[i], db2[i], 12);
            Assert.Equal(a2[i], du[i], 12);
            for (int j = 0; j < h1n; j++) Assert.Equal(delta2[i] * a1[j], dW2[i, j], 12);       // ∂W2 = δ2 h1ᵀ
        }
        for (int i = 0; i < h1n; i++)
        {
            Assert.Equal(delta1[i], db1[i], 12);
            for (int j = 0; j < n; j++) Assert.Equal(delta1[i] * x[j], dW1[i, j], 12);         // ∂W1 = δ1 xᵀ
        }
        for (int j = 0; j < n; j++)
        {
            double expected = 0;
            for (int i = 0; i < h1n; i++) expected += W1[i, j] * delta1[i];
            Assert.Equal(expected, dx[j], 12);
        }
    }

    [Fact]
    public void TwoCallsAccumulateAndWarmCallsAllocateNothing()
    {
        var r = new Random(5);
        var W1 = RandMat(r, 4, 3); var b1 = RandVec(r, 4); var W2 = RandMat(r, 2, 4); var b2 = RandVec(r, 2);
        var u = RandVec(r, 2); var x = RandVec(r, 3);
        Mat<double> dW1 = new(4, 3), dW2 = new(2, 4); Vec<double> db1 = new(4), db2 = new(2), du = new(2), dx = new(3);
        var ws = new TensorModels.TwoLayerWorkspace();
        TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, ws);
        var once = (double[])dW1.Data.Clone();
        var onceX = (double[])dx.Data.Clone();

        long before = GC.GetAllocatedBytesForCurrentThread();
        TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, ws);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);

        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], dW1.Data[i], 12);
        for (int i = 0; i < onceX.Length; i++) Assert.Equal(2 * onceX[i], dx.Data[i], 12);
    }

    [Fact]
    public void ShapeMismatchThrowsBeforeTouchingTheAdjoints()
    {
        var r = new Random(6);
        var W1 = RandMat(r, 4, 3); var b1 = RandVec(r, 4); var W2 = RandMat(r, 2, 4); var b2 = RandVec(r, 2);
        var u = RandVec(r, 2); var x = RandVec(r, 5);   // W1 has 3 columns
        Mat<double> dW1 = new(4, 3), dW2 = new(2, 4); Vec<double> db1 = new(4), db2 = new(2), du = new(2), dx = new(5);
        dW1.Data[0] = 42; du.Data[1] = 7;
        var e = Assert.Throws<ArgumentException>(() =>
            TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, new TensorModels.TwoLayerWorkspace()));
        Assert.Contains("W1.Cols", e.Message);
        Assert.Equal(42, dW1.Data[0]);
        Assert.Equal(7, du.Data[1]);
        Assert.All(dW2.Data, v => Assert.Equal(0, v));
        Assert.All(dx.Data, v => Assert.Equal(0, v));

        // A wrongly shaped adjoint is caught the same way.
        x = RandVec(r, 3);
        Assert.Throws<ArgumentException>(() =>
            TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, new Mat<double>(3, 4), db1, dW2, db2, du, new Vec<double>(3), new TensorModels.TwoLayerWorkspace()));
        Assert.Equal(7, du.Data[1]);
    }

    [Fact]
    public void WindowModelMatchesFiniteDifferencesAndTouchesOnlyLookedUpRows()
    {
        var r = new Random(7);
        int vocab = 11, dim = 3, hidden = 6, classes = 4;
        var E = RandMat(r, vocab, dim); var W = RandMat(r, hidden, 5 * dim); var b = RandVec(r, hidden); var U = RandMat(r, classes, hidden);
        double lambda = 0.01;
        int[] words = { 2, 5, 2, 9, 0 };   // word 2 twice: its row gets both contributions
        int label = 3;
        var dE = new Mat<double>(vocab, dim); var dW = new Mat<double>(hidden, 5 * dim); var db = new Vec<double>(hidden); var dU = new Mat<double>(classes, hidden);
        var ws = new TensorModels.WindowWorkspace();
        double loss = TensorModels.WindowGradient(E, W, b, U, lambda, words[0], words[1], words[2], words[3], words[4], label, dE, dW, db, dU, ws);
        Func<double> f = () => TensorModels.Window(E, W, b, U, lambda, words[0], words[1], words[2], words[3], words[4], label);
        Assert.Equal(f(), loss, 12);
        CheckFd(f, E.Data, dE.Data, "dE");
        CheckFd(f, W.Data, dW.Data, "dW");
        CheckFd(f, b.Data, db.Data, "db");
        CheckFd(f, U.Data, dU.Data, "dU");
        for (int row = 0; row < vocab; row++)
        {
            bool touched = Array.IndexOf(words, row) >= 0;
            for (int c = 0; c < dim; c++)
            {
                if (!touched) Assert.Equal(0, dE[row, c]);
            }
            if (touched) Assert.Contains(dE.Row(row).ToArray(), v => v != 0);
        }

        // Warm workspace: no allocation.
        long before = GC.GetAllocatedBytesForCurrentThread();
        TensorModels.WindowGradient(E, W, b, U, lambda, words[0], words[1], words[2], words[3], words[4], label, dE, dW, db, dU, ws);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void RemainingRulesMatchFiniteDifferences(int n)
    {
        var r = new Random(n);
        var a = RandVec(r, n); var b = RandVec(r, n);
        var mask = new Vec<double>(n);
        for (int i = 0; i < n; i++) mask.Data[i] = r.NextDouble() < 0.3 ? 0 : 1.4;
        var c = new[] { 1.3 };
        int idx = n / 2;
        var da = new Vec<double>(n); var db = new Vec<double>(n); double dc = 0;
        double v = TensorModels.MixedGradient(a, b, mask, c[0], idx, da, db, ref dc, new TensorModels.MixedWorkspace());
        Func<double> f = () => TensorModels.Mixed(a, b, mask, c[0], idx);
        Assert.Equal(f(), v, 10);
        CheckFd(f, a.Data, da.Data, "da", 1e-5);
        CheckFd(f, b.Data, db.Data, "db", 1e-5);
        CheckFd(f, c, new[] { dc }, "dc", 1e-5);
    }

    [Fact]
    public void FloatVariantMatchesDouble()
    {
        var r = new Random(9);
        int n = 7, m = 5;
        var W = new Mat<float>(m, n); var b = new Vec<float>(m); var u = new Vec<float>(m); var x = new Vec<float>(n);
        foreach (var data in new[] { W.Data, b.Data, u.Data, x.Data })
            for (int i = 0; i < data.Length; i++) data[i] = (float)(r.NextDouble() * 2 - 1);
        var dW = new Mat<float>(m, n); var db = new Vec<float>(m); var du = new Vec<float>(m); var dx = new Vec<float>(n);
        float s = TensorModels.TwoLayerFGradient(W, b, u, x, dW, db, du, dx, new TensorModels.TwoLayerFWorkspace());
        Assert.Equal(TensorModels.TwoLayerF(W, b, u, x), s, 5);
        // Central differences in double precision of the same function.
        double F(float[] arr, int i, double delta)
        {
            float saved = arr[i];
            arr[i] = (float)(saved + delta);
            double value = TensorModels.TwoLayerF(W, b, u, x);
            arr[i] = saved;
            return value;
        }
        foreach (var (data, grad) in new[] { (W.Data, dW.Data), (b.Data, db.Data), (u.Data, du.Data), (x.Data, dx.Data) })
        {
            for (int i = 0; i < data.Length; i++)
            {
                double fd = (F(data, i, 1e-2) - F(data, i, -1e-2)) / 2e-2;
                Assert.True(Math.Abs(fd - grad[i]) < 2e-3, $"{i}: {grad[i]} vs {fd}");
            }
        }
    }
}
