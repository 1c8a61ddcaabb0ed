using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>Loops, arrays, vector outputs and local functions: generated derivatives against finite differences and closed forms.</summary>
public class LoopTests
{
    [Theory]
    [InlineData(0.3, 0.9, 100)]
    [InlineData(-1.2, 1.1, 100)]
    [InlineData(2.0, -0.7, 7)]
    [InlineData(0.5, 2.0, 1)]
    public void RecurrenceOver100StepsMatchesTheChainRuleAndFiniteDifferences(double x0, double w, int steps)
    {
        double dx0 = 0, dw = 0;
        double value = LoopFunctions.RecurrenceGradient(x0, w, steps, ref dx0, ref dw);
        Assert.Equal(LoopFunctions.Recurrence(x0, w, steps), value);

        // Hand-derived: x_{k+1} = sin(x_k)·w, so ∂x_{k+1}/∂x_k = cos(x_k)·w and ∂x_{k+1}/∂w = sin(x_k) + cos(x_k)·w·∂x_k/∂w.
        double x = x0, byX0 = 1, byW = 0;
        for (int k = 0; k < steps; k++)
        {
            (x, byX0, byW) = (Math.Sin(x) * w, Math.Cos(x) * w * byX0, Math.Sin(x) + Math.Cos(x) * w * byW);
        }
        Close(new[] { byX0, byW }, new[] { dx0, dw }, 1e-12);
        Close(Numeric(p => LoopFunctions.Recurrence(p[0], p[1], steps), new[] { x0, w }), new[] { dx0, dw }, 1e-6);
    }

