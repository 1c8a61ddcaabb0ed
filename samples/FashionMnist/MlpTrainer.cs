using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.FashionMnist;

/// <summary>
/// Data-parallel minibatch training and batched evaluation of <see cref="Mlp"/>. A step splits the minibatch across
/// the workers (<see cref="DataParallel{TWorker}"/>): each copies its rows of the batch into its own matrix and runs the
/// generated batched gradient into its own gradient buffers (worker 0's are the optimizer's); then each worker sums
/// the workers' gradients over its slice of the parameters and takes the optimizer's step there
/// (<see cref="DataParallelStep{TWorker, T}"/>). One thread trains exactly as a plain loop would; more threads differ
/// from it only by the gradient's summation order, and a run is reproducible for a given thread count.
/// </summary>
public sealed class MlpTrainer : IDisposable
{
    /// <summary>Rows scored per batched forward pass when evaluating.</summary>
    public const int EvaluationRows = 500;

    /// <summary>The buffers for one batch size: a worker's chunk of a minibatch, a shorter last one, an evaluation chunk.</summary>
    private sealed class Rows(int count, int pixels, int hidden, int classes)
    {
        public readonly Mat<float> X = new(count, pixels), H = new(count, hidden), S = new(count, classes);
        public readonly int[] Labels = new int[count];
        public readonly Mlp.BatchLossWorkspace Workspace = new();
    }

    /// <summary>A worker's gradient buffers and its buffers per chunk size (so warm epochs allocate nothing).</summary>
    private sealed class Worker(Mat<float> dW1, Vec<float> db1, Mat<float> dW2, Vec<float> db2)
    {
        public readonly Mat<float> DW1 = dW1, DW2 = dW2;
        public readonly Vec<float> Db1 = db1, Db2 = db2;
        public readonly Dictionary<int, Rows> Rows = new();
    }

    private readonly Mat<float> _w1, _w2;
    private readonly Vec<float> _b1, _b2;
    private readonly DataParallel<Worker> _parallel;
    private readonly DataParallelStep<Worker, float> _step;
    private readonly DataParallel<Worker>.Chunk _gradient, _score;   // cached, so a warm step allocates nothing

    // What the workers read during a run: the current minibatch, or the set being scored.
    private Vec<float>[] _images = [];
    private byte[] _labels = [];
    private int[] _order = [];
    private int _offset;

    /// <summary>
    /// Trains the given parameters with <paramref name="optimizer"/>, whose gradients must be
    /// <paramref name="dW1"/>, <paramref name="db1"/>, <paramref name="dW2"/>, <paramref name="db2"/> (in that order), on
    /// <paramref name="threads"/> workers.
    /// </summary>
    public MlpTrainer(Mat<float> w1, Vec<float> b1, Mat<float> w2, Vec<float> b2, Mat<float> dW1, Vec<float> db1, Mat<float> dW2, Vec<float> db2,
        Optimizer<float> optimizer, int threads = 1)
    {
        (_w1, _b1, _w2, _b2) = (w1, b1, w2, b2);
        _parallel = new DataParallel<Worker>(threads, w => w == 0
            ? new Worker(dW1, db1, dW2, db2)
            : new Worker(new Mat<float>(dW1.Rows, dW1.Cols), new Vec<float>(db1.Length), new Mat<float>(dW2.Rows, dW2.Cols), new Vec<float>(db2.Length)));
        _step = new DataParallelStep<Worker, float>(_parallel, optimizer, w => [w.DW1.Data, w.Db1.Data, w.DW2.Data, w.Db2.Data]);
        _gradient = Gradient;
        _score = Score;
    }

    /// <summary>Threads the minibatch is split across.</summary>
    public int Threads => _parallel.Threads;

    private Rows For(Worker worker, int count)
    {
        if (!worker.Rows.TryGetValue(count, out var rows)) worker.Rows[count] = rows = new Rows(count, _w1.Cols, _w1.Rows, _w2.Rows);
        return rows;
    }

    /// <summary>One optimizer step on images order[offset .. offset + count): computes their summed gradient, updates the parameters, clears the gradients; returns their summed loss.</summary>
    public double Step(Vec<float>[] images, byte[] labels, int[] order, int offset, int count)
    {
        (_images, _labels, _order, _offset) = (images, labels, order, offset);
        return _step.Step(count, _gradient);
    }

    private double Gradient(Worker worker, int start, int end)
    {
        var rows = For(worker, end - start);
        for (int r = 0; r < rows.X.Rows; r++)
        {
            int i = _order[_offset + start + r];
            _images[i].Span.CopyTo(rows.X.Row(r));
            rows.Labels[r] = _labels[i];
        }
        return Mlp.BatchLossGradient(_w1, _b1, _w2, _b2, rows.X, rows.Labels, worker.DW1, worker.Db1, worker.DW2, worker.Db2, rows.Workspace);
    }

    /// <summary>The fraction of <paramref name="images"/> whose highest score is their label, scored <see cref="EvaluationRows"/> at a time, the chunks split across the workers.</summary>
    public double Accuracy(Vec<float>[] images, byte[] labels)
    {
        (_images, _labels) = (images, labels);
        return _parallel.Run((images.Length + EvaluationRows - 1) / EvaluationRows, _score) / images.Length;
    }

    // Scores chunks [start, end) of EvaluationRows images and returns how many are right.
    private double Score(Worker worker, int start, int end)
    {
        int correct = 0;
        for (int chunk = start; chunk < end; chunk++)
        {
            int first = chunk * EvaluationRows;
            var rows = For(worker, Math.Min(EvaluationRows, _images.Length - first));
            for (int r = 0; r < rows.X.Rows; r++) _images[first + r].Span.CopyTo(rows.X.Row(r));
            Mlp.BatchScores(_w1, _b1, _w2, _b2, rows.X, rows.H, rows.S);
            for (int r = 0; r < rows.S.Rows; r++)
            {
                if (TensorPrimitives.IndexOfMax<float>(rows.S.Row(r)) == _labels[first + r]) correct++;
            }
        }
        return correct;
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _parallel.Dispose();
}
