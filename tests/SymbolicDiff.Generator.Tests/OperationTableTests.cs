using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using SymbolicDiff.Generator.Model;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// One test matrix over the operation table: every entry has at least one row, and every row is pushed through the
/// gradient, the tangent, the Jacobian, the Hessian and its vector product (straight-line and through the tangent program
/// of a loop), in double and float, at points on both
/// sides of each kink. Double results are checked against central differences (of the function for first order, of
/// the generated gradient for second order); float results against the double ones.
/// </summary>
public sealed class OperationTableTests
{
    /// <summary>
    /// A row: f(x, y) written with M. (Math/MathF), N. (double/float), A. (Activations) and #c (a literal of the type).
    /// Points sit at least 0.05 from every kink, on each side of it.
    /// </summary>
    private sealed record Row(Op Op, string Expression, params (double X, double Y)[] Points);

    private static readonly (double, double)[] Generic = { (0.3, 0.7), (-0.6, 0.4) };
    private static readonly (double, double)[] Positive = { (0.4, 0.9), (1.3, 0.6) };

    private static readonly Row[] Rows =
    {
        new(Op.Negate, "-(x * y)", Generic),
        new(Op.Add, "x + y * x", Generic),
        new(Op.Subtract, "x - y * x", Generic),
        new(Op.Multiply, "x * y", Generic),
        new(Op.Multiply, "x * x * y", Generic),                         // x·x
        new(Op.Divide, "x / y", Positive),
        new(Op.Divide, "#1 / (x * y)", Positive),                        // 1/b
        new(Op.Remainder, "x % y", (0.7, 0.5), (1.3, 0.5), (-0.7, 0.5)),
        new(Op.Exp, "M.Exp(x * y)", Generic),
        new(Op.Log, "M.Log(x * y)", Positive),
        new(Op.Log, "M.Log(x, y + #2)", Positive),                       // log_b(a)
        new(Op.Log10, "M.Log10(x * y)", Positive),
        new(Op.Log2, "M.Log2(x * y)", Positive),
        new(Op.Sqrt, "M.Sqrt(x * y)", Positive),
        new(Op.Cbrt, "M.Cbrt(x * y)", Generic),
        new(Op.Pow, "M.Pow(x, y)", Positive),
        new(Op.Pow, "M.Pow(x, #3) * y", Generic),                        // constant exponent
        new(Op.Pow, "M.Pow(x, #2) * y", Generic),
        new(Op.Sin, "M.Sin(x * y)", Generic),
        new(Op.Cos, "M.Cos(x * y)", Generic),
        new(Op.Tan, "M.Tan(x * y)", Generic),
        new(Op.Asin, "M.Asin(x * y)", Generic),
        new(Op.Acos, "M.Acos(x * y)", Generic),
        new(Op.Atan, "M.Atan(x * y)", Generic),
        new(Op.Atan2, "M.Atan2(x, y)", Generic),
        new(Op.Sinh, "M.Sinh(x * y)", Generic),
        new(Op.Cosh, "M.Cosh(x * y)", Generic),
        new(Op.Tanh, "M.Tanh(x * y)", Generic),
        new(Op.Asinh, "M.Asinh(x * y)", Generic),
        new(Op.Acosh, "M.Acosh(x * y)", (1.5, 1.2), (2.5, 0.9)),
        new(Op.Atanh, "M.Atanh(x * y)", Generic),
        new(Op.Abs, "M.Abs(x - y) * x", (0.3, 0.7), (0.9, 0.2)),
        new(Op.Max, "M.Max(x, y) * x", (0.3, 0.7), (0.9, 0.2)),
        new(Op.Min, "M.Min(x, y) * x", (0.3, 0.7), (0.9, 0.2)),
        new(Op.Clamp, "Math.Clamp(x, y, #1) * x", (0.3, 0.7), (0.9, 0.2), (1.4, 0.2)),
        new(Op.FusedMultiplyAdd, "M.FusedMultiplyAdd(x, y, x * x)", Generic),
        new(Op.ScaleB, "M.ScaleB(x * y, 3)", Generic),
        new(Op.CopySign, "M.CopySign(x * x - #0.5, y) * x + y", (0.3, 0.7), (0.3, -0.7), (0.9, 0.7), (0.9, -0.7)),
        new(Op.Sign, "M.Sign(x - y) * x + y", (0.3, 0.7), (0.9, 0.2)),
        new(Op.Floor, "M.Floor(x * y) * x + y", (1.3, 1.7), (-0.6, 0.4)),
        new(Op.Ceiling, "M.Ceiling(x * y) * x + y", (1.3, 1.7), (-0.6, 0.4)),
        new(Op.Round, "M.Round(x * y) * x + y", (1.3, 1.7), (-0.6, 0.4)),
        new(Op.Truncate, "M.Truncate(x * y) * x + y", (1.3, 1.7), (-0.6, 0.4)),
        new(Op.Hypot, "N.Hypot(x, y)", Generic),
        new(Op.ExpM1, "N.ExpM1(x * y)", Generic),
        new(Op.LogP1, "N.LogP1(x * y)", Generic),
        new(Op.Sigmoid, "A.Sigmoid(x * y)", Generic),
        new(Op.ReLU, "A.ReLU(x - y) * x", (0.3, 0.7), (0.9, 0.2)),
        new(Op.HardTanh, "A.HardTanh(x * y) * x", (0.3, 0.7), (1.5, 1.2), (-1.5, 1.2)),
        new(Op.Softplus, "A.Softplus(x * y)", Generic),
        new(Op.LeakyReLU, "A.LeakyReLU(x, y) * x", (0.3, 0.2), (-0.6, 0.2)),
        new(Op.Erf, "A.Erf(x * y)", (0.3, 0.7), (-0.6, 0.4), (2.1, 1.6)),
        new(Op.Gelu, "A.Gelu(x * y)", Generic),
        new(Op.Swish, "A.Swish(x * y)", Generic),
        new(Op.Mish, "A.Mish(x * y)", Generic),
        new(Op.Softsign, "A.Softsign(x * y)", Generic),
        new(Op.Elu, "A.Elu(x * y, y)", Generic),
        new(Op.Selu, "A.Selu(x * y)", Generic),
    };

