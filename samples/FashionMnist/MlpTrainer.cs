using System;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.FashionMnist;

/// <summary>
/// Data-parallel minibatch training of <see cref="Mlp"/>: each worker copies its rows of the batch into its own
/// matrix, runs the generated batched gradient into its own gradient buffers, and the buffers are then added into the
/// optimizer's gradients in worker order (deterministic for a given thread count).
/// </summary>
public sealed class MlpTrainer : IDisposable
{
    private sealed class Worker
    {
        public Mat<float> X = new(0, 0);
        public int[] Labels = Array.Empty<int>();
        public required Mat<float> dW1, dW2;
        public required Vec<float> db1, db2;
        public readonly Mlp.BatchLossWorkspace Workspace = new();
    }

    private readonly Mat<float> _w1, _w2, _dW1, _dW2;
    private readonly Vec<float> _b1, _b2, _db1, _db2;
    private readonly Vec<float>[] _images;
    private readonly byte[] _labels;
    private readonly DataParallel<Worker> _parallel;
    private readonly DataParallel<Worker>.Chunk _chunk;
    private int[] _order = Array.Empty<int>();
    private int _offset;

    /// <summary>Creates <paramref name="threads"/> workers, each with gradient buffers shaped like the parameters.</summary>
    public MlpTrainer(Mat<float> w1, Vec<float> b1, Mat<float> w2, Vec<float> b2, Mat<float> dW1, Vec<float> db1, Mat<float> dW2, Vec<float> db2,
        Vec<float>[] images, byte[] labels, int threads)
    {
        (_w1, _b1, _w2, _b2, _dW1, _db1, _dW2, _db2, _images, _labels) = (w1, b1, w2, b2, dW1, db1, dW2, db2, images, labels);
        _parallel = new DataParallel<Worker>(threads, _ => new Worker
        {
            dW1 = new(w1.Rows, w1.Cols), db1 = new(b1.Length), dW2 = new(w2.Rows, w2.Cols), db2 = new(b2.Length),
        });
        _chunk = Chunk;   // one delegate for every step, so a warm step allocates nothing
    }

    /// <summary>Adds the summed gradient of images order[offset .. offset + count) into the optimizer's gradients and returns their summed loss.</summary>
    public double Step(int[] order, int offset, int count)
    {
        (_order, _offset) = (order, offset);
        double loss = _parallel.Run(count, _chunk);
        foreach (var w in _parallel.Workers)
        {
            GradientReduction.AddInto(_dW1, w.dW1);
            GradientReduction.AddInto(_db1, w.db1);
            GradientReduction.AddInto(_dW2, w.dW2);
            GradientReduction.AddInto(_db2, w.db2);
        }
        return loss;
    }

    private double Chunk(Worker w, int start, int end)
    {
        int rows = end - start;
        if (w.X.Rows != rows)
        {
            w.X = new Mat<float>(rows, _w1.Cols);   // only when the chunk size changes (a last, shorter batch)
            w.Labels = new int[rows];
        }
        for (int r = 0; r < rows; r++)
        {
            int i = _order[_offset + start + r];
            _images[i].Span.CopyTo(w.X.Row(r));
            w.Labels[r] = _labels[i];
        }
        return Mlp.BatchLossGradient(_w1, _b1, _w2, _b2, w.X, w.Labels, w.dW1, w.db1, w.dW2, w.db2, w.Workspace);
    }

    /// <inheritdoc/>
    public void Dispose() => _parallel.Dispose();
}
