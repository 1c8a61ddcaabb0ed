using System;
using System.Linq;
using SymbolicDiff.Testing;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;
using F = SymbolicDiff.Tests.Functions.VectorJacobianFunctions;

namespace SymbolicDiff.Tests;

/// <summary>
/// Jacobians that take all rows in one backward pass (vector mode, issue 11): against one backward pass per row (the
/// generated gradient seeded with each unit row: bit for bit, the operations are the same), the forward-mode tangent
/// column by column, central differences and hand-derived values, in double and float; rows never written are zero.
/// </summary>
public class VectorJacobianTests
{
    private const string VectorMode = "Reverse mode, all rows in one backward pass";

    /// <summary>
    /// A method seen through flat arrays: the point (the Jacobian's columns), its outputs, its generated Jacobian, one
    /// backward pass seeded with a unit row (the gradient), one tangent sweep along a unit column, and the closed form.
    /// </summary>
    private sealed record Case(
        string Method,
        double[] Point,
        int Rows,
        Func<double[], double[]> Value,
        Func<double[], double[], double[]> Jacobian,
        Func<double[], int, double[]> Row,
        Func<double[], int, double[]> Column,
        Func<double[], double[]> Closed);

    private static double[] Unit(int length, int at)
    {
        var e = new double[length];
        e[at] = 1;
        return e;
    }

    private static float[] Floats(double[] values) => Array.ConvertAll(values, v => (float)v);

