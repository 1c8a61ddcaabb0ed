using System.Text.RegularExpressions;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Random in-domain expressions over 2–3 double parameters: the generated gradient must match central
/// finite differences; a float twin of some methods must match the double gradient loosely.
/// Each CsCheck sample compiles one assembly holding <see cref="MethodsPerSample"/> methods.
/// </summary>
public class GradientPropertyTests
{
    private const int MethodsPerSample = 25;
    private const int Samples = 20;
    private const int PointsPerMethod = 2;
    private readonly ITestOutputHelper _output;

    public GradientPropertyTests(ITestOutputHelper output) => _output = output;

    /// <summary>An expression written for double and for float, with the values whose sign changes are kinks.</summary>
    internal sealed record Expr(string D, string F, string[] Kinks)
    {
        public string Code(bool isFloat) => isFloat ? F : D;
    }

    /// <summary>A method body as statements (double and float text) with the kinks each statement evaluates.</summary>
    internal sealed record Method(int Parameters, (string D, string F, string[] Kinks)[] Statements, string ReturnD, string ReturnF, string[] ReturnKinks)
    {
        public override string ToString() =>
            string.Join(" ", Statements.Select(s => s.D)) + " return " + ReturnD + ";";
    }

    private static readonly string[] Parameters = { "x", "y", "z" };
    private static readonly double[] Constants = { 0.5, 1.5, 2.0, -0.75, 3.0, 0.1 };

    private static string Lit(double v, bool isFloat) =>
        (v < 0 ? "(" : "") + v.ToString("0.0###", CultureInfo.InvariantCulture) + (isFloat ? "f" : "") + (v < 0 ? ")" : "");

    private static Expr Build(Func<bool, string> code, IEnumerable<string> kinks) => new(code(false), code(true), kinks.ToArray());

    private static string M(bool f) => f ? "MathF." : "Math.";

    private static Gen<Expr> Leaf(string[] scope) =>
        Gen.Int[0, scope.Length + Constants.Length - 1].Select(i => i < scope.Length
            ? new Expr(scope[i], scope[i], Array.Empty<string>())
            : new Expr(Lit(Constants[i - scope.Length], false), Lit(Constants[i - scope.Length], true), Array.Empty<string>()));

    private const int UnaryCount = 26;

    private static Expr Unary(int which, Expr a)
    {
        string A(bool f) => a.Code(f);
        string Sq(bool f) => $"{A(f)} * {A(f)}";
        var k = a.Kinks;
        return which switch
        {
            0 => Build(f => $"(-({A(f)}))", k),
            1 => Build(f => $"{M(f)}Sin({A(f)})", k),
            2 => Build(f => $"{M(f)}Cos({A(f)})", k),
            3 => Build(f => $"{M(f)}Atan({A(f)})", k),
            4 => Build(f => $"{M(f)}Tanh({A(f)})", k),
            5 => Build(f => $"{M(f)}Exp({M(f)}Tanh({A(f)}))", k),
            6 => Build(f => $"{M(f)}Log({Sq(f)} + {Lit(1, f)})", k),
            7 => Build(f => $"{M(f)}Sqrt({Sq(f)} + {Lit(0.5, f)})", k),
            8 => Build(f => $"{M(f)}Pow({Sq(f)} + {Lit(1, f)}, {Lit(1.5, f)})", k),
            9 => Build(f => $"{M(f)}Pow({Sq(f)} + {Lit(1, f)}, {Lit(-0.5, f)})", k),
            10 => Build(f => $"{M(f)}Asin({M(f)}Tanh({A(f)}) * {Lit(0.9, f)})", k),
            11 => Build(f => $"{M(f)}Acos({M(f)}Tanh({A(f)}) * {Lit(0.9, f)})", k),
            12 => Build(f => $"{M(f)}Sinh({M(f)}Tanh({A(f)}))", k),
            13 => Build(f => $"{M(f)}Cosh({M(f)}Tanh({A(f)}))", k),
            14 => Build(f => $"{M(f)}Cbrt({Sq(f)} + {Lit(1, f)})", k),
            15 => Build(f => $"{M(f)}Log10({Sq(f)} + {Lit(1, f)})", k),
            16 => Build(f => $"{M(f)}Log2({Sq(f)} + {Lit(2, f)})", k),
            17 => Build(f => $"{M(f)}Log({Sq(f)} + {Lit(1, f)}, {Lit(3, f)})", k),
            18 => Build(f => $"{M(f)}Tan({M(f)}Tanh({A(f)}))", k),
            19 => Build(f => $"Activations.Sigmoid({A(f)})", k),
            20 => Build(f => $"Activations.Softplus({M(f)}Tanh({A(f)}) * {Lit(2, f)})", k),
            21 => Build(f => $"{M(f)}Abs({A(f)})", k.Append(a.D)),
            22 => Build(f => $"Activations.ReLU({A(f)})", k.Append(a.D)),
            23 => Build(f => $"Activations.HardTanh({A(f)})", k.Append($"({a.D}) - 1.0").Append($"({a.D}) + 1.0")),
            24 => Build(f => $"Activations.LeakyReLU({A(f)}, {Lit(0.1, f)})", k.Append(a.D)),
            _ => Build(f => $"Math.Clamp({A(f)}, {Lit(-1, f)}, {Lit(1, f)})", k.Append($"({a.D}) - 1.0").Append($"({a.D}) + 1.0")),
        };
    }

