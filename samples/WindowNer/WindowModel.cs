using System;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>
/// CS224n lecture 3's window classifier: the centre word is classified from the concatenated embeddings of its
/// ±2-word window, x = [e(w−2); e(w−1); e(w); e(w+1); e(w+2)], h = tanh(Wx + b), s = Uh + c, softmax over tags.
/// </summary>
public static partial class WindowModel
{
    /// <summary>Cross-entropy of the window's tag scores against the true tag; its gradient is generated.</summary>
    [Differentiable]
    public static float Loss(Mat<float> E, Mat<float> W, Vec<float> b, Mat<float> U, Vec<float> c,
        [NoDiff] int w0, [NoDiff] int w1, [NoDiff] int w2, [NoDiff] int w3, [NoDiff] int w4, [NoDiff] int tag)
    {
        var x = Tensor.Concat(Tensor.Row(E, w0), Tensor.Row(E, w1), Tensor.Row(E, w2), Tensor.Row(E, w3), Tensor.Row(E, w4));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        var s = Tensor.Add(Tensor.MatVec(U, h), c);
        return Tensor.CrossEntropy(s, tag);
    }

    /// <summary>
    /// The summed loss of a minibatch of windows: <paramref name="windows"/> holds 5 word indices per window, window after
    /// window, and <paramref name="tags"/> one tag per window. One matrix product a layer; the embedding adjoint goes
    /// only into the rows looked up.
    /// </summary>
    [Differentiable]
    public static float BatchLoss(Mat<float> E, Mat<float> W, Vec<float> b, Mat<float> U, Vec<float> c, ReadOnlySpan<int> windows, ReadOnlySpan<int> tags)
    {
        var X = Tensor.Windows(E, windows, 5);
        var H = Tensor.Tanh(Tensor.AddRowVector(Tensor.MatMulTransposeB(X, W), b));
        var S = Tensor.AddRowVector(Tensor.MatMulTransposeB(H, U), c);
        return Tensor.CrossEntropy(S, tags);
    }

    /// <summary>The tag scores s for prediction (the same forward pass, as plain allocating code).</summary>
    public static Vec<float> Scores(Mat<float> E, Mat<float> W, Vec<float> b, Mat<float> U, Vec<float> c, int[] window)
    {
        var x = Tensor.Concat(Tensor.Row(E, window[0]), Tensor.Row(E, window[1]), Tensor.Row(E, window[2]), Tensor.Row(E, window[3]), Tensor.Row(E, window[4]));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        return Tensor.Add(Tensor.MatVec(U, h), c);
    }
}

/// <summary>
/// The lectures' binary variant: "is the centre word a location?" The window's score is s = uᵀ tanh(Wx + b), the
/// probability σ(s), and the loss the logistic loss −log σ(s) (location) or −log σ(−s) (not).
/// </summary>
public static partial class BinaryWindowModel
{
    /// <summary>Logistic loss of the window's score against label 1 (the centre word is a location) or 0; its gradient is generated.</summary>
    [Differentiable]
    public static float Loss(Mat<float> E, Mat<float> W, Vec<float> b, Vec<float> u,
        [NoDiff] int w0, [NoDiff] int w1, [NoDiff] int w2, [NoDiff] int w3, [NoDiff] int w4, [NoDiff] int label)
    {
        var x = Tensor.Concat(Tensor.Row(E, w0), Tensor.Row(E, w1), Tensor.Row(E, w2), Tensor.Row(E, w3), Tensor.Row(E, w4));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        return Tensor.LogisticLoss(Tensor.Dot(u, h), label);
    }

    /// <summary>The score s = uᵀ tanh(Wx + b) (plain allocating forward pass); the window is a location when s &gt; 0, i.e. σ(s) &gt; ½.</summary>
    public static float Score(Mat<float> E, Mat<float> W, Vec<float> b, Vec<float> u, int[] window)
    {
        var x = Tensor.Concat(Tensor.Row(E, window[0]), Tensor.Row(E, window[1]), Tensor.Row(E, window[2]), Tensor.Row(E, window[3]), Tensor.Row(E, window[4]));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        return Tensor.Dot(u, h);
    }
}
