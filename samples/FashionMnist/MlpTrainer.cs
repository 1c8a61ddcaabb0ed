using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Samples.FashionMnist;

/// <summary>
/// Minibatch training and batched evaluation of <see cref="Mlp"/>: a step copies the batch's images into one matrix
/// and runs the generated batched gradient straight into the optimizer's gradients. Both cores are used inside the
/// large matrix products (<see cref="Gemm.Threads"/>), which leaves every result bit-identical for any thread count;
/// splitting the batch across workers instead (<c>DataParallel</c>) was slower here, because each worker's 200,000-entry
/// first-layer gradient must be reduced every step (<c>MlpMinibatchBenchmarks</c>).
/// </summary>
public sealed class MlpTrainer
{
    /// <summary>Rows scored per batched forward pass when evaluating.</summary>
    public const int EvaluationRows = 500;

    /// <summary>The buffers for one batch size: a full minibatch, the shorter last one, an evaluation chunk.</summary>
    private sealed class Rows(int count, int pixels, int hidden, int classes)
    {
        public readonly Mat<float> X = new(count, pixels), H = new(count, hidden), S = new(count, classes);
        public readonly int[] Labels = new int[count];
        public readonly Mlp.BatchLossWorkspace Workspace = new();
    }

    private readonly Mat<float> _w1, _w2, _dW1, _dW2;
    private readonly Vec<float> _b1, _b2, _db1, _db2;
    private readonly Dictionary<int, Rows> _rows = new();   // one entry per batch size seen, so warm epochs allocate nothing

    /// <summary>Trains the given parameters, adding gradients into the given buffers (the optimizer's).</summary>
    public MlpTrainer(Mat<float> w1, Vec<float> b1, Mat<float> w2, Vec<float> b2, Mat<float> dW1, Vec<float> db1, Mat<float> dW2, Vec<float> db2) =>
        (_w1, _b1, _w2, _b2, _dW1, _db1, _dW2, _db2) = (w1, b1, w2, b2, dW1, db1, dW2, db2);

    private Rows For(int count)
    {
        if (!_rows.TryGetValue(count, out var rows)) _rows[count] = rows = new Rows(count, _w1.Cols, _w1.Rows, _w2.Rows);
        return rows;
    }

    /// <summary>Adds the summed gradient of images order[offset .. offset + count) into the gradients and returns their summed loss.</summary>
    public double Step(Vec<float>[] images, byte[] labels, int[] order, int offset, int count)
    {
        var rows = For(count);
        for (int r = 0; r < count; r++)
        {
            int i = order[offset + r];
            images[i].Span.CopyTo(rows.X.Row(r));
            rows.Labels[r] = labels[i];
        }
        return Mlp.BatchLossGradient(_w1, _b1, _w2, _b2, rows.X, rows.Labels, _dW1, _db1, _dW2, _db2, rows.Workspace);
    }

    /// <summary>The fraction of <paramref name="images"/> whose highest score is their label, scored <see cref="EvaluationRows"/> at a time.</summary>
    public double Accuracy(Vec<float>[] images, byte[] labels)
    {
        int correct = 0;
        for (int start = 0; start < images.Length; start += EvaluationRows)
        {
            var rows = For(Math.Min(EvaluationRows, images.Length - start));
            for (int r = 0; r < rows.X.Rows; r++) images[start + r].Span.CopyTo(rows.X.Row(r));
            Mlp.BatchScores(_w1, _b1, _w2, _b2, rows.X, rows.H, rows.S);
            for (int r = 0; r < rows.S.Rows; r++)
            {
                if (TensorPrimitives.IndexOfMax<float>(rows.S.Row(r)) == labels[start + r]) correct++;
            }
        }
        return (double)correct / images.Length;
    }
}
