using System;
using SymbolicDiff;
using SymbolicDiff.Tensors;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Models for the matrix product, the transpose product and the binary/max-margin losses of issue #3.</summary>
public static partial class ProductModels
{
    /// <summary>f = uᵀ tanh((A·B) x) + 0.1‖A·B‖²: a matrix-valued intermediate used twice.</summary>
    [Differentiable]
    public static double MatMulNet(Mat<double> A, Mat<double> B, Vec<double> x, Vec<double> u)
    {
        var C = Tensor.MatMul(A, B);
        var y = Tensor.Tanh(Tensor.MatVec(C, x));
        return Tensor.Dot(u, y) + 0.1 * Tensor.SquaredNorm(C);
    }

    [Differentiable]
    public static float MatMulNetF(Mat<float> A, Mat<float> B, Vec<float> x, Vec<float> u)
    {
        var C = Tensor.MatMul(A, B);
        var y = Tensor.Tanh(Tensor.MatVec(C, x));
        return Tensor.Dot(u, y) + 0.1f * Tensor.SquaredNorm(C);
    }

    /// <summary>f = vᵀ σ(Wᵀd).</summary>
    [Differentiable]
    public static double TransposeNet(Mat<double> W, Vec<double> d, Vec<double> v) =>
        Tensor.Dot(v, Tensor.Sigmoid(Tensor.MatTransposeVec(W, d)));

    [Differentiable]
    public static float TransposeNetF(Mat<float> W, Vec<float> d, Vec<float> v) =>
        Tensor.Dot(v, Tensor.Sigmoid(Tensor.MatTransposeVec(W, d)));

    /// <summary>The binary window model: s = uᵀ tanh(Wx + b), logistic loss against a 0/1 label.</summary>
    [Differentiable]
    public static double Logistic(Mat<double> W, Vec<double> b, Vec<double> u, Vec<double> x, int label)
    {
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        double s = Tensor.Dot(u, h);
        return Tensor.LogisticLoss(s, label);
    }

    [Differentiable]
    public static float LogisticF(Mat<float> W, Vec<float> b, Vec<float> u, Vec<float> x, int label)
    {
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        float s = Tensor.Dot(u, h);
        return Tensor.LogisticLoss(s, label);
    }

    [Differentiable]
    public static double LogisticOfScore(double s, int label) => Tensor.LogisticLoss(s, label);

    [Differentiable]
    public static float LogisticOfScoreF(float s, int label) => Tensor.LogisticLoss(s, label);

    /// <summary>σ(uᵀx): the scalar sigmoid of a score.</summary>
    [Differentiable]
    public static double Probability(Vec<double> u, Vec<double> x) => Tensor.Sigmoid(Tensor.Dot(u, x));

    /// <summary>Lecture 3's max-margin objective: J = max(0, 1 − s + s_c), s = uᵀ tanh(Wx + b), s_c = uᵀ tanh(Wx_c + b).</summary>
    [Differentiable]
    public static double MaxMargin(Mat<double> W, Vec<double> b, Vec<double> u, Vec<double> x, Vec<double> xc)
    {
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        var hc = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, xc), b));
        return Tensor.Hinge(Tensor.Dot(u, h), Tensor.Dot(u, hc));
    }

    [Differentiable]
    public static float MaxMarginF(Mat<float> W, Vec<float> b, Vec<float> u, Vec<float> x, Vec<float> xc)
    {
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        var hc = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, xc), b));
        return Tensor.Hinge(Tensor.Dot(u, h), Tensor.Dot(u, hc));
    }

    [Differentiable]
    public static double HingeOfScores(double s, double sc) => Tensor.Hinge(s, sc);

    /// <summary>The same loss written with the scalar generator's ReLU: the kink conventions must agree.</summary>
    [Differentiable]
    public static double ReLUOfMargin(double s, double sc) => Activations.ReLU(1 - s + sc);
}