    [Fact]
    public void AZeroTripLoopPassesItsInitialValueThrough()
    {
        double dx0 = 0, dw = 0;
        Assert.Equal(0.25, LoopFunctions.RecurrenceGradient(0.25, 3, 0, ref dx0, ref dw));
        Assert.Equal(1.0, dx0);
        Assert.Equal(0.0, dw);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void SumOfWeightedSquaresHasGradient2wxAndX2(int n)
    {
        var rng = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var weights = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var dx = new double[n];
        var dweights = new double[n];
        double value = LoopFunctions.WeightedSquaresGradient(x, weights, dx, dweights);
        Assert.Equal(LoopFunctions.WeightedSquares(x, weights), value, 12);
        Close(x.Select((v, i) => 2 * weights[i] * v).ToArray(), dx, 1e-13);
        Close(x.Select(v => v * v).ToArray(), dweights, 1e-13);
        Close(Numeric(p => LoopFunctions.WeightedSquares(p, weights), x), dx, 1e-6);
    }

    [Theory]
    [InlineData(new[] { 1.5, -2.0, 0.5, 3.0 })]
    [InlineData(new[] { 2.0, 0.0, 4.0 })]          // a zero factor: ∂/∂x₁ is the product of the others, the rest are 0
    [InlineData(new[] { 0.7 })]
    public void ProductHasGradientTheProductOfTheOtherFactors(double[] x)
    {
        var dx = new double[x.Length];
        double value = LoopFunctions.ProductGradient(x, dx);
        Assert.Equal(x.Aggregate(1.0, (a, b) => a * b), value);
        var expected = x.Select((_, i) => x.Where((_, j) => j != i).Aggregate(1.0, (a, b) => a * b)).ToArray();
        Close(expected, dx, 1e-14);
        Close(Numeric(LoopFunctions.Product, x), dx, 1e-6);
    }

    [Fact]
    public void RunningMaxRoutesTheAdjointToTheLargestElement()
    {
        var x = new[] { 0.5, 3.0, -1.0, 2.5, 2.9 };
        var dx = new double[x.Length];
        Assert.Equal(3.0, LoopFunctions.RunningMaxGradient(x, dx));
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 0.0, 0.0 }, dx);
        Close(Numeric(LoopFunctions.RunningMax, x), dx, 1e-6);
    }

    [Theory]
    [InlineData(0.2)]     // inner sums stay below 3 for the first rows and pass it later: both branches run
    [InlineData(-0.4)]
    [InlineData(0.9)]
    public void NestedTriangularLoopsWithABranchMatchFiniteDifferences(double a)
    {
        var x = new[] { 0.3, -0.8, 1.1, 0.05, -0.25, 0.6 };
        var dx = new double[x.Length];
        double da = 0;
        double value = LoopFunctions.TriangularGradient(x, a, dx, ref da);
        Assert.Equal(LoopFunctions.Triangular(x, a), value);
        var point = x.Append(a).ToArray();
        var numeric = Numeric(p => LoopFunctions.Triangular(p[..^1], p[^1]), point);
        Close(numeric, dx.Append(da).ToArray(), 1e-6);
    }

    [Fact]
    public void LayerJacobianIsTheClosedFormOfTanhOfAnAffineMap()
    {
        double[] w = { 0.2, -0.5, 0.9, 1.1, 0.3, -0.7 }, b = { 0.1, -0.2 }, x = { 0.5, -1.5, 2.0 };
        var y = new double[2];
        var jacobian = new double[2 * (6 + 2 + 3)];
        LoopFunctions.LayerJacobian(w, b, x, y, jacobian);

        var expected = new double[jacobian.Length];
        for (int r = 0; r < 2; r++)
        {
            double z = b[r] + w[r * 3] * x[0] + w[r * 3 + 1] * x[1] + w[r * 3 + 2] * x[2];
            Assert.Equal(Math.Tanh(z), y[r], 14);
            double slope = 1 - Math.Tanh(z) * Math.Tanh(z);
            int row = r * 11;
            for (int c = 0; c < 3; c++)
            {
                expected[row + r * 3 + c] = slope * x[c];        // ∂y_r/∂w_rc
                expected[row + 8 + c] = slope * w[r * 3 + c];    // ∂y_r/∂x_c
            }
            expected[row + 6 + r] = slope;                         // ∂y_r/∂b_r
        }
        Close(expected, jacobian, 1e-14);

        // And each row against central differences of that output.
        var inputs = w.Concat(b).Concat(x).ToArray();
        for (int r = 0; r < 2; r++)
        {
            int row = r;
            var numeric = Numeric(p =>
            {
                var output = new double[2];
                LoopFunctions.Layer(p.AsSpan(0, 6), p.AsSpan(6, 2), p.AsSpan(8, 3), output);
                return output[row];
            }, inputs);
            Close(numeric, jacobian.AsSpan(r * 11, 11).ToArray(), 1e-7);
        }
    }

    [Fact]
    public void VectorOutputGradientIsAVectorJacobianProductAndUsesUpTheOutputAdjoint()
    {
        double[] w = { 0.2, -0.5, 0.9, 1.1, 0.3, -0.7 }, b = { 0.1, -0.2 }, x = { 0.5, -1.5, 2.0 };
        var y = new double[2];
        var jacobian = new double[22];
        LoopFunctions.LayerJacobian(w, b, x, y, jacobian);
        var dy = new[] { 0.7, -1.3 };
        var dw = new double[6];
        var db = new double[2];
        var dx = new double[3];
        LoopFunctions.LayerGradient(w, b, x, y, dy, dw, db, dx);
        var vjp = dw.Concat(db).Concat(dx).ToArray();
        var expected = Enumerable.Range(0, 11).Select(c => 0.7 * jacobian[c] - 1.3 * jacobian[11 + c]).ToArray();
        Close(expected, vjp, 1e-14);
        Assert.Equal(new[] { 0.0, 0.0 }, dy);
    }

    [Fact]
    public void ArrayAdjointsAccumulateAndMustMatchTheirArrays()
    {
        var x = new[] { 1.0, 2.0 };
        var weights = new[] { 3.0, 4.0 };
        var dx = new double[2];
        var dweights = new double[2];
        LoopFunctions.WeightedSquaresGradient(x, weights, dx, dweights);
        LoopFunctions.WeightedSquaresGradient(x, weights, dx, dweights);
        Assert.Equal(new[] { 12.0, 32.0 }, dx);
        var error = Assert.Throws<ArgumentException>(() => LoopFunctions.WeightedSquaresGradient(x, weights, new double[3], dweights));
        Assert.Equal("dx", error.ParamName);
        Assert.Equal(new[] { 12.0, 32.0 }, dx);
    }

    [Theory]
    [InlineData(5.0, 0.5, 0.3)]      // several trips
    [InlineData(0.2, 0.5, 0.3)]      // none: the value passes straight through
    [InlineData(40.0, 0.8, 1.0)]
    public void WhileLoopsRecordTheirTripCountAndMatchFiniteDifferences(double x, double rate, double limit)
    {
        double dx = 0, drate = 0;
        double value = LoopFunctions.ShrinkGradient(x, rate, limit, ref dx, ref drate);
        Assert.Equal(LoopFunctions.Shrink(x, rate, limit), value);
        var numeric = Numeric(p => LoopFunctions.Shrink(p[0], p[1], limit), new[] { x, rate });
        Close(numeric, new[] { dx, drate }, 1e-6);
    }

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(10.0, 3.0)]
    [InlineData(0.5, 4.0)]
    public void DoLoopsRunAtLeastOnceAndMatchFiniteDifferencesAndForwardMode(double a, double x0)
    {
        double da = 0, dx0 = 0;
        double value = LoopFunctions.NewtonSqrtGradient(a, x0, ref da, ref dx0);
        Assert.Equal(LoopFunctions.NewtonSqrt(a, x0), value);
        Assert.Equal(Math.Sqrt(a), value, 5);
        var numeric = Numeric(p => LoopFunctions.NewtonSqrt(p[0], p[1]), new[] { a, x0 });
        Close(numeric, new[] { da, dx0 }, 1e-6);
        LoopFunctions.NewtonSqrtTangent(a, x0, 1.0, 0.5, out double tangent);
        Assert.Equal(da + 0.5 * dx0, tangent, 12);
    }

    [Theory]
    [InlineData(0.7, 0)]
    [InlineData(0.7, 1)]
    [InlineData(-1.3, 12)]
    public void WhileLoopWithAnIntCounterHasTheClosedFormGradient(double x, int n)
    {
        double dx = 0;
        double value = LoopFunctions.CountedSumGradient(x, n, ref dx);
        Assert.Equal(Enumerable.Range(0, n).Sum(k => Math.Cos(x * k)), value, 12);
        Assert.Equal(Enumerable.Range(0, n).Sum(k => -k * Math.Sin(x * k)), dx, 12);
    }

    [Fact]
    public void ForwardModeThroughLoopsMatchesTheGradientAlongTheDirection()
    {
        double dx0 = 0, dw = 0;
        LoopFunctions.RecurrenceGradient(0.4, 1.1, 50, ref dx0, ref dw);
        LoopFunctions.RecurrenceTangent(0.4, 1.1, 50, 0.3, -2.0, out double tangent);
        Assert.Equal(0.3 * dx0 - 2.0 * dw, tangent, 12);

        var x = new[] { 0.3, -0.8, 1.1, 0.05, -0.25, 0.6 };
        var direction = new[] { 1.0, -0.5, 0.25, 2.0, 0.0, -1.0 };
        var dx = new double[6];
        double da = 0;
        LoopFunctions.TriangularGradient(x, 0.2, dx, ref da);
        LoopFunctions.TriangularTangent(x, 0.2, direction, 0.7, out double triangular);
        Assert.Equal(dx.Zip(direction, (g, v) => g * v).Sum() + 0.7 * da, triangular, 12);

        var product = new double[6];
        LoopFunctions.ProductGradient(x, product);
        LoopFunctions.ProductTangent(x, direction, out double productTangent);
        Assert.Equal(product.Zip(direction, (g, v) => g * v).Sum(), productTangent, 14);

        double sx = 0, srate = 0;
        LoopFunctions.ShrinkGradient(5, 0.5, 0.3, ref sx, ref srate);
        LoopFunctions.ShrinkTangent(5, 0.5, 0.3, 1.0, 0.5, out double shrink);
        Assert.Equal(sx + 0.5 * srate, shrink, 12);
    }

    [Fact]
    public void EveryRowOfAReverseJacobianSeesTheLoopsFinalValues()
    {
        double x = 0.4;
        var a = new[] { 0.9, -0.3, 1.2 };
        var y = new double[2];
        var jacobian = new double[2 * 4];
        LoopFunctions.AfterTheLoopJacobian(x, a, y, jacobian);
        var inputs = new[] { x }.Concat(a).ToArray();
        for (int r = 0; r < 2; r++)
        {
            int row = r;
            var numeric = Numeric(p =>
            {
                var output = new double[2];
                LoopFunctions.AfterTheLoop(p[0], p.AsSpan(1), output);
                return output[row];
            }, inputs);
            Close(numeric, jacobian.AsSpan(r * 4, 4).ToArray(), 1e-7);
        }
        var expected = new double[2];
        LoopFunctions.AfterTheLoop(x, a, expected);
        Assert.Equal(expected, y);
    }

    [Fact]
    public void TallJacobianIsWrittenColumnByColumnInForwardMode()
    {
        double a = 0.7;
        var b = new[] { -0.4, 1.5 };
        var y = new double[5];
        var jacobian = new double[5 * 3];
        LoopFunctions.ExpandJacobian(a, b, y, jacobian);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(Math.Sin(a * i) + b[0] * i + b[1] * b[1], y[i], 14);
            Close(new[] { i * Math.Cos(a * i), i, 2 * b[1] }, jacobian.AsSpan(i * 3, 3).ToArray(), 1e-14);
        }
        Assert.Throws<ArgumentException>(() => LoopFunctions.ExpandJacobian(a, b, y, new double[14]));
        var shared = new double[7];
        var overlap = Assert.Throws<ArgumentException>(() => LoopFunctions.ExpandJacobian(a, shared.AsSpan(0, 2), shared.AsSpan(1, 5), jacobian));
        Assert.Equal("y", overlap.ParamName);
    }

    [Theory]
    [InlineData(-0.5, 4)]
    [InlineData(0.8, 6)]
    [InlineData(1.3, 3)]
    public void LoopsInsideBranchesAndCallsInsideLoopsHaveTheClosedFormDerivative(double x, int n)
    {
        double dx = 0;
        double value = LoopFunctions.GuardedSeriesGradient(x, n, ref dx);
        Assert.Equal(LoopFunctions.GuardedSeries(x, n), value);
        // d/dx Σ sin(xⁱ)/i = Σ cos(xⁱ)·xⁱ⁻¹ for x ≥ 0, and −1 below.
        double expected = x < 0 ? -1 : Enumerable.Range(1, n).Sum(i => Math.Cos(Math.Pow(x, i)) * Math.Pow(x, i - 1));
        Assert.Equal(expected, dx, 12);
        LoopFunctions.GuardedSeriesTangent(x, n, 2.0, out double tangent);
        Assert.Equal(2 * expected, tangent, 12);
    }

    [Theory]
    [InlineData(new[] { 0.5, -1.0, 2.0, 0.3, 4.0, -0.2 })]
    [InlineData(new[] { -0.5, 0.1, -3.0 })]
    public void ABranchInsideALoopIsRecomputedWithTheValuesItsDerivativeReads(double[] x)
    {
        var dx = new double[x.Length];
        Assert.Equal(LoopFunctions.BranchInLoop(x), LoopFunctions.BranchInLoopGradient(x, dx));
        Close(Numeric(LoopFunctions.BranchInLoop, x), dx, 1e-6);
    }

    [Fact]
    public void ALoopResultUsedInALaterLoopAndAfterItGetsEveryShareOfItsAdjoint()
    {
        var x = new[] { 0.5, 2.0, -1.0 };
        var dx = new double[3];
        LoopFunctions.ResultUsedInAndAfterALoopGradient(x, dx);
        // f = m·Σx + m with m = Σx, so ∂f/∂xᵢ = 2m + 1 = 4.
        Assert.Equal(new[] { 4.0, 4.0, 4.0 }, dx);
    }

    [Fact]
    public void AnOffsetHeaderStopsEarly()
    {
        var x = new[] { 0.5, 2.0, -1.0, 0.25 };
        var dx = new double[4];
        Assert.Equal(1.5 * 1.5 + 9.0 + 1.25 * 1.25, LoopFunctions.DifferencesGradient(x, dx), 14);
        // ∂/∂xᵢ Σ (xᵢ₊₁ − xᵢ)² = 2(xᵢ − xᵢ₋₁) − 2(xᵢ₊₁ − xᵢ)
        Assert.Equal(new[] { -3.0, 9.0, -8.5, 2.5 }, dx);
    }

    [Fact]
    public void LocalFunctionsAreDifferentiatedWhereTheyAreCalled()
    {
        double dx = 0, dy = 0;
        double value = LoopFunctions.WithLocalFunctionGradient(1.5, -2.0, ref dx, ref dy);
        Assert.Equal(1.5 * 1.5 + 9.0, value);
        Assert.Equal(2 * 1.5 + 2 * 1.5 * 4.0, dx, 14);   // ∂(x² + x²y²)/∂x = 2x + 2xy²
        Assert.Equal(2 * 1.5 * 1.5 * -2.0, dy, 14);       // ∂/∂y = 2x²y
    }

    [Fact]
    public void AWarmLoopGradientAllocatesNothing()
    {
        var x = Enumerable.Range(0, 50).Select(i => 0.9 + 0.001 * i).ToArray();
        var dx = new double[50];
        double dx0 = 0, dw = 0, da = 0;
        LoopFunctions.ProductGradient(x, dx);
        LoopFunctions.RecurrenceGradient(0.3, 0.9, 100, ref dx0, ref dw);
        LoopFunctions.TriangularGradient(x, 0.1, dx, ref da);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            LoopFunctions.ProductGradient(x, dx);
            LoopFunctions.RecurrenceGradient(0.3, 0.9, 100, ref dx0, ref dw);
            LoopFunctions.TriangularGradient(x, 0.1, dx, ref da);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
