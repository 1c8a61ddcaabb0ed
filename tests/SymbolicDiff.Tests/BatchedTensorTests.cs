using System;
using System.Linq;
using SymbolicDiff;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Batched (minibatch) tensor methods: one example per row of X, labels and word indices as int spans.</summary>
public static partial class BatchedModels
{
    [Differentiable]
    public static float Mlp(Mat<float> W1, Vec<float> b1, Mat<float> W2, Vec<float> b2, [NoDiff] Mat<float> X, ReadOnlySpan<int> labels)
    {
        var H = Tensor.ReLU(Tensor.AddRowVector(Tensor.MatMulTransposeB(X, W1), b1));
        var S = Tensor.AddRowVector(Tensor.MatMulTransposeB(H, W2), b2);
        return Tensor.CrossEntropy(S, labels);
    }

    [Differentiable]
    public static float MlpOne(Mat<float> W1, Vec<float> b1, Mat<float> W2, Vec<float> b2, [NoDiff] Vec<float> x, int label)
    {
        var h = Tensor.ReLU(Tensor.Add(Tensor.MatVec(W1, x), b1));
        var s = Tensor.Add(Tensor.MatVec(W2, h), b2);
        return Tensor.CrossEntropy(s, label);
    }

    /// <summary>Every batched operation in double, X differentiable too, for central differences.</summary>
    [Differentiable]
    public static double Everything(Mat<double> E, Mat<double> W, Vec<double> b, Mat<double> U, Vec<double> c, Mat<double> X, int[] windows, ReadOnlySpan<int> tags)
    {
        var G = Tensor.Windows(E, windows, 3);
        var H = Tensor.Tanh(Tensor.AddRowVector(Tensor.MatMulTransposeB(G, W), b));
        var S = Tensor.AddRowVector(Tensor.MatMulTransposeB(H, U), c);
        var P = Tensor.Softmax(S);
        var L = Tensor.LogSoftmax(Tensor.Sigmoid(S));
        var R = Tensor.ReLU(Tensor.MatMulTransposeB(X, H));
        return Tensor.MeanCrossEntropy(S, tags) + Tensor.Sum(Tensor.MatMul(P, U)) + 0.1 * Tensor.Sum(L) + 0.01 * Tensor.Sum(R);
    }
}

