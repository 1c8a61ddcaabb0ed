using System.Linq;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>Every method gets its own file, and no failure of one method takes another's output with it.</summary>
public class HintNameTests
{
    /// <summary>
    /// Was a bug: class C&lt;T&gt; and class C_T_ both became "C_T_.F_Double.g.cs"; AddSource threw and every gradient in
    /// the project disappeared (CS8785). Hint names also compare ignoring case, so F and f must differ too.
    /// </summary>
    [Fact]
    public void DistinctMethodsGetDistinctFiles()
    {
        var run = GeneratorHarness.Run("""
            using SymbolicDiff;

            namespace Demo
            {
                public static partial class C<T> { [Differentiable] public static double F(double x) => x * x; }
                public static partial class C_T_ { [Differentiable] public static double F(double x) => x * x; }
                public static partial class Cases
                {
                    [Differentiable] public static double F(double x) => x * x;
                    [Differentiable] public static double f(double x) => x * x * x;
                    [Differentiable] public static double F(double x, double y) => x * y;
                    [Differentiable] public static double F_Double(double x) => x;
                    public static partial class Nested { [Differentiable] public static double F(double x) => 2 * x; }
                }
                public static partial class Cases_Nested { [Differentiable] public static double F(double x) => 3 * x; }
            }
            """, """
            using SymbolicDiff;

            namespace Demo
            {
                public static partial class Cases { [Differentiable] public static double F(float x) => x; }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(9, run.Sources.Count);
        Assert.Equal(9, run.Sources.Keys.Select(k => k.ToLowerInvariant()).Distinct().Count());
        Assert.Empty(run.OutputErrorsAndWarnings);
    }
}