    private const int BinaryCount = 9;

    private static Expr Binary(int which, Expr a, Expr b)
    {
        string A(bool f) => a.Code(f);
        string B(bool f) => b.Code(f);
        var k = a.Kinks.Concat(b.Kinks);
        return which switch
        {
            0 => Build(f => $"({A(f)} + {B(f)})", k),
            1 => Build(f => $"({A(f)} - {B(f)})", k),
            2 => Build(f => $"({A(f)} * {B(f)})", k),
            3 => Build(f => $"({A(f)} / ({B(f)} * {B(f)} + {Lit(1, f)}))", k),
            4 => Build(f => $"{M(f)}Max({A(f)}, {B(f)})", k.Append($"({a.D}) - ({b.D})")),
            5 => Build(f => $"{M(f)}Min({A(f)}, {B(f)})", k.Append($"({a.D}) - ({b.D})")),
            6 => Build(f => $"{M(f)}Atan2({A(f)}, {B(f)} * {B(f)} + {Lit(1, f)})", k),
            7 => Build(f => $"({A(f)} % {Lit(1.5, f)})", a.Kinks.Append($"({a.D}) / 1.5 - Math.Round(({a.D}) / 1.5)")),
            _ => Build(f => $"({A(f)} + {M(f)}Floor({B(f)}))", k.Append($"({b.D}) - Math.Round({b.D})")),
        };
    }

    private static Expr Ternary(bool compound, Expr a, Expr b, Expr c, Expr d)
    {
        var k = a.Kinks.Concat(b.Kinks).Concat(c.Kinks).Concat(d.Kinks);
        return compound
            ? Build(f => $"({a.Code(f)} < {Lit(0.3, f)} && {b.Code(f)} > {Lit(-0.2, f)} ? {c.Code(f)} : {d.Code(f)})",
                k.Append($"({a.D}) - 0.3").Append($"({b.D}) + 0.2"))
            : Build(f => $"({a.Code(f)} > {b.Code(f)} ? {c.Code(f)} : {d.Code(f)})", k.Append($"({a.D}) - ({b.D})"));
    }

    internal static Gen<Expr> Expression(string[] scope, int depth) =>
        depth == 0
            ? Leaf(scope)
            : Gen.Int[0, 9].SelectMany(kind => kind switch
            {
                < 2 => Leaf(scope),
                < 5 => Gen.Select(Gen.Int[0, UnaryCount - 1], Expression(scope, depth - 1), Unary),
                < 8 => Gen.Select(Gen.Int[0, BinaryCount - 1], Expression(scope, depth - 1), Expression(scope, depth - 1), Binary),
                _ => Gen.Select(Gen.Bool, Expression(scope, depth - 1), Expression(scope, depth - 1), Expression(scope, depth - 1), Expression(scope, depth - 1), Ternary),
            });

    internal static readonly Gen<Method> MethodGen =
        Gen.Select(Gen.Int[2, 3], Gen.Int[0, 4]).SelectMany(t =>
        {
            var (parameters, shape) = t;
            var scope = Parameters.Take(parameters).ToArray();
            if (shape == 0)
            {
                return Expression(scope, 3).Select(e => new Method(parameters, Array.Empty<(string, string, string[])>(), e.D, e.F, e.Kinks));
            }
            if (shape == 4)
            {
                return BranchingMethod(parameters, scope);
            }
            // Locals, a compound assignment and a reassignment.
            var withA = scope.Append("a").ToArray();
            var withAB = withA.Append("b").ToArray();
            return Gen.Select(Expression(scope, 2), Expression(withA, 2), Gen.Int[0, 3], Expression(withAB, 2), Expression(withAB, 2))
                .Select((e1, e2, op, e3, e4) =>
                {
                    string assign = op switch { 0 => "+=", 1 => "-=", 2 => "*=", _ => "=" };
                    var statements = new (string D, string F, string[] Kinks)[]
                    {
                        ($"double a = {e1.D};", $"float a = {e1.F};", e1.Kinks),
                        ($"double b = {e2.D};", $"float b = {e2.F};", e2.Kinks),
                        ($"b {assign} {e3.D};", $"b {assign} {e3.F};", e3.Kinks),
                        ("a = a * b;", "a = a * b;", Array.Empty<string>()),
                    };
                    return new Method(parameters, statements, e4.D, e4.F, e4.Kinks);
                });
        });

