using System;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;
using K = SymbolicDiff.Tensors.TensorKernels;
using static SymbolicDiff.Runtime.Tests.TestUtil;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>The transpose product, W·x accumulation, and the scalar score kernels (sigmoid, logistic and hinge losses).</summary>
public class ScoreKernelTests
{
    public static TheoryData<int, int> MatShapes => new() { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 1, 17 }, { 17, 1 }, { 7, 17 }, { 17, 7 } };

    [Theory]
    [MemberData(nameof(MatShapes))]
    public void MatTransposeVecMatchesANaiveLoopAndOverwrites(int rows, int cols)
    {
        var rng = new Rng((ulong)(rows * 100 + cols));
        double[] w = Random(rows * cols, rng), d = Random(rows, rng);
        var expected = new double[cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) expected[c] += w[r * cols + c] * d[r];
        double[] y = Random(cols, rng);   // stale contents must be overwritten
        K.MatTransposeVec<double>(w, rows, cols, d, y);
        Close(expected, y, 1e-12);

        float[] yf = new float[cols];
        K.MatTransposeVec(new Mat<float>(rows, cols, ToFloat(w)), ToFloat(d), yf);
        Close(expected, yf, 1e-5);
    }

    [Theory]
    [MemberData(nameof(MatShapes))]
    public void MatVecAddAccumulatesWTimesX(int rows, int cols)
    {
        var rng = new Rng((ulong)(rows * 7 + cols));
        double[] w = Random(rows * cols, rng), x = Random(cols, rng), y0 = Random(rows, rng);
        var expected = (double[])y0.Clone();
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) expected[r] += w[r * cols + c] * x[c];
        var y = (double[])y0.Clone();
        K.MatVecAdd(new Mat<double>(rows, cols, w), x, y);
        Close(expected, y, 1e-12);
    }

    [Fact]
    public void TransposeKernelsCheckShapesBeforeWriting()
    {
        var w = new Mat<double>(3, 4);
        var y = new double[] { 1, 2, 3, 4 };
        var e = Assert.Throws<ArgumentException>(() => K.MatTransposeVec(w, new double[2], y));
        Assert.Contains("3×4", e.Message);
        Assert.Equal(new double[] { 1, 2, 3, 4 }, y);
        var acc = new double[] { 5, 6, 7 };
        Assert.Throws<ArgumentException>(() => K.MatVecAdd(w, new double[3], acc));
        Assert.Equal(new double[] { 5, 6, 7 }, acc);
    }

    [Theory]
    [InlineData(-40.0)]
    [InlineData(-3.0)]
    [InlineData(-0.25)]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(12.0)]
    public void LogisticLossIsMinusLogSigmoidAndItsDerivativeIsSigmaMinusLabel(double s)
    {
        double sigma = 1 / (1 + Math.Exp(-s));
        Assert.Equal(sigma, K.Sigmoid(s), 14);
        Assert.Equal(-Math.Log(sigma), K.LogisticLoss(s, 1), 10);
        Assert.Equal(-Math.Log(1 - sigma), K.LogisticLoss(s, 0), 10);
        foreach (int label in new[] { 0, 1 })
        {
            double fd = (K.LogisticLoss(s + 1e-6, label) - K.LogisticLoss(s - 1e-6, label)) / 2e-6;
            Assert.Equal(sigma - label, K.LogisticLossDerivative(s, label), 12);
            Assert.Equal(fd, K.LogisticLossDerivative(s, label), 7);
            Assert.Equal((float)(sigma - label), K.LogisticLossDerivative((float)s, label), 5);
        }
    }

    [Fact]
    public void LogisticLossNeverOverflows()
    {
        Assert.Equal(1000.0, K.LogisticLoss(1000.0, 0));
        Assert.Equal(1000.0, K.LogisticLoss(-1000.0, 1));
        Assert.Equal(0.0, K.LogisticLoss(1000.0, 1));
        Assert.Equal(200f, K.LogisticLoss(200f, 0));
        Assert.Equal(0f, K.Sigmoid(-200f));
        Assert.Equal(1f, K.Sigmoid(200f));
        Assert.Throws<ArgumentOutOfRangeException>(() => K.LogisticLoss(0.0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => K.LogisticLossDerivative(0.0, -1));
    }

    [Theory]
    [InlineData(0.2, 0.5, 1.3, 1.0)]
    [InlineData(3.0, 1.0, 0.0, 0.0)]
    [InlineData(1.5, 0.5, 0.0, 0.0)]   // zero margin: slope 0, as ReLU's at 0
    [InlineData(1.5, 0.5000001, 1e-7, 1.0)]
    public void HingeIsTheMaxMarginLossWithTheReLUKinkConvention(double s, double sc, double loss, double slope)
    {
        Assert.Equal(loss, K.Hinge(s, sc), 12);
        Assert.Equal(slope, K.HingeSlope(s, sc));
        Assert.Equal(Activations.ReLU(1 - s + sc), K.Hinge(s, sc), 15);
        Assert.Equal((float)loss, K.Hinge((float)s, (float)sc), 5);
    }
}
