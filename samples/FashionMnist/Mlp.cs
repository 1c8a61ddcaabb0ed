using System;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Samples.FashionMnist;

/// <summary>A 784 → 256 → 10 multilayer perceptron with ReLU and softmax cross-entropy.</summary>
public static partial class Mlp
{
    /// <summary>The loss of one image; its gradient (∂W1 = δ1 xᵀ, ∂W2 = δ2 hᵀ, …) is generated.</summary>
    [Differentiable]
    public static float Loss(Mat<float> W1, Vec<float> b1, Mat<float> W2, Vec<float> b2, [NoDiff] Vec<float> x, [NoDiff] int label)
    {
        var h = Tensor.ReLU(Tensor.Add(Tensor.MatVec(W1, x), b1));
        var s = Tensor.Add(Tensor.MatVec(W2, h), b2);
        return Tensor.CrossEntropy(s, label);
    }

    /// <summary>
    /// The summed loss of a minibatch, one image per row of X. Its gradient is two matrix products a layer
    /// (∂W1 = Δ1ᵀX, ∂W2 = Δ2ᵀH, ∂b = column sums of Δ) instead of one rank-1 update per image.
    /// </summary>
    [Differentiable]
    public static float BatchLoss(Mat<float> W1, Vec<float> b1, Mat<float> W2, Vec<float> b2, [NoDiff] Mat<float> X, ReadOnlySpan<int> labels)
    {
        var H = Tensor.ReLU(Tensor.AddRowVector(Tensor.MatMulTransposeB(X, W1), b1));
        var S = Tensor.AddRowVector(Tensor.MatMulTransposeB(H, W2), b2);
        return Tensor.CrossEntropy(S, labels);
    }

    /// <summary>
    /// The class scores of a batch, one image per row of <paramref name="X"/>: <paramref name="H"/> receives the hidden
    /// layer and <paramref name="S"/> the scores (allocation-free, for evaluation).
    /// </summary>
    public static void BatchScores(Mat<float> W1, Vec<float> b1, Mat<float> W2, Vec<float> b2, Mat<float> X, Mat<float> H, Mat<float> S)
    {
        TensorKernels.MatMulTransposeB(X, W1, H);
        TensorKernels.AddRowVector<float>(H, b1, H);
        TensorKernels.ReLU<float>(H.Data, H.Data);
        TensorKernels.MatMulTransposeB(H, W2, S);
        TensorKernels.AddRowVector<float>(S, b2, S);
    }
}
