using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>Members the generator adds never collide with each other (SD0051), and hide inherited ones cleanly (new).</summary>
public class GeneratedMemberTests
{
    private const string Collision = "' generates a member with the same name and parameters; give one of them another GradientName, or rename a method";

    /// <summary>Was a bug: two methods with the same GradientName, or a GradientName equal to another method's gradient, gave CS0111.</summary>
    [Theory]
    [InlineData("[Differentiable(GradientName = \"Same\")]", "[Differentiable(GradientName = \"Same\")]", "Same")]
    [InlineData("[Differentiable]", "[Differentiable(GradientName = \"AGradient\")]", "AGradient")]
    public void CollidingGeneratedMethodsAreReportedAtBothAttributes(string first, string second, string name)
    {
        string source = $$"""
            using SymbolicDiff;

            namespace Demo;

            public static partial class Functions
            {
                {{first}}
                public static double A(double x) => x * x;

                {{second}}
                public static double B(double y) => y * y * y;

                [Differentiable]
                public static double Good(double x) => x * x;
            }
            """;
        var run = GeneratorHarness.Run(source);
        var diagnostics = run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.Equal(new[] { "SD0051", "SD0051" }, diagnostics.Select(d => d.Id));
        Assert.Equal($"'{name}' cannot be generated for 'A': 'Functions.B(double)" + Collision, diagnostics[0].GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal($"'{name}' cannot be generated for 'B': 'Functions.A(double)" + Collision, diagnostics[1].GetMessage(CultureInfo.InvariantCulture));
        // Each points at its own attribute.
        Assert.Equal(first.Trim('[', ']'), source.Substring(diagnostics[0].Location.SourceSpan.Start, diagnostics[0].Location.SourceSpan.Length));
        Assert.Equal(second.Trim('[', ']'), source.Substring(diagnostics[1].Location.SourceSpan.Start, diagnostics[1].Location.SourceSpan.Length));
        Assert.Equal(diagnostics[1].Location.SourceSpan.Start, source.LastIndexOf(second.Trim('[', ']'), StringComparison.Ordinal));
        // The method beside them is unaffected, and nothing generated collides.
        Assert.Single(run.Sources);
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    [Fact]
    public void OverloadsAndSameNamedMembersWithOtherParametersAreFine()
    {
        var run = GeneratorHarness.Run("""
            using SymbolicDiff;

            namespace Demo;

            public static partial class Functions
            {
                [Differentiable]
                public static double F(double x) => x * x;

                [Differentiable]
                public static double F(double x, double y) => x * y;

                [Differentiable(GradientName = "FTangent")]   // FTangent(double, ref double) beside FTangent(double, double, out double)
                public static double G(double x) => x * x * x;

                [Differentiable(Tangent = true)]
                public static double F(float x) => x;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(4, run.Sources.Count);
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    /// <summary>Was a bug: a generated member that hides an inherited one gave CS0108 (an error under TreatWarningsAsErrors).</summary>
    [Fact]
    public void GeneratedMembersThatHideInheritedOnesAreDeclaredNew()
    {
        var run = GeneratorHarness.Run("""
            using SymbolicDiff;

            namespace Demo;

            public partial class Base
            {
                [Differentiable]
                public static double F(double x) => x * x;

                public static double GGradient(double x, ref double dx) { dx += 1; return x; }

                public int HGradient => 0;

                public static double KGradient(double x) => x;   // another signature: an overload, not hidden
            }

            public partial class Derived : Base
            {
                [Differentiable(Tangent = true)]
                public static new double F(double x) => x * x * x;

                [Differentiable]
                public static double G(double x) => 2 * x;

                [Differentiable]
                public static double H(double x) => 3 * x;

                [Differentiable]
                public static double K(double x) => 4 * x;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        string Of(string method) => run.Sources.Single(s => s.Key.Contains("Derived." + method + "_", StringComparison.Ordinal)).Value;
        Assert.Contains("public new static double FGradient(double x, ref double dx)", Of("F"));
        Assert.Contains("public static double FTangent(", Of("F"));
        Assert.Contains("public new static double GGradient(", Of("G"));
        Assert.Contains("public new static double HGradient(", Of("H"));
        Assert.Contains("public static double KGradient(", Of("K"));
    }
}