    [Fact]
    public void EveryTableEntryHasARow()
    {
        var untested = Operations.All
            .Where(e => e.Partials.Any(p => p is not null) || e.PiecewiseConstant)
            .Select(e => e.Op)
            .Except(Rows.Select(r => r.Op))
            .ToList();
        Assert.True(untested.Count == 0, "No test row for: " + string.Join(", ", untested));
    }

    [Fact]
    public void EveryRowMatchesFiniteDifferencesInEveryMode()
    {
        var run = GeneratorHarness.Run(Source());
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Empty(run.OutputErrorsAndWarnings);
        using var loaded = GeneratorHarness.Load(run);
        var failures = new List<string>();
        for (int i = 0; i < Rows.Length; i++)
        {
            var row = Rows[i];
            var type = loaded.Assembly.GetType("Matrix.R" + i)!;
            T Get<T>(string name) where T : Delegate => type.GetMethod(name)!.CreateDelegate<T>();
            var value = Get<Func<double, double, double>>("Value");
            var gradient = Get<Func<double, double, double[]>>("Gradient");
            var tangent = Get<Func<double, double, double, double, double>>("Tangent");
            var hessian = Get<Func<double, double, double[]>>("Hessian");
            var hvp = Get<Func<double, double, double, double, double[]>>("HessianVectorProduct");
            var jacobian = Get<Func<double, double, double[]>>("Jacobian");
            var loopHessian = Get<Func<double, double, double[]>>("LoopHessian");
            var loopHvp = Get<Func<double, double, double, double, double[]>>("LoopHessianVectorProduct");
            var floatGradient = Get<Func<double, double, double[]>>("FloatGradient");
            var floatHessian = Get<Func<double, double, double[]>>("FloatHessian");
            var floatTangent = Get<Func<double, double, double, double, double>>("FloatTangent");
            foreach (var (x, y) in row.Points)
            {
                string at = $"{row.Op} row {i} `{row.Expression}` at ({x}, {y})";
                void Check(string what, double actual, double expected, double tolerance)
                {
                    if (!(Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Abs(expected))))
                    {
                        failures.Add($"{at}: {what} = {actual}, expected {expected}");
                    }
                }
                double h = 1e-6;
                var g = gradient(x, y);
                Check("∂f/∂x", g[0], (value(x + h, y) - value(x - h, y)) / (2 * h), 1e-6);
                Check("∂f/∂y", g[1], (value(x, y + h) - value(x, y - h)) / (2 * h), 1e-6);
                Check("tangent", tangent(x, y, 0.3, -0.7), 0.3 * g[0] - 0.7 * g[1], 1e-12);
                var j = jacobian(x, y);   // outputs f and x·f
                Check("J[0,0]", j[0], g[0], 1e-12);
                Check("J[0,1]", j[1], g[1], 1e-12);
                Check("J[1,0]", j[2], value(x, y) + x * g[0], 1e-12);
                Check("J[1,1]", j[3], x * g[1], 1e-12);

                var H = hessian(x, y);
                var gx = (gradient(x + h, y), gradient(x - h, y));
                var gy = (gradient(x, y + h), gradient(x, y - h));
                Check("H[x,x]", H[0], (gx.Item1[0] - gx.Item2[0]) / (2 * h), 1e-5);
                Check("H[x,y]", H[1], (gy.Item1[0] - gy.Item2[0]) / (2 * h), 1e-5);
                Check("H[y,y]", H[3], (gy.Item1[1] - gy.Item2[1]) / (2 * h), 1e-5);
                if (H[1] != H[2])
                {
                    failures.Add($"{at}: Hessian not symmetric ({H[1]} vs {H[2]})");
                }
                var hv = hvp(x, y, 0.3, -0.7);
                Check("(H·v)x", hv[0], 0.3 * H[0] - 0.7 * H[1], 1e-12);
                Check("(H·v)y", hv[1], 0.3 * H[2] - 0.7 * H[3], 1e-12);

                // The same rules through the tangent program (reverse over forward), against the straight-line Hessian.
                var LH = loopHessian(x, y);
                for (int k = 0; k < 4; k++)
                {
                    Check($"loop H[{k}]", LH[k], H[k], 1e-12);
                }
                if (LH[1] != LH[2])
                {
                    failures.Add($"{at}: loop Hessian not symmetric ({LH[1]} vs {LH[2]})");
                }
                var lhv = loopHvp(x, y, 0.3, -0.7);
                Check("loop (H·v)x", lhv[0], hv[0], 1e-12);
                Check("loop (H·v)y", lhv[1], hv[1], 1e-12);

                // Float: the same rules in MathF, against the double results.
                var fg = floatGradient(x, y);
                var fH = floatHessian(x, y);
                Check("float ∂f/∂x", fg[0], g[0], 1e-4);
                Check("float ∂f/∂y", fg[1], g[1], 1e-4);
                Check("float tangent", floatTangent(x, y, 0.3, -0.7), 0.3 * g[0] - 0.7 * g[1], 1e-4);
                for (int k = 0; k < 4; k++)
                {
                    Check($"float H[{k}]", fH[k], H[k], 1e-3);
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The one-argument rows written f(x * y): the function applied element-wise in a tensor method.</summary>
    private static readonly System.Text.RegularExpressions.Regex Unary = new(@"^([MNA])\.(\w+)\(x \* y\)$");

    /// <summary>
    /// Every one-argument function of the table through Tensor.Map with Hessian = true: bᵀf(a⊙b) at the row's points,
    /// its H·v (the table rule per element, and the rule's own derivatives for its backward pass) against central
    /// differences of the generated tensor gradient along v.
    /// </summary>
    [Fact]
    public void EveryElementWiseRowHasATensorHessianVectorProduct()
    {
        var rows = Rows.Select((row, i) => (Row: row, Index: i, Match: Unary.Match(row.Expression))).Where(r => r.Match.Success).ToList();
        Assert.True(rows.Count >= 25, "element-wise rows: " + rows.Count);
        var text = new StringBuilder("using System;\nusing SymbolicDiff;\nusing SymbolicDiff.Tensors;\n\nnamespace TensorMatrix;\n\n");
        foreach (var (row, i, match) in rows)
        {
            string function = Spell(match.Groups[1].Value + "." + match.Groups[2].Value, "double");
            text.Append($$"""
                public static partial class T{{i}}
                {
                    [Differentiable(Hessian = true)]
                    public static double F(Vec<double> a, Vec<double> b) => Tensor.Dot(b, Tensor.Map(Tensor.Multiply(a, b), {{function}}));

                    public static double[] Gradient(double[] a, double[] b)
                    {
                        var (da, db) = (new Vec<double>(a.Length), new Vec<double>(b.Length));
                        FGradient(new Vec<double>(a), new Vec<double>(b), da, db, new FWorkspace());
                        return [.. da.Data, .. db.Data];
                    }

                    public static double[] Product(double[] a, double[] b, double[] va, double[] vb)
                    {
                        var (ha, hb) = (new Vec<double>(a.Length), new Vec<double>(b.Length));
                        FHessianVectorProduct(new Vec<double>(a), new Vec<double>(b), new Vec<double>(va), new Vec<double>(vb), ha, hb, new FHessianVectorProductWorkspace());
                        return [.. ha.Data, .. hb.Data];
                    }
                }


                """);
        }
        var run = GeneratorHarness.Run(text.ToString());
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Empty(run.OutputErrorsAndWarnings);
        using var loaded = GeneratorHarness.Load(run);
        var failures = new List<string>();
        foreach (var (row, i, _) in rows)
        {
            var type = loaded.Assembly.GetType("TensorMatrix.T" + i)!;
            var gradient = type.GetMethod("Gradient")!.CreateDelegate<Func<double[], double[], double[]>>();
            var product = type.GetMethod("Product")!.CreateDelegate<Func<double[], double[], double[], double[], double[]>>();
            double[] a = row.Points.Select(p => p.X).ToArray(), b = row.Points.Select(p => p.Y).ToArray();
            double[] va = a.Select((_, k) => 0.3 - 0.4 * k).ToArray(), vb = b.Select((_, k) => -0.7 + 0.5 * k).ToArray();
            const double h = 1e-6;
            var plus = gradient(a.Zip(va, (x, v) => x + h * v).ToArray(), b.Zip(vb, (y, v) => y + h * v).ToArray());
            var minus = gradient(a.Zip(va, (x, v) => x - h * v).ToArray(), b.Zip(vb, (y, v) => y - h * v).ToArray());
            var hv = product(a, b, va, vb);
            for (int k = 0; k < hv.Length; k++)
            {
                double numeric = (plus[k] - minus[k]) / (2 * h);
                if (!(Math.Abs(hv[k] - numeric) <= 1e-5 * Math.Max(1, Math.Abs(numeric))))
                {
                    failures.Add($"{row.Op} row {i} `{row.Expression}`: (H·v)[{k}] = {hv[k]}, central differences of the gradient {numeric}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-2.0, -0.9953222650189527)]
    [InlineData(2.9, 0.9999589021219005)]
    [InlineData(3.5, 0.9999992569016276)]
    public void ErfMatchesReferenceValues(double x, double expected) =>
        Assert.Equal(expected, SymbolicDiff.Activations.Erf(x), 1e-15);

    private static string Source()
    {
        var text = new StringBuilder("using System;\nusing SymbolicDiff;\n\nnamespace Matrix;\n\n");
        for (int i = 0; i < Rows.Length; i++)
        {
            string d = Spell(Rows[i].Expression, "double"), f = Spell(Rows[i].Expression, "float");
            text.Append($$"""
                public static partial class R{{i}}
                {
                    [Differentiable(Tangent = true, Hessian = true)]
                    public static double F(double x, double y) => {{d}};

                    [Differentiable]
                    public static void V(double x, double y, double[] o)
                    {
                        o[0] = {{d}};
                        o[1] = x * ({{d}});
                    }

                    [Differentiable(Tangent = true, Hessian = true)]
                    public static float G(float x, float y) => {{f}};

                    /// <summary>F in a loop of one iteration: its second order goes through the tangent program.</summary>
                    [Differentiable(Hessian = true)]
                    public static double L(double x, double y)
                    {
                        double s = 0;
                        for (int i = 0; i < 1; i++)
                        {
                            s += {{d}};
                        }
                        return s;
                    }

                    public static double Value(double x, double y) => F(x, y);
                    public static double[] Gradient(double x, double y) { double dx = 0, dy = 0; FGradient(x, y, ref dx, ref dy); return new[] { dx, dy }; }
                    public static double Tangent(double x, double y, double vx, double vy) { FTangent(x, y, vx, vy, out double t); return t; }
                    public static double[] Hessian(double x, double y) { var h = new double[4]; FHessian(x, y, h); return h; }
                    public static double[] HessianVectorProduct(double x, double y, double vx, double vy) { double hx = 0, hy = 0; FHessianVectorProduct(x, y, vx, vy, ref hx, ref hy); return new[] { hx, hy }; }
                    public static double[] LoopHessian(double x, double y) { var h = new double[4]; LHessian(x, y, h); return h; }
                    public static double[] LoopHessianVectorProduct(double x, double y, double vx, double vy) { double hx = 0, hy = 0; LHessianVectorProduct(x, y, vx, vy, ref hx, ref hy); return new[] { hx, hy }; }
                    public static double[] Jacobian(double x, double y) { var j = new double[4]; VJacobian(x, y, new double[2], j); return j; }
                    public static double[] FloatGradient(double x, double y) { float dx = 0, dy = 0; GGradient((float)x, (float)y, ref dx, ref dy); return new double[] { dx, dy }; }
                    public static double FloatTangent(double x, double y, double vx, double vy) { GTangent((float)x, (float)y, (float)vx, (float)vy, out float t); return t; }
                    public static double[] FloatHessian(double x, double y) { var h = new float[4]; GHessian((float)x, (float)y, h); return Array.ConvertAll(h, v => (double)v); }
                }


                """);
        }
        return text.ToString();
    }

    /// <summary>The row's expression for double or float operands.</summary>
    private static string Spell(string expression, string type)
    {
        string text = expression.Replace("M.", type == "float" ? "MathF." : "Math.").Replace("N.", type + ".").Replace("A.", "Activations.");
        return System.Text.RegularExpressions.Regex.Replace(text, @"#([0-9.]+)", m =>
            type == "float" ? m.Groups[1].Value + "f" : m.Groups[1].Value.Contains('.') ? m.Groups[1].Value : m.Groups[1].Value + ".0");
    }
}
