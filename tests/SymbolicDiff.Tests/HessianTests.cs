using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>One double function with Hessian = true: value, generated gradient, Hessian and Hessian-vector product.</summary>
public sealed record HessianCase(
    string Name,
    Func<double[], double> Function,
    Func<double[], double[]> Gradient,
    Func<double[], double[], double> Hessian,
    Func<double[], double[], double[], double> Product,
    double[][] Points)
{
    public override string ToString() => Name;
}

/// <summary>
/// Second order: the generated Hessian against central differences of the generated gradient, against closed
/// forms, its symmetry; the Hessian-vector product against H·v; accumulation; float against double.
/// </summary>
public class HessianTests
{
    private delegate double G1(double x, ref double dx);
    private delegate double G2(double x, double y, ref double dx, ref double dy);
    private delegate double G3(double x, double y, double z, ref double dx, ref double dy, ref double dz);
    private delegate double H1(double x, Span<double> h);
    private delegate double H2(double x, double y, Span<double> h);
    private delegate double H3(double x, double y, double z, Span<double> h);
    private delegate double V1(double x, double vx, ref double hx);
    private delegate double V2(double x, double y, double vx, double vy, ref double hx, ref double hy);
    private delegate double V3(double x, double y, double z, double vx, double vy, double vz, ref double hx, ref double hy, ref double hz);

    private static HessianCase C1(string name, Func<double, double> f, G1 g, H1 h, V1 v, params double[] xs) =>
        new(name, p => f(p[0]), p => { var d = new double[1]; g(p[0], ref d[0]); return d; }, (p, m) => h(p[0], m),
            (p, dir, hv) => v(p[0], dir[0], ref hv[0]), xs.Select(x => new[] { x }).ToArray());

    private static HessianCase C2(string name, Func<double, double, double> f, G2 g, H2 h, V2 v, params (double, double)[] points) =>
        new(name, p => f(p[0], p[1]), p => { var d = new double[2]; g(p[0], p[1], ref d[0], ref d[1]); return d; },
            (p, m) => h(p[0], p[1], m), (p, dir, hv) => v(p[0], p[1], dir[0], dir[1], ref hv[0], ref hv[1]),
            points.Select(q => new[] { q.Item1, q.Item2 }).ToArray());

    private static HessianCase C3(string name, Func<double, double, double, double> f, G3 g, H3 h, V3 v, params (double, double, double)[] points) =>
        new(name, p => f(p[0], p[1], p[2]), p => { var d = new double[3]; g(p[0], p[1], p[2], ref d[0], ref d[1], ref d[2]); return d; },
            (p, m) => h(p[0], p[1], p[2], m), (p, dir, hv) => v(p[0], p[1], p[2], dir[0], dir[1], dir[2], ref hv[0], ref hv[1], ref hv[2]),
            points.Select(q => new[] { q.Item1, q.Item2, q.Item3 }).ToArray());

    private static double NeuronF(double w, double b, double c) => Hess.Neuron(w, b, c, 0.7, 3);

