using System;
using SymbolicDiff;
using SymbolicDiff.Tensors;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class TensorMapModels
{
    /// <summary>Table functions applied element-wise with Tensor.Map: their derivatives come from the operation table.</summary>
    [Differentiable]
    public static double Mapped(Mat<double> W, Vec<double> u, Vec<double> x)
    {
        var z = Tensor.MatVec(W, x);
        double smooth = Tensor.Dot(u, Tensor.Map(z, Activations.Gelu)) + Tensor.Dot(u, Tensor.Map(z, Activations.Swish))
            + Tensor.Dot(u, Tensor.Map(z, Activations.Mish)) + Tensor.Dot(u, Tensor.Map(z, Activations.Erf))
            + Tensor.Dot(u, Tensor.Map(z, Activations.Softsign)) + Tensor.Dot(u, Tensor.Map(z, Math.Asinh))
            + Tensor.Dot(u, Tensor.Map(z, double.ExpM1)) + Tensor.Dot(u, Tensor.Map(z, Math.Cos));
        double kinked = Tensor.Dot(u, Tensor.Map(z, Activations.Selu)) + Tensor.Dot(u, Tensor.Map(z, Math.Abs));
        // Sqrt and Log: rules whose local derivative can be infinite, gated element by element.
        double domain = Tensor.Sum(Tensor.Map(Tensor.Map(z, Math.Exp), Math.Sqrt)) + Tensor.Sum(Tensor.Map(Tensor.Map(x, Math.Exp), Math.Log));
        return smooth + kinked + domain;
    }

    [Differentiable]
    public static float MappedF(Mat<float> W, Vec<float> u, Vec<float> x) =>
        Tensor.Dot(u, Tensor.Map(Tensor.Map(Tensor.MatVec(W, x), MathF.Tanh), Activations.Gelu));
}

public class TensorMapTests
{
    private static (Mat<double> W, Vec<double> u, Vec<double> x) Point(int seed)
    {
        var r = new Random(seed);
        var W = new Mat<double>(6, 4);
        var u = new Vec<double>(6);
        var x = new Vec<double>(4);
        for (int i = 0; i < W.Length; i++) W.Data[i] = r.NextDouble() * 2 - 1;
        for (int i = 0; i < u.Length; i++) u[i] = r.NextDouble() * 2 - 1;
        for (int i = 0; i < x.Length; i++) x[i] = r.NextDouble() * 2 - 1;
        return (W, u, x);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MappedFunctionsMatchFiniteDifferences(int seed)
    {
        var (W, u, x) = Point(seed);
        var (dW, du, dx) = (new Mat<double>(6, 4), new Vec<double>(6), new Vec<double>(4));
        var workspace = new TensorMapModels.MappedWorkspace();
        var report = GradientCheck.CheckTensors(() => TensorMapModels.Mapped(W, u, x),
            () => TensorMapModels.MappedGradient(W, u, x, dW, du, dx, workspace),
            new[] { GradientCheck.Param("W", W, dW), GradientCheck.Param("u", u, du), GradientCheck.Param("x", x, dx) },
            samplesPerTensor: 24, seed: (ulong)seed);
        Assert.True(report.Passed(1e-7), report.ToString());

        // Closed form: ∂/∂u is the sum of the mapped values of z = W·x.
        du.Clear();
        TensorMapModels.MappedGradient(W, u, x, new Mat<double>(6, 4), du, new Vec<double>(4), workspace);
        var z = Tensor.MatVec(W, x);
        for (int i = 0; i < u.Length; i++)
        {
            double zi = z[i];
            double expected = Activations.Gelu(zi) + Activations.Swish(zi) + Activations.Mish(zi) + Activations.Erf(zi) + Activations.Softsign(zi)
                + Math.Asinh(zi) + double.ExpM1(zi) + Math.Cos(zi) + Activations.Selu(zi) + Math.Abs(zi);
            Assert.Equal(expected, du[i], 13);
        }
    }

    [Fact]
    public void FloatMapMatchesTheDoubleRule()
    {
        var (W, u, x) = Point(4);
        var (Wf, uf, xf) = (new Mat<float>(6, 4), new Vec<float>(6), new Vec<float>(4));
        for (int i = 0; i < W.Length; i++) Wf.Data[i] = (float)W.Data[i];
        for (int i = 0; i < u.Length; i++) uf[i] = (float)u[i];
        for (int i = 0; i < x.Length; i++) xf[i] = (float)x[i];
        var (dW, du, dx) = (new Mat<float>(6, 4), new Vec<float>(6), new Vec<float>(4));
        TensorMapModels.MappedFGradient(Wf, uf, xf, dW, du, dx, new TensorMapModels.MappedFWorkspace());
        // dx = Wᵀ·(u ∘ Gelu′(tanh z) ∘ (1 − tanh² z)), by hand in double.
        var z = Tensor.MatVec(W, x);
        for (int j = 0; j < x.Length; j++)
        {
            double expected = 0;
            for (int i = 0; i < u.Length; i++)
            {
                double t = Math.Tanh(z[i]);
                double gelu = 0.5 * (1 + Activations.Erf(t / Math.Sqrt(2))) + t * Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
                expected += W[i, j] * u[i] * gelu * (1 - t * t);
            }
            Assert.Equal(expected, dx[j], 5);
        }
    }
}
