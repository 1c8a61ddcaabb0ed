using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace SymbolicDiff.CodeFixes.Tests;

/// <summary>Each fix on the diagnostic users meet first: the code before, the code after, and no diagnostic left.</summary>
public class CodeFixTests
{
    private static readonly MetadataReference[] References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => p.Length > 0)
        .Append(typeof(DifferentiableAttribute).Assembly.Location)
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .ToArray();

    private static Task VerifyAsync<TFix>(string source, string fixedSource) where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<GeneratorDiagnostics, TFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            // The running framework's assemblies, not a reference pack fetched from a feed at test time.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(References);
        return test.RunAsync();
    }

    [Fact]
    public Task MakesTheContainingTypePartial() => VerifyAsync<MakeTypePartialFix>("""
        using System;
        using SymbolicDiff;

        namespace Demo;

        /// <summary>Doc comments stay where they are.</summary>
        public static class Model
        {
            [Differentiable]
            public static double {|SD0002:Square|}(double x) => x * x;
        }
        """, """
        using System;
        using SymbolicDiff;

        namespace Demo;

        /// <summary>Doc comments stay where they are.</summary>
        public static partial class Model
        {
            [Differentiable]
            public static double Square(double x) => x * x;
        }
        """);

    [Fact]
    public Task MakesEveryEnclosingTypePartial() => VerifyAsync<MakeTypePartialFix>("""
        using SymbolicDiff;

        class Outer
        {
            internal static class Inner
            {
                [Differentiable]
                public static double {|SD0002:{|SD0002:Cube|}|}(double x) => x * x * x;
            }
        }
        """, """
        using SymbolicDiff;

        partial class Outer
        {
            internal static partial class Inner
            {
                [Differentiable]
                public static double Cube(double x) => x * x * x;
            }
        }
        """);

    [Fact]
    public Task MakesTheMethodStatic() => VerifyAsync<MakeMethodStaticFix>("""
        using SymbolicDiff;

        public partial class Model
        {
            [Differentiable]
            public double {|SD0001:Square|}(double x) => x * x;
        }
        """, """
        using SymbolicDiff;

        public partial class Model
        {
            [Differentiable]
            public static double Square(double x) => x * x;
        }
        """);

    [Fact]
    public Task MarksAnUnusedParameterNoDiff() => VerifyAsync<MarkParameterNoDiffFix>("""
        using SymbolicDiff;

        public static partial class Model
        {
            [Differentiable]
            public static double Scale(double x, double {|SD0017:unused|}) => 2 * x;
        }
        """, """
        using SymbolicDiff;

        public static partial class Model
        {
            [Differentiable]
            public static double Scale(double x, [NoDiff] double unused) => 2 * x;
        }
        """);

    [Fact]
    public Task PassesAnInParameterByValue() => VerifyAsync<RemoveInModifierFix>("""
        using SymbolicDiff;

        public static partial class Model
        {
            [Differentiable]
            public static double Product(double x, {|SD0005:in|} double y) => x * y;
        }
        """, """
        using SymbolicDiff;

        public static partial class Model
        {
            [Differentiable]
            public static double Product(double x, double y) => x * y;
        }
        """);

    [Fact]
    public Task OffersNothingForARefParameter()
    {
        // ref changes what the method does (it could write the caller's variable), so there is no mechanical rewrite.
        const string source = """
            using SymbolicDiff;

            public static partial class Model
            {
                [Differentiable]
                public static double Product(double x, {|SD0005:ref|} double y) => x * y;
            }
            """;
        return VerifyAsync<RemoveInModifierFix>(source, source);
    }
}
