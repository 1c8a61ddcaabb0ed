using System.Linq;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>Snapshots of the tensor emitter's output for the matrix product, the transpose product and the binary/max-margin losses.</summary>
public class TensorSnapshotTests
{
    private const string Header = "using System;\nusing SymbolicDiff;\nusing SymbolicDiff.Tensors;\n\nnamespace Demo;\n\n";

    private static void Check(string name, string source)
    {
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        var generated = Assert.Single(run.Sources);
        Snapshot.Verify(name, "// Hint name: " + generated.Key + "\n" + generated.Value);
    }

    /// <summary>Hessian = true on a tensor method: the gradient, then the Hessian-vector product over the tangent program (Pearlmutter).</summary>
    [Fact]
    public void TensorHessianVectorProduct() => Check(nameof(TensorHessianVectorProduct), Header + """
        public static partial class Models
        {
            [Differentiable(Hessian = true)]
            public static double Layer(Mat<double> W, Vec<double> b, [NoDiff] Vec<double> x, int label)
            {
                var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
                return Tensor.CrossEntropy(h, label);
            }
        }
        """);

    [Fact]
    public void TensorMatMul() => Check(nameof(TensorMatMul), Header + """
        public static partial class Products
        {
            /// <summary>A matrix-valued intermediate: its buffer and its adjoint are Mat objects in the workspace.</summary>
            [Differentiable]
            public static double Bilinear(Mat<double> A, Mat<double> B, Vec<double> x, Vec<double> u)
            {
                var C = Tensor.MatMul(A, B);
                var y = Tensor.Tanh(Tensor.MatVec(C, x));
                return Tensor.Dot(u, y) + 0.1 * Tensor.SquaredNorm(C);
            }
        }
        """);

    [Fact]
    public void TensorBinaryAndMaxMarginLosses() => Check(nameof(TensorBinaryAndMaxMarginLosses), Header + """
        public static partial class Losses
        {
            /// <summary>Logistic loss of s = uᵀ tanh(Wx + b), the hinge against a corrupt window, σ of a score, and Wᵀd.</summary>
            [Differentiable]
            public static float Objective(Mat<float> W, Vec<float> b, Vec<float> u, [NoDiff] Vec<float> x, [NoDiff] Vec<float> xc, [NoDiff] int label)
            {
                var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
                float s = Tensor.Dot(u, h);
                float sc = Tensor.Dot(u, Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, xc), b)));
                var back = Tensor.MatTransposeVec(W, u);
                return Tensor.LogisticLoss(s, label) + Tensor.Hinge(s, sc) + Tensor.Sigmoid(Tensor.Sum(back));
            }
        }
        """);

    [Fact]
    public void TensorMap() => Check(nameof(TensorMap), Header + """
        public static partial class Mapped
        {
            /// <summary>Table functions element-wise: GELU, then the log of a softplus (a rule gated where it can be infinite).</summary>
            [Differentiable]
            public static double Layer(Mat<double> W, Vec<double> u, Vec<double> x)
            {
                var h = Tensor.Map(Tensor.MatVec(W, x), Activations.Gelu);
                var g = Tensor.Map(Tensor.Map(h, Activations.Softplus), Math.Log);
                return Tensor.Dot(u, g);
            }
        }
        """);

    [Fact]
    public void TensorBatchedMlp() => Check(nameof(TensorBatchedMlp), Header + """
        public static partial class Batched
        {
            /// <summary>A minibatch MLP: one example per row of X, layers X·Wᵀ + b, row-wise ReLU, the batch's mean cross-entropy.</summary>
            [Differentiable]
            public static float Loss(Mat<float> W1, Vec<float> b1, Mat<float> W2, Vec<float> b2, [NoDiff] Mat<float> X, ReadOnlySpan<int> labels)
            {
                var H = Tensor.ReLU(Tensor.AddRowVector(Tensor.MatMulTransposeB(X, W1), b1));
                var S = Tensor.AddRowVector(Tensor.MatMulTransposeB(H, W2), b2);
                return Tensor.MeanCrossEntropy(S, labels);
            }
        }
        """);

    [Fact]
    public void TensorBatchedWindows() => Check(nameof(TensorBatchedWindows), Header + """
        public static partial class Batched
        {
            /// <summary>A batch of 5-word windows: embeddings gathered per row, a tanh layer, row-wise log-softmax, the summed loss.</summary>
            [Differentiable]
            public static double Loss(Mat<double> E, Mat<double> W, Vec<double> b, Mat<double> U, int[] windows, ReadOnlySpan<int> tags)
            {
                var X = Tensor.Windows(E, windows, 5);
                var H = Tensor.Tanh(Tensor.AddRowVector(Tensor.MatMulTransposeB(X, W), b));
                var P = Tensor.LogSoftmax(Tensor.MatMulTransposeB(H, U));
                return Tensor.CrossEntropy(P, tags) + Tensor.Sum(Tensor.Sigmoid(H));
            }
        }
        """);

    [Fact]
    public void AMatrixLocalAssignedTwiceIsSD0031()
    {
        var run = GeneratorHarness.Run(Header + """
            public static partial class Bad
            {
                [Differentiable]
                public static double F(Mat<double> A, Mat<double> B)
                {
                    Mat<double> C = Tensor.MatMul(A, B);
                    C = Tensor.MatMul(C, B);
                    return Tensor.SquaredNorm(C);
                }
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0031", diagnostic.Id);
        Assert.Contains("'C' is assigned more than once", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }
}
