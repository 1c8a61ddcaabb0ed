using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>The Parse step's models are plain values, so unrelated edits leave its outputs cached.</summary>
public class CachingTests
{
    private const string Methods = """
        using System;
        using SymbolicDiff;

        namespace Demo;

        public static partial class Functions
        {
            [Differentiable]
            public static double Circuit(double x, double y, double z)
            {
                double q = x + y;
                return q * z;
            }

            [Differentiable]
            public static double Neuron(double w, double x) => 1.0 / (1.0 + Math.Exp(-(w * x)));

            [Differentiable]
            public static double Piecewise(double x, [NoDiff] double s) => x > 0 ? Math.Sqrt(x) * s : -x * x;

            [Differentiable]
            public static double Bad(double x) { for (;;) { } }
        }
        """;

    private const string Other = "namespace Demo; public static class Other { public static int Answer() => 42; }\n";

    private static IncrementalGeneratorRunStep[] ParseSteps(GeneratorDriver driver) =>
        driver.GetRunResult().Results[0].TrackedSteps[DifferentiableGenerator.TrackingNames.Parse].ToArray();

    private static object[] Models(GeneratorDriver driver) =>
        ParseSteps(driver).SelectMany(s => s.Outputs).Select(o => o.Value).ToArray();

    public static IEnumerable<object[]> Edits() => new[]
    {
        new object[] { "add an unrelated file" },
        new object[] { "edit an unrelated file" },
        new object[] { "append a comment to the methods' file" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void UnrelatedEditKeepsParseOutputsCached(string edit)
    {
        var compilation = GeneratorHarness.Compile(Methods, Other);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = Models(driver);
        Assert.Equal(4, before.Length);

        var parse = GeneratorHarness.ParseOptions;
        CSharpCompilation next = edit switch
        {
            "add an unrelated file" => compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; class Extra { }", parse, path: "Extra.cs")),
            "edit an unrelated file" => compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(1),
                CSharpSyntaxTree.ParseText(Other.Replace("42", "43"), parse, path: "Test1.cs")),
            _ => compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(0),
                CSharpSyntaxTree.ParseText(Methods + "\n// a trailing comment: offsets of the methods above stay the same\n", parse, path: "Test0.cs")),
        };
        driver = driver.RunGenerators(next);

        var steps = ParseSteps(driver);
        var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{edit}: Parse output was {r}"));

        var after = Models(driver);
        Assert.Equal(before, after);   // value equality, element by element
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i].GetHashCode(), after[i].GetHashCode());
        }
    }

    [Fact]
    public void EditingAMethodBodyModifiesOnlyItsModel()
    {
        var compilation = GeneratorHarness.Compile(Methods, Other);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var next = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Methods.Replace("return q * z;", "return q * z * 2;"), GeneratorHarness.ParseOptions, path: "Test0.cs"));
        driver = driver.RunGenerators(next);
        var outputs = ParseSteps(driver).SelectMany(s => s.Outputs).ToArray();
        string NameOf(object value) => ((Model.ParseResult)value).Method?.Name ?? "(failed)";
        var modified = outputs.Where(o => o.Reason == IncrementalStepRunReason.Modified).Select(o => NameOf(o.Value)).OrderBy(n => n).ToArray();
        // Circuit changed; Bad's diagnostic location moved down by 4 characters, so its model changed too.
        Assert.Equal(new[] { "(failed)", "Circuit" }, modified);
        Assert.All(outputs.Where(o => NameOf(o.Value) is "Neuron" or "Piecewise"),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void EditingAnInlinedTupleHelperInAnotherFileRegeneratesItsCaller()
    {
        const string helper = """
            using System;
            using SymbolicDiff;

            namespace Demo;

            public static partial class Trig
            {
                [Differentiable]
                public static (double s, double c) SinCos(double x) => (Math.Sin(x), Math.Cos(x));
            }
            """;
        const string caller = """
            using SymbolicDiff;

            namespace Demo;

            public static partial class Functions
            {
                [Differentiable]
                public static double Product(double x)
                {
                    var (s, c) = Trig.SinCos(x);
                    return s * c;
                }
            }
            """;
        var compilation = GeneratorHarness.Compile(caller, helper);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        string Generated(GeneratorDriver d) => d.GetRunResult().Results[0].GeneratedSources.Single(g => g.HintName.Contains(".Product_")).SourceText.ToString();
        Assert.Contains("SinCos returns (Math.Sin(x), Math.Cos(x))", Generated(driver));

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(1),
            CSharpSyntaxTree.ParseText(helper.Replace("Math.Sin(x)", "Math.Tanh(x)"), GeneratorHarness.ParseOptions, path: "Test1.cs"));
        driver = driver.RunGenerators(edited);
        Assert.Contains("Math.Tanh(x)", Generated(driver));
        Assert.DoesNotContain("SinCos returns (Math.Sin(x)", Generated(driver));   // the comment of the inlined return
    }

    [Fact]
    public void ModelsHoldNoRoslynObjects()
    {
        var driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(Methods, Other));
        var models = Models(driver);
        Assert.Equal(4, models.Length);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var offending = new List<string>();
        foreach (var model in models)
        {
            Walk(model, "model", seen, offending);
        }
        Assert.Empty(offending);
        // Sanity: the walk really visited the graph (nodes, diagnostics).
        Assert.Contains(seen, o => o.GetType().Name == "Node");
        Assert.Contains(seen, o => o.GetType().Name == "DiagnosticInfo");
    }

    private static readonly Type[] s_forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel),
        typeof(Location), typeof(AttributeData), typeof(IOperation),
    };

    private static void Walk(object? value, string path, HashSet<object> seen, List<string> offending)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }
        var type = value.GetType();
        if (s_forbidden.Any(f => f.IsAssignableFrom(type)) || type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true)
        {
            offending.Add($"{path}: {type.FullName}");
            return;
        }
        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }
        if (type.IsValueType)
        {
            seen.Add(value);
        }
        if (value is Array array)
        {
            int i = 0;
            foreach (var item in array)
            {
                Walk(item, $"{path}[{i++}]", seen, offending);
            }
            return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (s_forbidden.Any(f => f.IsAssignableFrom(field.FieldType)))
                {
                    offending.Add($"{path}.{field.Name}: declared {field.FieldType.FullName}");
                }
                Walk(field.GetValue(value), path + "." + field.Name, seen, offending);
            }
        }
    }
}