public class TensorProductAndLossTests
{
    private static Mat<double> RandMat(Random r, int rows, int cols, double scale = 1)
    {
        var m = new Mat<double>(rows, cols);
        for (int i = 0; i < m.Length; i++) m.Data[i] = (r.NextDouble() * 2 - 1) * scale;
        return m;
    }

    private static Vec<double> RandVec(Random r, int n, double scale = 1)
    {
        var v = new Vec<double>(n);
        for (int i = 0; i < n; i++) v.Data[i] = (r.NextDouble() * 2 - 1) * scale;
        return v;
    }

    private static Mat<float> ToFloat(Mat<double> m) => new(m.Rows, m.Cols, Array.ConvertAll(m.Data, v => (float)v));

    private static Vec<float> ToFloat(Vec<double> v) => new(Array.ConvertAll(v.Data, x => (float)x));

    /// <summary>Every entry of <paramref name="grad"/> against a central difference of <paramref name="f"/> in <paramref name="data"/>.</summary>
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

    /// <summary>Float gradients against central differences of the float function, evaluated in double with a larger step.</summary>
    private static void CheckFdF(Func<double> f, float[] data, float[] grad, string what, double tol = 3e-3)
    {
        Assert.Equal(data.Length, grad.Length);
        const float h = 1e-2f;
        for (int i = 0; i < data.Length; i++)
        {
            float saved = data[i];
            data[i] = saved + h;
            double plus = f();
            data[i] = saved - h;
            double minus = f();
            data[i] = saved;
            double fd = (plus - minus) / ((double)(saved + h) - (saved - h));
            Assert.True(Math.Abs(fd - grad[i]) <= tol * (1 + Math.Abs(fd)), $"{what}[{i}]: generated {grad[i]} vs finite difference {fd}");
        }
    }

