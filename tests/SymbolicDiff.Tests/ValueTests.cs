using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Generated double gradients against central differences and hand-derived closed forms.</summary>
public class DoubleValueTests
{
    public static IEnumerable<object[]> Smooth => DoubleCases.Rows(DoubleCases.All.Where(c => !c.SkipFiniteDifferences));
    public static IEnumerable<object[]> Every => DoubleCases.Rows(DoubleCases.All);
    public static IEnumerable<object[]> Kinks => DoubleCases.Rows(DoubleCases.AtKinks);

    [Theory]
    [MemberData(nameof(Smooth))]
    public void MatchesFiniteDifferences(string function, int pointIndex, string at)
    {
        var c = DoubleCases.ByName[function];
        var report = GradientCheck.Check(c.Function, c.Gradient, c.Points[pointIndex], c.Step);
        Assert.True(report.Passed(c.FiniteDifferenceTolerance), $"{function} at {at}:\n{report}");
    }

    [Theory]
    [MemberData(nameof(Every))]
    [MemberData(nameof(Kinks))]
    public void MatchesClosedForm(string function, int pointIndex, string at)
    {
        var c = DoubleCases.ByName[function];
        double[] point = c.Points[pointIndex];
        var gradient = new double[point.Length];
        double value = c.Gradient((double[])point.Clone(), gradient);
        double expectedValue = c.Function(point);
        double[] expected = c.ClosedForm(point);

        string Table() => $"{function} at {at}: value {value:R} (expected {expectedValue:R})\n" + string.Join("\n",
            gradient.Select((g, i) => $"  [{i}] generated {g:R}  closed form {expected[i]:R}"));

        Assert.True(Close(value, expectedValue, 1e-14) || value.Equals(expectedValue), "value differs: " + Table());
        for (int i = 0; i < point.Length; i++)
        {
            Assert.True(double.IsFinite(gradient[i]), $"component {i} is not finite: " + Table());
            Assert.True(Close(gradient[i], expected[i], c.ClosedFormTolerance), $"component {i} differs: " + Table());
        }
    }

    /// <summary>Functions whose derivative is zero everywhere give exactly 0, not a tiny number.</summary>
    [Theory]
    [InlineData("Floor")]
    [InlineData("Ceiling")]
    [InlineData("Round")]
    [InlineData("Truncate")]
    [InlineData("Sign")]
    public void ZeroDerivativeFunctionsGiveExactlyZero(string function)
    {
        var c = DoubleCases.ByName[function];
        foreach (double[] point in c.Points.Append(new[] { 0.0 }).Append(new[] { -5.0 }))
        {
            var gradient = new double[1];
            double value = c.Gradient(point, gradient);
            Assert.Equal(c.Function(point), value);
            Assert.Equal(0.0, gradient[0]);
        }
    }

    internal static bool Close(double actual, double expected, double relative) =>
        Math.Abs(actual - expected) <= relative * Math.Max(1.0, Math.Abs(expected));
}

/// <summary>Generated float gradients against the double closed forms and the float overload of GradientCheck.</summary>
public class FloatValueTests
{
    public static IEnumerable<object[]> Every => FloatCases.Rows(FloatCases.All);
    public static IEnumerable<object[]> Kinks => FloatCases.Rows(FloatCases.AtKinks);
    public static IEnumerable<object[]> Smooth => FloatCases.Rows(FloatCases.All.Where(c => !c.Double.SkipFiniteDifferences));

    [Theory]
    [MemberData(nameof(Smooth))]
    public void MatchesFiniteDifferences(string function, int pointIndex, string at)
    {
        var c = FloatCases.ByName[function];
        var report = GradientCheck.Check(c.Function, c.Gradient, c.Points[pointIndex]);
        Assert.True(report.Passed(c.FiniteDifferenceTolerance), $"{function} (float) at {at}:\n{report}");
    }

    [Theory]
    [MemberData(nameof(Every))]
    [MemberData(nameof(Kinks))]
    public void MatchesDoubleClosedForm(string function, int pointIndex, string at)
    {
        var c = FloatCases.ByName[function];
        float[] point = c.Points[pointIndex];
        double[] asDouble = point.Select(v => (double)v).ToArray();
        var gradient = new float[point.Length];
        float value = c.Gradient((float[])point.Clone(), gradient);
        double expectedValue = c.Double.Function(asDouble);
        double[] expected = c.Double.ClosedForm(asDouble);

        string Table() => $"{function} (float) at {at}: value {value:R} (expected {expectedValue:R})\n" + string.Join("\n",
            gradient.Select((g, i) => $"  [{i}] generated {g:R}  closed form {expected[i]:R}"));

        Assert.Equal(c.Function(point), value);
        Assert.True(Close(value, expectedValue), "value differs: " + Table());
        for (int i = 0; i < point.Length; i++)
        {
            Assert.True(float.IsFinite(gradient[i]), $"component {i} is not finite: " + Table());
            Assert.True(Close(gradient[i], expected[i]), $"component {i} differs: " + Table());
        }
    }

    [Theory]
    [InlineData("Floor")]
    [InlineData("Ceiling")]
    [InlineData("Round")]
    [InlineData("Truncate")]
    [InlineData("Sign")]
    public void ZeroDerivativeFunctionsGiveExactlyZero(string function)
    {
        var c = FloatCases.ByName[function];
        foreach (float[] point in c.Points.Append(new[] { 0f }).Append(new[] { -5f }))
        {
            var gradient = new float[1];
            float value = c.Gradient(point, gradient);
            Assert.Equal(c.Function(point), value);
            Assert.Equal(0f, gradient[0]);
        }
    }

    /// <summary>1e-5 relative, with an absolute floor of 1e-5 · 1e-2 for derivatives near zero.</summary>
    static bool Close(double actual, double expected) =>
        Math.Abs(actual - expected) <= 1e-5 * Math.Max(1e-2, Math.Abs(expected));
}