    /// <summary>
    /// An if/else that assigns a local, then an early return: the kinks are the two conditions. In the K
    /// method the return is dropped (its kinks are still counted), so K runs every statement.
    /// </summary>
    private static Gen<Method> BranchingMethod(int parameters, string[] scope)
    {
        var withA = scope.Append("a").ToArray();
        return Gen.Select(Expression(scope, 2), Expression(scope, 2), Expression(withA, 2), Expression(withA, 2), Expression(withA, 2), Expression(withA, 2))
            .Select((e1, c, e3, e4, e5, e6) =>
            {
                string Branch(bool f) => $"if ({c.Code(f)} > {Lit(0.1, f)}) {{ a = a * {e3.Code(f)}; }} else {{ a += {e4.Code(f)}; }}";
                string EarlyReturn(bool f) => $"if (a > {Lit(0.5, f)}) return {e5.Code(f)};";
                var statements = new (string D, string F, string[] Kinks)[]
                {
                    ($"double a = {e1.D};", $"float a = {e1.F};", e1.Kinks),
                    (Branch(false), Branch(true), c.Kinks.Append($"({c.D}) - 0.1").Concat(e3.Kinks).Concat(e4.Kinks).ToArray()),
                    (EarlyReturn(false), EarlyReturn(true), e5.Kinks.Append("a - 0.5").ToArray()),
                };
                return new Method(parameters, statements, e6.D, e6.F, e6.Kinks);
            });
    }

    private static string Source(IReadOnlyList<Method> methods)
    {
        var text = new StringBuilder("using System;\nusing SymbolicDiff;\n\nnamespace Random;\n\npublic static partial class Functions\n{\n");
        for (int i = 0; i < methods.Count; i++)
        {
            var m = methods[i];
            string Params(string type) => string.Join(", ", Parameters.Take(m.Parameters).Select(p => $"{type} {p}"));
            text.Append($"    [Differentiable]\n    public static double F{i}({Params("double")})\n    {{\n");
            foreach (var s in m.Statements) text.Append("        ").Append(s.D).Append('\n');
            text.Append($"        return {m.ReturnD};\n    }}\n\n");
            if (i % 3 == 0)
            {
                text.Append($"    [Differentiable]\n    public static float G{i}({Params("float")})\n    {{\n");
                foreach (var s in m.Statements) text.Append("        ").Append(s.F).Append('\n');
                text.Append($"        return {m.ReturnF};\n    }}\n\n");
            }
            // K{i}: the smallest |kink value| over the statements, evaluated as the method runs.
            text.Append($"    public static double K{i}({Params("double")})\n    {{\n        double m = 1e9;\n");
            foreach (var s in m.Statements)
            {
                foreach (var k in s.Kinks) text.Append($"        m = Math.Min(m, Math.Abs({k}));\n");
                text.Append("        ").Append(Regex.Replace(s.D, @"return [^;]*;", "{ }")).Append('\n');
            }
            foreach (var k in m.ReturnKinks) text.Append($"        m = Math.Min(m, Math.Abs({k}));\n");
            text.Append("        return m;\n    }\n\n");
        }
        return text.Append("}\n").ToString();
    }

    private static object[] Args(double[] point, int count, bool isFloat, bool withAdjoints)
    {
        var values = point.Take(count).Select(v => isFloat ? (object)(float)v : v);
        if (withAdjoints)
        {
            values = values.Concat(Enumerable.Repeat(isFloat ? (object)0f : 0.0, count));
        }
        return values.ToArray();
    }

    private static double Call(MethodInfo method, double[] point, int count, bool isFloat) =>
        Convert.ToDouble(method.Invoke(null, Args(point, count, isFloat, false)), CultureInfo.InvariantCulture);

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        int doubleCases = 0, floatCases = 0, skipped = 0, compiled = 0;
        var point = Gen.Double[-2, 2].Select(v => (double)(float)v).Array[3];
        var sample = Gen.Select(MethodGen.Array[MethodsPerSample], point.Array[MethodsPerSample * PointsPerMethod]);

