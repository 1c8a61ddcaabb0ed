using System;
using SymbolicDiff;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Tensor methods with Hessian = true: their generated Hessian-vector products (Pearlmutter's trick, reverse mode over
/// the tangent program) are checked in <see cref="SymbolicDiff.Tests.SecondOrderTensorTests"/>.
/// </summary>
public static partial class SecondOrderTensors
{
    /// <summary>A sigmoid layer and a squared score: (uᵀσ(Wx + b))².</summary>
    [Differentiable(Hessian = true)]
    public static double SigmoidLayer(Mat<double> W, Vec<double> b, Vec<double> u, [NoDiff] Vec<double> x)
    {
        var h = Tensor.Sigmoid(Tensor.Add(Tensor.MatVec(W, x), b));
        double s = Tensor.Dot(u, h);
        return s * s;
    }

    /// <summary>The lectures' window classifier: three word vectors from E, a tanh layer, softmax cross-entropy and an L2 penalty on W.</summary>
    [Differentiable(Hessian = true)]
    public static double Window(Mat<double> E, Mat<double> W, Vec<double> b, Mat<double> U, [NoDiff] double lambda, int w0, int w1, int w2, int label)
    {
        var x = Tensor.Concat(Tensor.Row(E, w0), Tensor.Row(E, w1), Tensor.Row(E, w2));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        var s = Tensor.MatVec(U, h);
        return Tensor.CrossEntropy(s, label) + lambda * Tensor.SquaredNorm(W);
    }

    /// <summary>A ReLU network scored by a logistic loss, and the rest: Exp, Log, Softmax, Scale, Hadamard, Subtract, Sum, Element, scalar ÷.</summary>
    [Differentiable(Hessian = true)]
    public static double Mixed(Mat<double> W, Vec<double> a, Vec<double> c, double t, int i, int label)
    {
        var r = Tensor.ReLU(Tensor.MatVec(W, a));
        var p = Tensor.Softmax(Tensor.Scale(Tensor.Multiply(r, c), t));
        var q = Tensor.Log(Tensor.Add(Tensor.Exp(Tensor.Subtract(a, c)), p));
        double score = Tensor.Sum(q) / (1 + t * t) + Tensor.Element(q, i) * Tensor.Sigmoid(t);
        return Tensor.LogisticLoss(score, label) + Tensor.SquaredNorm(Tensor.MatTransposeVec(W, r));
    }

    [Differentiable(Hessian = true)]
    public static float SigmoidLayerF(Mat<float> W, Vec<float> b, Vec<float> u, [NoDiff] Vec<float> x)
    {
        var h = Tensor.Sigmoid(Tensor.Add(Tensor.MatVec(W, x), b));
        float s = Tensor.Dot(u, h);
        return s * s;
    }

    /// <summary>Element-wise functions through Tensor.Map and HardTanh: their tangents and second derivatives come from the operation table.</summary>
    [Differentiable(Hessian = true)]
    public static double Elementwise(Mat<double> W, Vec<double> a)
    {
        var z = Tensor.MatVec(W, a);
        var sines = Tensor.Map(z, Math.Sin);
        var logs = Tensor.Map(Tensor.Multiply(z, z), Math.Log);
        return Tensor.Dot(a, Tensor.Map(z, Activations.Gelu)) + Tensor.Sum(sines) + Tensor.Dot(Tensor.HardTanh(z), Tensor.Map(z, Math.Abs))
            + Tensor.Sum(logs) + Tensor.Dot(a, Tensor.Map(z, Activations.Softsign));
    }

    /// <summary>A minibatch MLP: one row per example, a tanh layer, the mean cross-entropy over the batch.</summary>
    [Differentiable(Hessian = true)]
    public static double BatchMlp(Mat<double> W1, Vec<double> b1, Mat<double> W2, Vec<double> b2, [NoDiff] Mat<double> X, ReadOnlySpan<int> labels)
    {
        var H = Tensor.Tanh(Tensor.AddRowVector(Tensor.MatMulTransposeB(X, W1), b1));
        var S = Tensor.AddRowVector(Tensor.MatMulTransposeB(H, W2), b2);
        return Tensor.MeanCrossEntropy(S, labels);
    }

    /// <summary>A batch of embedding windows, a ReLU layer, a product with a matrix and the summed cross-entropy.</summary>
    [Differentiable(Hessian = true)]
    public static double BatchWindows(Mat<double> E, Mat<double> W, Mat<double> U, int[] windows, ReadOnlySpan<int> labels)
    {
        var G = Tensor.Windows(E, windows, 2);
        var H = Tensor.ReLU(Tensor.MatMulTransposeB(G, W));
        var S = Tensor.MatMul(H, U);
        return Tensor.CrossEntropy(S, labels) + 0.1 * Tensor.Sum(Tensor.Sigmoid(S));
    }

    /// <summary>LogSoftmax, the max-margin hinge, a Concat with a constant piece and a bias added to a constant batch.</summary>
    [Differentiable(Hessian = true)]
    public static double Remaining(Vec<double> a, Vec<double> b, [NoDiff] Vec<double> c, [NoDiff] Mat<double> X)
    {
        var l = Tensor.LogSoftmax(Tensor.Multiply(a, b));
        var joined = Tensor.Concat(Tensor.Tanh(a), c);
        double margin = Tensor.Hinge(Tensor.Dot(a, b), Tensor.Sum(Tensor.Multiply(b, b)));
        var shifted = Tensor.Sigmoid(Tensor.AddRowVector(X, b));
        return Tensor.Dot(l, b) + Tensor.SquaredNorm(joined) * Tensor.Sum(a) + margin * margin + Tensor.Sum(shifted);
    }

    /// <summary>Row-wise softmax and log-softmax over a batch.</summary>
    [Differentiable(Hessian = true)]
    public static double BatchRowwise(Mat<double> W, [NoDiff] Mat<double> X)
    {
        var S = Tensor.MatMulTransposeB(X, W);
        var P = Tensor.Softmax(S);
        var L = Tensor.LogSoftmax(Tensor.Sigmoid(S));
        return Tensor.SquaredNorm(P) + 0.1 * Tensor.SquaredNorm(L);
    }
}