    private static void Close(double[] expected, double[] actual, string what, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static double Sig(double z) => 1 / (1 + Math.Exp(-z));

    // ---- MatMul ------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 7, 17, 1)]
    [InlineData(7, 1, 1, 2)]
    [InlineData(17, 7, 1, 3)]
    [InlineData(1, 1, 7, 4)]
    [InlineData(3, 17, 7, 5)]
    public void MatMulMatchesFiniteDifferencesAndHandDerivation(int m, int k, int n, int seed)
    {
        var r = new Random(seed);
        var A = RandMat(r, m, k); var B = RandMat(r, k, n); var x = RandVec(r, n); var u = RandVec(r, m);
        var dA = new Mat<double>(m, k); var dB = new Mat<double>(k, n); var dx = new Vec<double>(n); var du = new Vec<double>(m);
        double value = ProductModels.MatMulNetGradient(A, B, x, u, dA, dB, dx, du, new ProductModels.MatMulNetWorkspace());
        Func<double> f = () => ProductModels.MatMulNet(A, B, x, u);
        Assert.Equal(f(), value, 12);
        CheckFd(f, A.Data, dA.Data, "dA");
        CheckFd(f, B.Data, dB.Data, "dB");
        CheckFd(f, x.Data, dx.Data, "dx");
        CheckFd(f, u.Data, du.Data, "du");

        // By hand: C = AB, y = Cx, h = tanh y, δ = u ∘ (1 − h²), ∂C = δxᵀ + 0.2C, ∂A = ∂C Bᵀ, ∂B = Aᵀ∂C, ∂x = Cᵀδ, ∂u = h.
        var C = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) C[i, j] += A[i, p] * B[p, j];
        var h = new double[m]; var delta = new double[m];
        double expectedValue = 0;
        for (int i = 0; i < m; i++)
        {
            double y = 0;
            for (int j = 0; j < n; j++) { y += C[i, j] * x[j]; expectedValue += 0.1 * C[i, j] * C[i, j]; }
            h[i] = Math.Tanh(y);
            delta[i] = u[i] * (1 - h[i] * h[i]);
            expectedValue += u[i] * h[i];
        }
        Assert.Equal(expectedValue, value, 12);
        var dC = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) dC[i, j] = delta[i] * x[j] + 0.2 * C[i, j];
        var eA = new double[m * k]; var eB = new double[k * n]; var ex = new double[n];
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) eA[i * k + p] += dC[i, j] * B[p, j];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) eB[p * n + j] += A[i, p] * dC[i, j];
        for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) ex[j] += C[i, j] * delta[i];
        Close(eA, dA.Data, "dA");
        Close(eB, dB.Data, "dB");
        Close(ex, dx.Data, "dx");
        Close(h, du.Data, "du");
    }

    [Theory]
    [InlineData(1, 7, 17)]
    [InlineData(7, 1, 1)]
    [InlineData(17, 7, 1)]
    public void MatMulFloatMatchesFiniteDifferencesAndDouble(int m, int k, int n)
    {
        var r = new Random(m * 100 + k * 10 + n);
        var A = RandMat(r, m, k); var B = RandMat(r, k, n); var x = RandVec(r, n); var u = RandVec(r, m);
        var dA = new Mat<double>(m, k); var dB = new Mat<double>(k, n); var dx = new Vec<double>(n); var du = new Vec<double>(m);
        ProductModels.MatMulNetGradient(A, B, x, u, dA, dB, dx, du, new ProductModels.MatMulNetWorkspace());

        var Af = ToFloat(A); var Bf = ToFloat(B); var xf = ToFloat(x); var uf = ToFloat(u);
        var dAf = new Mat<float>(m, k); var dBf = new Mat<float>(k, n); var dxf = new Vec<float>(n); var duf = new Vec<float>(m);
        float value = ProductModels.MatMulNetFGradient(Af, Bf, xf, uf, dAf, dBf, dxf, duf, new ProductModels.MatMulNetFWorkspace());
        Func<double> f = () => ProductModels.MatMulNetF(Af, Bf, xf, uf);
        Assert.Equal(f(), value, 5);
        CheckFdF(f, Af.Data, dAf.Data, "dA");
        CheckFdF(f, Bf.Data, dBf.Data, "dB");
        CheckFdF(f, xf.Data, dxf.Data, "dx");
        CheckFdF(f, uf.Data, duf.Data, "du");
        Close(dA.Data, Array.ConvertAll(dAf.Data, v => (double)v), "dA (float vs double)", 1e-4);
        Close(dB.Data, Array.ConvertAll(dBf.Data, v => (double)v), "dB (float vs double)", 1e-4);
    }

    [Fact]
    public void MatMulAccumulatesAllocatesNothingWarmAndChecksShapesFirst()
    {
        var r = new Random(11);
        var A = RandMat(r, 3, 4); var B = RandMat(r, 4, 5); var x = RandVec(r, 5); var u = RandVec(r, 3);
        var dA = new Mat<double>(3, 4); var dB = new Mat<double>(4, 5); var dx = new Vec<double>(5); var du = new Vec<double>(3);
        var ws = new ProductModels.MatMulNetWorkspace();
        ProductModels.MatMulNetGradient(A, B, x, u, dA, dB, dx, du, ws);
        var once = (double[])dA.Data.Clone();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ProductModels.MatMulNetGradient(A, B, x, u, dA, dB, dx, du, ws);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], dA.Data[i], 12);

        // A new shape resizes the workspace's matrices; a wrong one throws before any adjoint is written.
        var B6 = RandMat(r, 6, 5);
        var dB6 = new Mat<double>(6, 5);
        dA.Data[0] = 42;
        var e = Assert.Throws<ArgumentException>(() => ProductModels.MatMulNetGradient(A, B6, x, u, dA, dB6, dx, du, ws));
        Assert.Contains("A.Cols", e.Message);
        Assert.Contains("B.Rows", e.Message);
        Assert.Equal(42, dA.Data[0]);
        Assert.All(dB6.Data, v => Assert.Equal(0, v));
    }

    // ---- MatTransposeVec ------------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 7)]
    [InlineData(7, 1)]
    [InlineData(17, 7)]
    [InlineData(7, 17)]
    public void MatTransposeVecMatchesFiniteDifferencesAndHandDerivation(int rows, int cols)
    {
        var r = new Random(rows * 31 + cols);
        var W = RandMat(r, rows, cols); var d = RandVec(r, rows); var v = RandVec(r, cols);
        var dW = new Mat<double>(rows, cols); var dd = new Vec<double>(rows); var dv = new Vec<double>(cols);
        double value = ProductModels.TransposeNetGradient(W, d, v, dW, dd, dv, new ProductModels.TransposeNetWorkspace());
        Func<double> f = () => ProductModels.TransposeNet(W, d, v);
        Assert.Equal(f(), value, 12);
        CheckFd(f, W.Data, dW.Data, "dW");
        CheckFd(f, d.Data, dd.Data, "dd");
        CheckFd(f, v.Data, dv.Data, "dv");

        // By hand: y = Wᵀd, δ = v ∘ σ(y)(1 − σ(y)), ∂W = d δᵀ, ∂d = Wδ, ∂v = σ(y).
        var sy = new double[cols]; var delta = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            double y = 0;
            for (int i = 0; i < rows; i++) y += W[i, j] * d[i];
            sy[j] = Sig(y);
            delta[j] = v[j] * sy[j] * (1 - sy[j]);
        }
        var eW = new double[rows * cols]; var ed = new double[rows];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) { eW[i * cols + j] = d[i] * delta[j]; ed[i] += W[i, j] * delta[j]; }
        Close(eW, dW.Data, "dW");
        Close(ed, dd.Data, "dd");
        Close(sy, dv.Data, "dv");

        var Wf = ToFloat(W); var df = ToFloat(d); var vf = ToFloat(v);
        var dWf = new Mat<float>(rows, cols); var ddf = new Vec<float>(rows); var dvf = new Vec<float>(cols);
        ProductModels.TransposeNetFGradient(Wf, df, vf, dWf, ddf, dvf, new ProductModels.TransposeNetFWorkspace());
        Func<double> ff = () => ProductModels.TransposeNetF(Wf, df, vf);
        CheckFdF(ff, Wf.Data, dWf.Data, "dW (float)");
        CheckFdF(ff, df.Data, ddf.Data, "dd (float)");
        Close(eW, Array.ConvertAll(dWf.Data, x => (double)x), "dW (float vs hand)", 1e-5);
    }

    // ---- Logistic loss and the scalar sigmoid -------------------------------------------------------

    [Theory]
    [InlineData(1, 7, 0)]
    [InlineData(7, 1, 1)]
    [InlineData(17, 7, 1)]
    [InlineData(7, 17, 0)]
    public void LogisticLossMatchesFiniteDifferencesAndHandDerivation(int hidden, int n, int label)
    {
        var r = new Random(hidden * 7 + n + label);
        var W = RandMat(r, hidden, n); var b = RandVec(r, hidden); var u = RandVec(r, hidden, 2); var x = RandVec(r, n);
        var dW = new Mat<double>(hidden, n); var db = new Vec<double>(hidden); var du = new Vec<double>(hidden); var dx = new Vec<double>(n);
        double value = ProductModels.LogisticGradient(W, b, u, x, label, dW, db, du, dx, new ProductModels.LogisticWorkspace());
        Func<double> f = () => ProductModels.Logistic(W, b, u, x, label);
        Assert.Equal(f(), value, 12);
        CheckFd(f, W.Data, dW.Data, "dW");
        CheckFd(f, b.Data, db.Data, "db");
        CheckFd(f, u.Data, du.Data, "du");
        CheckFd(f, x.Data, dx.Data, "dx");

        // By hand: h = tanh(Wx + b), s = uᵀh, J = −log σ(s) or −log(1 − σ(s)); ∂s = σ(s) − label, δ = ∂s·u ∘ (1 − h²).
        var h = new double[hidden];
        double s = 0;
        for (int i = 0; i < hidden; i++)
        {
            double z = b[i];
            for (int j = 0; j < n; j++) z += W[i, j] * x[j];
            h[i] = Math.Tanh(z);
            s += u[i] * h[i];
        }
        Assert.Equal(label == 1 ? -Math.Log(Sig(s)) : -Math.Log(1 - Sig(s)), value, 12);
        double ds = Sig(s) - label;
        var eW = new double[hidden * n]; var eb = new double[hidden]; var eu = new double[hidden]; var ex = new double[n];
        for (int i = 0; i < hidden; i++)
        {
            double delta = ds * u[i] * (1 - h[i] * h[i]);
            eb[i] = delta;
            eu[i] = ds * h[i];
            for (int j = 0; j < n; j++) { eW[i * n + j] = delta * x[j]; ex[j] += W[i, j] * delta; }
        }
        Close(eW, dW.Data, "dW");
        Close(eb, db.Data, "db");
        Close(eu, du.Data, "du");
        Close(ex, dx.Data, "dx");

        var Wf = ToFloat(W); var bf = ToFloat(b); var uf = ToFloat(u); var xf = ToFloat(x);
        var dWf = new Mat<float>(hidden, n); var dbf = new Vec<float>(hidden); var duf = new Vec<float>(hidden); var dxf = new Vec<float>(n);
        float valueF = ProductModels.LogisticFGradient(Wf, bf, uf, xf, label, dWf, dbf, duf, dxf, new ProductModels.LogisticFWorkspace());
        Func<double> ff = () => ProductModels.LogisticF(Wf, bf, uf, xf, label);
        Assert.Equal(value, valueF, 4);
        CheckFdF(ff, Wf.Data, dWf.Data, "dW (float)");
        CheckFdF(ff, uf.Data, duf.Data, "du (float)");
        CheckFdF(ff, xf.Data, dxf.Data, "dx (float)");
        Close(eW, Array.ConvertAll(dWf.Data, v => (double)v), "dW (float vs hand)", 1e-5);
    }

    [Theory]
    [InlineData(800.0, 0, 800.0, 1.0)]
    [InlineData(-800.0, 1, 800.0, -1.0)]
    [InlineData(800.0, 1, 0.0, 0.0)]
    [InlineData(-800.0, 0, 0.0, 0.0)]
    [InlineData(0.0, 1, 0.69314718055994531, -0.5)]
    [InlineData(0.0, 0, 0.69314718055994531, 0.5)]
    public void LogisticLossIsStableForLargeScores(double s, int label, double expectedLoss, double expectedDerivative)
    {
        double ds = 0;
        double loss = ProductModels.LogisticOfScoreGradient(s, label, ref ds, new ProductModels.LogisticOfScoreWorkspace());
        Assert.Equal(expectedLoss, loss, 12);
        Assert.Equal(expectedDerivative, ds, 12);
        Assert.Equal(loss, ProductModels.LogisticOfScore(s, label), 15);

        float dsf = 0;
        float sf = (float)Math.Clamp(s, -100, 100);
        float lossF = ProductModels.LogisticOfScoreFGradient(sf, label, ref dsf, new ProductModels.LogisticOfScoreFWorkspace());
        Assert.True(float.IsFinite(lossF) && float.IsFinite(dsf));
        Assert.Equal(Math.Abs(s) < 1 ? expectedLoss : Math.Abs(expectedLoss) > 0 ? 100 : 0, lossF, 4);
        Assert.Equal(expectedDerivative, dsf, 5);
    }

    [Theory]
    [InlineData(-3.0, 1)]
    [InlineData(0.4, 0)]
    [InlineData(2.5, 1)]
    [InlineData(-0.7, 0)]
    public void LogisticLossOfAScoreMatchesFiniteDifferences(double s, int label)
    {
        double ds = 0;
        ProductModels.LogisticOfScoreGradient(s, label, ref ds, new ProductModels.LogisticOfScoreWorkspace());
        double fd = (ProductModels.LogisticOfScore(s + 1e-6, label) - ProductModels.LogisticOfScore(s - 1e-6, label)) / 2e-6;
        Assert.Equal(fd, ds, 8);
        Assert.Equal(Sig(s) - label, ds, 12);
    }

    [Fact]
    public void LogisticLossRejectsALabelOtherThanZeroOrOne()
    {
        double ds = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => ProductModels.LogisticOfScoreGradient(0.3, 2, ref ds, new ProductModels.LogisticOfScoreWorkspace()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProductModels.LogisticOfScore(0.3, -1));
        Assert.Equal(0, ds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void ScalarSigmoidOfAScoreMatchesFiniteDifferencesAndHandDerivation(int n)
    {
        var r = new Random(n + 40);
        var u = RandVec(r, n); var x = RandVec(r, n);
        var du = new Vec<double>(n); var dx = new Vec<double>(n);
        double p = ProductModels.ProbabilityGradient(u, x, du, dx, new ProductModels.ProbabilityWorkspace());
        Func<double> f = () => ProductModels.Probability(u, x);
        CheckFd(f, u.Data, du.Data, "du");
        CheckFd(f, x.Data, dx.Data, "dx");
        double s = 0;
        for (int i = 0; i < n; i++) s += u[i] * x[i];
        Assert.Equal(Sig(s), p, 14);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Sig(s) * (1 - Sig(s)) * x[i], du[i], 14);
            Assert.Equal(Sig(s) * (1 - Sig(s)) * u[i], dx[i], 14);
        }
    }

    // ---- Max-margin (hinge) loss ---------------------------------------------------------------------

    [Theory]
    [InlineData(0.2, 0.5, 1.3, -1.0, 1.0)]     // active: 1 − 0.2 + 0.5 > 0
    [InlineData(2.0, 0.1, 0.0, 0.0, 0.0)]      // inactive: the true window wins by more than the margin
    [InlineData(1.5, 0.5, 0.0, 0.0, 0.0)]      // exactly at the kink: derivative 0, as ReLU's at 0
    [InlineData(-4.0, -4.0, 1.0, -1.0, 1.0)]
    public void HingeOfScoresFollowsTheReLUConventionOfTheScalarGenerator(double s, double sc, double loss, double expectedDs, double expectedDsc)
    {
        double ds = 0, dsc = 0;
        double value = ProductModels.HingeOfScoresGradient(s, sc, ref ds, ref dsc, new ProductModels.HingeOfScoresWorkspace());
        Assert.Equal(loss, value, 12);
        Assert.Equal(expectedDs, ds);
        Assert.Equal(expectedDsc, dsc);

        double rs = 0, rsc = 0;
        double relu = ProductModels.ReLUOfMarginGradient(s, sc, ref rs, ref rsc);
        Assert.Equal(relu, value, 12);
        Assert.Equal(rs, ds);
        Assert.Equal(rsc, dsc);
        if (Math.Abs(1 - s + sc) > 1e-3)
        {
            double fd = (ProductModels.HingeOfScores(s + 1e-6, sc) - ProductModels.HingeOfScores(s - 1e-6, sc)) / 2e-6;
            Assert.Equal(fd, ds, 6);
        }
    }

    [Theory]
    [InlineData(1, 7, true)]
    [InlineData(7, 1, true)]
    [InlineData(17, 7, true)]
    [InlineData(7, 17, false)]
    [InlineData(1, 7, false)]
    public void MaxMarginMatchesFiniteDifferencesAndHandDerivation(int hidden, int n, bool active)
    {
        // Find a seeded point in the requested regime, away from the kink (finite differences need a margin either side).
        Mat<double> W = null!; Vec<double> b = null!, u = null!, x = null!, xc = null!;
        double margin = 0;
        bool found = false;
        for (int seed = 0; seed < 200 && !found; seed++)
        {
            var r = new Random(seed * 1000 + hidden * 10 + n);
            W = RandMat(r, hidden, n); b = RandVec(r, hidden); u = RandVec(r, hidden, 3); x = RandVec(r, n); xc = RandVec(r, n);
            margin = 1 - Score(W, b, u, x) + Score(W, b, u, xc);
            found = active ? margin > 0.05 : margin < -0.05;
        }
        Assert.True(found, "no seeded point in the requested regime");

        var dW = new Mat<double>(hidden, n); var db = new Vec<double>(hidden); var du = new Vec<double>(hidden);
        var dx = new Vec<double>(n); var dxc = new Vec<double>(n);
        double value = ProductModels.MaxMarginGradient(W, b, u, x, xc, dW, db, du, dx, dxc, new ProductModels.MaxMarginWorkspace());
        Func<double> f = () => ProductModels.MaxMargin(W, b, u, x, xc);
        Assert.Equal(Math.Max(0, margin), value, 12);
        CheckFd(f, W.Data, dW.Data, "dW");
        CheckFd(f, b.Data, db.Data, "db");
        CheckFd(f, u.Data, du.Data, "du");
        CheckFd(f, x.Data, dx.Data, "dx");
        CheckFd(f, xc.Data, dxc.Data, "dxc");

        // By hand: while active, ∂s = −1 and ∂s_c = +1, so δ = −u ∘ (1 − h²), δc = u ∘ (1 − hc²),
        // ∂W = δxᵀ + δc xcᵀ, ∂b = δ + δc, ∂u = hc − h, ∂x = Wᵀδ, ∂xc = Wᵀδc; all zero while inactive.
        double g = active ? 1 : 0;
        var eW = new double[hidden * n]; var eb = new double[hidden]; var eu = new double[hidden]; var ex = new double[n]; var exc = new double[n];
        for (int i = 0; i < hidden; i++)
        {
            double h = Math.Tanh(Pre(W, b, x, i)), hc = Math.Tanh(Pre(W, b, xc, i));
            double delta = -g * u[i] * (1 - h * h), deltaC = g * u[i] * (1 - hc * hc);
            eb[i] = delta + deltaC;
            eu[i] = g * (hc - h);
            for (int j = 0; j < n; j++)
            {
                eW[i * n + j] = delta * x[j] + deltaC * xc[j];
                ex[j] += W[i, j] * delta;
                exc[j] += W[i, j] * deltaC;
            }
        }
        Close(eW, dW.Data, "dW");
        Close(eb, db.Data, "db");
        Close(eu, du.Data, "du");
        Close(ex, dx.Data, "dx");
        Close(exc, dxc.Data, "dxc");

        var Wf = ToFloat(W); var bf = ToFloat(b); var uf = ToFloat(u); var xf = ToFloat(x); var xcf = ToFloat(xc);
        var dWf = new Mat<float>(hidden, n); var dbf = new Vec<float>(hidden); var duf = new Vec<float>(hidden);
        var dxf = new Vec<float>(n); var dxcf = new Vec<float>(n);
        ProductModels.MaxMarginFGradient(Wf, bf, uf, xf, xcf, dWf, dbf, duf, dxf, dxcf, new ProductModels.MaxMarginFWorkspace());
        Close(eW, Array.ConvertAll(dWf.Data, v => (double)v), "dW (float vs hand)", 1e-5);
        Close(eu, Array.ConvertAll(duf.Data, v => (double)v), "du (float vs hand)", 1e-5);
        if (Math.Abs(margin) > 0.2)   // the float differences' step must not cross the kink
        {
            Func<double> ff = () => ProductModels.MaxMarginF(Wf, bf, uf, xf, xcf);
            CheckFdF(ff, Wf.Data, dWf.Data, "dW (float)");
            CheckFdF(ff, xcf.Data, dxcf.Data, "dxc (float)");
        }
    }

    private static double Pre(Mat<double> W, Vec<double> b, Vec<double> x, int i)
    {
        double z = b[i];
        for (int j = 0; j < x.Length; j++) z += W[i, j] * x[j];
        return z;
    }

    private static double Score(Mat<double> W, Vec<double> b, Vec<double> u, Vec<double> x)
    {
        double s = 0;
        for (int i = 0; i < u.Length; i++) s += u[i] * Math.Tanh(Pre(W, b, x, i));
        return s;
    }
}