        sample.Sample((methods, points) =>
        {
            string source = Source(methods);
            var run = GeneratorHarness.Run(source);
            var errors = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                .Concat(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)).ToList();
            if (errors.Count > 0)
            {
                var culprit = System.Text.RegularExpressions.Regex.Match(errors[0].ToString(), @"\.F(\d+)_");
                string detail = culprit.Success
                    ? $"F{culprit.Groups[1].Value}: {methods[int.Parse(culprit.Groups[1].Value, CultureInfo.InvariantCulture)]}\n" + run.Sources.First(s => s.Key.Contains($".F{culprit.Groups[1].Value}_", StringComparison.Ordinal)).Value
                    : source;
                Assert.Fail("Errors:\n" + string.Join("\n", errors.Take(10)) + "\n\n" + detail);
            }
            Interlocked.Increment(ref compiled);
            using var loaded = GeneratorHarness.Load(run);
            var type = loaded.Assembly.GetType("Random.Functions")!;
            var failures = new List<string>();

            for (int i = 0; i < methods.Length; i++)
            {
                var m = methods[i];
                int n = m.Parameters;
                var f = type.GetMethod("F" + i)!;
                var grad = type.GetMethod("F" + i + "Gradient")!;
                var kink = type.GetMethod("K" + i)!;
                for (int p = 0; p < PointsPerMethod; p++)
                {
                    double[] x = points[i * PointsPerMethod + p];
                    double value = Call(f, x, n, false);
                    var args = Args(x, n, false, true);
                    double returned = (double)grad.Invoke(null, args)!;
                    double[] g = Enumerable.Range(0, n).Select(j => (double)args[n + j]).ToArray();

                    // Skip points near a kink (also at the perturbed points) or where values blow up.
                    var h = x.Select(v => 1e-6 * Math.Max(1, Math.Abs(v))).ToArray();
                    bool nearKink = Call(kink, x, n, false) < 1e-3;
                    var fd = new double[n];
                    for (int j = 0; j < n && !nearKink; j++)
                    {
                        double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                        plus[j] += h[j];
                        minus[j] -= h[j];
                        nearKink |= Call(kink, plus, n, false) < 1e-3 || Call(kink, minus, n, false) < 1e-3;
                        fd[j] = (Call(f, plus, n, false) - Call(f, minus, n, false)) / (plus[j] - minus[j]);
                    }
                    if (nearKink || !double.IsFinite(value) || Math.Abs(value) > 1e6)
                    {
                        Interlocked.Increment(ref skipped);
                        continue;
                    }
                    Interlocked.Increment(ref doubleCases);
                    if (!value.Equals(returned))
                    {
                        failures.Add($"F{i}: gradient returned {returned:R}, F returned {value:R} at ({string.Join(", ", x.Take(n))})\n  {m}");
                    }
                    for (int j = 0; j < n; j++)
                    {
                        if (!(Math.Abs(g[j] - fd[j]) <= 1e-5 * Math.Max(1, Math.Max(Math.Abs(g[j]), Math.Abs(fd[j])))))
                        {
                            failures.Add($"F{i}: d{Parameters[j]} = {g[j]:R}, finite difference {fd[j]:R} at ({string.Join(", ", x.Take(n))})\n  {m}");
                        }
                    }

                    if (i % 3 == 0)
                    {
                        var gf = type.GetMethod("G" + i + "Gradient")!;
                        var fargs = Args(x, n, true, true);
                        float fvalue = (float)gf.Invoke(null, fargs)!;
                        float direct = (float)type.GetMethod("G" + i)!.Invoke(null, Args(x, n, true, false))!;
                        if (Math.Abs(value) > 1e3)
                        {
                            continue;
                        }
                        Interlocked.Increment(ref floatCases);
                        if (!fvalue.Equals(direct))
                        {
                            failures.Add($"G{i}: gradient returned {fvalue:R}, G returned {direct:R}\n  {m}");
                        }
                        for (int j = 0; j < n; j++)
                        {
                            double gj = (float)fargs[n + j];
                            if (!(Math.Abs(gj - g[j]) <= 2e-2 * Math.Max(1, Math.Abs(g[j]))))
                            {
                                failures.Add($"G{i}: d{Parameters[j]} = {gj:R} (float), double gradient {g[j]:R} at ({string.Join(", ", x.Take(n))})\n  {m}");
                            }
                        }
                    }
                }
            }
            Assert.True(failures.Count == 0, $"{failures.Count} gradient mismatches:\n" + string.Join("\n", failures.Take(10)));
        }, iter: Samples, threads: 2, print: t => string.Join("\n", t.Item1.Select((m, i) => $"F{i}: {m}")));

        string summary = $"{compiled} compilations, {doubleCases} double cases and {floatCases} float cases checked ({doubleCases + floatCases} in all), {skipped} points skipped near kinks";
        _output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(doubleCases >= 500, summary);
    }
}
