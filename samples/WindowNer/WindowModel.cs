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
/// The sample's tagger: <see cref="WindowModel"/> with shape and character features and dropout: the centre word is
/// classified from the concatenated embeddings of its ±2-word window, x = [e(w−2); …; e(w+2)], of the five tokens'
/// shapes (casing, character class, sentence start), of how often each of the five words is written in lower case in
/// training (its casing class) and of the centre word's prefixes and suffixes of one to four characters,
/// z = [f(s−2); …; f(s+2); f(k−2); …; f(k+2); f(p1); …; f(p4); f(q1); …; f(q4)] (one feature table F): h = tanh(W (x ∘ m) + V z + b), s = Uh + c, softmax over the tags. m is an inverted-dropout mask
/// over x (0 for a dropped unit, 1/(1 − p) for a kept one; all ones for prediction).
/// </summary>
public static partial class TaggerModel
{
    /// <summary>Cross-entropy of the window's tag scores against the true tag; its gradient is generated.</summary>
    [Differentiable]
    public static float Loss(Mat<float> E, Mat<float> F, Mat<float> W, Mat<float> V, Vec<float> b, Mat<float> U, Vec<float> c,
        [NoDiff] int w0, [NoDiff] int w1, [NoDiff] int w2, [NoDiff] int w3, [NoDiff] int w4,
        [NoDiff] int s0, [NoDiff] int s1, [NoDiff] int s2, [NoDiff] int s3, [NoDiff] int s4,
        [NoDiff] int k0, [NoDiff] int k1, [NoDiff] int k2, [NoDiff] int k3, [NoDiff] int k4,
        [NoDiff] int p1, [NoDiff] int p2, [NoDiff] int p3, [NoDiff] int p4, [NoDiff] int q1, [NoDiff] int q2, [NoDiff] int q3, [NoDiff] int q4,
        [NoDiff] Vec<float> mask, [NoDiff] int tag)
    {
        var x = Tensor.Concat(Tensor.Row(E, w0), Tensor.Row(E, w1), Tensor.Row(E, w2), Tensor.Row(E, w3), Tensor.Row(E, w4));
        var shapes = Tensor.Concat(Tensor.Row(F, s0), Tensor.Row(F, s1), Tensor.Row(F, s2), Tensor.Row(F, s3), Tensor.Row(F, s4));
        var casings = Tensor.Concat(Tensor.Row(F, k0), Tensor.Row(F, k1), Tensor.Row(F, k2), Tensor.Row(F, k3), Tensor.Row(F, k4));
        var prefixes = Tensor.Concat(Tensor.Row(F, p1), Tensor.Row(F, p2), Tensor.Row(F, p3), Tensor.Row(F, p4));
        var suffixes = Tensor.Concat(Tensor.Row(F, q1), Tensor.Row(F, q2), Tensor.Row(F, q3), Tensor.Row(F, q4));
        var z = Tensor.Concat(shapes, casings, prefixes, suffixes);
        var h = Tensor.Tanh(Tensor.Add(Tensor.Add(Tensor.MatVec(W, Tensor.Dropout(x, mask)), Tensor.MatVec(V, z)), b));
        var s = Tensor.Add(Tensor.MatVec(U, h), c);
        return Tensor.CrossEntropy(s, tag);
    }

    /// <summary>The tag scores s for prediction (the same forward pass without dropout, as plain allocating code).</summary>
    /// <param name="ids">Five word ids, five shape ids, five casing ids, four prefix and four suffix ids (<see cref="NerFeatures.Windows"/>).</param>
    public static Vec<float> Scores(Mat<float> E, Mat<float> F, Mat<float> W, Mat<float> V, Vec<float> b, Mat<float> U, Vec<float> c, int[] ids)
    {
        var x = Tensor.Concat(Tensor.Row(E, ids[0]), Tensor.Row(E, ids[1]), Tensor.Row(E, ids[2]), Tensor.Row(E, ids[3]), Tensor.Row(E, ids[4]));
        var shapes = Tensor.Concat(Tensor.Row(F, ids[5]), Tensor.Row(F, ids[6]), Tensor.Row(F, ids[7]), Tensor.Row(F, ids[8]), Tensor.Row(F, ids[9]));
        var casings = Tensor.Concat(Tensor.Row(F, ids[10]), Tensor.Row(F, ids[11]), Tensor.Row(F, ids[12]), Tensor.Row(F, ids[13]), Tensor.Row(F, ids[14]));
        var prefixes = Tensor.Concat(Tensor.Row(F, ids[15]), Tensor.Row(F, ids[16]), Tensor.Row(F, ids[17]), Tensor.Row(F, ids[18]));
        var suffixes = Tensor.Concat(Tensor.Row(F, ids[19]), Tensor.Row(F, ids[20]), Tensor.Row(F, ids[21]), Tensor.Row(F, ids[22]));
        var z = Tensor.Concat(shapes, casings, prefixes, suffixes);
        var h = Tensor.Tanh(Tensor.Add(Tensor.Add(Tensor.MatVec(W, x), Tensor.MatVec(V, z)), b));
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
