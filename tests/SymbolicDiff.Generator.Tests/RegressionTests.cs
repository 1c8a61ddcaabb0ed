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
    /// BUG (seen after merging main): a simple ?: (no locals in its branches) inside a branch of another ?:,
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
}
