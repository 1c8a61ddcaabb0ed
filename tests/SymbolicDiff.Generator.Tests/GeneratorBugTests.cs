using System.Linq;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>Inputs that exposed generator bugs (see the report); each test states the expected behaviour.</summary>
public class GeneratorBugTests
{
    /// <summary>BUG: Math.Clamp on float operands is emitted as MathF.Clamp, which does not exist (CS0117).</summary>
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
}
