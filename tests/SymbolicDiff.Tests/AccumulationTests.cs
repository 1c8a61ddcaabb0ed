using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Generated gradients add ∂f into the adjoint arguments; they never overwrite them.</summary>
public class AccumulationTests
{
    [Fact]
    public void CallingTwiceAddsTwice()
    {
        double dx = 0, dy = 0, dz = 0;
        LectureFunctions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
        LectureFunctions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
        Assert.Equal((-8.0, -8.0, 6.0), (dx, dy, dz));
    }

    [Fact]
    public void PrefilledAdjointsAreAddedTo()
    {
        double dx = 100, dy = -0.5, dz = 7;
        double f = LectureFunctions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
        Assert.Equal(-12, f);
        Assert.Equal((96.0, -4.5, 10.0), (dx, dy, dz));
    }

    [Fact]
    public void MinibatchSumsPerExampleGradients()
    {
        double[][] batch = { new[] { 1.0, 2 }, new[] { -0.7, 0.5 }, new[] { 0.3, -3 } };
        double dx = 0, dy = 0, expectedDx = 0, expectedDy = 0;
        foreach (var p in batch)
        {
            D.CseGradient(p[0], p[1], ref dx, ref dy);
            double ex = 0, ey = 0;
            D.CseGradient(p[0], p[1], ref ex, ref ey);
            expectedDx += ex;
            expectedDy += ey;
        }
        Assert.Equal(expectedDx, dx, 1e-12);
        Assert.Equal(expectedDy, dy, 1e-12);
    }

    /// <summary>A parameter used several times, and one that gets a constant derivative (a path that may be emitted as "d += c").</summary>
    [Fact]
    public void RepeatedUsesAndConstantDerivativesAccumulate()
    {
        double dx = 1, dy = 2;
        D.SimplifiedGradient(3, 4, ref dx, ref dy);   // ∂ = (7, 0)
        Assert.Equal((8.0, 2.0), (dx, dy));

        double d = 10;
        D.SquareGradient(3, ref d);
        D.SquareGradient(3, ref d);
        Assert.Equal(22.0, d);

        double z = 5;
        D.FloorGradient(2.5, ref z);   // zero derivative leaves the adjoint untouched
        Assert.Equal(5.0, z);
    }

    [Fact]
    public void BranchesAccumulateOnlyTheTakenSide()
    {
        double dx = 1, dy = 1;
        D.TernaryAndGradient(1, 2, ref dx, ref dy);    // (y, x) = (2, 1)
        D.TernaryAndGradient(-1, 2, ref dx, ref dy);   // (1, 1)
        Assert.Equal((4.0, 3.0), (dx, dy));
    }

    [Fact]
    public void FloatAdjointsAccumulate()
    {
        float dx = 0.5f, dy = -1f;
        F.MulGradient(3f, 4f, ref dx, ref dy);
        F.MulGradient(3f, 4f, ref dx, ref dy);
        Assert.Equal((8.5f, 5f), (dx, dy));
    }

    [Fact]
    public void NoDiffAndIntParametersLeaveOtherAdjointsAlone()
    {
        double dx = 1, dy = 1;
        D.NoDiffMiddleGradient(2, 3, 4, ref dx, ref dy);   // (s, 2ys) = (3, 24)
        Assert.Equal((4.0, 25.0), (dx, dy));

        double d = -1;
        D.IntParamGradient(2, 3, ref d);   // 2·3·2 + 1/3
        Assert.Equal(-1 + 12 + 1.0 / 3, d, 1e-14);
    }
}
