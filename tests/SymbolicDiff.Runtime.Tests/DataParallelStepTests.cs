using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Samples.FashionMnist;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;
using static SymbolicDiff.Runtime.Tests.TestUtil;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>
/// <see cref="DataParallelStep{TWorker, T}"/>: the Fashion-MNIST MLP's minibatch split across workers, the gradients
/// summed and the optimizer applied slice by slice on the workers' threads.
/// </summary>
public class DataParallelStepTests
{
    /// <summary>Records the gradient each slice update receives (from whichever thread) and leaves the parameters alone.</summary>
    private sealed class Recorder : Optimizer<float>
    {
        public readonly float[][] Seen;

        public Recorder(IEnumerable<(float[] Value, float[] Grad)> parameters) : base(parameters) =>
            Seen = Parameters.Select(p => new float[p.Value.Length]).ToArray();

        protected override void Update(int index, int offset, Span<float> value, ReadOnlySpan<float> grad) => grad.CopyTo(Seen[index].AsSpan(offset));
    }

    private sealed class Worker(Mat<float> dW1, Vec<float> db1, Mat<float> dW2, Vec<float> db2)
    {
        public readonly Mat<float> DW1 = dW1, DW2 = dW2;
        public readonly Vec<float> Db1 = db1, Db2 = db2;
        public readonly Dictionary<int, (Mat<float> X, int[] Labels, Mlp.BatchLossWorkspace Workspace)> Rows = new();
        public long Allocated;
        public IReadOnlyList<float[]> Gradients => [DW1.Data, Db1.Data, DW2.Data, Db2.Data];
    }

    /// <summary>An MLP (784-256-10, Xavier) and a batch of random images with labels.</summary>
    private sealed class Problem
    {
        public readonly Mat<float> W1 = new(256, 784), W2 = new(10, 256), dW1 = new(256, 784), dW2 = new(10, 256), X;
        public readonly Vec<float> b1, b2 = new(10), db1 = new(256), db2 = new(10);
        public readonly int[] Labels;

        public Problem(int count)
        {
            var rng = new Rng(17);
            Init.XavierUniform(W1, rng);
            Init.XavierUniform(W2, rng);
            b1 = new Vec<float>(ToFloat(Random(256, rng, 0.1)));
            X = new Mat<float>(count, 784, ToFloat(Random(count * 784, rng)));
            Labels = Enumerable.Range(0, count).Select(i => (i * 7) % 10).ToArray();
        }

        public (float[] Value, float[] Grad)[] Parameters => [(W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data)];

        public DataParallel<Worker> Workers(int threads) => new(threads, w => w == 0
            ? new Worker(dW1, db1, dW2, db2)
            : new Worker(new Mat<float>(256, 784), new Vec<float>(256), new Mat<float>(10, 256), new Vec<float>(10)));

        // A worker's chunk: its rows of X copied into its own matrix, the generated batched gradient into its own buffers.
        public double Chunk(Worker w, int start, int end)
        {
            if (!w.Rows.TryGetValue(end - start, out var rows)) w.Rows[end - start] = rows = (new Mat<float>(end - start, 784), new int[end - start], new Mlp.BatchLossWorkspace());
            X.Data.AsSpan(start * 784, (end - start) * 784).CopyTo(rows.X.Data);
            Labels.AsSpan(start, end - start).CopyTo(rows.Labels);
            return Mlp.BatchLossGradient(W1, b1, W2, b2, rows.X, rows.Labels, w.DW1, w.Db1, w.DW2, w.Db2, rows.Workspace);
        }
    }

    /// <summary>The summed gradient of the batch as the optimizer receives it from a data-parallel step, and the loss.</summary>
    private static (float[][] Gradient, double Loss) ParallelGradient(int threads, int count)
    {
        var p = new Problem(count);
        var recorder = new Recorder(p.Parameters);
        using var parallel = p.Workers(threads);
        foreach (var w in parallel.Workers.Skip(1))
        {
            foreach (var g in w.Gradients) Array.Fill(g, 1f);   // stale values, which a step must discard (also on a worker with no rows)
        }
        var step = new DataParallelStep<Worker, float>(parallel, recorder, w => w.Gradients);
        double loss = step.Step(count, p.Chunk);
        float[][] first = recorder.Seen.Select(g => (float[])g.Clone()).ToArray();
        Assert.All(parallel.Workers[0].Gradients, g => Assert.All(g, v => Assert.Equal(0f, v)));   // the optimizer's own, cleared by its update
        // The recorder leaves the parameters alone, so a second step must give the same gradient again: each worker's
        // buffers, which still hold the first step's partial sums, are cleared before its next chunk.
        Assert.Equal(loss, step.Step(count, p.Chunk));
        for (int i = 0; i < first.Length; i++) Assert.True(first[i].AsSpan().SequenceEqual(recorder.Seen[i]), $"gradient {i} of the second step");
        return (first, loss);
    }

