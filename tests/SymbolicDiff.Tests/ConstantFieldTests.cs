using System;
using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class ConstantFieldFunctions
{
    public const double Gain = 2.5;
    public static readonly double Offset = 0.75;
    public static readonly float OffsetF = 0.5f;
    public static readonly int Power = 3;
    public static readonly bool Enabled = true;

    [NoDiff]
    public static readonly double[] Weights = { 0.5, -1.0, 2.0 };

    [Differentiable(Tangent = true, Hessian = true)]
    public static double Scaled(double x, double y) => Gain * x * y + Offset * Math.Sin(x) + Power * y * y;

    /// <summary>A polynomial with constant coefficients from a [NoDiff] static readonly array.</summary>
    [Differentiable]
    public static double Polynomial(double x)
    {
        double s = 0, p = 1;
        for (int i = 0; i < Weights.Length; i++)
        {
            s += Weights[i] * p;
            p *= x;
        }
        return Enabled ? s + Offset : s;
    }

    [Differentiable]
    public static float ScaledF(float x) => OffsetF * x * x + (float)Gain * x;
}

public class ConstantFieldTests
{
    [Theory]
    [InlineData(0.4, -1.2)]
    [InlineData(2.0, 0.5)]
    public void StaticReadonlyAndConstFieldsAreConstants(double x, double y)
    {
        double dx = 0, dy = 0;
        double value = ConstantFieldFunctions.ScaledGradient(x, y, ref dx, ref dy);
        Assert.Equal(2.5 * x * y + 0.75 * Math.Sin(x) + 3 * y * y, value, 12);
        Assert.Equal(2.5 * y + 0.75 * Math.Cos(x), dx, 12);
        Assert.Equal(2.5 * x + 6 * y, dy, 12);
        Assert.Equal(Central.D(v => ConstantFieldFunctions.Scaled(v, y), x), dx, 7);
        Assert.Equal(Central.D(v => ConstantFieldFunctions.Scaled(x, v), y), dy, 7);
        ConstantFieldFunctions.ScaledTangent(x, y, 1.0, 0.0, out double tangent);
        Assert.Equal(dx, tangent, 12);
        var hessian = new double[4];
        ConstantFieldFunctions.ScaledHessian(x, y, hessian);
        Assert.Equal(new[] { -0.75 * Math.Sin(x), 2.5, 2.5, 6.0 }, hessian);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(-1.5)]
    public void NoDiffStaticReadonlyArrayIsConstantData(double x)
    {
        double dx = 0;
        double value = ConstantFieldFunctions.PolynomialGradient(x, ref dx);
        Assert.Equal(0.5 - x + 2 * x * x + 0.75, value, 12);
        Assert.Equal(-1 + 4 * x, dx, 12);
        Assert.Equal(Central.D(ConstantFieldFunctions.Polynomial, x), dx, 7);
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(-2f)]
    public void FloatReadsFloatField(float x)
    {
        float dx = 0;
        ConstantFieldFunctions.ScaledFGradient(x, ref dx);
        Assert.Equal(x + 2.5f, dx, 5);
        Assert.Equal(Central.F(ConstantFieldFunctions.ScaledF, x), dx, 2);
    }
}

public class SyntaxAllocationTests
{
    [Fact]
    public void SwitchTupleAndFieldGradientsAllocateNothingOnceWarm()
    {
        double dx = 0, dy = 0;
        var r = new double[2];
        var jacobian = new double[4];
        void Run()
        {
            SwitchFunctions.LossGradient(0.5, 1.5, 4, ref dx, ref dy);
            SwitchFunctions.ActivateByGradient(0.5, Activation.Tanh, ref dx);
            SwitchFunctions.TurnJacobian(0.5, 1.5, 2, r, jacobian);
            TupleFunctions.FibonacciGradient(0.5, 1.5, 20, ref dx, ref dy);
            TupleFunctions.PolarGradient(0.5, 1.5, ref dx, ref dy);
            ConstantFieldFunctions.PolynomialGradient(0.5, ref dx);
            ConstantFieldFunctions.ScaledGradient(0.5, 1.5, ref dx, ref dy);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Run();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
