using System;
using System.Threading;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

public class DataParallelTests
{
    private sealed class Worker
    {
        public readonly Vec<double> Grad = new(3);
        public readonly Mat<double> Embedding = new Mat<double>(10, 2).TrackTouchedRows();
        public int ThreadId;
    }

    // A toy per-example loss and gradient: example i adds (i, 2i, 3i) to the vector gradient and i to row i % 10.
    private static double Body(Worker w, int start, int end)
    {
        w.ThreadId = Environment.CurrentManagedThreadId;
        double loss = 0;
        Span<double> row = stackalloc double[2];
        for (int i = start; i < end; i++)
        {
            for (int j = 0; j < 3; j++) w.Grad[j] += i * (j + 1);
            row.Fill(i);
            TensorKernels.ScatterAddRow<double>(w.Embedding, i % 10, row);
            loss += 0.5 * i;
        }
        return loss;
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 64)]
    [InlineData(3, 7)]
    [InlineData(4, 2)]
    public void Run_CoversTheBatchOnce_AndReducesLikeTheSequentialSum(int threads, int count)
    {
        using var parallel = new DataParallel<Worker>(threads, _ => new Worker());
        var totalGrad = new Vec<double>(3);
        var totalEmbedding = new Mat<double>(10, 2).TrackTouchedRows();
        double loss = parallel.Run(count, Body);
        foreach (var w in parallel.Workers)
        {
            GradientReduction.AddInto(totalGrad, w.Grad);
            GradientReduction.AddInto(totalEmbedding, w.Embedding);
        }
        var expected = new Worker();
        double expectedLoss = Body(expected, 0, count);
        Assert.Equal(expectedLoss, loss);
        Assert.Equal(expected.Grad.Data, totalGrad.Data);
        Assert.Equal(expected.Embedding.Data, totalEmbedding.Data);
        Assert.Equal(Math.Min(count, 10), totalEmbedding.TouchedRows!.Rows.Length);
        foreach (var w in parallel.Workers)
        {
            Assert.All(w.Grad.Data, v => Assert.Equal(0.0, v));        // the parts are cleared for the next step
            Assert.All(w.Embedding.Data, v => Assert.Equal(0.0, v));
        }
    }

    [Fact]
    public void Chunks_AreContiguous_InWorkerOrder_OnDistinctThreads()
    {
        using var parallel = new DataParallel<Worker>(3, _ => new Worker());
        Assert.Equal((0, 3), parallel.ChunkOf(10, 0));
        Assert.Equal((3, 6), parallel.ChunkOf(10, 1));
        Assert.Equal((6, 10), parallel.ChunkOf(10, 2));
        parallel.Run(30, Body);
        Assert.Equal(Environment.CurrentManagedThreadId, parallel.Workers[0].ThreadId);
        Assert.NotEqual(parallel.Workers[1].ThreadId, parallel.Workers[2].ThreadId);
        Assert.NotEqual(parallel.Workers[0].ThreadId, parallel.Workers[1].ThreadId);
    }

    [Fact]
    public void AWorkerException_IsRethrown_AndTheNextRunWorks()
    {
        using var parallel = new DataParallel<Worker>(2, _ => new Worker());
        var ex = Assert.Throws<InvalidOperationException>(() => parallel.Run(4, (w, s, e) => s > 0 ? throw new ArithmeticException("boom") : 1.0));
        Assert.Contains("Worker 1", ex.Message);
        Assert.Equal(2.0, parallel.Run(4, (w, s, e) => 1.0));
    }

    [Fact]
    public void WarmRun_AllocatesNothingOnTheCallingThread()
    {
        using var parallel = new DataParallel<Worker>(2, _ => new Worker());
        DataParallel<Worker>.Chunk body = Body;
        // Warm up well: the first time a wait outlasts its spinning (which depends on scheduling) the runtime may set
        // up the monitor's wait state, once. Steady state must then allocate nothing in some window of
        // 10 steps out of three; a per-step allocation fails every window.
        for (int i = 0; i < 50; i++) parallel.Run(64, body);
        long allocated = long.MaxValue;
        for (int attempt = 0; attempt < 3 && allocated != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) parallel.Run(64, body);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
    }
}