    /// <summary>The batch's gradient from one call of the generated batched gradient on one thread.</summary>
    private static (float[][] Gradient, double Loss) OneCall(int count)
    {
        var p = new Problem(count);
        double loss = Mlp.BatchLossGradient(p.W1, p.b1, p.W2, p.b2, p.X, p.Labels, p.dW1, p.db1, p.dW2, p.db2, new Mlp.BatchLossWorkspace());
        return ([p.dW1.Data, p.db1.Data, p.dW2.Data, p.db2.Data], loss);
    }

    [Theory]
    [InlineData(2, 64)]
    [InlineData(3, 64)]
    [InlineData(3, 7)]    // uneven chunks
    [InlineData(3, 2)]    // worker 0 with no rows
    [InlineData(3, 1)]    // workers 0 and 1 with no rows
    public void Gradient_OnSeveralThreads_EqualsOneThread_ToFloatRounding(int threads, int count)
    {
        var (expected, expectedLoss) = OneCall(count);
        var (actual, loss) = ParallelGradient(threads, count);
        Assert.True(Math.Abs(expectedLoss - loss) <= 1e-5 * Math.Abs(expectedLoss), $"loss {loss} on {threads} threads, {expectedLoss} on one");
        for (int i = 0; i < expected.Length; i++)
        {
            float scale = expected[i].Max(MathF.Abs);
            Assert.True(scale > 0, $"gradient {i} must not vanish");
            for (int j = 0; j < expected[i].Length; j++)
            {
                Assert.True(MathF.Abs(expected[i][j] - actual[i][j]) <= 1e-5f * scale, $"gradient {i}[{j}]: {actual[i][j]} on {threads} threads, {expected[i][j]} on one");
            }
        }
    }