    private static double[] Doubles(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Row-major from rows, or from columns.</summary>
    private static double[] ByRows(Case c, double[] p) => Enumerable.Range(0, c.Rows).SelectMany(r => c.Row(p, r)).ToArray();

    private static double[] ByColumns(Case c, double[] p)
    {
        var jacobian = new double[c.Rows * p.Length];
        for (int column = 0; column < p.Length; column++)
        {
            var values = c.Column(p, column);
            for (int r = 0; r < c.Rows; r++) jacobian[r * p.Length + column] = values[r];
        }
        return jacobian;
    }

    // ---- the methods -----------------------------------------------------------------------------

    private static Case Polar(double x, double y) => new(nameof(F.Polar), new[] { x, y }, 2,
        p => { var o = new double[2]; F.Polar(p[0], p[1], o); return o; },
        (p, j) => { F.PolarJacobian(p[0], p[1], new double[2], j); return j; },
        (p, r) => { double dx = 0, dy = 0; F.PolarGradient(p[0], p[1], new double[2], Unit(2, r), ref dx, ref dy); return new[] { dx, dy }; },
        (p, c) => { var t = new double[2]; F.PolarTangent(p[0], p[1], new double[2], c == 0 ? 1 : 0, c == 1 ? 1 : 0, t); return t; },
        p =>
        {
            double r2 = p[0] * p[0] + p[1] * p[1], r = Math.Sqrt(r2);
            return new[] { p[0] / r, p[1] / r, -p[1] / r2, p[0] / r2 };
        });

    private static Case PolarF(double x, double y) => new(nameof(F.PolarF), new[] { x, y }, 2,
        p => { var o = new float[2]; F.PolarF((float)p[0], (float)p[1], o); return Doubles(o); },
        (p, j) => { var fj = Floats(j); F.PolarFJacobian((float)p[0], (float)p[1], new float[2], fj); return Doubles(fj); },
        (p, r) => { float dx = 0, dy = 0; F.PolarFGradient((float)p[0], (float)p[1], new float[2], Floats(Unit(2, r)), ref dx, ref dy); return new double[] { dx, dy }; },
        (p, c) => { var t = new float[2]; F.PolarFTangent((float)p[0], (float)p[1], new float[2], c == 0 ? 1 : 0, c == 1 ? 1 : 0, t); return Doubles(t); },
        Polar(x, y).Closed);

    /// <summary>Columns a, b, c[0], c[1]; rows y[0..3).</summary>
    private static Case Kinks(double a, double b, double c0, double c1) => new(nameof(F.Kinks), new[] { a, b, c0, c1 }, 3,
        p => { var o = new double[3]; F.Kinks(p[0], p[1], p.AsSpan(2), o); return o; },
        (p, j) => { F.KinksJacobian(p[0], p[1], p.AsSpan(2), new double[3], j); return j; },
        (p, r) =>
        {
            double da = 0, db = 0;
            var dc = new double[2];
            F.KinksGradient(p[0], p[1], p.AsSpan(2), new double[3], Unit(3, r), ref da, ref db, dc);
            return new[] { da, db, dc[0], dc[1] };
        },
        (p, c) => { var t = new double[3]; var e = Unit(4, c); F.KinksTangent(p[0], p[1], p.AsSpan(2), new double[3], e[0], e[1], e.AsSpan(2), t); return t; },
        KinksClosed);

    private static double[] KinksClosed(double[] p)
    {
        double a = p[0], b = p[1], c0 = p[2], c1 = p[3], s = Math.Sqrt(b * b + 1), m = Math.Max(a, s);
        bool first = a >= s;
        return new[]
        {
            first ? c0 : 0, first ? 0 : c0 * b / s, m, 0,                      // y[0] = max(a, √(b² + 1))·c0
            a > 0 ? b / a : 0, a > 0 ? Math.Log(a) : Math.Sign(b) * c1, 0, a > 0 ? 0 : Math.Abs(b),   // y[1]
            Math.Sign(a - b), -Math.Sign(a - b), c1, c0,                      // y[2] = |a − b| + c0·c1
        };
    }

    private static Case KinksF(double a, double b, double c0, double c1) => new(nameof(F.KinksF), new[] { a, b, c0, c1 }, 3,
        p => { var o = new float[3]; F.KinksF((float)p[0], (float)p[1], Floats(p[2..]), o); return Doubles(o); },
        (p, j) => { var fj = Floats(j); F.KinksFJacobian((float)p[0], (float)p[1], Floats(p[2..]), new float[3], fj); return Doubles(fj); },
        (p, r) =>
        {
            float da = 0, db = 0;
            var dc = new float[2];
            F.KinksFGradient((float)p[0], (float)p[1], Floats(p[2..]), new float[3], Floats(Unit(3, r)), ref da, ref db, dc);
            return new double[] { da, db, dc[0], dc[1] };
        },
        (p, c) => { var t = new float[3]; var e = Floats(Unit(4, c)); F.KinksFTangent((float)p[0], (float)p[1], Floats(p[2..]), new float[3], e[0], e[1], e.AsSpan(2), t); return Doubles(t); },
        KinksClosed);

    /// <summary>Columns x[0..n), scale; rows the four statistics.</summary>
    private static Case Moments(double[] x, double scale) => new(nameof(F.Moments), x.Append(scale).ToArray(), 4,
        p => { var o = new double[4]; F.Moments(p.AsSpan(0, p.Length - 1), p[^1], o); return o; },
        (p, j) => { F.MomentsJacobian(p.AsSpan(0, p.Length - 1), p[^1], new double[4], j); return j; },
        (p, r) =>
        {
            var dx = new double[p.Length - 1];
            double dscale = 0;
            F.MomentsGradient(p.AsSpan(0, p.Length - 1), p[^1], new double[4], Unit(4, r), dx, ref dscale);
            return dx.Append(dscale).ToArray();
        },
        (p, c) => { var t = new double[4]; var e = Unit(p.Length, c); F.MomentsTangent(p.AsSpan(0, p.Length - 1), p[^1], new double[4], e.AsSpan(0, p.Length - 1), e[^1], t); return t; },
        MomentsClosed);

    private static double[] MomentsClosed(double[] p)
    {
        int n = p.Length - 1;
        double scale = p[^1], s = p[..n].Sum(), product = p[..n].Aggregate(1.0, (acc, v) => acc * scale * v);
        int top = Array.IndexOf(p, p[..n].Max());
        var j = new double[4 * (n + 1)];
        for (int i = 0; i < n; i++)
        {
            j[i] = scale;                           // ∂(scale·Σx)/∂x_i
            j[(n + 1) + i] = 2 * p[i];              // ∂Σx²/∂x_i
            j[2 * (n + 1) + i] = product / p[i];    // ∂Π(scale·x)/∂x_i
            j[3 * (n + 1) + i] = i == top ? 1 : 0;  // ∂max/∂x_i
        }
        j[n] = s;
        j[2 * (n + 1) + n] = n * product / scale;
        return j;
    }

    private static Case MomentsF(double[] x, double scale) => new(nameof(F.MomentsF), x.Append(scale).ToArray(), 4,
        p => { var o = new float[4]; F.MomentsF(Floats(p[..^1]), (float)p[^1], o); return Doubles(o); },
        (p, j) => { var fj = Floats(j); F.MomentsFJacobian(Floats(p[..^1]), (float)p[^1], new float[4], fj); return Doubles(fj); },
        (p, r) =>
        {
            var dx = new float[p.Length - 1];
            float dscale = 0;
            F.MomentsFGradient(Floats(p[..^1]), (float)p[^1], new float[4], Floats(Unit(4, r)), dx, ref dscale);
            return Doubles(dx).Append(dscale).ToArray();
        },
        (p, c) => { var t = new float[4]; var e = Floats(Unit(p.Length, c)); F.MomentsFTangent(Floats(p[..^1]), (float)p[^1], new float[4], e.AsSpan(0, p.Length - 1), e[^1], t); return Doubles(t); },
        MomentsClosed);

    /// <summary>Columns v[0], v[1] (float), a, g (float); a double Jacobian.</summary>
    private static Case Narrow(float v0, float v1, double a, float g) => new(nameof(F.Narrow), new[] { v0, v1, a, g }, 2,
        p => { var o = new double[2]; F.Narrow(Floats(p[..2]), p[2], (float)p[3], o); return o; },
        (p, j) => { F.NarrowJacobian(Floats(p[..2]), p[2], (float)p[3], new double[2], j); return j; },
        (p, r) =>
        {
            var dv = new float[2];
            double da = 0;
            float dg = 0;
            F.NarrowGradient(Floats(p[..2]), p[2], (float)p[3], new double[2], Unit(2, r), dv, ref da, ref dg);
            return new double[] { dv[0], dv[1], da, dg };
        },
        (p, c) => { var t = new double[2]; var e = Unit(4, c); F.NarrowTangent(Floats(p[..2]), p[2], (float)p[3], new double[2], Floats(e[..2]), e[2], (float)e[3], t); return t; },
        p =>
        {
            // y[0] = v0·a·g in double (v0·a widens v0), y[1] = sin(a)·v1 + v0·g in float then widened.
            double v0d = p[0], v1d = p[1], ad = p[2], gd = p[3];
            return new[] { ad * gd, 0, v0d * gd, v0d * ad, gd, Math.Sin(ad), Math.Cos(ad) * v1d, v0d };
        });

    /// <summary>Columns a, b[0], b[1]; rows u[0], u[1] (never written), v[0], v[1].</summary>
    private static Case TwoOutputs(double a, double b0, double b1) => new(nameof(F.TwoOutputs), new[] { a, b0, b1 }, 4,
        p => { var u = new double[2]; var v = new double[2]; F.TwoOutputs(p[0], p.AsSpan(1), u, v); return u.Concat(v).ToArray(); },
        (p, j) => { F.TwoOutputsJacobian(p[0], p.AsSpan(1), new double[2], new double[2], j); return j; },
        (p, r) =>
        {
            var seed = Unit(4, r);
            double da = 0;
            var db = new double[2];
            F.TwoOutputsGradient(p[0], p.AsSpan(1), new double[2], new double[2], seed.AsSpan(0, 2), seed.AsSpan(2), ref da, db);
            return new[] { da, db[0], db[1] };
        },
        (p, c) =>
        {
            var du = new double[2];
            var dv = new double[2];
            var e = Unit(3, c);
            F.TwoOutputsTangent(p[0], p.AsSpan(1), new double[2], new double[2], e[0], e.AsSpan(1), du, dv);
            return du.Concat(dv).ToArray();
        },
        p => new[]
        {
            p[1], p[0], 0,                          // u[0] = a·b0
            0, 0, 0,                                // u[1]: never written
            1, 0, 1,                                // v[0] = a + b1 (the earlier a²·b1 is overwritten)
            Math.Exp(p[0]) * p[1], Math.Exp(p[0]), 0,   // v[1] = e^a·b0
        });

    private static double Sigmoid(double t) => 1 / (1 + Math.Exp(-t));

    private static Case Calls(double a, double b) => new(nameof(F.Calls), new[] { a, b }, 2,
        p => { var o = new double[2]; F.Calls(p[0], p[1], o); return o; },
        (p, j) => { F.CallsJacobian(p[0], p[1], new double[2], j); return j; },
        (p, r) => { double da = 0, db = 0; F.CallsGradient(p[0], p[1], new double[2], Unit(2, r), ref da, ref db); return new[] { da, db }; },
        (p, c) => { var t = new double[2]; F.CallsTangent(p[0], p[1], new double[2], c == 0 ? 1 : 0, c == 1 ? 1 : 0, t); return t; },
        p =>
        {
            double a = p[0], b = p[1], soft = Math.Log(1 + Math.Exp(b));
            bool first = soft >= a;
            return new[]
            {
                a > 0 ? Sigmoid(a) * b : 0, a > 0 ? Math.Log(1 + Math.Exp(a)) : 1,   // y[0]
                first ? soft : 2 * a, first ? a * Sigmoid(b) : 0,                      // y[1] = max(soft(b), a)·a
            };
        });

    public static TheoryData<string, int> Points()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "Polar", "PolarF", "Kinks", "KinksF", "Moments", "MomentsF", "Narrow", "TwoOutputs", "Calls" })
        {
            for (int point = 0; point < 4; point++) data.Add(name, point);
        }
        return data;
    }

    private static Case Of(string name, int point)
    {
        // Points on both sides of every kink and branch, away from ties.
        (double, double)[] plane = { (1.5, 0.5), (-0.7, 1.2), (0.3, -2.0), (-1.1, -0.4) };
        (double A, double B, double C0, double C1)[] kinks = { (2, 0.5, 0.8, -1.3), (-1, 0.5, 1.7, 0.6), (0.3, -1.2, -0.9, 2.1), (-1, -2, 0.4, 0.25) };
        double[][] xs = { new[] { 0.7, -1.3, 1.9, 0.4 }, new[] { 1.2, 0.5, -0.8 }, new[] { -0.6, -1.4, 0.9, 1.1, 0.3 }, new[] { 2.0, -0.5, 1.5, 0.75 } };
        double[] scales = { 1.1, -0.9, 0.6, 1.3 };
        var (x, y) = plane[point];
        var k = kinks[point];
        return name switch
        {
            "Polar" => Polar(x, y),
            "PolarF" => PolarF(x, y),
            "Kinks" => Kinks(k.A, k.B, k.C0, k.C1),
            "KinksF" => KinksF(k.A, k.B, k.C0, k.C1),
            "Moments" => Moments(xs[point], scales[point]),
            "MomentsF" => MomentsF(xs[point], scales[point]),
            "Narrow" => Narrow((float)x, (float)y, 0.4 + point, (float)(0.25 * (point + 1))),
            "TwoOutputs" => TwoOutputs(x, y, 0.5 * point - 0.3),
            "Calls" => Calls(x * 2, y),
            _ => throw new ArgumentException(name),
        };
    }

    // ---- the checks ------------------------------------------------------------------------------

    [Fact]
    public void MethodsWhoseOutputIndicesAreConstantTakeAllRowsInOnePass()
    {
        foreach (string name in new[] { "Polar", "PolarF", "Kinks", "KinksF", "Moments", "MomentsF", "Narrow", "TwoOutputs", "Calls", "Short" })
        {
            Assert.Contains(VectorMode, GeneratedSource.Of(typeof(F), name));
        }
        string scaled = GeneratedSource.Of(typeof(F), nameof(F.Scaled));
        Assert.DoesNotContain(VectorMode, scaled);
        Assert.Contains("one backward pass per output element", scaled);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void TheJacobianIsOneBackwardPassPerRowAndTheTangentAndTheClosedForm(string name, int point)
    {
        var c = Of(name, point);
        bool isFloat = name.EndsWith("F") || name == "Narrow";
        var p = c.Point.Select(v => isFloat ? (double)(float)v : v).ToArray();   // float inputs as the method sees them
        var filled = Enumerable.Repeat(double.NaN, c.Rows * p.Length).ToArray();   // every entry must be written
        var jacobian = c.Jacobian(p, filled);

        // One backward pass per row computes the same operations in the same order: the same bits.
        Assert.Equal(ByRows(c, p), jacobian);
        // Forward mode takes them in another order.
        Close(ByColumns(c, p), jacobian, isFloat ? 1e-6 : 1e-14);
        // The closed form in double, from the float inputs for the float methods.
        Close(c.Closed(p), jacobian, isFloat ? 2e-6 : 1e-13);
        if (!isFloat)
        {
            Close(NumericJacobian(c.Value, p, c.Rows), jacobian, 1e-6);
        }
    }

    [Fact]
    public void TheJacobianWritesTheOutputsAsTheMethodDoes()
    {
        var x = new[] { 0.7, -1.3, 1.9, 0.4 };
        var stats = new double[4];
        F.MomentsJacobian(x, 1.1, stats, new double[4 * 5]);
        var expected = new double[4];
        F.Moments(x, 1.1, expected);
        Assert.Equal(expected, stats);

        var u = new[] { 5.0, 7.0 };   // u[1] is never written: it keeps the caller's value
        var v = new double[2];
        F.TwoOutputsJacobian(0.8, new[] { 1.5, -0.5 }, u, v, new double[4 * 3]);
        Assert.Equal(new[] { 0.8 * 1.5, 7.0 }, u);
        Assert.Equal(new[] { 0.8 - 0.5, Math.Exp(0.8) * 1.5 }, v);
    }

    [Fact]
    public void MoreRowsThanColumnsRunInForwardMode()
    {
        // Four statistics of two elements: three columns, so the columns are cheaper (the tangent, one per column).
        var c = Moments(new[] { 0.7, -1.3 }, 1.1);
        var jacobian = c.Jacobian(c.Point, new double[4 * 3]);
        Assert.Equal(ByColumns(c, c.Point), jacobian);
        Close(c.Closed(c.Point), jacobian, 1e-13);
    }

    [Theory]
    [InlineData(2, 1.5)]    // y[2] is not written and y has no room for it: forward mode, and no exception
    [InlineData(3, 1.5)]    // y[2] not written: its row is zero
    [InlineData(3, 12.0)]   // y[2] = x[0]
    public void AnOutputElementWrittenOnlyInABranchHasItsRowOnlyWhenWritten(int outputs, double x0)
    {
        var x = new[] { x0, -0.5, 0.9, 2.0 };
        var y = Enumerable.Repeat(-3.0, outputs).ToArray();
        var jacobian = Enumerable.Repeat(double.NaN, outputs * 4).ToArray();
        F.ShortJacobian(x, y, jacobian);
        var expected = new double[outputs * 4];
        expected[0] = x[1];
        expected[1] = x[0];
        expected[4 + 2] = Math.Cos(x[2]);
        expected[4 + 3] = 1;
        if (outputs == 3 && x0 > 10) expected[8] = 1;
        Assert.Equal(expected, jacobian);
        if (outputs == 3) Assert.Equal(x0 > 10 ? x0 : -3.0, y[2]);
    }

    [Fact]
    public void AWarmJacobianAllocatesNothing()
    {
        var pair = new double[2];
        var pairJacobian = new double[4];
        var b = new[] { 1.5, -0.5 };
        var kinks = new double[3];
        var kinksJacobian = new double[3 * 4];
        var x = new[] { 0.7, -1.3, 1.9, 0.4 };
        var stats = new double[4];
        var momentsJacobian = new double[4 * 5];
        var xf = new[] { 0.7f, -1.3f, 1.9f, 0.4f };
        var statsF = new float[4];
        var momentsFJacobian = new float[4 * 5];
        var v = new[] { 0.5f, -1.5f };
        var narrowJacobian = new double[2 * 4];
        var u = new double[2];
        var w = new double[2];
        var twoJacobian = new double[4 * 3];
        var calls = new (string Name, Action Call)[]
        {
            ("Polar", () => F.PolarJacobian(1.5, 0.5, pair, pairJacobian)),
            ("Kinks", () => F.KinksJacobian(2, 0.5, b, kinks, kinksJacobian)),
            ("Moments", () => F.MomentsJacobian(x, 1.1, stats, momentsJacobian)),
            ("MomentsF", () => F.MomentsFJacobian(xf, 1.1f, statsF, momentsFJacobian)),
            ("Moments in forward mode", () => F.MomentsJacobian(x.AsSpan(0, 2), 1.1, stats, momentsJacobian.AsSpan(0, 4 * 3))),
            ("Narrow", () => F.NarrowJacobian(v, 0.4, 0.25f, pair, narrowJacobian)),
            ("TwoOutputs", () => F.TwoOutputsJacobian(0.8, b, u, w, twoJacobian)),
            ("Calls", () => F.CallsJacobian(0.3, -0.2, pair, pairJacobian)),
        };
        foreach (var (name, call) in calls)
        {
            call();
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{name}: {allocated} bytes");
        }
    }
}
