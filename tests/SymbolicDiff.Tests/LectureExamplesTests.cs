using System;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>The functions of CS224n lecture 4's worked examples.</summary>
public static partial class LectureFunctions
{
    /// <summary>f(x, y, z) = (x + y)·z.</summary>
    [Differentiable]
    public static double Circuit(double x, double y, double z) => (x + y) * z;

    /// <summary>The same circuit written as statements, as in the lecture's staged forward pass.</summary>
    [Differentiable]
    public static double CircuitStaged(double x, double y, double z)
    {
        double q = x + y;
        double f = q * z;
        return f;
    }

    /// <summary>A sigmoid neuron f(w, x) = 1 / (1 + e^−(w0·x0 + w1·x1 + w2)).</summary>
    [Differentiable]
    public static double Neuron(double w0, double w1, double w2, double x0, double x1) =>
        1.0 / (1.0 + Math.Exp(-(w0 * x0 + w1 * x1 + w2)));

    /// <summary>The neuron through <see cref="Activations.Sigmoid(double)"/>.</summary>
    [Differentiable]
    public static double NeuronSigmoid(double w0, double w1, double w2, double x0, double x1) =>
        Activations.Sigmoid(w0 * x0 + w1 * x1 + w2);
}

public class LectureExamplesTests
{
    [Fact]
    public void CircuitGivesTheLectureGradient()
    {
        double dx = 0, dy = 0, dz = 0;
        double f = LectureFunctions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
        Assert.Equal(-12, f);
        Assert.Equal((-4.0, -4.0, 3.0), (dx, dy, dz));
    }

    [Fact]
    public void StagedCircuitGivesTheLectureGradient()
    {
        double dx = 0, dy = 0, dz = 0;
        double f = LectureFunctions.CircuitStagedGradient(-2, 5, -4, ref dx, ref dy, ref dz);
        Assert.Equal(-12, f);
        Assert.Equal((-4.0, -4.0, 3.0), (dx, dy, dz));
    }

    public delegate double NeuronGradient(double w0, double w1, double w2, double x0, double x1,
        ref double dw0, ref double dw1, ref double dw2, ref double dx0, ref double dx1);

    public static TheoryData<string> Neurons => new() { "Exp", "Sigmoid" };

    static NeuronGradient GradientOf(string form) => form == "Exp"
        ? LectureFunctions.NeuronGradient
        : LectureFunctions.NeuronSigmoidGradient;

    [Theory]
    [MemberData(nameof(Neurons))]
    public void NeuronMatchesTheLectureToTwoDecimals(string form)
    {
        double dw0 = 0, dw1 = 0, dw2 = 0, dx0 = 0, dx1 = 0;
        double f = GradientOf(form)(2, -3, -3, -1, -2, ref dw0, ref dw1, ref dw2, ref dx0, ref dx1);
        Assert.Equal(0.73, f, 2);
        Assert.Equal(-0.20, dw0, 2);
        Assert.Equal(-0.39, dw1, 2);
        Assert.Equal(0.20, dw2, 2);
        Assert.Equal(0.39, dx0, 2);
        Assert.Equal(-0.59, dx1, 2);
    }

    [Theory]
    [MemberData(nameof(Neurons))]
    public void NeuronMatchesTheClosedForm(string form)
    {
        double w0 = 2, w1 = -3, w2 = -3, x0 = -1, x1 = -2;
        double s = 1 / (1 + Math.Exp(-(w0 * x0 + w1 * x1 + w2)));
        double ds = s * (1 - s);   // σ'(z) = σ(z)(1 − σ(z))

        double dw0 = 0, dw1 = 0, dw2 = 0, dx0 = 0, dx1 = 0;
        double f = GradientOf(form)(w0, w1, w2, x0, x1, ref dw0, ref dw1, ref dw2, ref dx0, ref dx1);

        Assert.Equal(s, f, 1e-12);
        Assert.Equal(ds * x0, dw0, 1e-12);
        Assert.Equal(ds * x1, dw1, 1e-12);
        Assert.Equal(ds, dw2, 1e-12);
        Assert.Equal(ds * w0, dx0, 1e-12);
        Assert.Equal(ds * w1, dx1, 1e-12);
    }

    [Fact]
    public void NeuronPassesGradientCheck()
    {
        var report = GradientCheck.Check(
            p => LectureFunctions.Neuron(p[0], p[1], p[2], p[3], p[4]),
            (p, g) => LectureFunctions.NeuronGradient(p[0], p[1], p[2], p[3], p[4], ref g[0], ref g[1], ref g[2], ref g[3], ref g[4]),
            new[] { 2.0, -3, -3, -1, -2 });
        Assert.True(report.Passed(1e-7), report.ToString());
    }
}
