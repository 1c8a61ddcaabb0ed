using System.Linq;
using System.Reflection;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>The README's rule for the order of the generated arguments with scalars, arrays and constants mixed.</summary>
public class AdjointOrderTests
{
    [Fact]
    public void ParametersComeFirstThenOneAdjointPerDifferentiableParameterInDeclarationOrder()
    {
        var run = GeneratorHarness.Run("""
            using System;
            using SymbolicDiff;

            public static partial class Model
            {
                [Differentiable]
                public static double F(double[] x, double a, [NoDiff] double c, ReadOnlySpan<double> w, int n)
                {
                    double s = a * c;
                    for (int i = 0; i < n; i++)
                        s += w[i] * x[i];
                    return s;
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        using var loaded = GeneratorHarness.Load(run);
        var gradient = loaded.Assembly.GetType("Model")!.GetMethod("FGradient", BindingFlags.Public | BindingFlags.Static)!;
        string signature = string.Join(", ", gradient.GetParameters().Select(p => (p.ParameterType.IsByRef ? "ref " : "") + p.Name));
        Assert.Equal("x, a, c, w, n, dx, ref da, dw", signature);
        Assert.Equal(new[] { "Double[]", "Double", "Double", "ReadOnlySpan`1", "Int32", "Span`1", "Double&", "Span`1" },
            gradient.GetParameters().Select(p => p.ParameterType.Name));
    }
}