public class BatchedTensorTests
{
    private static void Fill<T>(T[] data, Random r, double scale) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateChecked((r.NextDouble() * 2 - 1) * scale);
    }

    [Theory]
    [InlineData(64, 784, 256, 10)]
    [InlineData(7, 13, 9, 5)]
    public void BatchedMlpGradient_EqualsThePerExampleSum(int batch, int inputs, int hidden, int classes)
    {
        var r = new Random(batch + inputs);
        Mat<float> W1 = new(hidden, inputs), W2 = new(classes, hidden), X = new(batch, inputs);
        Vec<float> b1 = new(hidden), b2 = new(classes);
        Fill(W1.Data, r, 0.1); Fill(W2.Data, r, 0.3); Fill(X.Data, r, 1); Fill(b1.Data, r, 0.1); Fill(b2.Data, r, 0.1);
        var labels = Enumerable.Range(0, batch).Select(i => r.Next(classes)).ToArray();

        Mat<float> dW1 = new(hidden, inputs), dW2 = new(classes, hidden);
        Vec<float> db1 = new(hidden), db2 = new(classes);
        float loss = BatchedModels.MlpGradient(W1, b1, W2, b2, X, labels, dW1, db1, dW2, db2, new BatchedModels.MlpWorkspace());

        Mat<float> eW1 = new(hidden, inputs), eW2 = new(classes, hidden);
        Vec<float> eb1 = new(hidden), eb2 = new(classes);
        var one = new BatchedModels.MlpOneWorkspace();
        double expectedLoss = 0;
        for (int i = 0; i < batch; i++)
        {
            var x = new Vec<float>(X.Row(i).ToArray());
            expectedLoss += BatchedModels.MlpOneGradient(W1, b1, W2, b2, x, labels[i], eW1, eb1, eW2, eb2, one);
        }
        Assert.Equal(expectedLoss, loss, 1e-4 * batch);
        Assert.Equal(BatchedModels.Mlp(W1, b1, W2, b2, X, labels), loss, 1e-5 * batch);
        // Float rounding only: the batched and the per-example sums add the same products in another order.
        foreach (var (got, want) in new[] { (dW1.Data, eW1.Data), (db1.Data, eb1.Data), (dW2.Data, eW2.Data), (db2.Data, eb2.Data) })
        {
            float scale = want.Max(MathF.Abs);
            for (int i = 0; i < want.Length; i++) Assert.True(MathF.Abs(got[i] - want[i]) <= 2e-5f * (1 + scale), $"[{i}] batched {got[i]} vs per-example {want[i]}");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(6, 2)]
    [InlineData(9, 3)]
    public void EveryBatchedOperation_MatchesCentralDifferences(int batch, int seed)
    {
        const int Vocabulary = 11, Dim = 4, Hidden = 7, Tags = 5;
        var r = new Random(seed);
        Mat<double> E = new(Vocabulary, Dim), W = new(Hidden, 3 * Dim), U = new(Tags, Hidden), X = new(3, Hidden);
        Vec<double> b = new(Hidden), c = new(Tags);
        foreach (var data in new[] { E.Data, W.Data, U.Data, X.Data, b.Data, c.Data }) Fill(data, r, 0.8);
        var windows = Enumerable.Range(0, 3 * batch).Select(i => r.Next(Vocabulary)).ToArray();
        windows[0] = windows[^1];   // a word twice: its adjoint rows add up
        var tags = Enumerable.Range(0, batch).Select(i => r.Next(Tags)).ToArray();
        Mat<double> dE = new Mat<double>(Vocabulary, Dim).TrackTouchedRows(), dW = new(Hidden, 3 * Dim), dU = new(Tags, Hidden), dX = new(3, Hidden);
        Vec<double> db = new(Hidden), dc = new(Tags);
        var workspace = new BatchedModels.EverythingWorkspace();

        var report = GradientCheck.CheckTensors(
            () => BatchedModels.Everything(E, W, b, U, c, X, windows, tags),
            () => BatchedModels.EverythingGradient(E, W, b, U, c, X, windows, tags, dE, dW, db, dU, dc, dX, workspace),
            new[]
            {
                GradientCheck.Param("E", E, dE), GradientCheck.Param("W", W, dW), GradientCheck.Param("b", b, db),
                GradientCheck.Param("U", U, dU), GradientCheck.Param("c", c, dc), GradientCheck.Param("X", X, dX),
            },
            samplesPerTensor: 40, seed: 5);
        Assert.True(report.Passed(1e-7), report.ToString());
        Assert.Equal(report.Value, report.GradientValue, 12);
        // The embedding adjoint marked exactly the rows looked up.
        Assert.Equal(windows.Distinct().OrderBy(i => i), dE.TouchedRows!.Rows.ToArray().OrderBy(i => i));
    }

    [Fact]
    public void ShapeMismatch_ThrowsNamingTheStatement_BeforeWriting()
    {
        Mat<float> W1 = new(4, 3), W2 = new(2, 4), X = new(5, 3), dW1 = new(4, 3), dW2 = new(2, 4);
        Vec<float> b1 = new(4), b2 = new(2), db1 = new(4), db2 = new(2);
        dW1.Data[0] = 7;
        var ex = Assert.Throws<ArgumentException>(() => BatchedModels.MlpGradient(W1, b1, W2, b2, X, new int[4], dW1, db1, dW2, db2, new BatchedModels.MlpWorkspace()));
        Assert.Contains("labels.Length (4) must equal X.Rows (5)", ex.Message);
        Assert.Equal(7, dW1.Data[0]);
    }

    [Fact]
    public void WarmTrainingStep_AllocatesNothing()
    {
        var r = new Random(2);
        Mat<float> W1 = new(32, 50), W2 = new(10, 32), X = new(16, 50), dW1 = new(32, 50), dW2 = new(10, 32);
        Vec<float> b1 = new(32), b2 = new(10), db1 = new(32), db2 = new(10);
        Fill(W1.Data, r, 0.1); Fill(W2.Data, r, 0.1); Fill(X.Data, r, 1);
        var labels = new int[16];
        var workspace = new BatchedModels.MlpWorkspace();
        var adam = new Adam<float>(new[] { (W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);
        void Step()
        {
            BatchedModels.MlpGradient(W1, b1, W2, b2, X, labels, dW1, db1, dW2, db2, workspace);
            adam.Step();
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
