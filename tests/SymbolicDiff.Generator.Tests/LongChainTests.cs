using System;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Long operator chains cost the generator no stack depth: a 5,000-term sum builds and its gradient is exact, on a
/// thread with a 1 MB stack (the smallest a compiler host gives a generator). Nesting that is not a chain is bounded
/// by SD0029 instead of overflowing the stack.
/// </summary>
public class LongChainTests
{
    private const int SmallStack = 1024 * 1024;

    /// <summary>a + 1.00001·c·a + 1.00002·a·b + 1.00003·b·c + …: the term k multiplies the pair k mod 3 by 1 + k·1e-5.</summary>
    private static string Sum(int terms, bool rightNested)
    {
        var text = new StringBuilder("a");
        string[] pairs = { "b * c", "c * a", "a * b" };
        for (int k = 1; k < terms; k++)
        {
            text.Append(rightNested ? " + (" : " + ").Append(Coefficient(k).ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(" * ").Append(pairs[k % 3]);
        }
        if (rightNested)
        {
            text.Append(')', terms - 1);
        }
        return text.ToString();
    }

    private static double Coefficient(int k) => 1 + k * 1e-5;

    private static T OnSmallStack<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }, SmallStack);
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("failed on the small stack", failure);
    }

    private static GeneratorRun RunSum(string body) => GeneratorHarness.Run($$"""
        using System;
        using SymbolicDiff;

        public static partial class Chains
        {
            [Differentiable]
            public static double Sum(double a, double b, double c) => {{body}};
        }
        """);

    /// <summary>
    /// 5,000 terms (which overflowed the stack before) and a right-nested chain by default (the C# compiler itself stops
    /// right-nested parentheses at a few hundred levels on a 1 MB stack: CS8078, "An expression is too long or complex"); the 100,000-term sum when
    /// SYMBOLICDIFF_LONG_CHAINS=1, which is slow: compiling the 100,000-term method and its 206,000-line gradient takes the compiler
    /// tens of minutes on 2 shared cores (a `dotnet build` of such a project is measured in the README's Limitations).
    /// </summary>
    public static TheoryData<int, bool> Sizes()
    {
        var sizes = new TheoryData<int, bool> { { 5_000, false }, { 200, true } };
        if (Environment.GetEnvironmentVariable("SYMBOLICDIFF_LONG_CHAINS") == "1")
        {
            sizes.Add(100_000, false);
        }
        return sizes;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void LongSumBuildsAndItsGradientIsExact(int terms, bool rightNested)
    {
        var run = OnSmallStack(() => RunSum(Sum(terms, rightNested)));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        string source = run.SourceFor("Chains.Sum")!;
        Assert.Contains("double dt", source);
        using var loaded = GeneratorHarness.Load(run);
        var gradient = loaded.Assembly.GetType("Chains")!.GetMethod("SumGradient")!;
        double a = 0.7, b = -1.3, c = 0.4;
        var args = new object[] { a, b, c, 0.0, 0.0, 0.0 };
        double value = (double)gradient.Invoke(null, args)!;
        // Closed forms: ∂/∂a = 1 + Σ_{c·a terms} k_i c + Σ_{a·b terms} k_i b, and alike for b and c.
        double f = a, da = 1, db = 0, dc = 0;
        for (int k = 1; k < terms; k++)
        {
            double w = Coefficient(k);
            switch (k % 3)
            {
                case 0: f += w * b * c; db += w * c; dc += w * b; break;
                case 1: f += w * c * a; dc += w * a; da += w * c; break;
                default: f += w * a * b; da += w * b; db += w * a; break;
            }
        }
        Assert.Equal(f, value, 1e-9 * Math.Abs(f));
        Assert.Equal(da, (double)args[3], 1e-9 * Math.Abs(da));
        Assert.Equal(db, (double)args[4], 1e-9 * Math.Abs(db));
        Assert.Equal(dc, (double)args[5], 1e-9 * Math.Abs(dc));
    }

    /// <summary>
    /// A gradient that would need more locals than the compiler handles (it stops at 65,534 per method, and slows
    /// down with the square of the count long before) is SD0053 at the method, not a file that kills the build;
    /// the valid method beside it still gets its gradient.
    /// </summary>
    [Fact]
    public void GradientWithTooManyLocalsIsALocatedError()
    {
        var terms = Enumerable.Range(1, 4_000).Select(k => $"Math.Sin({k} * a * b) * Math.Cos(b * c + {k})");
        string source = $$"""
            using System;
            using SymbolicDiff;

            public static partial class Chains
            {
                [Differentiable]
                public static double Huge(double a, double b, double c) => {{string.Join(" + ", terms)}};

                [Differentiable]
                public static double Good(double a) => a * a;
            }
            """;
        var run = OnSmallStack(() => GeneratorHarness.Run(source));
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0053", diagnostic.Id);
        Assert.Equal("The derivatives of 'Huge' would need more than 20,000 local variables in one method, more than the C# compiler handles well (it stops at 65,534); move parts of the computation into [Differentiable] helper methods, or sum the terms in a loop over an array",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        int at = source.IndexOf("Huge(", StringComparison.Ordinal);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(at, "Huge".Length), diagnostic.Location.SourceSpan);
        Assert.Null(run.SourceFor("Chains.Huge"));
        Assert.NotNull(run.SourceFor("Chains.Good"));
    }
}
