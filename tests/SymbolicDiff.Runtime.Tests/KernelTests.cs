using System;
using System.Linq;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;
using K = SymbolicDiff.Tensors.TensorKernels;
using static SymbolicDiff.Runtime.Tests.TestUtil;

namespace SymbolicDiff.Runtime.Tests;

public class KernelTests
{
    public static TheoryData<int> Lengths => new() { 1, 3, 7, 17, 33, 600 };

    public static TheoryData<int, int> MatShapes => new() { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 1, 33 }, { 33, 1 }, { 3, 7 }, { 17, 33 }, { 33, 17 } };

    public static TheoryData<int, int, int> MatMulShapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 3 }, { 3, 1, 17 }, { 7, 3, 1 }, { 1, 33, 1 }, { 17, 3, 33 }, { 7, 17, 7 },
    };

    // ------------------------------------------------------------------ naive references

    private static double[] NaiveMatVec(double[] w, int rows, int cols, double[] x)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) y[r] += w[r * cols + c] * x[c];
        return y;
    }

    private static double[] NaiveMatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
        return c;
    }

    private static double[] NaiveSoftmax(double[] x)
    {
        double max = x.Max();
        double[] e = x.Select(v => Math.Exp(v - max)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    // ------------------------------------------------------------------ matrix kernels

    [Theory, MemberData(nameof(MatShapes))]
    public void MatVec_MatchesNaive_And_TransposeAdjoints_MatchFiniteDifferences(int rows, int cols)
    {
        var rng = new Rng((ulong)(rows * 100 + cols));
        double[] w = Random(rows * cols, rng), x = Random(cols, rng);
        var y = new double[rows];
        K.MatVec<double>(w, rows, cols, x, y);
        Close(NaiveMatVec(w, rows, cols, x), y);

        // adjoint wrt x: MatTransposeVecAdd
        CheckBackward(x, rows, (xx, yy) => K.MatVec<double>(w, rows, cols, xx, yy),
            (_, _, dy, dx) => K.MatTransposeVecAdd<double>(w, rows, cols, dy, dx), rng);
        // adjoint wrt W: OuterAdd
        CheckBackward(w, rows, (ww, yy) => K.MatVec<double>(ww, rows, cols, x, yy),
            (_, _, dy, dW) => K.OuterAdd<double>(dW, rows, cols, dy, x), rng);

        // Mat overloads agree
        var W = new Mat<double>(rows, cols, (double[])w.Clone());
        var y2 = new Vec<double>(rows);
        K.MatVec(W, x, y2);
        Close(y, y2.Data);
    }

    [Theory, MemberData(nameof(MatMulShapes))]
    public void MatMul_MatchesNaive_And_Adjoints_MatchFiniteDifferences(int m, int k, int n)
    {
        var rng = new Rng((ulong)(m * 10000 + k * 100 + n));
        double[] a = Random(m * k, rng), b = Random(k * n, rng);
        var c = new double[m * n];
        K.MatMul<double>(a, b, c, m, k, n);
        Close(NaiveMatMul(a, b, m, k, n), c);

        CheckBackward(a, m * n, (aa, cc) => K.MatMul<double>(aa, b, cc, m, k, n),
            (_, _, dC, dA) => K.MatMulTransposeBAdd<double>(dC, b, dA, m, k, n), rng);
        CheckBackward(b, m * n, (bb, cc) => K.MatMul<double>(a, bb, cc, m, k, n),
            (_, _, dC, dB) => K.MatMulTransposeAAdd<double>(a, dC, dB, m, k, n), rng);

        // Mat overloads agree with the span ones
        var A = new Mat<double>(m, k, a); var B = new Mat<double>(k, n, b); var C = new Mat<double>(m, n);
        K.MatMul(A, B, C);
        Close(c, C.Data);
        var dC2 = new Mat<double>(m, n, Random(m * n, rng));
        var dA1 = new Mat<double>(m, k); var dA2 = new double[m * k];
        K.MatMulTransposeBAdd(dC2, B, dA1);
        K.MatMulTransposeBAdd<double>(dC2.Data, b, dA2, m, k, n);
        Close(dA2, dA1.Data);
        var dB1 = new Mat<double>(k, n); var dB2 = new double[k * n];
        K.MatMulTransposeAAdd(A, dC2, dB1);
        K.MatMulTransposeAAdd<double>(a, dC2.Data, dB2, m, k, n);
        Close(dB2, dB1.Data);
    }

    [Theory, MemberData(nameof(MatMulShapes))]
    public void MatMul_Float_MatchesDouble(int m, int k, int n)
    {
        var rng = new Rng(7);
        double[] a = Random(m * k, rng), b = Random(k * n, rng);
        var c = new float[m * n];
        K.MatMul<float>(ToFloat(a), ToFloat(b), c, m, k, n);
        Close(NaiveMatMul(a, b, m, k, n), c);
        var x = Random(n, rng);
        var y = new float[k];
        K.MatVec<float>(ToFloat(b), k, n, ToFloat(x), y);
        Close(NaiveMatVec(b, k, n, x), y);
    }

    // ------------------------------------------------------------------ element-wise

    [Theory, MemberData(nameof(Lengths))]
    public void Elementwise_MatchNaive(int n)
    {
        var rng = new Rng((ulong)n);
        double[] x = Random(n, rng), y = Random(n, rng), dst = new double[n];
        K.Add<double>(x, y, dst); Close(x.Zip(y, (a, b) => a + b).ToArray(), dst);
        K.Subtract<double>(x, y, dst); Close(x.Zip(y, (a, b) => a - b).ToArray(), dst);
        K.Multiply<double>(x, y, dst); Close(x.Zip(y, (a, b) => a * b).ToArray(), dst);
        K.Scale<double>(x, 2.5, dst); Close(x.Select(a => 2.5 * a).ToArray(), dst);
        double[] acc = (double[])y.Clone();
        K.AddInPlace<double>(acc, x); Close(x.Zip(y, (a, b) => a + b).ToArray(), acc);
        acc = (double[])y.Clone();
        K.ScaleAdd<double>(acc, x, -0.5); Close(x.Zip(y, (a, b) => b - 0.5 * a).ToArray(), acc);
        Close(new[] { Dot(x, y) }, new[] { K.Dot<double>(x, y) });
        Close(new[] { x.Sum() }, new[] { K.Sum<double>(x) });
        Close(new[] { x.Sum(v => v * v) }, new[] { K.SquaredNorm<double>(x) });
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Elementwise_Float_MatchesDouble(int n)
    {
        var rng = new Rng((ulong)n + 1);
        double[] x = Random(n, rng), y = Random(n, rng);
        float[] xf = ToFloat(x), yf = ToFloat(y), dst = new float[n];
        K.Multiply<float>(xf, yf, dst); Close(x.Zip(y, (a, b) => a * b).ToArray(), dst);
        float[] acc = (float[])yf.Clone();
        K.ScaleAdd<float>(acc, xf, 3f); Close(x.Zip(y, (a, b) => b + 3 * a).ToArray(), acc);
        Close(new[] { Dot(x, y) }, new[] { K.Dot<float>(xf, yf) });
        Close(new[] { x.Sum(v => v * v) }, new[] { K.SquaredNorm<float>(xf) });
    }

    // ------------------------------------------------------------------ activations

    [Theory, MemberData(nameof(Lengths))]
    public void Activations_Forward_MatchNaive(int n)
    {
        var rng = new Rng((ulong)n + 2);
        double[] x = Random(n, rng, 3), y = new double[n];
        K.Sigmoid<double>(x, y); Close(x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), y);
        K.Tanh<double>(x, y); Close(x.Select(v => Math.Tanh(v)).ToArray(), y);
        K.HardTanh<double>(x, y); Close(x.Select(v => Math.Clamp(v, -1, 1)).ToArray(), y);
        K.ReLU<double>(x, y); Close(x.Select(v => Math.Max(v, 0)).ToArray(), y);
        K.Exp<double>(x, y); Close(x.Select(v => Math.Exp(v)).ToArray(), y);
        double[] pos = x.Select(v => Math.Abs(v) + 0.1).ToArray();
        K.Log<double>(pos, y); Close(pos.Select(v => Math.Log(v)).ToArray(), y);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void SoftmaxFamily_Backward_Float_MatchesDouble(int n)
    {
        var rng = new Rng((ulong)n + 4);
        double[] x = Random(n, rng, 2), dy = Random(n, rng), dx0 = Random(n, rng);
        float[] xf = ToFloat(x), dyf = ToFloat(dy);
        void Compare(Action<double[], double[]> fd, Action<double[], double[], double[]> bd,
                     Action<float[], float[]> ff, Action<float[], float[], float[]> bf)
        {
            double[] y = new double[n], dx = (double[])dx0.Clone();
            float[] yf = new float[n], dxf = ToFloat(dx0);
            fd(x, y); bd(y, dy, dx);
            ff(xf, yf); bf(yf, dyf, dxf);
            Close(y, yf); Close(dx, dxf);
        }
        Compare((a, b) => K.Softmax<double>(a, b), (y, d, dx) => K.SoftmaxBackward<double>(y, d, dx),
                (a, b) => K.Softmax<float>(a, b), (y, d, dx) => K.SoftmaxBackward<float>(y, d, dx));
        Compare((a, b) => K.LogSoftmax<double>(a, b), (y, d, dx) => K.LogSoftmaxBackward<double>(y, d, dx),
                (a, b) => K.LogSoftmax<float>(a, b), (y, d, dx) => K.LogSoftmaxBackward<float>(y, d, dx));
    }

    // ------------------------------------------------------------------ softmax family

    [Theory, MemberData(nameof(Lengths))]
    public void Softmax_And_LogSoftmax_MatchNaive_And_FiniteDifferences(int n)
    {
        var rng = new Rng((ulong)n + 5);
        double[] x = Random(n, rng, 3), y = new double[n];
        K.Softmax<double>(x, y);
        Close(NaiveSoftmax(x), y);
        Assert.Equal(1.0, y.Sum(), 12);
        K.LogSoftmax<double>(x, y);
        Close(NaiveSoftmax(x).Select(v => Math.Log(v)).ToArray(), y);
        Close(new[] { Math.Log(x.Sum(v => Math.Exp(v))) }, new[] { K.LogSumExp<double>(x) });

        CheckBackward(x, n, (a, b) => K.Softmax<double>(a, b), (_, yy, dy, dx) => K.SoftmaxBackward<double>(yy, dy, dx), rng);
        CheckBackward(x, n, (a, b) => K.LogSoftmax<double>(a, b), (_, yy, dy, dx) => K.LogSoftmaxBackward<double>(yy, dy, dx), rng);
    }

    [Fact]
    public void Softmax_IsStable_ForLargeLogits()
    {
        double[] x = { 1000, 1001, 999 };
        var y = new double[3];
        K.Softmax<double>(x, y);
        Close(NaiveSoftmax(new double[] { 1, 2, 0 }), y);
        K.LogSoftmax<double>(x, y);
        Assert.All(y, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(Math.Log(NaiveSoftmax(new double[] { 1, 2, 0 })[1]), y[1], 12);
        float[] xf = { 100f, -100f, 50f }, yf = new float[3];
        K.Softmax<float>(xf, yf);
        Assert.All(yf, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, yf[0], 5);
        Assert.Equal(200.0, K.CrossEntropy<double>(new double[] { 100, -100 }, 1), 9);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void CrossEntropy_MatchesNaive_And_Backward_MatchesFiniteDifferences(int n)
    {
        var rng = new Rng((ulong)n + 6);
        double[] logits = Random(n, rng, 3);
        int label = n / 2;
        Assert.Equal(-Math.Log(NaiveSoftmax(logits)[label]), K.CrossEntropy<double>(logits, label), 10);

        const double d = 0.7;
        var scratch = new double[n];
        CheckBackward(logits, 1, (a, b) => b[0] = d * K.CrossEntropy<double>(a, label),
            (a, _, dy, dx) => K.CrossEntropyBackward<double>(a, label, d * dy[0], dx, scratch), rng);

        float[] dxf = new float[n], scratchf = new float[n];
        K.CrossEntropyBackward<float>(ToFloat(logits), label, 1f, dxf, scratchf);
        double[] expected = NaiveSoftmax(logits);
        expected[label] -= 1;
        Close(expected, dxf);
        Assert.Equal(-Math.Log(NaiveSoftmax(logits)[label]), K.CrossEntropy<float>(ToFloat(logits), label), 4);
    }

    // ------------------------------------------------------------------ embeddings and concat

    [Theory, MemberData(nameof(MatShapes))]
    public void GatherRow_ScatterAddRow(int rows, int cols)
    {
        var rng = new Rng((ulong)(rows + 7 * cols));
        double[] e = Random(rows * cols, rng);
        int index = rows - 1;
        var dst = new double[cols];
        K.GatherRow<double>(e, rows, cols, index, dst);
        Close(e.AsSpan(index * cols, cols), dst);

        // ScatterAddRow is the adjoint of GatherRow (wrt E)
        CheckBackward(e, cols, (ee, yy) => K.GatherRow<double>(ee, rows, cols, index, yy),
            (_, _, dy, dE) => K.ScatterAddRow<double>(dE, rows, cols, index, dy), rng);

        // only the touched row changes
        var E = new Mat<double>(rows, cols);
        var src = Random(cols, rng);
        K.ScatterAddRow(E, 0, src);
        Close(src, E.Row(0));
        for (int r = 1; r < rows; r++) Assert.All(E.Row(r).ToArray(), v => Assert.Equal(0.0, v));
        var g = new double[cols];
        K.GatherRow(E, 0, g);
        Close(src, g);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Concat_And_Backward(int n)
    {
        var rng = new Rng((ulong)n + 8);
        double[] a = Random(n, rng), b = Random(3, rng);
        int total = n + 3;
        var dst = new double[total];
        K.ConcatInto<double>(a, dst, 0);
        K.ConcatInto<double>(b, dst, n);
        Close(a.Concat(b).ToArray(), dst);

        double[] x = a.Concat(b).ToArray();
        // the slice [n, n+3) of the concatenation, as a function of b, has adjoint ConcatBackward
        CheckBackward(b, total, (bb, yy) => { K.ConcatInto<double>(a, yy, 0); K.ConcatInto<double>(bb, yy, n); },
            (_, _, dy, db) => K.ConcatBackward<double>(dy, n, db), rng);
        CheckBackward(a, total, (aa, yy) => { K.ConcatInto<double>(aa, yy, 0); K.ConcatInto<double>(b, yy, n); },
            (_, _, dy, da) => K.ConcatBackward<double>(dy, 0, da), rng);
        Assert.Equal(total, x.Length);
    }

    // ------------------------------------------------------------------ shape errors

    [Fact]
    public void ShapeMismatch_Throws_BeforeWriting()
    {
        var w = new double[12];
        var y = new double[3] { 9, 9, 9 };
        var ex = Assert.Throws<ArgumentException>(() => K.MatVec<double>(w, 3, 4, new double[5], y));
        Assert.Contains("3×4", ex.Message);
        Assert.Contains("5", ex.Message);
        Assert.Equal(new double[] { 9, 9, 9 }, y);

        var c = new Mat<double>(2, 2);
        c.Data[0] = 42;
        ex = Assert.Throws<ArgumentException>(() => K.MatMul(new Mat<double>(2, 3), new Mat<double>(4, 2), c));
        Assert.Contains("2×3", ex.Message);
        Assert.Contains("4×2", ex.Message);
        Assert.Equal(42, c.Data[0]);

        var dx = new double[] { 1, 1, 1 };
        ex = Assert.Throws<ArgumentException>(() => K.SoftmaxBackward<double>(new double[3], new double[4], dx));
        Assert.Contains("3", ex.Message);
        Assert.Contains("4", ex.Message);
        Assert.Equal(new double[] { 1, 1, 1 }, dx);

        var dst = new double[] { 5, 5 };
        Assert.Throws<ArgumentException>(() => K.Add<double>(new double[2], new double[3], dst));
        Assert.Equal(new double[] { 5, 5 }, dst);
        Assert.Throws<ArgumentException>(() => K.OuterAdd<double>(new double[6], 2, 3, new double[3], new double[3]));
        Assert.Throws<ArgumentException>(() => K.ConcatInto<double>(new double[3], new double[4], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => K.GatherRow<double>(new double[6], 2, 3, 2, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => K.CrossEntropy<double>(new double[3], 3));
        Assert.Throws<ArgumentException>(() => K.CrossEntropyBackward<double>(new double[3], 0, 1, new double[3], new double[2]));
        Assert.Throws<ArgumentException>(() => new Mat<double>(2, 3, new double[5]));
    }

    [Fact]
    public void Vec_And_Mat_Basics()
    {
        var v = new Vec<float>(3);
        v[1] = 2f;
        Assert.Equal(3, v.Length);
        Assert.Equal(2f, v.Span[1]);
        v.Clear();
        Assert.Equal(0f, v[1]);
        var m = new Mat<double>(2, 3, new double[] { 1, 2, 3, 4, 5, 6 });
        Assert.Equal(6, m[1, 2]);
        Assert.Equal(new double[] { 4, 5, 6 }, m.Row(1).ToArray());
        m[0, 1] = -1;
        Assert.Equal(-1, m.Data[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m[2, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(-1));
        m.Clear();
        Assert.All(m.Data, x => Assert.Equal(0, x));
    }
}
