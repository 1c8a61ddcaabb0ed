using System.Linq;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>Inputs that once exposed generator bugs; each test states the behaviour that is now expected.</summary>
public class RegressionTests
{
    /// <summary>Was a bug: Math.Clamp on float operands is emitted as MathF.Clamp, which does not exist (CS0117).</summary>
    [Fact]
    public void FloatMathClampCompiles()
    {
        var run = GeneratorHarness.Run("""
            using System;
            using SymbolicDiff;

            public static partial class Functions
            {
                [Differentiable]
                public static float Clamped(float x) => Math.Clamp(x, -1f, 1f) * x;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    /// <summary>
    /// Regression (fixed; seen after merging main): a simple ?: (no locals in its branches) inside a branch of another ?:,
    /// whose value the backward pass reads, is hoisted ("double t = 0.0;" before the if) and then declared
    /// again inside the branch ("double t = c ? a : b;"): CS0136. Emitter.WriteForwardRegion's !HasLocals path ignores _hoisted.
    /// </summary>
    [Theory]
    [InlineData("x > 0 ? (y > 1 ? 2.0 : y) * x : y")]
    [InlineData("x > 0 ? Math.Sqrt((y > 0.1 ? 1.5 : y) * (y > 0.1 ? 1.5 : y) + 0.5) * x : y")]
    public void NestedConditionalsCompile(string expression)
    {
        var run = GeneratorHarness.Run($$"""
            using System;
            using SymbolicDiff;

            public static partial class Functions
            {
                [Differentiable]
                public static double Nested(double x, double y) => {{expression}};
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    private static GeneratorRun RunFunctions(string members) => GeneratorHarness.Run($$"""
        using System;
        using SymbolicDiff;

        public static partial class Functions
        {
        {{members}}
        }
        """);

    /// <summary>
    /// Regression (fixed): in a loop body, a value computed inside a branch of an if/else (or of ?:) that the backward pass reads is
    /// hoisted in the forward pass ("double t2 = 0.0;" before the if, "t2 = 2.0 * x;" in the else), but the reverse loop
    /// recomputes only the condition, not the branch, so the backward pass reads a name that does not exist: CS0103.
    /// (The loop-free case works; so does a loop whose branch only reads values computed outside it. The loop property
    /// test now puts whole expressions in loop branches.)
    /// </summary>
    [Theory]
    [InlineData("for (int k = 0; k < n; k++) { if (x > 1) s += x; else s += x * x * x; }")]
    [InlineData("for (int k = 0; k < n; k++) { s += x > 1 ? Math.Sqrt(x * x + 1) : Math.Sin(x * s); }")]
    [InlineData("for (int k = 0; k < n; k++) { if (s > 1) s += x; else s += 2 * x * x; }")]
    [InlineData("for (int k = 0; k < n; k++) { s += x > 1 ? a[k + 1] * x : x; }")]   // the index k + 1, computed in the branch
    public void BranchIntermediateInLoopIsRecomputedInTheBackwardPass(string loop)
    {
        var run = RunFunctions($$"""
                [Differentiable]
                public static double F(double x, int n, [NoDiff] double[] a)
                {
                    double s = 0;
                    {{loop}}
                    return s;
                }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    /// <summary>
    /// Regression (fixed): a loop inside a branch: its carried variable is declared inside the forward pass's if block
    /// ("if (t1) { double s = 0.0; … s_2 = s; }"), and the reverse loop in the backward pass's if block assigns
    /// "s = sSaved[k];" where s is out of scope: CS0103.
    /// </summary>
    [Fact]
    public void LoopInsideABranchWithKeptValuesCompiles()
    {
        var run = RunFunctions("""
                [Differentiable]
                public static double F(double x, int n)
                {
                    double s = 0;
                    if (x > 0)
                    {
                        for (int k = 0; k < n; k++) s = s * x + 1;
                    }
                    else
                    {
                        s = x;
                    }
                    return s;
                }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    /// <summary>
    /// Regression (fixed): overloads that differ only in an array's element type get the same hint name ("Functions.F_.g.cs": the
    /// array type contributes nothing to it), so the generator throws (CS8785) and generates nothing for any method.
    /// </summary>
    [Fact]
    public void OverloadsOnArrayElementTypesGetDistinctFiles()
    {
        var run = RunFunctions("""
                [Differentiable]
                public static double F(double[] x) => x[0] * x[1];

                [Differentiable]
                public static float F(float[] x) => x[0] * x[1];
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        Assert.Equal(2, run.Sources.Count);
    }

    /// <summary>
    /// Regression (fixed): y[0] = x; then y[0] = 2.0; — the second write overwrites the first, so ∂y[0]/∂x = 0. The backward pass of
    /// a store whose value has no derivative emits nothing, so dy[0] is not used up there and flows into the first
    /// store: FJacobian reports ∂y[0]/∂x = 1 and FGradient leaves the seed of a constant output in dy.
    /// </summary>
    [Fact]
    public void OverwritingAnOutputWithAConstantZeroesItsJacobianRow()
    {
        var run = RunFunctions("""
                [Differentiable]
                public static void F(double x, Span<double> y)
                {
                    y[0] = x;
                    for (int i = 0; i < y.Length; i++) y[i] = 2.0;
                }

                public static double[] Jacobian(double x, int n)
                {
                    var y = new double[n];
                    var jacobian = new double[n];
                    FJacobian(x, y, jacobian);
                    return jacobian;
                }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        using var loaded = GeneratorHarness.Load(run);
        var jacobian = (double[])loaded.Assembly.GetType("Functions")!.GetMethod("Jacobian")!.Invoke(null, new object[] { 0.5, 2 })!;
        Assert.Equal(new[] { 0.0, 0.0 }, jacobian);
    }

    /// <summary>Regression (fixed, same cause): FGradient must use up dy (the README's "seed, zeroed"), also for an output that is a constant.</summary>
    [Fact]
    public void VectorOutputGradientUsesUpTheSeedOfAConstantOutput()
    {
        var run = RunFunctions("""
                [Differentiable]
                public static void F(double x, Span<double> y)
                {
                    y[0] = x * x;
                    y[1] = 2.0;
                }

                public static double[] SeedAfterGradient(double x)
                {
                    var y = new double[2];
                    var dy = new[] { 1.0, 1.0 };
                    double dx = 0;
                    FGradient(x, y, dy, ref dx);
                    return dy;
                }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        using var loaded = GeneratorHarness.Load(run);
        var dy = (double[])loaded.Assembly.GetType("Functions")!.GetMethod("SeedAfterGradient")!.Invoke(null, new object[] { 0.5 })!;
        Assert.Equal(new[] { 0.0, 0.0 }, dy);
    }
}
