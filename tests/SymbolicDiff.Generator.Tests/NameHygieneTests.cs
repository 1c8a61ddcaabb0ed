using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Generated code binds to what it means whatever names the user's scope holds: types, parameters and locals named
/// like the types and members the generated code uses, and methods named like the locals it declares.
/// </summary>
public class NameHygieneTests
{
    /// <summary>User types that shadow every System and SymbolicDiff name the emitters write, and a namespace-level System.</summary>
    private const string ShadowingTypes = """
        namespace Demo
        {
            internal static class Math { }
            internal static class MathF { }
            internal static class Activations { }
            internal static class Array { }
            internal static class LoopBuffers { }
            internal static class MemoryExtensions { }
            internal static class TensorKernels { }
            internal static class Tensor { }
            internal sealed class ArgumentException { }
            internal sealed class ArgumentNullException { }
            internal readonly struct Span<T> { }
            internal readonly struct ReadOnlySpan<T> { }
            internal sealed class Vec<T> { }
            internal sealed class Mat<T> { }
            internal static class System { }
            internal static class SymbolicDiff { }
        }
        """;

    /// <summary>Every generated shape: Math/MathF/activations, loops that keep values, vector outputs with a Jacobian,
    /// forward mode, a Hessian, calls, a tensor method; parameters and locals named Math, Array, … as well.</summary>
    private const string Methods = """
        using SD = global::SymbolicDiff;
        using T = global::SymbolicDiff.Tensors;

        namespace Demo
        {
            internal static partial class Functions
            {
                [SD.Differentiable(Tangent = true)]
                internal static double Scalar(double Math, double Array, double MathF)
                {
                    double Activations = global::System.Math.Exp(Math) * SD.Activations.Sigmoid(Array);
                    double LoopBuffers = global::System.MathF.Sin((float)MathF);
                    return Activations + LoopBuffers * global::System.Math.Max(Math, Array);
                }

                [SD.Differentiable(Hessian = true)]
                internal static double Curved(double Span, double ArgumentException) =>
                    global::System.Math.Log(1 + Span * Span) * ArgumentException;

                [SD.Differentiable]
                internal static double Recurrence(double Math, int steps)
                {
                    double Array = Math;
                    for (int MemoryExtensions = 0; MemoryExtensions < steps; MemoryExtensions++)
                        Array = global::System.Math.Sin(Array) * Math;
                    return Array;
                }

                [SD.Differentiable]
                internal static void Layer(double[] Math, global::System.ReadOnlySpan<double> Array, double gain, global::System.Span<double> ArgumentException)
                {
                    for (int i = 0; i < ArgumentException.Length; i++)
                        ArgumentException[i] = global::System.Math.Tanh(gain * Math[i] + Array[i]);
                }

                [SD.Differentiable]
                internal static double Caller(double x, double Math) => Scalar(x, Math, x) + Curved(Math, 2.0);

                [SD.Differentiable]
                internal static double Net(T.Mat<double> W, T.Vec<double> Math, T.Vec<double> Array) =>
                    T.Tensor.Dot(Array, T.Tensor.Sigmoid(T.Tensor.MatVec(W, Math)));
            }
        }
        """;

    /// <summary>Methods named like the locals the generator declares (t1, dx, trips, jacobian, the Jacobian's tangent, the workspace).</summary>
    private const string LocalNames = """
        using System;
        using SymbolicDiff;
        using SymbolicDiff.Tensors;

        namespace Demo
        {
            internal static partial class Locals
            {
                [Differentiable]
                internal static double t1(double a) => a * a;

                [Differentiable]
                internal static double dx(double a) => Math.Sin(a);

                [Differentiable]
                internal static double F(double x, double y) => t1(x * y) * dx(x + y) + t1(x) * x;

                [Differentiable]
                internal static void G(double[] x, double GTangent, double[] y)
                {
                    for (int i = 0; i < y.Length; i++)
                        y[i] = x[i] * GTangent;
                }

                [Differentiable]
                internal static double H(Vec<double> v, double HWorkspace) => Tensor.Sum(v) * HWorkspace;
            }
        }
        """;

    [Fact]
    public void ShadowingTypesParametersAndLocalsCompileClean() => AssertCompilesClean(6, ShadowingTypes, Methods);

    [Fact]
    public void GeneratedLocalsDoNotHideCalledMethods()
    {
        var generated = AssertCompilesClean(5, LocalNames);
        // The temporaries and adjoints that would be t1 and dx give way to the methods of those names.
        string f = generated.Single(t => t.FilePath.Contains(".F_")).GetText().ToString();
        Assert.DoesNotContain("double t1 =", f);
        Assert.Contains("ref double dx_2", f);
    }

    /// <summary>Compiles with documentation comments checked (so a cref that binds elsewhere is CS1574) and asserts no errors or warnings.</summary>
    private static ImmutableArray<SyntaxTree> AssertCompilesClean(int files, params string[] sources)
    {
        var parse = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var compilation = CSharpCompilation.Create("Hygiene",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: $"Test{i}.cs")),
            GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.True(generatorDiagnostics.All(d => d.Severity < DiagnosticSeverity.Warning), string.Join("\n", generatorDiagnostics));
        var generated = driver.GetRunResult().GeneratedTrees;
        Assert.Equal(files, generated.Length);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Select(d => d.ToString()
            + "\n    " + d.Location.SourceTree?.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start).ToString().Trim())));
        return generated;
    }
}
