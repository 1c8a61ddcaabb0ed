using System;
using System.Numerics;

namespace SymbolicDiff.Tensors;

/// <summary>
/// Allocating reference implementations of the tensor operations a <see cref="DifferentiableAttribute"/> method may use.
/// Calling the method runs these (so it stays plain C#); its generated gradient instead calls the allocation-free
/// <see cref="TensorKernels"/> into a reusable workspace.
/// </summary>
public static class Tensor
{
    /// <summary>W·x, a vector of length W.Rows.</summary>
    /// <param name="w">A matrix with W.Cols == x.Length.</param>
    /// <param name="x">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> MatVec<T>(Mat<T> w, Vec<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(w.Rows);
        TensorKernels.MatVec(w, x, y);
        return y;
    }

    /// <summary>Wᵀ·d, a vector of length W.Cols (the transpose product, as in backprop's Wᵀδ).</summary>
    /// <param name="w">A matrix with W.Rows == d.Length.</param>
    /// <param name="d">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> MatTransposeVec<T>(Mat<T> w, Vec<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(w.Cols);
        TensorKernels.MatTransposeVec(w, d, y);
        return y;
    }

    /// <summary>A·B, a matrix of shape A.Rows × B.Cols.</summary>
    /// <param name="a">A matrix with A.Cols == B.Rows.</param>
    /// <param name="b">The right factor.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> MatMul<T>(Mat<T> a, Mat<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var c = new Mat<T>(a.Rows, b.Cols);
        TensorKernels.MatMul(a, b, c);
        return c;
    }

    /// <summary>a + b, element-wise.</summary>
    /// <param name="a">First vector.</param>
    /// <param name="b">Second vector, same length.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Add<T>(Vec<T> a, Vec<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(a.Length);
        TensorKernels.Add<T>(a, b, y);
        return y;
    }

    /// <summary>a − b, element-wise.</summary>
    /// <param name="a">First vector.</param>
    /// <param name="b">Second vector, same length.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Subtract<T>(Vec<T> a, Vec<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(a.Length);
        TensorKernels.Subtract<T>(a, b, y);
        return y;
    }

    /// <summary>a ∘ b, the element-wise (Hadamard) product.</summary>
    /// <param name="a">First vector.</param>
    /// <param name="b">Second vector, same length.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Multiply<T>(Vec<T> a, Vec<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(a.Length);
        TensorKernels.Multiply<T>(a, b, y);
        return y;
    }

    /// <summary>s·a.</summary>
    /// <param name="a">The vector.</param>
    /// <param name="s">The scale.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Scale<T>(Vec<T> a, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(a.Length);
        TensorKernels.Scale<T>(a, s, y);
        return y;
    }

    /// <summary>aᵀb.</summary>
    /// <param name="a">First vector.</param>
    /// <param name="b">Second vector, same length.</param>
    /// <returns>The inner product.</returns>
    public static T Dot<T>(Vec<T> a, Vec<T> b) where T : unmanaged, IFloatingPointIeee754<T> => TensorKernels.Dot<T>(a, b);

    /// <summary>Σᵢ aᵢ.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>The sum of its elements.</returns>
    public static T Sum<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => TensorKernels.Sum<T>(a);

    /// <summary>tanh, element-wise.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Tanh<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Tanh);

    /// <summary>The logistic sigmoid 1 / (1 + e^−x), element-wise.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Sigmoid<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Sigmoid);

    /// <summary>max(0, x), element-wise.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> ReLU<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.ReLU);

    /// <summary>clamp(x, −1, 1), element-wise.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> HardTanh<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.HardTanh);

    /// <summary>eˣ, element-wise.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Exp<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Exp);

    /// <summary>ln x, element-wise.</summary>
    /// <param name="a">The vector.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Log<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Log);

    /// <summary>
    /// f applied element-wise, for any function of one argument the generator knows the derivative of
    /// (<c>Tensor.Map(z, Activations.Gelu)</c>, <c>Tensor.Map(z, Math.Exp)</c>, <c>MathF</c> for float vectors).
    /// </summary>
    /// <param name="a">The vector.</param>
    /// <param name="f">The function, as a method group.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Map<T>(Vec<T> a, Func<T, T> f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            y[i] = f(a[i]);
        }
        return y;
    }

    /// <summary>softmax(a)ᵢ = e^{aᵢ} / Σⱼ e^{aⱼ}.</summary>
    /// <param name="a">The vector (non-empty).</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Softmax<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Softmax);

    /// <summary>log softmax(a), computed stably.</summary>
    /// <param name="a">The vector (non-empty).</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> LogSoftmax<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.LogSoftmax);

    /// <summary>−log softmax(logits)[label].</summary>
    /// <param name="logits">Unnormalised scores.</param>
    /// <param name="label">Index of the correct class.</param>
    /// <returns>The loss.</returns>
    public static T CrossEntropy<T>(Vec<T> logits, int label) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorKernels.CrossEntropy<T>(logits, label);

    /// <summary>The logistic sigmoid σ(s) of a scalar score (a probability for the binary model).</summary>
    /// <param name="s">The score.</param>
    /// <returns>σ(s).</returns>
    public static T Sigmoid<T>(T s) where T : unmanaged, IFloatingPointIeee754<T> => TensorKernels.Sigmoid(s);

    /// <summary>Logistic loss −log σ(s) for label 1, −log σ(−s) for label 0, in the stable softplus form; derivative σ(s) − label.</summary>
    /// <param name="score">The score s.</param>
    /// <param name="label">0 or 1.</param>
    /// <returns>The loss.</returns>
    public static T LogisticLoss<T>(T score, int label) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorKernels.LogisticLoss(score, label);

    /// <summary>Max-margin loss max(0, 1 − s + s_c) (lecture 3); its derivative is 0 at exactly zero margin, as ReLU's.</summary>
    /// <param name="scoreTrue">Score of the true window.</param>
    /// <param name="scoreCorrupt">Score of the corrupt window.</param>
    /// <returns>The loss.</returns>
    public static T Hinge<T>(T scoreTrue, T scoreCorrupt) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorKernels.Hinge(scoreTrue, scoreCorrupt);

    /// <summary>‖W‖², the sum of squares of all entries.</summary>
    /// <param name="w">The matrix.</param>
    /// <returns>The squared Frobenius norm.</returns>
    public static T SquaredNorm<T>(Mat<T> w) where T : unmanaged, IFloatingPointIeee754<T> => TensorKernels.SquaredNorm<T>(w.Data);

    /// <summary>‖a‖².</summary>
    /// <param name="a">The vector.</param>
    /// <returns>The squared Euclidean norm.</returns>
    public static T SquaredNorm<T>(Vec<T> a) where T : unmanaged, IFloatingPointIeee754<T> => TensorKernels.SquaredNorm<T>(a);

    /// <summary>A copy of row <paramref name="index"/> of <paramref name="embeddings"/> (an embedding lookup).</summary>
    /// <param name="embeddings">The table, one row per word.</param>
    /// <param name="index">The row.</param>
    /// <returns>A new vector of length embeddings.Cols.</returns>
    public static Vec<T> Row<T>(Mat<T> embeddings, int index) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(embeddings.Cols);
        TensorKernels.GatherRow(embeddings, index, y);
        return y;
    }

    /// <summary>[a; b].</summary>
    /// <param name="a">First piece.</param>
    /// <param name="b">Second piece.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Concat<T>(Vec<T> a, Vec<T> b) where T : unmanaged, IFloatingPointIeee754<T> => ConcatAll(a, b);

    /// <summary>[a; b; c].</summary>
    /// <param name="a">First piece.</param>
    /// <param name="b">Second piece.</param>
    /// <param name="c">Third piece.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Concat<T>(Vec<T> a, Vec<T> b, Vec<T> c) where T : unmanaged, IFloatingPointIeee754<T> => ConcatAll(a, b, c);

    /// <summary>[a; b; c; d].</summary>
    /// <param name="a">First piece.</param>
    /// <param name="b">Second piece.</param>
    /// <param name="c">Third piece.</param>
    /// <param name="d">Fourth piece.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Concat<T>(Vec<T> a, Vec<T> b, Vec<T> c, Vec<T> d) where T : unmanaged, IFloatingPointIeee754<T> => ConcatAll(a, b, c, d);

    /// <summary>[a; b; c; d; e].</summary>
    /// <param name="a">First piece.</param>
    /// <param name="b">Second piece.</param>
    /// <param name="c">Third piece.</param>
    /// <param name="d">Fourth piece.</param>
    /// <param name="e">Fifth piece.</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Concat<T>(Vec<T> a, Vec<T> b, Vec<T> c, Vec<T> d, Vec<T> e) where T : unmanaged, IFloatingPointIeee754<T> =>
        ConcatAll(a, b, c, d, e);

    /// <summary>x ∘ mask: dropout with a mask the caller drew (0 for dropped units, 1/p for kept ones).</summary>
    /// <param name="x">The activations.</param>
    /// <param name="mask">The mask, same length (mark it [NoDiff]).</param>
    /// <returns>A new vector.</returns>
    public static Vec<T> Dropout<T>(Vec<T> x, Vec<T> mask) where T : unmanaged, IFloatingPointIeee754<T> => Multiply(x, mask);

    /// <summary>aᵢ.</summary>
    /// <param name="a">The vector.</param>
    /// <param name="index">The element.</param>
    /// <returns>The element's value.</returns>
    public static T Element<T>(Vec<T> a, int index) where T : unmanaged, IFloatingPointIeee754<T> => a[index];

    // ---- Batched: a matrix holds one example per row ------------------------------------------

    /// <summary>A·Bᵀ, a matrix of shape A.Rows × B.Rows: a layer X·Wᵀ over a batch X (one example per row) and W (out × in).</summary>
    /// <param name="a">A matrix with A.Cols == B.Cols.</param>
    /// <param name="b">The right factor, used transposed.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> MatMulTransposeB<T>(Mat<T> a, Mat<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = new Mat<T>(a.Rows, b.Rows);
        TensorKernels.MatMulTransposeB(a, b, c);
        return c;
    }

    /// <summary>M + 1·vᵀ: the vector added to every row (a bias broadcast over the batch).</summary>
    /// <param name="m">The matrix.</param>
    /// <param name="v">A vector of length M.Cols.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> AddRowVector<T>(Mat<T> m, Vec<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Mat<T>(m.Rows, m.Cols);
        TensorKernels.AddRowVector<T>(m, v, y);
        return y;
    }

    /// <summary>Element-wise tanh of a matrix.</summary>
    /// <param name="a">The matrix.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> Tanh<T>(Mat<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Tanh);

    /// <summary>Element-wise logistic sigmoid of a matrix.</summary>
    /// <param name="a">The matrix.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> Sigmoid<T>(Mat<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.Sigmoid);

    /// <summary>Element-wise max(0, x) of a matrix.</summary>
    /// <param name="a">The matrix.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> ReLU<T>(Mat<T> a) where T : unmanaged, IFloatingPointIeee754<T> => Map(a, TensorKernels.ReLU);

    /// <summary>Softmax of each row.</summary>
    /// <param name="a">Scores, one example per row.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> Softmax<T>(Mat<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Mat<T>(a.Rows, a.Cols);
        TensorKernels.SoftmaxRows(a, y);
        return y;
    }

    /// <summary>Log-softmax of each row.</summary>
    /// <param name="a">Scores, one example per row.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> LogSoftmax<T>(Mat<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Mat<T>(a.Rows, a.Cols);
        TensorKernels.LogSoftmaxRows(a, y);
        return y;
    }

    /// <summary>The summed cross-entropy of a batch: Σ_r −log softmax(row r)[labels[r]].</summary>
    /// <param name="logits">Scores, one example per row.</param>
    /// <param name="labels">One class index per row.</param>
    /// <returns>The sum over the batch.</returns>
    public static T CrossEntropy<T>(Mat<T> logits, ReadOnlySpan<int> labels) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorKernels.CrossEntropyRows(logits, labels);

    /// <summary>The mean cross-entropy of a batch: <see cref="CrossEntropy{T}(Mat{T}, ReadOnlySpan{int})"/> / rows.</summary>
    /// <param name="logits">Scores, one example per row.</param>
    /// <param name="labels">One class index per row.</param>
    /// <returns>The mean over the batch.</returns>
    public static T MeanCrossEntropy<T>(Mat<T> logits, ReadOnlySpan<int> labels) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorKernels.CrossEntropyRows(logits, labels) / T.CreateChecked(logits.Rows);

    /// <summary>The sum of every element of a matrix.</summary>
    /// <param name="a">The matrix.</param>
    /// <returns>The sum.</returns>
    public static T Sum<T>(Mat<T> a) where T : unmanaged, IFloatingPointIeee754<T> => TensorKernels.Sum<T>(a.Data);

    /// <summary>
    /// A batch of embedding windows: row b is the concatenation of the embeddings of ids[b·width … b·width + width − 1],
    /// so the result is (ids.Length / width) × (width·E.Cols).
    /// </summary>
    /// <param name="embeddings">The embedding table, one row per word.</param>
    /// <param name="ids">Word indices, window after window.</param>
    /// <param name="width">Words per window.</param>
    /// <returns>A new matrix.</returns>
    public static Mat<T> Windows<T>(Mat<T> embeddings, ReadOnlySpan<int> ids, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (width <= 0 || ids.Length % width != 0) throw new ArgumentException($"Windows: {ids.Length} indices do not split into windows of {width}.");
        var x = new Mat<T>(ids.Length / width, width * embeddings.Cols);
        TensorKernels.GatherWindows(embeddings, ids, width, x);
        return x;
    }

    private static Mat<T> Map<T>(Mat<T> a, Kernel<T> kernel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Mat<T>(a.Rows, a.Cols);
        kernel(a.Data, y.Data);
        return y;
    }

    private delegate void Kernel<T>(ReadOnlySpan<T> x, Span<T> y);

    private static Vec<T> Map<T>(Vec<T> a, Kernel<T> kernel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Vec<T>(a.Length);
        kernel(a, y);
        return y;
    }

    private static Vec<T> ConcatAll<T>(params Vec<T>[] pieces) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = 0;
        foreach (var piece in pieces)
        {
            length += piece.Length;
        }
        var y = new Vec<T>(length);
        int offset = 0;
        foreach (var piece in pieces)
        {
            TensorKernels.ConcatInto<T>(piece, y, offset);
            offset += piece.Length;
        }
        return y;
    }
}
