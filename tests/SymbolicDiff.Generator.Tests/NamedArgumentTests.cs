using System;
using System.Linq;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>Named arguments and omitted optional arguments generate what the positional call generates.</summary>
public class NamedArgumentTests
{
    private static string Body(GeneratorRun run, string method)
    {
        string source = run.Sources.Single(s => s.Key.Contains("." + method + "_", StringComparison.Ordinal)).Value;
        string body = source.Substring(source.IndexOf("// Forward pass", StringComparison.Ordinal));
        return body.Replace(method, "M", StringComparison.Ordinal);
    }

    [Fact]
    public void TensorCallsWithNamedArguments()
    {
        var run = GeneratorHarness.Run("""
            using SymbolicDiff;
            using SymbolicDiff.Tensors;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double Positional(Mat<double> W, Vec<double> x, Vec<double> u) => Tensor.Dot(u, Tensor.Sigmoid(Tensor.MatVec(W, x)));

                [Differentiable]
                public static double Named(Mat<double> W, Vec<double> x, Vec<double> u) => Tensor.Dot(b: Tensor.Sigmoid(Tensor.MatVec(x: x, w: W)), a: u);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        Assert.Equal(Body(run, "Positional"), Body(run, "Named").Replace("Tensor.Dot(b: Tensor.Sigmoid(Tensor.MatVec(x: x, w: W)), a: u)", "Tensor.Dot(u, Tensor.Sigmoid(Tensor.MatVec(W, x)))", StringComparison.Ordinal));
    }

    [Fact]
    public void ScalarCallsWithNamedAndDefaultArguments()
    {
        var run = GeneratorHarness.Run("""
            using System;
            using SymbolicDiff;

            namespace Demo;

            public static partial class Functions
            {
                [Differentiable]
                public static double G(double a, double b = 2, [NoDiff] double c = 0.5) => a * b + c;

                [Differentiable]
                public static double Positional(double x, double y) => G(x, 2.0, 0.5) + Math.Pow(x, y) + Math.Log(x * x + 1, 3.0);

                [Differentiable]
                public static double Named(double x, double y) => G(x) + Math.Pow(y: y, x: x) + Math.Log(newBase: 3.0, a: x * x + 1);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        static string Code(string body) => string.Join("\n", body.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        Assert.Equal(Code(Body(run, "Positional")), Code(Body(run, "Named")));
        Assert.Contains("G(x, 2.0, 0.5)", Body(run, "Named"));
    }
}