    private static readonly HessianCase[] s_cases =
    {
        C2("Rosenbrock", Hess.Rosenbrock, Hess.RosenbrockGradient, Hess.RosenbrockHessian, Hess.RosenbrockHessianVectorProduct, (1, 1), (-1.2, 1), (0.3, -0.7), (2, 3.5)),
        C2("ExpLog", Hess.ExpLog, Hess.ExpLogGradient, Hess.ExpLogHessian, Hess.ExpLogHessianVectorProduct, (0.5, 1.2), (1.5, -0.4), (2, 0.1)),
        C2("SinProduct", Hess.SinProduct, Hess.SinProductGradient, Hess.SinProductHessian, Hess.SinProductHessianVectorProduct, (0.5, 1.2), (-1.5, 0.4)),
        C2("Powers", Hess.Powers, Hess.PowersGradient, Hess.PowersHessian, Hess.PowersHessianVectorProduct, (0.5, 1.2), (1.5, 0.4), (2.2, 2.5)),
        C2("Trig", Hess.Trig, Hess.TrigGradient, Hess.TrigHessian, Hess.TrigHessianVectorProduct, (0.5, 1.2), (-1.5, 0.4), (2, -0.3)),
        C2("InverseTrig", Hess.InverseTrig, Hess.InverseTrigGradient, Hess.InverseTrigHessian, Hess.InverseTrigHessianVectorProduct, (0.5, 1.2), (-1.5, 0.4), (1.1, -2.5)),
        C2("Hyperbolic", Hess.Hyperbolic, Hess.HyperbolicGradient, Hess.HyperbolicHessian, Hess.HyperbolicHessianVectorProduct, (0.5, 1.2), (-1.5, 0.4)),
        C2("Smooth", Hess.Smooth, Hess.SmoothGradient, Hess.SmoothHessian, Hess.SmoothHessianVectorProduct, (0.5, 1.2), (-1.5, 0.4), (3, -2)),
        C2("Quotients", Hess.Quotients, Hess.QuotientsGradient, Hess.QuotientsHessian, Hess.QuotientsHessianVectorProduct, (0.5, 1.2), (-1.5, 0.4), (2.5, -0.7)),
        C2("Logs", Hess.Logs, Hess.LogsGradient, Hess.LogsHessian, Hess.LogsHessianVectorProduct, (0.5, 1.7), (1.5, 0.4), (3, 5)),
        C2("Kinks", Hess.Kinks, Hess.KinksGradient, Hess.KinksHessian, Hess.KinksHessianVectorProduct, (0.5, 1.7), (1.5, 0.4), (-0.5, -1.5), (-2, 0.3), (3, 2.5)),
        C2("LeakySlope", Hess.LeakySlope, Hess.LeakySlopeGradient, Hess.LeakySlopeHessian, Hess.LeakySlopeHessianVectorProduct, (0.5, 1.7), (-1.5, 0.4), (-0.5, -1.5), (1.5, 0.2)),
        C2("Piecewise", Hess.Piecewise, Hess.PiecewiseGradient, Hess.PiecewiseHessian, Hess.PiecewiseHessianVectorProduct, (0.3, 1.7), (-1.2, 0.4), (2.2, -1.3)),
        C3("Neuron", NeuronF, (double w, double b, double c, ref double dw, ref double db, ref double dc) => Hess.NeuronGradient(w, b, c, 0.7, 3, ref dw, ref db, ref dc),
            (w, b, c, h) => Hess.NeuronHessian(w, b, c, 0.7, 3, h),
            (double w, double b, double c, double vw, double vb, double vc, ref double hw, ref double hb, ref double hc) => Hess.NeuronHessianVectorProduct(w, b, c, 0.7, 3, vw, vb, vc, ref hw, ref hb, ref hc),
            (0.5, -0.2, 0.3), (-1.5, 0.4, -0.8)),
        C3("Gaussian", Hess.Gaussian, Hess.GaussianGradient, Hess.GaussianHessian, Hess.GaussianHessianVectorProduct, (0.5, -0.2, 0.3), (-1.5, 0.4, 1.1)),
        C1("Cubic", Hess.Cubic, Hess.CubicGradient, Hess.CubicHessian, Hess.CubicHessianVectorProduct, -1.5, 0, 2),
        C2("SqrtOfMax", Hess.SqrtOfMax, Hess.SqrtOfMaxGradient, Hess.SqrtOfMaxHessian, Hess.SqrtOfMaxHessianVectorProduct, (0.5, 1.2), (2, -1), (-1, 0.5)),
        C2("MixedD", (x, y) => Hess.MixedD(x, y, 2), (double x, double y, ref double dx, ref double dy) => Hess.MixedDGradient(x, y, 2, ref dx, ref dy),
            (x, y, h) => Hess.MixedDHessian(x, y, 2, h),
            (double x, double y, double vx, double vy, ref double hx, ref double hy) => Hess.MixedDHessianVectorProduct(x, y, 2, vx, vy, ref hx, ref hy),
            (0.7, -0.4), (1.3, 0.9)),
        C2("ThroughCalls", Hess.ThroughCalls, Hess.ThroughCallsGradient, Hess.ThroughCallsHessian, Hess.ThroughCallsHessianVectorProduct,
            (1.5, 0.4), (-0.5, 0.7), (0.3, -1.2), (-1.1, -0.6)),
        // Branches: points on every side, away from the boundaries (central differences would straddle them).
        C2("Branchy", Hess.Branchy, Hess.BranchyGradient, Hess.BranchyHessian, Hess.BranchyHessianVectorProduct, (1.5, 0.4), (-0.5, 0.7), (0.3, -1.2)),
        C2("GuardedLog", Hess.GuardedLog, Hess.GuardedLogGradient, Hess.GuardedLogHessian, Hess.GuardedLogHessianVectorProduct, (1.5, 0.4), (0.2, -0.7), (-0.5, 0.7), (-2, -1)),
        C2("NestedBranches", Hess.NestedBranches, Hess.NestedBranchesGradient, Hess.NestedBranchesHessian, Hess.NestedBranchesHessianVectorProduct,
            (1.5, 0.4), (0.5, -0.7), (-0.5, 0.7), (-1.5, -0.3)),
        C2("SharedAcrossBranches", Hess.SharedAcrossBranches, Hess.SharedAcrossBranchesGradient, Hess.SharedAcrossBranchesHessian,
            Hess.SharedAcrossBranchesHessianVectorProduct, (1.5, 0.4), (1.5, -0.4), (0.5, 0.7), (0.5, -0.7)),
    };

