using System;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.AdBench.Tests;

internal static class TestUtil
{
    /// <summary>Skips (with the locator's message) when the ADBench data folder is absent.</summary>
    public static void RequireData(ITestOutputHelper output)
    {
        if (!AdBenchData.Available)
            output.WriteLine(AdBenchData.SkipMessage);
        Skip.IfNot(AdBenchData.Available, AdBenchData.SkipMessage);
    }

    /// <summary>max_i |a_i - b_i|.</summary>
    public static double MaxAbsDiff(double[] a, double[] b)
    {
        Assert.Equal(b.Length, a.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    /// <summary>max_i |a_i - ref_i| / max(1, |ref_i|) (relative for large entries, absolute near 0).</summary>
    public static double MaxScaledDiff(double[] a, double[] reference)
    {
        Assert.Equal(reference.Length, a.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++)
            m = Math.Max(m, Math.Abs(a[i] - reference[i]) / Math.Max(1.0, Math.Abs(reference[i])));
        return m;
    }

    public static double RelDiff(double a, double reference) =>
        Math.Abs(a - reference) / Math.Max(1.0, Math.Abs(reference));

    public static double L2(double[] v)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * v[i];
        return Math.Sqrt(s);
    }

    public static void AssertWithin(ITestOutputHelper output, string what, double achieved, double tolerance)
    {
        output.WriteLine($"{what}: {achieved:E3} (tolerance {tolerance:E1})");
        Assert.True(achieved <= tolerance, $"{what}: {achieved:E3} exceeds tolerance {tolerance:E1}");
    }
}
