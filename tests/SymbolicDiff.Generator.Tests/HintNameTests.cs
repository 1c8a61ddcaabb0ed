using System.Linq;
using Microsoft.CodeAnalysis;
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

    /// <summary>
    /// Was a bug: a method with ~25 parameters got a file name over 255 characters, which cannot be written out
    /// (CS0016 with EmitCompilerGeneratedFiles). The readable part is capped; the signature's hash keeps names unique.
    /// </summary>
    [Fact]
    public void ManyParametersGiveAShortFileName()
    {
        string parameters = string.Join(", ", Enumerable.Range(0, 30).Select(i => $"double p{i}"));
        string body = string.Join(" + ", Enumerable.Range(0, 30).Select(i => $"p{i}"));
        var run = GeneratorHarness.Run($$"""
            using SymbolicDiff;

            namespace Demo
            {
                public static partial class AVeryLongContainingTypeNameThatAUserMightWriteForAFeatureTable
                {
                    [Differentiable] public static double Features({{parameters}}) => {{body}};
                    [Differentiable] public static double Features({{parameters}}, double extra) => {{body}} + extra;
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(2, run.Sources.Count);
        Assert.All(run.Sources.Keys, name => Assert.True(name.Length <= 160, name));
        Assert.Equal(2, run.Sources.Keys.Distinct().Count());
        Assert.Empty(run.OutputErrorsAndWarnings);
    }
}

/// <summary>An emit that throws, or a file name used twice, costs only that method's file: SD9999 at the method.</summary>
public class OutputIsolationTests
{
    private sealed class Outputs : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(context.CompilationProvider, static (spc, _) =>
            {
                var at = new Model.MethodLocation(new Model.LocationInfo("Test0.cs", 13, 6, 0, 13, 0, 19));
                DifferentiableGenerator.Produce(spc, "A.g.cs", "A", default, () => "class A { }");
                DifferentiableGenerator.Produce(spc, "A.g.cs", "Twin", default, () => "class Twin { }");
                DifferentiableGenerator.Produce(spc, "Broken.g.cs", "Broken", at, () => throw new System.InvalidOperationException("boom"));
                DifferentiableGenerator.Produce(spc, "D.g.cs", "D", default, () => "class D { }");
            });
    }

    [Fact]
    public void OneFailureDoesNotDropOtherFiles()
    {
        var compilation = GeneratorHarness.Compile("public class Broken { }");
        var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(new Outputs()).RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Equal(new[] { "A.g.cs", "D.g.cs" }, result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n));
        Assert.Equal(new[] { "SD9999", "SD9999" }, diagnostics.Select(d => d.Id));
        var broken = diagnostics.Single(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'Broken'", System.StringComparison.Ordinal));
        Assert.Equal("SymbolicDiff failed while generating the gradient of 'Broken': InvalidOperationException: boom. Please report this with the method's source.",
            broken.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Test0.cs", broken.Location.GetLineSpan().Path);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(13, 6), broken.Location.SourceSpan);
    }
}