    [Fact]
    public void Gradient_OnOneThread_IsBitIdenticalToOneCall()
    {
        var (expected, expectedLoss) = OneCall(64);
        var (actual, loss) = ParallelGradient(1, 64);
        Assert.Equal(expectedLoss, loss);
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"gradient {i}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Gradient_IsBitIdenticalAcrossRuns_ForAGivenThreadCount(int threads)
    {
        var (first, firstLoss) = ParallelGradient(threads, 64);
        for (int run = 0; run < 3; run++)
        {
            var (again, loss) = ParallelGradient(threads, 64);
            Assert.Equal(firstLoss, loss);
            for (int i = 0; i < first.Length; i++) Assert.True(first[i].AsSpan().SequenceEqual(again[i]), $"run {run}, gradient {i}");
        }
    }

    // A gradient that only worker 0 writes (the others add zeros), so the sum is exact: the sliced update must then be
    // bit-identical to one Step() for every optimizer, whatever slice boundaries and vector tails fall where.
    [Theory]
    [InlineData("adam")]
    [InlineData("momentum")]
    [InlineData("adagrad")]
    public void SlicedUpdate_IsBitIdenticalToOneStep(string kind)
    {
        Optimizer<float> Make((float[], float[])[] parameters) => kind switch
        {
            "adam" => new Adam<float>(parameters, 1e-2f),
            "momentum" => new Sgd<float>(parameters, 1e-2f, 0.9f),
            _ => new AdaGrad<float>(parameters, 1e-1f),
        };
        int[] lengths = [1000, 37, 5, 333];
        var rng = new Rng(23);
        float[][] start = lengths.Select(n => ToFloat(Random(n, rng))).ToArray();
        float[][][] gradients = Enumerable.Range(0, 3).Select(_ => lengths.Select(n => ToFloat(Random(n, rng))).ToArray()).ToArray();

        float[][] values = start.Select(v => (float[])v.Clone()).ToArray(), grads = lengths.Select(n => new float[n]).ToArray();
        var one = Make(values.Zip(grads).ToArray());
        foreach (var g in gradients)
        {
            for (int i = 0; i < g.Length; i++) g[i].CopyTo(grads[i], 0);
            one.Step();
        }

        float[][] parallelValues = start.Select(v => (float[])v.Clone()).ToArray(), parallelGrads = lengths.Select(n => new float[n]).ToArray();
        var sliced = Make(parallelValues.Zip(parallelGrads).ToArray());
        using var parallel = new DataParallel<float[][]>(3, w => w == 0 ? parallelGrads : lengths.Select(n => new float[n]).ToArray());
        var step = new DataParallelStep<float[][], float>(parallel, sliced, w => w);
        foreach (var g in gradients)
        {
            step.Step(3, (w, s, e) =>
            {
                if (s == 0)
                {
                    for (int i = 0; i < g.Length; i++) g[i].CopyTo(w[i], 0);
                }
                return 0;
            });
        }
        Assert.Equal(one.StepCount, sliced.StepCount);
        for (int i = 0; i < lengths.Length; i++)
        {
            int bad = values[i].AsSpan().CommonPrefixLength(parallelValues[i]);
            Assert.True(bad == lengths[i], $"parameter {i}[{bad}]: {(bad < lengths[i] ? parallelValues[i][bad] : 0)} sliced, {(bad < lengths[i] ? values[i][bad] : 0)} in one step");
            Assert.All(parallelGrads[i], v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void WarmStep_AllocatesNothing_OnAnyThread()
    {
        var p = new Problem(64);
        var adam = new Adam<float>(p.Parameters, 1e-3f);
        using var parallel = p.Workers(2);
        var step = new DataParallelStep<Worker, float>(parallel, adam, w => w.Gradients);
        DataParallel<Worker>.Chunk chunk = p.Chunk;
        DataParallel<Worker>.Chunk measure = (w, _, _) =>
        {
            w.Allocated = GC.GetAllocatedBytesForCurrentThread();
            return 0;
        };
        long Allocated()
        {
            parallel.Run(parallel.Threads, measure);   // one item per worker: each reads its own thread's count
            long sum = 0;
            for (int w = 0; w < parallel.Threads; w++) sum += parallel.Workers[w].Allocated;   // no enumerator: this thread is measured too
            return sum;
        }
        // Warm up past lazily created wait objects (see DataParallelTests); then some window of 10 steps out of three
        // must allocate nothing on either thread.
        for (int i = 0; i < 30; i++) step.Step(64, chunk);
        long allocated = long.MaxValue;
        for (int attempt = 0; attempt < 3 && allocated != 0; attempt++)
        {
            long before = Allocated();
            for (int i = 0; i < 10; i++) step.Step(64, chunk);
            allocated = Allocated() - before;
        }
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RowSparseGradients_AndSharedWorkerBuffers_AreRejected()
    {
        var p = new Problem(4);
        using var parallel = p.Workers(2);
        var adam = new Adam<float>(p.Parameters, 1e-3f);
        var shared = new float[][] { p.dW1.Data, p.db1.Data, p.dW2.Data, p.db2.Data };
        var ex = Assert.Throws<ArgumentException>(() => new DataParallelStep<Worker, float>(parallel, adam, _ => shared));
        Assert.Contains("shared with another worker", ex.Message);
        adam.UseRowSparse(p.dW1);
        ex = Assert.Throws<ArgumentException>(() => new DataParallelStep<Worker, float>(parallel, adam, w => w.Gradients));
        Assert.Contains("row-sparsely", ex.Message);
    }

    /// <summary>A few Adam steps of the sample's trainer on random images: final weights and losses.</summary>
    private static (float[] W1, double[] Losses) Train(int threads)
    {
        var rng = new Rng(11);
        var images = Enumerable.Range(0, 150).Select(_ => new Vec<float>(ToFloat(Random(784, rng)))).ToArray();
        var labels = Enumerable.Range(0, 150).Select(i => (byte)(i % 10)).ToArray();
        Mat<float> W1 = new(256, 784), W2 = new(10, 256), dW1 = new(256, 784), dW2 = new(10, 256);
        Vec<float> b1 = new(256), b2 = new(10), db1 = new(256), db2 = new(10);
        Init.XavierUniform(W1, rng);
        Init.XavierUniform(W2, rng);
        var adam = new Adam<float>(new[] { (W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);
        using var trainer = new MlpTrainer(W1, b1, W2, b2, dW1, db1, dW2, db2, adam, threads);
        var order = Enumerable.Range(0, images.Length).ToArray();
        var losses = new double[4];
        for (int s = 0; s < losses.Length; s++)
        {
            int start = s * 64 % images.Length;
            losses[s] = trainer.Step(images, labels, order, start, Math.Min(64, images.Length - start));   // 64, 64, 22, 64
        }
        Assert.Equal(threads, trainer.Threads);
        return (W1.Data, losses);
    }

    [Fact]
    public void SampleTrainer_OnTwoThreads_IsReproducible_AndTrainsLikeOneThread()
    {
        var one = Train(1);
        var two = Train(2);
        var again = Train(2);
        Assert.Equal(two.Losses, again.Losses);
        Assert.True(two.W1.AsSpan().SequenceEqual(again.W1));
        Assert.True(one.Losses[3] < one.Losses[0], "the steps must train");
        for (int s = 0; s < one.Losses.Length; s++) Assert.True(Math.Abs(one.Losses[s] - two.Losses[s]) <= 1e-4 * one.Losses[s], $"step {s}: loss {two.Losses[s]} on two threads, {one.Losses[s]} on one");
        float largest = one.W1.Zip(two.W1, (a, b) => MathF.Abs(a - b)).Max();
        Assert.True(largest < 1e-4f, $"the weights differ by up to {largest} after four Adam steps");
    }
}
