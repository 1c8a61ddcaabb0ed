using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Issue 8, items 1–4, 12 and 13: every mode (pullback, tangent, Jacobian by rows and by columns) against central
/// finite differences or closed forms, for output stores under control flow, loops read after a loop that keeps
/// values, bounds at the int limits, wrapping integer constants and mixed element types.
/// </summary>
public class OutputAndBoundTests
{
    private const double H = 1e-6;

    private delegate void Vector(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>Central differences of every output element with respect to every input element: J[r * n + c].</summary>
    private static double[] NumericJacobian(Vector f, double[] x, int outputs) =>
        FiniteDifferences.NumericJacobian(q =>
        {
            var y = new double[outputs];
            f(q, y);
            return y;
        }, x, outputs, H);

    [Theory]
    [InlineData(1.5, 3.0, 2.25)]
    [InlineData(-1.0, 0.0, 7.0)]   // not taken: y[0] keeps the caller's 7, and depends on nothing
    public void AStoreInsideAnIfIsWrittenAndDifferentiatedOnlyWhenTaken(double x, double slope, double y0)
    {
        var y = new[] { 7.0 };
        var jacobian = new double[1];
        OutputAndBoundFunctions.WhenPositiveJacobian(x, y, jacobian);
        Assert.Equal(y0, y[0]);
        Assert.Equal(slope, jacobian[0]);

        var dy = new[] { 1.0 };
        double dx = 0;
        OutputAndBoundFunctions.WhenPositiveGradient(x, new[] { 7.0 }, dy, ref dx);
        Assert.Equal(slope, dx);
        Assert.Equal(0.0, dy[0]);   // item 13: the seed is used up whether or not the element was written

        var tangent = new[] { double.NaN };
        OutputAndBoundFunctions.WhenPositiveTangent(x, new[] { 7.0 }, 1.0, tangent);
        Assert.Equal(slope, tangent[0]);
    }

    [Fact]
    public void ALeakyReluLayerOfIfElseStoresHasADiagonalJacobianInEveryMode()
    {
        var x = new[] { 1.0, -2.0, 3.0, -0.5 };
        var expected = new double[16];
        for (int i = 0; i < 4; i++) expected[i * 4 + i] = x[i] > 0 ? 1 : 0.01;
        var y = new double[4];
        var byRows = new double[16];
        OutputAndBoundFunctions.LeakyLayerJacobian(x, y, byRows);
        Assert.Equal(expected, byRows);
        Assert.Equal(new[] { 1.0, -0.02, 3.0, -0.005 }, y);
        // dyᵀJ from the pullback, Jv from the tangent.
        var dy = new[] { 1.0, 2.0, 3.0, 4.0 };
        var dx = new double[4];
        OutputAndBoundFunctions.LeakyLayerGradient(x, new double[4], dy, dx);
        Assert.Equal(new[] { 1.0, 0.02, 3.0, 0.04 }, dx);
        var tangent = new double[4];
        OutputAndBoundFunctions.LeakyLayerTangent(x, new double[4], new[] { 1.0, 1.0, 1.0, 1.0 }, tangent);
        Assert.Equal(new[] { 1.0, 0.01, 1.0, 0.01 }, tangent);
    }

    [Theory]
    [InlineData(0.9, new[] { 1.2, -0.8, 0.3, 2.0 })]     // square: rows, both branches and an unwritten element
    [InlineData(1.3, new[] { 0.7, 1.1 })]                // tall (3 × 3): rows
    [InlineData(-0.6, new[] { 0.4, -1.5, -0.9 })]        // negative products: the else-if branch
    public void StoresInNestedBranchesOfALoopMatchFiniteDifferences(double s, double[] x)
    {
        int m = x.Length + 1, n = x.Length + 1;
        Vector f = (p, o) => OutputAndBoundFunctions.Branchy(p[0], p[1..], o);
        var inputs = new[] { s }.Concat(x).ToArray();
        var numeric = NumericJacobian(f, inputs, m);
        var jacobian = new double[m * n];
        OutputAndBoundFunctions.BranchyJacobian(s, x, new double[m], jacobian);
        Close(numeric, jacobian, 1e-6);

        // The pullback is dyᵀJ and uses up every seed; the tangent is Jv with zeros where nothing is written.
        var seed = Enumerable.Range(0, m).Select(i => 0.5 + i).ToArray();
        var dy = (double[])seed.Clone();
        double ds = 0;
        var dx = new double[x.Length];
        OutputAndBoundFunctions.BranchyGradient(s, x, new double[m], dy, ref ds, dx);
        var vjp = Enumerable.Range(0, n).Select(c => Enumerable.Range(0, m).Sum(r => seed[r] * jacobian[r * n + c])).ToArray();
        Close(vjp, new[] { ds }.Concat(dx).ToArray(), 1e-12);
        Assert.All(dy, d => Assert.Equal(0.0, d));
        var direction = Enumerable.Range(0, n).Select(c => 1.0 - 0.3 * c).ToArray();
        var tangent = Enumerable.Repeat(double.NaN, m).ToArray();
        OutputAndBoundFunctions.BranchyTangent(s, x, new double[m], direction[0], direction[1..], tangent);
        var jvp = Enumerable.Range(0, m).Select(r => Enumerable.Range(0, n).Sum(c => jacobian[r * n + c] * direction[c])).ToArray();
        Close(jvp, tangent, 1e-12);
    }

    [Fact]
    public void EveryRowSeesTheForwardValuesAfterALoopThatKeepsThem()
    {
        // The values: row 1 is (0.6065, 0.1516, 1.8196), not the restored loop value's (0.0498, 0.0124, 0.1494).
        var x = new[] { 1.5, -2.0, 0.5 };
        var jacobian = new double[6];
        OutputAndBoundFunctions.ShiftedExpJacobian(x, new double[2], jacobian);
        Close(NumericJacobian((p, o) => OutputAndBoundFunctions.ShiftedExp(p, o), x, 2), jacobian, 1e-6);
        Close(new[] { 0.6065306597126334, 0.15163266492815836, 1.8195919791379003 }, jacobian[3..], 1e-12);
    }

    [Theory]
    [InlineData(3)]   // 3 × 3: rows
    [InlineData(5)]
    public void ALoopWrittenStableSoftmaxHasTheClosedFormJacobian(int length)
    {
        var x = Enumerable.Range(0, length).Select(i => Math.Sin(1.7 * i) * 2).ToArray();
        var y = new double[length];
        var jacobian = new double[length * length];
        OutputAndBoundFunctions.SoftmaxJacobian(x, y, jacobian);
        // ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)
        var expected = new double[length * length];
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
                expected[i * length + j] = y[i] * ((i == j ? 1 : 0) - y[j]);
        Close(expected, jacobian, 1e-12);
    }

    [Theory]
    [InlineData(int.MinValue, 1.0)]
    [InlineData(int.MinValue + 1, 1.0)]
    [InlineData(-1, 1.0)]
    [InlineData(0, 1.0)]
    [InlineData(3, 4.0)]
    public void ATripCountAtTheIntLimitsDoesNotWrapAround(int n, double slope)
    {
        double dx = 0;
        Assert.Equal(OutputAndBoundFunctions.SumTo(0.5, n), OutputAndBoundFunctions.SumToGradient(0.5, n, ref dx));
        Assert.Equal(slope, dx);
    }

    [Theory]
    [InlineData(int.MinValue, int.MinValue + 2)]
    [InlineData(int.MaxValue - 3, int.MaxValue - 1)]
    [InlineData(int.MaxValue - 1, int.MinValue)]   // no iteration
    [InlineData(0, int.MinValue)]
    [InlineData(5, 5)]
    public void KeptLoopsWithBoundsAtTheLimitsMatchFiniteDifferences(int a, int b)
    {
        double x = 0.7;
        double dx = 0;
        Assert.Equal(OutputAndBoundFunctions.RecurrenceBetween(x, a, b), OutputAndBoundFunctions.RecurrenceBetweenGradient(x, a, b, ref dx));
        double numeric = (OutputAndBoundFunctions.RecurrenceBetween(x + H, a, b) - OutputAndBoundFunctions.RecurrenceBetween(x - H, a, b)) / (2 * H);
        Assert.Equal(numeric, dx, 1e-6);

        dx = 0;
        Assert.Equal(OutputAndBoundFunctions.RecurrenceBeforeLast(x, a, b), OutputAndBoundFunctions.RecurrenceBeforeLastGradient(x, a, b, ref dx));
        numeric = (OutputAndBoundFunctions.RecurrenceBeforeLast(x + H, a, b) - OutputAndBoundFunctions.RecurrenceBeforeLast(x - H, a, b)) / (2 * H);
        Assert.Equal(numeric, dx, 1e-6);
    }

    [Fact]
    public void ALoopLongerThanAnArrayCanKeepThrowsInsteadOfWrapping()
    {
        // int.MinValue ≤ i ≤ int.MaxValue − 1: 2³² − 1 iterations, more than the backward pass can keep.
        double dx = 0;
        Assert.Throws<NotSupportedException>(() => OutputAndBoundFunctions.RecurrenceBetweenGradient(0.5, int.MinValue, int.MaxValue - 1, ref dx));
    }

    [Fact]
    public void IntegerConstantsWrapAroundAsInCSharp()
    {
        // k = int.MinValue, m = int.MinValue (−int.MinValue wraps), p = 65536² wraps to 0, 2⁵³ mod 1000 = 992.
        double x = 0.5, dx = 0;
        double value = OutputAndBoundFunctions.WrappedGradient(x, ref dx);
        Assert.Equal(OutputAndBoundFunctions.Wrapped(x), value);
        Assert.Equal(x * int.MinValue + x * x * int.MinValue + 992 * x, value);
        Assert.Equal(int.MinValue + 2 * x * int.MinValue + 992, dx);
    }

    [Theory]
    [InlineData(2)]   // 2 × 4: rows
    [InlineData(9)]   // 9 × 7: columns (tangent sweeps)
    public void AFloatInputAndADoubleOutputGetAJacobian(int outputs)
    {
        float a = 0.8f;
        var v = new[] { 1.5f, -0.5f, 2f, 0.25f, -1f, 0.75f };
        var jacobian = new double[outputs * 7];
        OutputAndBoundFunctions.MixedJacobian(a, v, new double[outputs], jacobian);
        // output[i] = a·v[j]·v[0] + sin a with j = i mod 6, in float then widened.
        for (int i = 0; i < outputs; i++)
        {
            int j = i % v.Length;
            var row = jacobian.AsSpan(i * 7, 7).ToArray();
            var expected = new double[7];
            expected[0] = v[j] * v[0] + Math.Cos(a);
            expected[1 + j] += a * v[0];
            expected[1] += a * v[j];
            Close(expected, row, 1e-6);
        }
    }
}