    public static TheoryData<HessianCase> Cases() { var data = new TheoryData<HessianCase>(); foreach (var c in s_cases) data.Add(c); return data; }

    private static double[] HessianAt(HessianCase c, double[] p, out double value)
    {
        var h = new double[p.Length * p.Length];
        value = c.Hessian(p, h);
        return h;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianMatchesCentralDifferencesOfTheGradient(HessianCase c) => CheckAgainstCentralDifferences(c);

    /// <summary>Each column of the Hessian against central differences of the generated gradient.</summary>
    internal static void CheckAgainstCentralDifferences(HessianCase c, double tolerance = 1e-5)
    {
        foreach (var p in c.Points)
        {
            int n = p.Length;
            var h = HessianAt(c, p, out double value);
            Assert.Equal(c.Function(p), value);
            for (int j = 0; j < n; j++)
            {
                double step = 1e-5 * Math.Max(1, Math.Abs(p[j]));
                var plus = (double[])p.Clone();
                var minus = (double[])p.Clone();
                plus[j] += step;
                minus[j] -= step;
                double[] gp = c.Gradient(plus), gm = c.Gradient(minus);
                for (int i = 0; i < n; i++)
                {
                    double numeric = (gp[i] - gm[i]) / (2 * step);
                    double actual = h[i * n + j];
                    Assert.True(Math.Abs(actual - numeric) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                        $"{c.Name} at ({string.Join(", ", p)}): H[{i},{j}] = {actual}, central differences of the gradient {numeric}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianIsSymmetricAndFinite(HessianCase c) => CheckSymmetricAndFinite(c);

    internal static void CheckSymmetricAndFinite(HessianCase c)
    {
        foreach (var p in c.Points)
        {
            int n = p.Length;
            var h = HessianAt(c, p, out _);
            Assert.All(h, e => Assert.True(double.IsFinite(e), $"{c.Name}: {e}"));
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(h[i * n + j], h[j * n + i]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianVectorProductIsHessianTimesVector(HessianCase c) => CheckProduct(c);

    /// <summary>H·v along a few directions (a unit one among them) against the generated Hessian times v.</summary>
    internal static void CheckProduct(HessianCase c)
    {
        var directions = new[] { new[] { 0.3, -1.1, 0.7 }, new[] { 1.0, 0.0, 0.0 }, new[] { -0.25, 2.0, 1.5 } };
        foreach (var p in c.Points)
        {
            int n = p.Length;
            var h = HessianAt(c, p, out _);
            // Longer directions repeat the pattern with a twist, so every element of an array parameter is moved.
            foreach (var v in directions.Select(d => Enumerable.Range(0, n).Select(i => d[i % 3] * (1 + i / 3)).ToArray()))
            {
                var hv = new double[n];
                Assert.Equal(c.Function(p), c.Product(p, v, hv));
                for (int i = 0; i < n; i++)
                {
                    double expected = 0;
                    for (int j = 0; j < n; j++)
                    {
                        expected += h[i * n + j] * v[j];
                    }
                    Assert.True(Math.Abs(hv[i] - expected) <= 1e-10 * Math.Max(1, Math.Abs(expected)), $"{c.Name}: (Hv)[{i}] = {hv[i]}, H·v = {expected}");
                }
            }
        }
    }

    /// <summary>
    /// Square(x·y) = x²y² has Hessian [[2y², 4xy], [4xy, 2x²]]; at x·y &gt; 0, Damped(x·y, x) = sin(xy)·x², and
    /// Damped(y, 2.25) is sin(y)·2.25² for y &gt; 0: the sum's Hessian by hand at (1.5, 0.4).
    /// </summary>
    [Fact]
    public void HessianThroughCallsIsTheClosedForm()
    {
        double x = 1.5, y = 0.4, u = x * y, s = Math.Sin(u), c = Math.Cos(u);
        // sin(xy)·x²: ∂xx = −y²s·x² + 4xy·c + 2s, ∂xy = −xy·s·x² + c·x² + 2x·x·c, ∂yy = −x²s·x².
        double hxx = 2 * y * y + (-y * y * s * x * x + 4 * x * y * c + 2 * s);
        double hxy = 4 * x * y + (-x * y * s * x * x + c * x * x + 2 * x * x * c);
        double hyy = 2 * x * x + (-x * x * s * x * x) + (-Math.Sin(y) * 2.25 * 2.25);
        var h = new double[4];
        Hess.ThroughCallsHessian(x, y, h);
        Assert.Equal(hxx, h[0], 10);
        Assert.Equal(hxy, h[1], 10);
        Assert.Equal(hxy, h[2], 10);
        Assert.Equal(hyy, h[3], 10);
    }

    [Fact]
    public void CoversADozenFunctions() => Assert.True(s_cases.Length >= 12);

    // ---- Closed forms ---------------------------------------------------------------------------

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(-1.2, 1.0)]
    [InlineData(0.3, -0.7)]
    [InlineData(2.0, 3.5)]
    [InlineData(0.0, 0.0)]
    public void RosenbrockHessianIsTheClosedForm(double x, double y)
    {
        var h = new double[4];
        Hess.RosenbrockHessian(x, y, h);
        Assert.Equal(new[] { 2 - 400 * (y - x * x) + 800 * x * x, -400 * x, -400 * x, 200 }, h, new Tolerance(1e-12));
        var hv = new double[2];
        Hess.RosenbrockHessianVectorProduct(x, y, 0.5, -2, ref hv[0], ref hv[1]);
        Assert.Equal(new[] { h[0] * 0.5 - h[1] * 2, h[2] * 0.5 - h[3] * 2 }, hv, new Tolerance(1e-12));
    }

    [Theory]
    [InlineData(0.5, 1.2)]
    [InlineData(1.5, -0.4)]
    public void ExpLogHessianIsTheClosedForm(double x, double y)
    {
        var h = new double[4];
        Hess.ExpLogHessian(x, y, h);
        double e = Math.Exp(x * y), q = x + y * y;
        Assert.Equal(new[]
        {
            y * y * e - 1 / (q * q),
            e * (1 + x * y) - 2 * y / (q * q),
            e * (1 + x * y) - 2 * y / (q * q),
            x * x * e + (2 * q - 4 * y * y) / (q * q),
        }, h, new Tolerance(1e-12));
    }

    [Theory]
    [InlineData(0.5, 1.2)]
    [InlineData(-1.5, 0.4)]
    public void SinProductHessianIsTheClosedForm(double x, double y)
    {
        var h = new double[4];
        Hess.SinProductHessian(x, y, h);
        double s = Math.Sin(x * y), c = Math.Cos(x * y);
        Assert.Equal(new[] { -y * y * s, c - x * y * s, c - x * y * s, -x * x * s }, h, new Tolerance(1e-12));
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public void CubicHessianIsSixX(double x)
    {
        var h = new double[1];
        Hess.CubicHessian(x, h);
        Assert.Equal(6 * x, h[0], 12);
    }

    [Fact]
    public void HessianAndProductAccumulate()
    {
        var h = new double[] { 1, 2, 3, 4 };
        Hess.RosenbrockHessian(0.3, -0.7, h);
        Hess.RosenbrockHessian(0.3, -0.7, h);
        var once = new double[4];
        Hess.RosenbrockHessian(0.3, -0.7, once);
        Assert.Equal(new[] { 1 + 2 * once[0], 2 + 2 * once[1], 3 + 2 * once[2], 4 + 2 * once[3] }, h, new Tolerance(1e-12));

        double hx = 10, hy = 20;
        Hess.RosenbrockHessianVectorProduct(0.3, -0.7, 1, 0, ref hx, ref hy);
        Assert.Equal(10 + once[0], hx, 12);
        Assert.Equal(20 + once[2], hy, 12);
    }

    [Fact]
    public void TooShortSpanThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => Hess.RosenbrockHessian(1, 1, new double[3]));
        Assert.Equal("hessian", ex.ParamName);
    }

    // ---- Exactly at kinks: the side the first derivative takes (documented in the README) --------

    [Fact]
    public void AtKinksTheSecondDerivativeIsThatOfTheSideTaken()
    {
        var h = new double[1];
        Hess.ReLUTimesXHessian(0, h);   // ReLU(0) routes nothing: the x ≤ 0 side, f = 0
        Assert.Equal(0, h[0]);
        h[0] = 0;
        Hess.MaxTimesXHessian(0, h);    // Max(0, 0) routes to its first operand: the x side, f = x²
        Assert.Equal(2, h[0]);
        h[0] = 0;
        Hess.AbsTimesXHessian(0, h);    // Abs(0) routes +d: the x ≥ 0 side, f = x²
        Assert.Equal(2, h[0]);
        h[0] = 0;
        Hess.AbsTimesXHessian(-3, h);
        Assert.Equal(-2, h[0]);
    }

    [Fact]
    public void RoutedZeroNeverMeetsAnInfiniteDerivative()
    {
        // sqrt(max(x, 0)) at x = 0 and x < 0: ∂sqrt is ∞ there, but max routes nothing to it.
        foreach (double x in new[] { 0.0, -1.0 })
        {
            var h = new double[4];
            Hess.SqrtOfMaxHessian(x, 2, h);
            double dx = 0, dy = 0;
            Hess.SqrtOfMaxGradient(x, 2, ref dx, ref dy);
            var hv = new double[2];
            Hess.SqrtOfMaxHessianVectorProduct(x, 2, 1, 1, ref hv[0], ref hv[1]);
            if (x < 0)
            {
                Assert.Equal(new[] { 0.0, 1, 1, 0 }, h);
                Assert.Equal(new[] { 1.0, 1 }, hv);
            }
            Assert.Equal(1.0, h[1]);
            Assert.Equal(0.0, h[3]);
        }
    }

    // ---- Float ----------------------------------------------------------------------------------

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(-1.2f, 1f)]
    [InlineData(0.3f, -0.7f)]
    public void FloatRosenbrockHessianIsTheClosedForm(float x, float y)
    {
        var h = new float[4];
        float value = Hess.RosenbrockFHessian(x, y, h);
        Assert.Equal(Hess.RosenbrockF(x, y), value);
        float[] expected = { 2 - 400 * (y - x * x) + 800 * x * x, -400 * x, -400 * x, 200 };
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-4f * Math.Max(1, Math.Abs(expected[i])), $"H[{i}] = {h[i]}, expected {expected[i]}");
        }
    }

    [Theory]
    [InlineData(0.7f, -0.4f)]
    [InlineData(1.3f, 0.9f)]
    public void FloatHessianMatchesDoubleTwinAndFiniteDifferences(float x, float y)
    {
        var h = new float[4];
        Hess.MixedFHessian(x, y, 2, h);
        var hd = new double[4];
        Hess.MixedDHessian(x, y, 2, hd);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - hd[i]) <= 1e-4 * Math.Max(1, Math.Abs(hd[i])), $"float H[{i}] = {h[i]}, double {hd[i]}");
        }
        Assert.Equal(h[1], h[2]);

        // Central differences of the float gradient, with a float-sized step.
        const float step = 1e-2f;
        float[] G(float a, float b) { float da = 0, db = 0; Hess.MixedFGradient(a, b, 2, ref da, ref db); return new[] { da, db }; }
        float[][] columns = { Diff(G(x + step, y), G(x - step, y)), Diff(G(x, y + step), G(x, y - step)) };
        float[] Diff(float[] plus, float[] minus) => new[] { (plus[0] - minus[0]) / (2 * step), (plus[1] - minus[1]) / (2 * step) };
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                float numeric = columns[j][i];
                Assert.True(Math.Abs(h[i * 2 + j] - numeric) <= 2e-2f * Math.Max(1, Math.Abs(numeric)), $"float H[{i},{j}] = {h[i * 2 + j]}, differences {numeric}");
            }
        }

