using System;
using System.Linq;
using System.Numerics;
using SymbolicDiff.Samples.FashionMnist;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;
using static SymbolicDiff.Runtime.Tests.TestUtil;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>Tests that change the process-wide <see cref="Gemm.Threads"/> run alone, so no other test sees it change.</summary>
[CollectionDefinition(nameof(GemmThreadsCollection), DisableParallelization = true)]
public class GemmThreadsCollection;

/// <summary>Gemm split across threads: bit-identical to one thread, for every form, shape and thread count; training too.</summary>
[Collection(nameof(GemmThreadsCollection))]
public class ParallelGemmTests
{
    // m, k, n with m·k·n ≥ 2²⁰ (the split threshold): the MLP's forward (64×784×256) and weight gradient (256×64×784),
    // C taller than wide (split by rows), edge panels in the split direction, and one too thin to split at all.
    public static TheoryData<int, int, int, bool> Shapes => new()
    {
        { 64, 784, 256, true }, { 256, 64, 784, true }, { 300, 100, 40, true }, { 9, 4100, 33, true }, { 1000, 1100, 1, true }, { 5, 70000, 3, false },
    };

    private static T[] Multiply<T>(char form, T[] a, T[] b, T[] c0, int m, int k, int n, bool accumulate, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = (T[])c0.Clone();
        int previous = Gemm.Threads;
        Gemm.Threads = threads;
        try
        {
            switch (form)
            {
                case 'N': Gemm.NN<T>(a, b, c, m, k, n, accumulate); break;
                case 'T': Gemm.NT<T>(a, b, c, m, k, n, accumulate); break;
                default: Gemm.TN<T>(a, b, c, m, k, n, accumulate); break;
            }
        }
        finally
        {
            Gemm.Threads = previous;
        }
        return c;
    }

