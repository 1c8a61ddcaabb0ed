using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace SymbolicDiff.Tensors;

// Kernels of batched (minibatch) tensor methods: a Mat holds one example per row. Same conventions as the rest of
// TensorKernels: forward kernels overwrite their output, …Add and …Backward kernels accumulate, shapes are checked
// before anything is written.
public static partial class TensorKernels
{
    private static void SameShape<T>(string op, string aName, Mat<T> a, string bName, Mat<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols) throw new ArgumentException($"{op}: {aName} is {a.Shape} but {bName} is {b.Shape}; they must be equal.");
    }

    /// <summary>C = A·Bᵀ (a layer's pre-activations X·Wᵀ for X batch×in, W out×in).</summary>
    /// <param name="a">A, m×k.</param>
    /// <param name="b">B, n×k.</param>
    /// <param name="c">C, m×n; overwritten.</param>
    public static void MatMulTransposeB<T>(Mat<T> a, Mat<T> b, Mat<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Cols != b.Cols || c.Rows != a.Rows || c.Cols != b.Rows)
            throw new ArgumentException($"MatMulTransposeB: A is {a.Shape} and B is {b.Shape}, so C must be {a.Rows}×{b.Rows} with A.Cols = B.Cols, but C is {c.Shape}.");
        Gemm.NT<T>(a.Data, b.Data, c.Data, a.Rows, a.Cols, b.Rows);
    }

    /// <summary>dA += dC·B: the adjoint of <c>C = A·Bᵀ</c> with respect to A (δ·W, the input gradient of a layer).</summary>
    /// <param name="dC">Upstream adjoint, m×n.</param>
    /// <param name="b">B, n×k.</param>
    /// <param name="dA">Accumulator, m×k.</param>
    public static void MatMulAdd<T>(Mat<T> dC, Mat<T> b, Mat<T> dA) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dC.Cols != b.Rows || dA.Rows != dC.Rows || dA.Cols != b.Cols)
            throw new ArgumentException($"MatMulAdd: dC is {dC.Shape} and B is {b.Shape}, so dA must be {dC.Rows}×{b.Cols} with dC.Cols = B.Rows, but dA is {dA.Shape}.");
        Gemm.NN<T>(dC.Data, b.Data, dA.Data, dC.Rows, dC.Cols, b.Cols, accumulate: true);
        dA.TouchedRows?.MarkAll();
    }

    /// <summary>Y = M + 1·vᵀ: <paramref name="v"/> added to every row (a broadcast bias).</summary>
    /// <param name="m">The matrix.</param>
    /// <param name="v">A vector of length M.Cols.</param>
    /// <param name="y">Output, the shape of M; overwritten.</param>
    public static void AddRowVector<T>(Mat<T> m, ReadOnlySpan<T> v, Mat<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(nameof(AddRowVector), "M", m, "Y", y);
        SameLength(nameof(AddRowVector), "v", v.Length, "M's rows", m.Cols);
        for (int r = 0; r < m.Rows; r++) TensorPrimitives.Add(m.Data.AsSpan(r * m.Cols, m.Cols), v, y.Data.AsSpan(r * m.Cols, m.Cols));
    }

    /// <summary>dv += the column sums of dY: the adjoint of a broadcast bias.</summary>
    /// <param name="dY">Upstream adjoint.</param>
    /// <param name="dv">Accumulator of length dY.Cols.</param>
    public static void ColumnSumsAdd<T>(Mat<T> dY, Span<T> dv) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(ColumnSumsAdd), "dv", dv.Length, "dY's rows", dY.Cols);
        for (int r = 0; r < dY.Rows; r++) TensorPrimitives.Add(dv, dY.Data.AsSpan(r * dY.Cols, dY.Cols), dv);
    }

    /// <summary>Row-wise softmax: each row of Y is the softmax of that row of X.</summary>
    /// <param name="x">Scores, one example per row.</param>
    /// <param name="y">Output, same shape; overwritten.</param>
    public static void SoftmaxRows<T>(Mat<T> x, Mat<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(nameof(SoftmaxRows), "X", x, "Y", y);
        for (int r = 0; r < x.Rows; r++) Softmax<T>(x.Row(r), y.Row(r));
    }

    /// <summary>Row-wise log-softmax.</summary>
    /// <param name="x">Scores, one example per row.</param>
    /// <param name="y">Output, same shape; overwritten.</param>
    public static void LogSoftmaxRows<T>(Mat<T> x, Mat<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(nameof(LogSoftmaxRows), "X", x, "Y", y);
        for (int r = 0; r < x.Rows; r++) LogSoftmax<T>(x.Row(r), y.Row(r));
    }

    /// <summary>dX += the row-wise softmax Jacobian applied to dY, from the forward output Y.</summary>
    /// <param name="y">Row-wise softmax output.</param>
    /// <param name="dy">Upstream adjoint.</param>
    /// <param name="dx">Accumulator.</param>
    public static void SoftmaxRowsBackward<T>(Mat<T> y, Mat<T> dy, Mat<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(nameof(SoftmaxRowsBackward), "Y", y, "dY", dy);
        SameShape(nameof(SoftmaxRowsBackward), "Y", y, "dX", dx);
        for (int r = 0; r < y.Rows; r++) SoftmaxBackward<T>(y.Row(r), dy.Row(r), dx.Row(r));
    }

    /// <summary>dX += the row-wise log-softmax Jacobian applied to dY, from the forward output Y.</summary>
    /// <param name="y">Row-wise log-softmax output.</param>
    /// <param name="dy">Upstream adjoint.</param>
    /// <param name="dx">Accumulator.</param>
    public static void LogSoftmaxRowsBackward<T>(Mat<T> y, Mat<T> dy, Mat<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameShape(nameof(LogSoftmaxRowsBackward), "Y", y, "dY", dy);
        SameShape(nameof(LogSoftmaxRowsBackward), "Y", y, "dX", dx);
        for (int r = 0; r < y.Rows; r++) LogSoftmaxBackward<T>(y.Row(r), dy.Row(r), dx.Row(r));
    }

    /// <summary>Σ_r CrossEntropy(row r of the logits, labels[r]): the summed loss of a batch.</summary>
    /// <param name="logits">Scores, one example per row.</param>
    /// <param name="labels">One class index per row.</param>
    /// <returns>The sum of the rows' losses.</returns>
    public static T CrossEntropyRows<T>(Mat<T> logits, ReadOnlySpan<int> labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(CrossEntropyRows), "labels", labels.Length, "the logits' rows", logits.Rows);
        T sum = T.Zero;
        for (int r = 0; r < logits.Rows; r++) sum += CrossEntropy<T>(logits.Row(r), labels[r]);
        return sum;
    }

    /// <summary>dLogits += d·(softmax(row) − onehot(label)) for every row: the adjoint of <see cref="CrossEntropyRows{T}"/> scaled by d.</summary>
    /// <param name="logits">Scores, one example per row.</param>
    /// <param name="labels">One class index per row.</param>
    /// <param name="d">Upstream adjoint of the summed loss (1/rows for a mean).</param>
    /// <param name="dLogits">Accumulator, same shape as the logits.</param>
    /// <param name="scratch">Scratch of length logits.Cols.</param>
    public static void CrossEntropyRowsBackward<T>(Mat<T> logits, ReadOnlySpan<int> labels, T d, Mat<T> dLogits, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(CrossEntropyRowsBackward), "labels", labels.Length, "the logits' rows", logits.Rows);
        SameShape(nameof(CrossEntropyRowsBackward), "logits", logits, "dLogits", dLogits);
        for (int r = 0; r < logits.Rows; r++) CrossEntropyBackward<T>(logits.Row(r), labels[r], d, dLogits.Row(r), scratch);
    }

    /// <summary>
    /// X = a batch of windows of embedding rows: row b of X is [E(ids[b·width]); …; E(ids[b·width + width − 1])], so X is
    /// (ids.Length / width) × (width·E.Cols).
    /// </summary>
    /// <param name="e">Embedding table, one row per word.</param>
    /// <param name="ids">The windows' word indices, window after window.</param>
    /// <param name="width">Words per window.</param>
    /// <param name="x">Output; overwritten.</param>
    public static void GatherWindows<T>(Mat<T> e, ReadOnlySpan<int> ids, int width, Mat<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckWindows(nameof(GatherWindows), e, ids, width, x);
        for (int i = 0; i < ids.Length; i++) e.Row(ids[i]).CopyTo(x.Data.AsSpan(i * e.Cols, e.Cols));
    }

    /// <summary>dE[ids[i]] += the matching slice of dX: the adjoint of <see cref="GatherWindows{T}"/>, only into the rows looked up (which it marks).</summary>
    /// <param name="dE">Accumulator, the embedding table's shape.</param>
    /// <param name="ids">The windows' word indices.</param>
    /// <param name="width">Words per window.</param>
    /// <param name="dX">Upstream adjoint of the gathered windows.</param>
    public static void ScatterAddWindows<T>(Mat<T> dE, ReadOnlySpan<int> ids, int width, Mat<T> dX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckWindows(nameof(ScatterAddWindows), dE, ids, width, dX);
        for (int i = 0; i < ids.Length; i++) ScatterAddRow<T>(dE, ids[i], dX.Data.AsSpan(i * dE.Cols, dE.Cols));
    }

    private static void CheckWindows<T>(string op, Mat<T> e, ReadOnlySpan<int> ids, int width, Mat<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (width <= 0 || ids.Length % width != 0)
            throw new ArgumentException($"{op}: {ids.Length} indices do not split into windows of {width}.");
        if (x.Rows != ids.Length / width || x.Cols != width * e.Cols)
            throw new ArgumentException($"{op}: {ids.Length / width} windows of {width} rows of a {e.Shape} table need a {ids.Length / width}×{width * e.Cols} matrix, but it is {x.Shape}.");
        foreach (int id in ids) CheckIndex(op, id, e.Rows, "E");
    }
}