        var hv = new float[2];
        Hess.MixedFHessianVectorProduct(x, y, 2, 0.5f, -1.5f, ref hv[0], ref hv[1]);
        Assert.Equal(h[0] * 0.5f - h[1] * 1.5f, hv[0], 4);
        Assert.Equal(h[2] * 0.5f - h[3] * 1.5f, hv[1], 4);
    }

    // ---- Branches: the Hessian of the branch taken ---------------------------------------------------

    /// <summary>Hand-derived Hessians (row-major 2×2) of the branch each point takes, the boundary included.</summary>
    private static double[] BranchHessian(string name, double x, double y)
    {
        double[] H(double xx, double xy, double yy) => new[] { xx, xy, xy, yy };
        double e = Math.Exp(x * y);
        switch (name)
        {
            case "Branchy":
                return x > y ? H(2 * y, 2 * x, 0) : H(-Math.Sin(x) * y * y, 2 * y * Math.Cos(x), 2 * Math.Sin(x));
            case "GuardedLog":
                double l = Math.Log(x);
                return x <= 0 ? H(2 * y, 2 * x, 0) : H(y * (2 * (1 - l) / (x * x) - 1 / (4 * Math.Pow(x, 1.5))), 2 * l / x + 1 / (2 * Math.Sqrt(x)), 0);
            case "NestedBranches":
                // r·x: x²y², x·e^{xy} or x·cos(x)·y
                double g1 = Math.Cos(x) - x * Math.Sin(x), g2 = -2 * Math.Sin(x) - x * Math.Cos(x);
                return x > 0
                    ? y > 0 ? H(2 * y * y, 4 * x * y, 2 * x * x) : H(e * (2 * y + x * y * y), e * (2 * x + x * x * y), x * x * x * e)
                    : H(g2 * y, g1, 0);
            default:   // SharedAcrossBranches: (x > 1 ? x·e : e + y²) + (y < 0 ? y·e : 0)
                var a = x > 1 ? H(e * (2 * y + x * y * y), e * (2 * x + x * x * y), x * x * x * e) : H(y * y * e, e * (1 + x * y), x * x * e + 2);
                var b = y < 0 ? H(y * y * y * e, e * (2 * y + x * y * y), e * (2 * x + x * x * y)) : H(0, 0, 0);
                return a.Zip(b, (p, q) => p + q).ToArray();
        }
    }

    public static TheoryData<string, double, double> BranchPoints() => new()
    {
        { "Branchy", 1.5, 0.4 }, { "Branchy", -0.5, 0.7 }, { "Branchy", 0.6, 0.6 },
        // x ≤ 0: the side not taken computes Log and Sqrt of a negative number (NaN), or of 0 (−∞, and ∞ derivatives).
        { "GuardedLog", 1.5, 0.4 }, { "GuardedLog", 0.2, -0.7 }, { "GuardedLog", -0.5, 0.7 }, { "GuardedLog", 0.0, 0.7 }, { "GuardedLog", -2.0, -1.0 },
        { "NestedBranches", 1.5, 0.4 }, { "NestedBranches", 0.5, -0.7 }, { "NestedBranches", 0.5, 0.0 }, { "NestedBranches", -0.5, 0.7 }, { "NestedBranches", 0.0, -0.3 },
        { "SharedAcrossBranches", 1.5, 0.4 }, { "SharedAcrossBranches", 1.5, -0.4 }, { "SharedAcrossBranches", 0.5, 0.7 }, { "SharedAcrossBranches", 1.0, -0.7 },
        { "SharedAcrossBranches", 0.5, 0.0 },
    };

    [Theory]
    [MemberData(nameof(BranchPoints))]
    public void BranchHessianIsThatOfTheBranchTaken(string name, double x, double y)
    {
        var c = s_cases.Single(k => k.Name == name);
        var p = new[] { x, y };
        var h = HessianAt(c, p, out double value);
        Assert.Equal(c.Function(p), value);
        Assert.Equal(BranchHessian(name, x, y), h, new Tolerance(1e-12));
        Assert.Equal(h[1], h[2]);

        var v = new[] { 0.5, -2.0 };
        var hv = new double[2];
        c.Product(p, v, hv);
        Assert.Equal(new[] { h[0] * v[0] + h[1] * v[1], h[2] * v[0] + h[3] * v[1] }, hv, new Tolerance(1e-12));
    }

    [Fact]
    public void BranchHessianAllocatesNothingWhenWarm()
    {
        var h = new double[4];
        double hx = 0, hy = 0;
        Hess.NestedBranchesHessian(0.5, -0.7, h);
        Hess.NestedBranchesHessianVectorProduct(0.5, -0.7, 1, 2, ref hx, ref hy);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Hess.NestedBranchesHessian(0.5 - i * 0.01, -0.7 + i * 0.02, h);
            Hess.NestedBranchesHessianVectorProduct(0.5 - i * 0.01, -0.7 + i * 0.02, 1, 2, ref hx, ref hy);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(0.7f, -0.4f)]
    [InlineData(0.3f, 1.1f)]
    [InlineData(0.5f, 0.5f)]
    public void FloatBranchHessianIsThatOfTheBranchTaken(float x, float y)
    {
        var h = new float[4];
        float value = Hess.BranchyFHessian(x, y, h);
        Assert.Equal(Hess.BranchyF(x, y), value);
        var expected = BranchHessian("Branchy", x, y);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"float H[{i}] = {h[i]}, expected {expected[i]}");
        }
        Assert.Equal(h[1], h[2]);

        // Central differences of the float gradient, with a float-sized step (the points are 0.2 from the boundary).
        const float step = 1e-2f;
        float[] G(float a, float b) { float da = 0, db = 0; Hess.BranchyFGradient(a, b, ref da, ref db); return new[] { da, db }; }
        if (x != y)
        {
            float[][] columns = { Diff(G(x + step, y), G(x - step, y)), Diff(G(x, y + step), G(x, y - step)) };
            float[] Diff(float[] plus, float[] minus) => new[] { (plus[0] - minus[0]) / (2 * step), (plus[1] - minus[1]) / (2 * step) };
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < 2; j++)
                {
                    Assert.True(Math.Abs(h[i * 2 + j] - columns[j][i]) <= 2e-2f * Math.Max(1, Math.Abs(columns[j][i])), $"float H[{i},{j}] = {h[i * 2 + j]}, differences {columns[j][i]}");
                }
            }
        }

        var hv = new float[2];
        Hess.BranchyFHessianVectorProduct(x, y, 0.5f, -1.5f, ref hv[0], ref hv[1]);
        Assert.Equal(h[0] * 0.5f - h[1] * 1.5f, hv[0], 4);
        Assert.Equal(h[2] * 0.5f - h[3] * 1.5f, hv[1], 4);
    }

    internal sealed class Tolerance : IEqualityComparer<double>
    {
        private readonly double _relative;

        public Tolerance(double relative) => _relative = relative;

        public bool Equals(double a, double b) => Math.Abs(a - b) <= _relative * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

        public int GetHashCode(double value) => 0;
    }
}
