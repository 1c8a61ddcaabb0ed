using System;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class TangentFunctions
{
    [Differentiable(Tangent = true)]
    public static double Neuron(double w0, double w1, double w2, double x0, double x1)
    {
        double z = w0 * x0 + w1 * x1 + w2;
        return 1.0 / (1.0 + Math.Exp(-z));
    }

    [Differentiable(Tangent = true)]
    public static double Branches(double x, double y, [NoDiff] double s)
    {
        double r = Math.Sqrt(Math.Abs(x)) * s;
        if (x > 0)
        {
            r = r * Math.Sin(y) + Math.Max(x, y);
        }
        else if (y > 1)
        {
            return x * y * y;
        }
        double q = y > 0 ? Math.Log(y + 1) : -y;
        return r + q * Math.Pow(y * y + 1, 1.5) + CallFunctions.Square(x - y);
    }

    [Differentiable(Tangent = true)]
    public static float Mixed(float x, float y, int n) => MathF.Tanh(x * n) * (float)Math.Atan2(y, x) + Activations.Sigmoid(y);
}

/// <summary>Forward mode: the tangent along v must equal ∇f·v, and finite differences along v.</summary>
public class TangentTests
{
    [Theory]
    [InlineData(2.0, -3.0, -3.0, -1.0, -2.0)]
    [InlineData(0.3, 0.7, -0.2, 1.5, 0.25)]
    public void NeuronTangentIsGradientDotDirection(double w0, double w1, double w2, double x0, double x1)
    {
        double[] v = { 0.3, -1.1, 0.7, 2.0, -0.4 };
        double value = TangentFunctions.NeuronTangent(w0, w1, w2, x0, x1, v[0], v[1], v[2], v[3], v[4], out double tangent);
        var g = new double[5];
        TangentFunctions.NeuronGradient(w0, w1, w2, x0, x1, ref g[0], ref g[1], ref g[2], ref g[3], ref g[4]);
        double expected = 0;
        for (int i = 0; i < 5; i++)
        {
            expected += g[i] * v[i];
        }
        Assert.Equal(TangentFunctions.Neuron(w0, w1, w2, x0, x1), value);
        Assert.Equal(expected, tangent, 12);
    }

    [Theory]
    [InlineData(0.8, 0.5)]     // x > 0, y > 0
    [InlineData(2.0, -0.5)]    // x > 0, y ≤ 0
    [InlineData(-0.5, 2.0)]    // early return
    [InlineData(-2.0, 0.4)]    // fall through with x ≤ 0
    public void BranchesTangentMatchesFiniteDifferences(double x, double y)
    {
        const double s = 1.3, vx = 0.6, vy = -0.8, h = 1e-6;
        double value = TangentFunctions.BranchesTangent(x, y, s, vx, vy, out double tangent);
        double numeric = (TangentFunctions.Branches(x + h * vx, y + h * vy, s) - TangentFunctions.Branches(x - h * vx, y - h * vy, s)) / (2 * h);
        double dx = 0, dy = 0;
        TangentFunctions.BranchesGradient(x, y, s, ref dx, ref dy);
        Assert.Equal(TangentFunctions.Branches(x, y, s), value);
        Assert.True(Math.Abs(tangent - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"tangent {tangent}, finite differences {numeric}");
        Assert.Equal(dx * vx + dy * vy, tangent, 10);
    }

    [Fact]
    public void FloatTangentMatchesTheGradient()
    {
        float x = 0.7f, y = -0.4f, vx = 1.5f, vy = 0.5f;
        TangentFunctions.MixedTangent(x, y, 3, vx, vy, out float tangent);
        float dx = 0, dy = 0;
        TangentFunctions.MixedGradient(x, y, 3, ref dx, ref dy);
        Assert.Equal(dx * vx + dy * vy, tangent, 5);
    }
}