    private static void SameBitsForAnyThreadCount<T>(int m, int k, int n, bool splits, Func<double[], T[]> convert)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng((ulong)(m * 31 + k * 7 + n));
        T[] a = convert(Random(m * k, rng)), b = convert(Random(k * n, rng)), c0 = convert(Random(m * n, rng));
        foreach (char form in "NTA")   // NN, NT, TN (A transposed)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var one = Multiply(form, a, b, c0, m, k, n, accumulate, threads: 1);
                foreach (int threads in new[] { 2, 3 })
                {
                    long before = Gemm.ParallelProducts;
                    var many = Multiply(form, a, b, c0, m, k, n, accumulate, threads);
                    Assert.Equal(Gemm.IsVectorized<T>() && splits, Gemm.ParallelProducts > before);
                    Assert.True(one.AsSpan().SequenceEqual(many), $"{form} {m}×{k}×{n} accumulate={accumulate}: {threads} threads differ from one");
                }
            }
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void SplitProducts_AreBitIdenticalToOneThread_Float(int m, int k, int n, bool splits) => SameBitsForAnyThreadCount(m, k, n, splits, ToFloat);

    [Theory, MemberData(nameof(Shapes))]
    public void SplitProducts_AreBitIdenticalToOneThread_Double(int m, int k, int n, bool splits) => SameBitsForAnyThreadCount(m, k, n, splits, a => a);

    [Theory]
    [InlineData(300, 100, 40)]
    [InlineData(9, 4100, 33)]
    public void SplitProducts_MatchTheDefinition(int m, int k, int n)
    {
        var rng = new Rng(5);
        double[] a = Random(m * k, rng), b = Random(k * n, rng), c0 = Random(m * n, rng);
        var c = Multiply('N', a, b, c0, m, k, n, accumulate: true, threads: 2);
        var expected = (double[])c0.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                expected[i * n + j] += s;
            }
        Close(expected, c, 1e-12);
    }

    [Fact]
    public void Threads_BelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Threads = 0);
        Assert.Equal(1, Gemm.Threads);
    }

    /// <summary>A few Adam steps of the Fashion-MNIST MLP on random images: weights, losses and accuracy.</summary>
    private static (float[] W1, float[] W2, double[] Losses, double Accuracy) Train(int threads, int steps)
    {
        var rng = new Rng(11);
        var images = Enumerable.Range(0, 150).Select(_ => new Vec<float>(ToFloat(Random(784, rng)))).ToArray();
        var labels = Enumerable.Range(0, 150).Select(i => (byte)(i % 10)).ToArray();
        Mat<float> W1 = new(256, 784), W2 = new(10, 256), dW1 = new(256, 784), dW2 = new(10, 256);
        Vec<float> b1 = new(256), b2 = new(10), db1 = new(256), db2 = new(10);
        Init.XavierUniform(W1, rng);
        Init.XavierUniform(W2, rng);
        var adam = new Adam<float>(new[] { (W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);
        using var trainer = new MlpTrainer(W1, b1, W2, b2, dW1, db1, dW2, db2, adam);   // one worker: only the products are split
        var order = Enumerable.Range(0, images.Length).ToArray();
        var losses = new double[steps];
        int previous = Gemm.Threads;
        Gemm.Threads = threads;
        try
        {
            for (int s = 0; s < steps; s++)
            {
                int start = s * 64 % images.Length;
                losses[s] = trainer.Step(images, labels, order, start, Math.Min(64, images.Length - start));   // 64, 64, 22, …; with the Adam step
            }
            return (W1.Data, W2.Data, losses, trainer.Accuracy(images, labels));
        }
        finally
        {
            Gemm.Threads = previous;
        }
    }

    [Fact]
    public void MlpTraining_IsBitIdentical_OnOneOrTwoThreads()
    {
        long before = Gemm.ParallelProducts;
        var two = Train(threads: 2, steps: 4);
        Assert.True(Gemm.ParallelProducts > before || !Gemm.IsVectorized<float>(), "the training step's large products must be split");
        var one = Train(threads: 1, steps: 4);
        Assert.Equal(one.Losses, two.Losses);
        Assert.True(one.W1.AsSpan().SequenceEqual(two.W1));
        Assert.True(one.W2.AsSpan().SequenceEqual(two.W2));
        Assert.Equal(one.Accuracy, two.Accuracy);
        Assert.True(one.Losses[3] < one.Losses[0], "the steps must train");
    }

    [Fact]
    public void WarmTrainingStep_OnTwoThreads_AllocatesNothingOnEitherThread()
    {
        var rng = new Rng(3);
        var images = Enumerable.Range(0, 64).Select(_ => new Vec<float>(ToFloat(Random(784, rng)))).ToArray();
        var labels = new byte[64];
        Mat<float> W1 = new(256, 784), W2 = new(10, 256), dW1 = new(256, 784), dW2 = new(10, 256);
        Vec<float> b1 = new(256), b2 = new(10), db1 = new(256), db2 = new(10);
        var adam = new Adam<float>(new[] { (W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);
        using var trainer = new MlpTrainer(W1, b1, W2, b2, dW1, db1, dW2, db2, adam);   // one worker: only the products are split
        var order = Enumerable.Range(0, 64).ToArray();
        int previous = Gemm.Threads;
        Gemm.Threads = 2;
        try
        {
            void Step() => trainer.Step(images, labels, order, 0, 64);
            // Warm up past the pool's lazily created wait state (see DataParallelTests); then some window of
            // 10 steps out of three must allocate nothing on this thread and the pool's.
            for (int i = 0; i < 30; i++) Step();
            long allocated = long.MaxValue;
            for (int attempt = 0; attempt < 3 && allocated != 0; attempt++)
            {
                long before = Gemm.AllocatedOnPoolThreads();
                for (int i = 0; i < 10; i++) Step();
                allocated = Gemm.AllocatedOnPoolThreads() - before;
            }
            Assert.Equal(0, allocated);
        }
        finally
        {
            Gemm.Threads = previous;
        }
    }
}
