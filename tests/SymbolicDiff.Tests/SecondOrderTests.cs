using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>
/// Second order through loops, array parameters, while loops with break, calls that take arrays, local arrays and
/// branches that must not run untaken, calls to methods with [NoDiff] parameters and outputs of two floating types (<see cref="SecondOrder"/>): the Hessian against central differences of the
/// generated gradient and against closed forms, exact symmetry, H·v against H times v, float, accumulation,
/// argument checks and 0 bytes allocated when warm.
/// </summary>
public class SecondOrderTests
{
    private static double[] Cut(double[] p, int from, int count) => p.Skip(from).Take(count).ToArray();

    /// <summary>A case for f(double[] x): the flattened parameters are x.</summary>
    private static HessianCase ArrayCase(string name, Func<double[], double> f, Action<double[], double[]> gradient,
        Func<double[], double[], double> hessian, Func<double[], double[], double[], double> product, params double[][] points) =>
        new(name, f, p => { var d = new double[p.Length]; gradient(p, d); return d; }, hessian, product, points);

    private static readonly double[] s_symmetric = { 1.2, -0.3, 0.4, -0.3, 0.8, 0.1, 0.4, 0.1, 0.6 };

    private static readonly double[] s_inputs = { 0.5, -1.2, 0.8, 0.3, -0.4 };

    private static readonly HessianCase[] s_cases =
    {
        ArrayCase("Rosenbrock", SecondOrder.Rosenbrock, (x, d) => SecondOrder.RosenbrockGradient(x, d), (x, h) => SecondOrder.RosenbrockHessian(x, h),
            (x, v, hv) => SecondOrder.RosenbrockHessianVectorProduct(x, v, hv),
            new[] { -1.2, 1, 0.5, 2 }, new[] { 0.3, -0.7, 1.1 }, new[] { 1.0, 1.0 }),
        ArrayCase("ExpQuadratic", x => SecondOrder.ExpQuadratic(x, s_symmetric), (x, d) => SecondOrder.ExpQuadraticGradient(x, s_symmetric, d),
            (x, h) => SecondOrder.ExpQuadraticHessian(x, s_symmetric, h), (x, v, hv) => SecondOrder.ExpQuadraticHessianVectorProduct(x, s_symmetric, v, hv),
            new[] { 0.3, -0.5, 0.7 }, new[] { -0.2, 0.4, 0.1 }),
        new("Recurrence", p => SecondOrder.Recurrence(p[0], p[1], s_inputs),
            p => { var d = new double[2]; SecondOrder.RecurrenceGradient(p[0], p[1], s_inputs, ref d[0], ref d[1]); return d; },
            (p, h) => SecondOrder.RecurrenceHessian(p[0], p[1], s_inputs, h),
            (p, v, hv) => SecondOrder.RecurrenceHessianVectorProduct(p[0], p[1], s_inputs, v[0], v[1], ref hv[0], ref hv[1]),
            new[] { new[] { 0.7, 1.3 }, new[] { -0.4, 0.6 } }),
        new("NewtonSqrt", p => SecondOrder.NewtonSqrt(p[0], p[1]),
            p => { var d = new double[2]; SecondOrder.NewtonSqrtGradient(p[0], p[1], ref d[0], ref d[1]); return d; },
            (p, h) => SecondOrder.NewtonSqrtHessian(p[0], p[1], h),
            (p, v, hv) => SecondOrder.NewtonSqrtHessianVectorProduct(p[0], p[1], v[0], v[1], ref hv[0], ref hv[1]),
            new[] { new[] { 2.0, 1.5 }, new[] { 9.5, -0.5 }, new[] { 0.4, 2.0 } }),
        new("SoftMax", p => SecondOrder.SoftMax(Cut(p, 0, p.Length - 1), p[^1]),
            p => { var d = new double[p.Length]; SecondOrder.SoftMaxGradient(Cut(p, 0, p.Length - 1), p[^1], d.AsSpan(0, p.Length - 1), ref d[^1]); return d; },
            (p, h) => SecondOrder.SoftMaxHessian(Cut(p, 0, p.Length - 1), p[^1], h),
            (p, v, hv) => SecondOrder.SoftMaxHessianVectorProduct(Cut(p, 0, p.Length - 1), p[^1], v.AsSpan(0, p.Length - 1), v[^1], hv.AsSpan(0, p.Length - 1), ref hv[^1]),
            new[] { new[] { 0.3, -0.5, 1.2, 0.8 }, new[] { 1.0, 2.0, 0.5 } }),
        new("GuardedDivision n = 3", p => SecondOrder.GuardedDivision(p[0], p[1], 3),
            p => { var d = new double[2]; SecondOrder.GuardedDivisionGradient(p[0], p[1], 3, ref d[0], ref d[1]); return d; },
            (p, h) => SecondOrder.GuardedDivisionHessian(p[0], p[1], 3, h),
            (p, v, hv) => SecondOrder.GuardedDivisionHessianVectorProduct(p[0], p[1], 3, v[0], v[1], ref hv[0], ref hv[1]),
            new[] { new[] { 1.5, 0.4 }, new[] { 0.5, -0.7 }, new[] { -0.5, 0.7 } }),
        new("GuardedDivision n = 0", p => SecondOrder.GuardedDivision(p[0], p[1], 0),
            p => { var d = new double[2]; SecondOrder.GuardedDivisionGradient(p[0], p[1], 0, ref d[0], ref d[1]); return d; },
            (p, h) => SecondOrder.GuardedDivisionHessian(p[0], p[1], 0, h),
            (p, v, hv) => SecondOrder.GuardedDivisionHessianVectorProduct(p[0], p[1], 0, v[0], v[1], ref hv[0], ref hv[1]),
            new[] { new[] { 1.5, 0.4 }, new[] { -0.5, 0.7 } }),
        new("Kinks", p => SecondOrder.Kinks(Cut(p, 0, p.Length - 1), p[^1]),
            p => { var d = new double[p.Length]; SecondOrder.KinksGradient(Cut(p, 0, p.Length - 1), p[^1], d.AsSpan(0, p.Length - 1), ref d[^1]); return d; },
            (p, h) => SecondOrder.KinksHessian(Cut(p, 0, p.Length - 1), p[^1], h),
            (p, v, hv) => SecondOrder.KinksHessianVectorProduct(Cut(p, 0, p.Length - 1), p[^1], v.AsSpan(0, p.Length - 1), v[^1], hv.AsSpan(0, p.Length - 1), ref hv[^1]),
            new[] { new[] { 0.3, 1.5, 0.2, 2.0, 1.1 }, new[] { 2.0, -1.0, 0.9, -0.8 } }),
        new("Halving", p => SecondOrder.Halving(p[0], p[1]),
            p => { var d = new double[2]; SecondOrder.HalvingGradient(p[0], p[1], ref d[0], ref d[1]); return d; },
            (p, h) => SecondOrder.HalvingHessian(p[0], p[1], h),
            (p, v, hv) => SecondOrder.HalvingHessianVectorProduct(p[0], p[1], v[0], v[1], ref hv[0], ref hv[1]),
            new[] { new[] { 3.1, 0.4 }, new[] { 0.5, 0.2 }, new[] { 1.7, 2.9 } }),
        new("DpTable", p => SecondOrder.DpTable(Cut(p, 0, p.Length - 1), p[^1]),
            p => { var d = new double[p.Length]; SecondOrder.DpTableGradient(Cut(p, 0, p.Length - 1), p[^1], d.AsSpan(0, p.Length - 1), ref d[^1]); return d; },
            (p, h) => SecondOrder.DpTableHessian(Cut(p, 0, p.Length - 1), p[^1], h),
            (p, v, hv) => SecondOrder.DpTableHessianVectorProduct(Cut(p, 0, p.Length - 1), p[^1], v.AsSpan(0, p.Length - 1), v[^1], hv.AsSpan(0, p.Length - 1), ref hv[^1]),
            new[] { new[] { 0.3, -0.5, 1.2, 0.8, 0.9 }, new[] { 1.0, 0.4, -0.7 } }),
        ArrayCase("LocalArrays", SecondOrder.LocalArrays, (x, d) => SecondOrder.LocalArraysGradient(x, d), (x, h) => SecondOrder.LocalArraysHessian(x, h),
            (x, v, hv) => SecondOrder.LocalArraysHessianVectorProduct(x, v, hv),
            new[] { 0.3, -0.5, 1.2 }, new[] { 1.0, 2.0, -0.4, 0.7 }),
        new("RunningVector", p => SecondOrder.RunningVector(Cut(p, 0, p.Length - 1), p[^1]),
            p => { var d = new double[p.Length]; SecondOrder.RunningVectorGradient(Cut(p, 0, p.Length - 1), p[^1], d.AsSpan(0, p.Length - 1), ref d[^1]); return d; },
            (p, h) => SecondOrder.RunningVectorHessian(Cut(p, 0, p.Length - 1), p[^1], h),
            (p, v, hv) => SecondOrder.RunningVectorHessianVectorProduct(Cut(p, 0, p.Length - 1), p[^1], v.AsSpan(0, p.Length - 1), v[^1], hv.AsSpan(0, p.Length - 1), ref hv[^1]),
            new[] { new[] { 0.3, -0.5, 1.2, 0.8 }, new[] { -1.0, 2.0, 0.5 } }),
        new("UnreadArray", p => SecondOrder.UnreadArray(p[0], Cut(p, 1, p.Length - 2), p[^1]),
            p => { var d = new double[p.Length]; SecondOrder.UnreadArrayGradient(p[0], Cut(p, 1, p.Length - 2), p[^1], ref d[0], d.AsSpan(1, p.Length - 2), ref d[^1]); return d; },
            (p, h) => SecondOrder.UnreadArrayHessian(p[0], Cut(p, 1, p.Length - 2), p[^1], h),
            (p, v, hv) => SecondOrder.UnreadArrayHessianVectorProduct(p[0], Cut(p, 1, p.Length - 2), p[^1], v[0], v.AsSpan(1, p.Length - 2), v[^1],
                ref hv[0], hv.AsSpan(1, p.Length - 2), ref hv[^1]),
            new[] { new[] { 0.7, 5.0, -3.0, 1.3 }, new[] { -0.4, 0.6 } }),
    };

    private static readonly double[] s_weights = { 0.7, -1.3, 0.4, 2.1 };

    /// <summary>Layer's outputs weighted by s_weights: the scalar wᵀy whose Hessian the second-order pullback gives.</summary>
    private static double WeightedLayer(double[] p)
    {
        var y = new double[p.Length - 1];
        SecondOrder.Layer(Cut(p, 0, p.Length - 1), p[^1], y);
        return y.Select((v, i) => v * s_weights[i]).Sum();
    }

    private static readonly HessianCase s_layer = new("Layer (wᵀy, a vector output)", WeightedLayer,
        p =>
        {
            var d = new double[p.Length];
            var y = new double[p.Length - 1];
            SecondOrder.LayerGradient(Cut(p, 0, p.Length - 1), p[^1], y, s_weights.Take(y.Length).ToArray(), d.AsSpan(0, p.Length - 1), ref d[^1]);
            return d;
        },
        (p, h) =>
        {
            SecondOrder.LayerHessian(Cut(p, 0, p.Length - 1), p[^1], new double[p.Length - 1], s_weights.AsSpan(0, p.Length - 1), h);
            return WeightedLayer(p);
        },
        (p, v, hv) =>
        {
            var weights = s_weights.Take(p.Length - 1).ToArray();
            SecondOrder.LayerHessianVectorProduct(Cut(p, 0, p.Length - 1), p[^1], new double[p.Length - 1], v.AsSpan(0, p.Length - 1), v[^1], weights,
                hv.AsSpan(0, p.Length - 1), ref hv[^1]);
            Assert.All(weights, w => Assert.Equal(0, w));   // the weights are used up, like a pullback's seeds
            return WeightedLayer(p);
        },
        new[] { new[] { 0.3, -0.5, 1.2, 0.8, 1.5 }, new[] { -1.0, 2.0, 0.5, -0.7 } });

    private static readonly double[] s_yWeights = { 0.7, -1.3, 0.4 };
    private static readonly float[] s_zWeights = { 1.5f, 0.25f, -2f };

    /// <summary>TwoTypes' outputs weighted by double and float weights: F = Σ wyᵢ·c·xᵢ² + wzᵢ·sin(c·xᵢ).</summary>
    private static double WeightedTwoTypes(double[] p)
    {
        int n = p.Length - 1;
        double[] y = new double[n];
        float[] z = new float[n];
        SecondOrder.TwoTypes(Cut(p, 0, n), p[^1], y, z);
        return Enumerable.Range(0, n).Sum(i => s_yWeights[i] * y[i] + s_zWeights[i] * (double)z[i]);
    }

    private static readonly HessianCase s_twoTypes = new("TwoTypes (wyᵀy + wzᵀz, double and float outputs)", WeightedTwoTypes,
        p =>
        {
            int n = p.Length - 1;
            var d = new double[p.Length];
            SecondOrder.TwoTypesGradient(Cut(p, 0, n), p[^1], new double[n], new float[n], s_yWeights.Take(n).ToArray(), s_zWeights.Take(n).ToArray(),
                d.AsSpan(0, n), ref d[^1]);
            return d;
        },
        (p, h) =>
        {
            int n = p.Length - 1;
            SecondOrder.TwoTypesHessian(Cut(p, 0, n), p[^1], new double[n], new float[n], s_yWeights.AsSpan(0, n), s_zWeights.AsSpan(0, n), h);
            return WeightedTwoTypes(p);
        },
        (p, v, hv) =>
        {
            int n = p.Length - 1;
            double[] wy = s_yWeights.Take(n).ToArray();
            float[] wz = s_zWeights.Take(n).ToArray();
            SecondOrder.TwoTypesHessianVectorProduct(Cut(p, 0, n), p[^1], new double[n], new float[n], v.AsSpan(0, n), v[^1], wy, wz, hv.AsSpan(0, n), ref hv[^1]);
            Assert.All(wy, w => Assert.Equal(0, w));   // both outputs' weights are used up
            Assert.All(wz, w => Assert.Equal(0, w));
            return WeightedTwoTypes(p);
        },
        new[] { new[] { 0.3, -0.5, 1.2, 0.8 }, new[] { -1.0, 2.0, 1.5 } });

    private static readonly HessianCase s_callsNoDiff = new("CallsNoDiff (a callee with a [NoDiff] parameter, inlined)",
        p => SecondOrder.CallsNoDiff(p[0], p[1], 0.8),
        p => { var d = new double[2]; SecondOrder.CallsNoDiffGradient(p[0], p[1], 0.8, ref d[0], ref d[1]); return d; },
        (p, h) => SecondOrder.CallsNoDiffHessian(p[0], p[1], 0.8, h),
        (p, v, hv) => SecondOrder.CallsNoDiffHessianVectorProduct(p[0], p[1], 0.8, v[0], v[1], ref hv[0], ref hv[1]),
        new[] { new[] { 0.7, 1.3 }, new[] { -0.4, 0.6 }, new[] { 1.1, -0.9 } });

    private static readonly HessianCase s_callsNoDiffInLoop = ArrayCase("CallsNoDiffInLoop (the callee in a loop, tangent program)",
        x => SecondOrder.CallsNoDiffInLoop(x, 0.6), (x, d) => SecondOrder.CallsNoDiffInLoopGradient(x, 0.6, d),
        (x, h) => SecondOrder.CallsNoDiffInLoopHessian(x, 0.6, h), (x, v, hv) => SecondOrder.CallsNoDiffInLoopHessianVectorProduct(x, 0.6, v, hv),
        new[] { 0.3, -0.5, 1.2 }, new[] { 1.0, 2.0, -0.4, 0.7 });

    private static readonly double[] s_trajectoryWeights = { 0.7, -1.3, 0.4, 2.1, -0.6 };

    /// <summary>Trajectory's positions weighted by s_trajectoryWeights, over (q0, u0, k).</summary>
    private static double WeightedTrajectory(double[] p)
    {
        var y = new double[s_trajectoryWeights.Length];
        SecondOrder.Trajectory(p[0], p[1], p[2], y);
        return y.Select((v, i) => v * s_trajectoryWeights[i]).Sum();
    }

    private static readonly HessianCase s_trajectory = new("Trajectory (a recurrence in a local array, copied to the output)", WeightedTrajectory,
        p =>
        {
            var d = new double[3];
            SecondOrder.TrajectoryGradient(p[0], p[1], p[2], new double[5], (double[])s_trajectoryWeights.Clone(), ref d[0], ref d[1], ref d[2]);
            return d;
        },
        (p, h) =>
        {
            SecondOrder.TrajectoryHessian(p[0], p[1], p[2], new double[5], s_trajectoryWeights, h);
            return WeightedTrajectory(p);
        },
        (p, v, hv) =>
        {
            SecondOrder.TrajectoryHessianVectorProduct(p[0], p[1], p[2], new double[5], v[0], v[1], v[2], (double[])s_trajectoryWeights.Clone(),
                ref hv[0], ref hv[1], ref hv[2]);
            return WeightedTrajectory(p);
        },
        new[] { new[] { 0.5, -0.2, 3.0 }, new[] { 2.5, 1.0, 9.8 } });

    private static double WeightedPrefixSums(double[] p)
    {
        var y = new double[p.Length - 1];
        SecondOrder.PrefixSums(Cut(p, 0, p.Length - 1), p[^1], y);
        return y.Select((v, i) => v * s_weights[i]).Sum();
    }

    private static readonly HessianCase s_prefixSums = new("PrefixSums (a running sum in a local array, copied to the output)", WeightedPrefixSums,
        p =>
        {
            var d = new double[p.Length];
            SecondOrder.PrefixSumsGradient(Cut(p, 0, p.Length - 1), p[^1], new double[p.Length - 1], s_weights.Take(p.Length - 1).ToArray(), d.AsSpan(0, p.Length - 1), ref d[^1]);
            return d;
        },
        (p, h) =>
        {
            SecondOrder.PrefixSumsHessian(Cut(p, 0, p.Length - 1), p[^1], new double[p.Length - 1], s_weights.AsSpan(0, p.Length - 1), h);
            return WeightedPrefixSums(p);
        },
        (p, v, hv) =>
        {
            SecondOrder.PrefixSumsHessianVectorProduct(Cut(p, 0, p.Length - 1), p[^1], new double[p.Length - 1], v.AsSpan(0, p.Length - 1), v[^1],
                s_weights.Take(p.Length - 1).ToArray(), hv.AsSpan(0, p.Length - 1), ref hv[^1]);
            return WeightedPrefixSums(p);
        },
        new[] { new[] { 0.3, -0.5, 1.2, 0.8, 1.5 }, new[] { -1.0, 2.0, 0.5 } });

    public static TheoryData<HessianCase> Cases()
    {
        var data = new TheoryData<HessianCase>();
        foreach (var c in s_cases.Append(s_layer).Append(s_twoTypes).Append(s_callsNoDiff).Append(s_callsNoDiffInLoop).Append(s_prefixSums).Append(s_trajectory))
        {
            data.Add(c);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianMatchesCentralDifferencesOfTheGradient(HessianCase c) => HessianTests.CheckAgainstCentralDifferences(c);

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianIsSymmetricAndFinite(HessianCase c) => HessianTests.CheckSymmetricAndFinite(c);

    [Theory]
    [MemberData(nameof(Cases))]
    public void HessianVectorProductIsHessianTimesVector(HessianCase c) => HessianTests.CheckProduct(c);

    // ---- Closed forms ---------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { -1.2, 1, 0.5, 2 })]
    [InlineData(new[] { 0.3, -0.7, 1.1 })]
    public void RosenbrockHessianIsTheClosedForm(double[] x)
    {
        int n = x.Length;
        var h = new double[n * n];
        Assert.Equal(SecondOrder.Rosenbrock(x), SecondOrder.RosenbrockHessian(x, h));
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                if (i == j)
                {
                    expected = (i + 1 < n ? 2 + 1200 * x[i] * x[i] - 400 * x[i + 1] : 0) + (i > 0 ? 200 : 0);
                }
                else if (j == i + 1 || i == j + 1)
                {
                    expected = -400 * x[Math.Min(i, j)];
                }
                Assert.True(Math.Abs(h[i * n + j] - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"H[{i},{j}] = {h[i * n + j]}, expected {expected}");
            }
        }
    }

    /// <summary>q = ½xᵀAx with A symmetric: ∇e^q = e^q·Ax and H = e^q·(Ax(Ax)ᵀ + A).</summary>
    [Fact]
    public void ExpQuadraticHessianIsTheClosedForm()
    {
        double[] x = { 0.3, -0.5, 0.7 }, a = s_symmetric;
        var ax = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 3).Sum(j => a[i * 3 + j] * x[j])).ToArray();
        double e = Math.Exp(0.5 * Enumerable.Range(0, 3).Sum(i => x[i] * ax[i]));
        var h = new double[9];
        SecondOrder.ExpQuadraticHessian(x, a, h);
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(e * (ax[i] * ax[j] + a[i * 3 + j]), h[i * 3 + j], 12);
            }
        }
    }

    /// <summary>Newton's iteration converges to √a, and so do its first and second derivatives: f = b√a.</summary>
    [Theory]
    [InlineData(2.0, 1.5)]
    [InlineData(9.5, -0.5)]
    [InlineData(0.4, 2.0)]
    public void NewtonSqrtHessianIsThatOfBTimesTheSquareRoot(double a, double b)
    {
        var h = new double[4];
        double value = SecondOrder.NewtonSqrtHessian(a, b, h);
        Assert.Equal(b * Math.Sqrt(a), value, 12);
        Assert.Equal(-b / (4 * a * Math.Sqrt(a)), h[0], 10);
        Assert.Equal(1 / (2 * Math.Sqrt(a)), h[1], 12);
        Assert.Equal(1 / (2 * Math.Sqrt(a)), h[2], 12);
        Assert.Equal(0, h[3]);
    }

    /// <summary>
    /// The branches run as C# runs them: 12 / n with n = 0 is never evaluated, nor Math.Sign of a NaN log. With n = 3,
    /// f = 4xy + sign(log x)·y² for x &gt; 0 and 4xy otherwise; with n = 0, x² (+ sign(log x)·y²).
    /// </summary>
    [Theory]
    [InlineData(1.5, 0.4, 3, 0, 4, 2)]
    [InlineData(0.5, -0.7, 3, 0, 4, -2)]
    [InlineData(-0.5, 0.7, 3, 0, 4, 0)]
    [InlineData(1.5, 0.4, 0, 2, 0, 2)]
    [InlineData(-1.5, 0.4, 0, 2, 0, 0)]
    public void GuardedDivisionHessianIsThatOfTheBranchTaken(double x, double y, int n, double hxx, double hxy, double hyy)
    {
        var h = new double[4];
        SecondOrder.GuardedDivisionHessian(x, y, n, h);
        Assert.Equal(new[] { hxx, hxy, hxy, hyy }, h);
    }

    /// <summary>hi &gt; 1: f = x² on [1, hi], hi·x above it and x below it; hi ≤ 1 (Clamp would throw): f = x·hi.</summary>
    [Theory]
    [InlineData(1.5, 3.0, 2, 0, 0)]
    [InlineData(4.0, 3.0, 0, 1, 0)]
    [InlineData(0.5, 3.0, 0, 0, 0)]
    [InlineData(1.5, 0.5, 0, 1, 0)]
    public void ClampInBranchHessianIsThatOfTheSideTaken(double x, double hi, double hxx, double hxh, double hhh)
    {
        var h = new double[4];
        SecondOrder.ClampInBranchHessian(x, hi, h);
        Assert.Equal(new[] { hxx, hxh, hxh, hhh }, h);
    }

    /// <summary>A running vector held in memory and updated in place: f = 4c²·Σ x_j² (see SecondOrder.RunningVector).</summary>
    [Theory]
    [InlineData(new[] { 0.3, -0.5, 1.2 }, 0.8)]
    [InlineData(new[] { -1.0, 2.0 }, -0.5)]
    public void RunningVectorHessianIsTheClosedForm(double[] x, double c)
    {
        int n = x.Length + 1;
        var h = new double[n * n];
        Assert.Equal(SecondOrder.RunningVector(x, c), SecondOrder.RunningVectorHessian(x, c, h));
        var expected = new double[n * n];
        for (int j = 0; j < x.Length; j++)
        {
            expected[j * n + j] = 8 * c * c;
            expected[j * n + x.Length] = expected[x.Length * n + j] = 16 * c * x[j];
        }
        expected[n * n - 1] = 8 * x.Sum(v => v * v);
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));
    }

    /// <summary>f = x²y + sin y with an unread array a between x and y: the rows and columns of a are zero, n = a.Length + 2.</summary>
    [Fact]
    public void UnreadArrayHasZeroRowsInTheHessian()
    {
        double x = 0.7, y = 1.3;
        double[] a = { 5.0, -3.0 };
        var h = new double[16];
        Assert.Equal(x * x * y + Math.Sin(y), SecondOrder.UnreadArrayHessian(x, a, y, h));
        double[] expected =
        {
            2 * y, 0, 0, 2 * x,
            0, 0, 0, 0,
            0, 0, 0, 0,
            2 * x, 0, 0, -Math.Sin(y),
        };
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));
        double hx = 0, hy = 0;
        var ha = new double[] { 0, 0 };
        SecondOrder.UnreadArrayHessianVectorProduct(x, a, y, 1.0, new[] { 2.0, 3.0 }, -0.5, ref hx, ha, ref hy);
        Assert.Equal(2 * y - x, hx, 12);
        Assert.Equal(2 * x + 0.5 * Math.Sin(y), hy, 12);
        Assert.Equal(new[] { 0.0, 0.0 }, ha);
    }

    /// <summary>f = 2x²y where 2x &gt; 1, else 2 sin(x)·y: the call in the condition is evaluated, not differentiated.</summary>
    [Theory]
    [InlineData(1.5, 0.4)]
    [InlineData(0.3, -0.7)]
    public void CallInConditionHessianIsThatOfTheBranchTaken(double x, double y)
    {
        var h = new double[4];
        SecondOrder.CallInConditionHessian(x, y, h);
        double[] expected = 2 * x > 1
            ? new[] { 4 * y, 4 * x, 4 * x, 0 }
            : new[] { -2 * Math.Sin(x) * y, 2 * Math.Cos(x), 2 * Math.Cos(x), 0 };
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));
    }

    /// <summary>
    /// f = Σ sin(xᵢs)·xᵢ with float x in a double method: ∂²/∂xᵢ² = 2s·cos − s²xᵢ·sin, ∂²/∂xᵢ∂s = 2xᵢ·cos − xᵢ²s·sin,
    /// ∂²/∂s² = −Σ xᵢ³·sin (each at xᵢs); the float parameter's products are float (to 1e-6 relative).
    /// </summary>
    [Fact]
    public void MixedFloatAndDoubleParametersHaveTheClosedForm()
    {
        float[] x = { 0.5f, -1.25f, 2f };
        double s = 0.7;
        int n = x.Length + 1;
        var h = new double[n * n];
        Assert.Equal(SecondOrder.MixedTypes(x, s), SecondOrder.MixedTypesHessian(x, s, h));
        double hss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i], sin = Math.Sin(xi * s), cos = Math.Cos(xi * s);
            Assert.Equal(2 * s * cos - s * s * xi * sin, h[i * n + i], 1e-6);
            Assert.Equal(2 * xi * cos - xi * xi * s * sin, h[i * n + x.Length], 1e-6);
            Assert.Equal(h[i * n + x.Length], h[x.Length * n + i]);
            hss -= xi * xi * xi * sin;
        }
        Assert.Equal(hss, h[n * n - 1], 1e-9);
    }

    [Theory]
    [InlineData(new[] { -1.2f, 1f, 0.5f })]
    [InlineData(new[] { 0.3f, -0.7f })]
    public void FloatRosenbrockHessianIsTheClosedForm(float[] x)
    {
        int n = x.Length;
        var h = new float[n * n];
        Assert.Equal(SecondOrder.RosenbrockF(x), SecondOrder.RosenbrockFHessian(x, h));
        var d = x.Select(v => (double)v).ToArray();
        var exact = new double[n * n];
        SecondOrder.RosenbrockHessian(d, exact);
        for (int i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(h[i] - exact[i]) <= 1e-4 * Math.Max(1, Math.Abs(exact[i])), $"H[{i}] = {h[i]}, double {exact[i]}");
        }
        var hv = new float[n];
        SecondOrder.RosenbrockFHessianVectorProduct(x, Enumerable.Repeat(1f, n).ToArray(), hv);
        for (int i = 0; i < n; i++)
        {
            double expected = Enumerable.Range(0, n).Sum(j => exact[i * n + j]);
            Assert.True(Math.Abs(hv[i] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"(Hv)[{i}] = {hv[i]}, double {expected}");
        }
    }

    /// <summary>The second-order pullback writes the outputs' derivatives along v (J·v) where the values were: the tangent's.</summary>
    [Fact]
    public void VectorOutputHessianVectorProductWritesTheTangent()
    {
        double[] x = { 0.3, -0.5, 1.2, 0.8 }, v = { 0.5, -1, 0.25, 2 };
        double c = 1.5, vc = -0.75, hc = 0;
        var jv = new double[4];
        SecondOrder.LayerHessianVectorProduct(x, c, jv, v, vc, s_weights.ToArray(), new double[4], ref hc);
        var tangent = new double[4];
        SecondOrder.LayerTangent(x, c, new double[4], v, vc, tangent);
        Assert.Equal(tangent, jv);
    }

    /// <summary>
    /// f = Σ_{xᵢ &gt; 0} wᵢ·c·xᵢ²: (H·v)_xᵢ = 2wᵢ(c·vᵢ + xᵢ·v_c) and (H·v)_c = Σ 2wᵢxᵢvᵢ over the written elements; J·v is
    /// written into every element of y, 0 into those the method leaves alone (whatever y held), as the tangent does.
    /// </summary>
    [Fact]
    public void VectorOutputHessianVectorProductWritesZeroIntoElementsNotWritten()
    {
        double[] x = { 0.8, -0.5, 1.2, -0.1 }, w = { 0.7, -1.3, 0.4, 2.1 }, v = { 0.5, -1, 0.25, 2 };
        double c = 1.5, vc = -0.75, hc = 0;
        var jv = new[] { 7.0, 7.0, 7.0, 7.0 };
        var hv = new double[4];
        var weights = (double[])w.Clone();
        SecondOrder.PartialLayerHessianVectorProduct(x, c, jv, v, vc, weights, hv, ref hc);
        var tangent = new[] { 7.0, 7.0, 7.0, 7.0 };
        SecondOrder.PartialLayerTangent(x, c, new double[4], v, vc, tangent);
        Assert.Equal(tangent, jv);
        Assert.Equal(new[] { 2 * c * x[0] * v[0] + x[0] * x[0] * vc, 0, 2 * c * x[2] * v[2] + x[2] * x[2] * vc, 0 }, jv, new HessianTests.Tolerance(1e-12));
        Assert.Equal(new[] { 2 * w[0] * (c * v[0] + x[0] * vc), 0, 2 * w[2] * (c * v[2] + x[2] * vc), 0 }, hv, new HessianTests.Tolerance(1e-12));
        Assert.Equal(2 * w[0] * x[0] * v[0] + 2 * w[2] * x[2] * v[2], hc, 12);
        Assert.All(weights, d => Assert.Equal(0, d));

        // Its Hessian (y is scratch) against central differences of the pullback of w.
        var h = new double[25];
        SecondOrder.PartialLayerHessian(x, c, new double[4], w, h);
        double[] Pullback(double[] p)
        {
            var g = new double[5];
            SecondOrder.PartialLayerGradient(p[..4], p[4], new double[4], (double[])w.Clone(), g.AsSpan(0, 4), ref g[4]);
            return g;
        }
        double[] at = x.Append(c).ToArray();
        for (int j = 0; j < 5; j++)
        {
            double[] plus = (double[])at.Clone(), minus = (double[])at.Clone();
            plus[j] += 1e-5;
            minus[j] -= 1e-5;
            double[] gp = Pullback(plus), gm = Pullback(minus);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal((gp[i] - gm[i]) / 2e-5, h[i * 5 + j], 6);
            }
        }
    }

    // ---- Calls to [Differentiable] methods with [NoDiff] parameters ------------------------------

    /// <summary>g(v; k) = k·v³ + sin(kv): g′ and g″ by hand (see <see cref="SecondOrder.Bump"/>).</summary>
    private static (double D1, double D2) Bump(double v, double k) => (3 * k * v * v + k * Math.Cos(k * v), 6 * k * v - k * k * Math.Sin(k * v));

    /// <summary>
    /// f = g(xy; 2c) + g(y; ½): H_xx = g″(xy)·y², H_xy = g″(xy)·xy + g′(xy), H_yy = g″(xy)·x² + g″(y; ½); in double, and
    /// in float (to 1e-4 relative) with H·v against H times v.
    /// </summary>
    [Theory]
    [InlineData(0.7, 1.3, 0.8)]
    [InlineData(-0.4, 0.6, -1.5)]
    [InlineData(1.1, -0.9, 0.25)]
    public void CallToANoDiffCalleeHasTheClosedForm(double x, double y, double c)
    {
        var (g1, g2) = Bump(x * y, 2 * c);
        double[] expected = { g2 * y * y, g2 * x * y + g1, g2 * x * y + g1, g2 * x * x + Bump(y, 0.5).D2 };
        var h = new double[4];
        Assert.Equal(SecondOrder.CallsNoDiff(x, y, c), SecondOrder.CallsNoDiffHessian(x, y, c, h));
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));

        var hf = new float[4];
        Assert.Equal(SecondOrder.CallsNoDiffF((float)x, (float)y, (float)c), SecondOrder.CallsNoDiffFHessian((float)x, (float)y, (float)c, hf));
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(hf[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"float H[{i}] = {hf[i]}, closed form {expected[i]}");
        }
        float hvx = 0, hvy = 0;
        SecondOrder.CallsNoDiffFHessianVectorProduct((float)x, (float)y, (float)c, 0.5f, -2f, ref hvx, ref hvy);
        Assert.Equal(hf[0] * 0.5f - 2f * hf[1], hvx, 1e-4f * Math.Max(1, Math.Abs(hvx)));
        Assert.Equal(hf[2] * 0.5f - 2f * hf[3], hvy, 1e-4f * Math.Max(1, Math.Abs(hvy)));
    }

    /// <summary>Σ g(xᵢ; c·(i + 1)): the Hessian is diagonal with g″(xᵢ; c·(i + 1)).</summary>
    [Fact]
    public void CallToANoDiffCalleeInALoopHasTheClosedForm()
    {
        double[] x = { 0.3, -0.5, 1.2, 0.8 };
        double c = 0.6;
        int n = x.Length;
        var h = new double[n * n];
        Assert.Equal(SecondOrder.CallsNoDiffInLoop(x, c), SecondOrder.CallsNoDiffInLoopHessian(x, c, h));
        var expected = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            expected[i * n + i] = Bump(x[i], c * (i + 1)).D2;
        }
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));
    }

    // ---- Vector outputs of two floating types -----------------------------------------------------

    /// <summary>
    /// F = Σ wyᵢ·c·xᵢ² + wzᵢ·sin(c·xᵢ): ∂²F/∂xᵢ² = 2wyᵢc − wzᵢc²·sin, ∂²F/∂xᵢ∂c = 2wyᵢxᵢ + wzᵢ(cos − c·xᵢ·sin),
    /// ∂²F/∂c² = −Σ wzᵢxᵢ²·sin (at c·xᵢ); the J·v written into y and z is the tangent's; the float-input twin agrees to 1e-5.
    /// </summary>
    [Fact]
    public void OutputsOfTwoTypesHaveTheClosedForm()
    {
        double[] x = { 0.3, -0.5, 1.2 }, wy = s_yWeights;
        float[] wz = s_zWeights;
        double c = 0.8;
        int n = x.Length, m = n + 1;
        var expected = new double[m * m];
        for (int i = 0; i < n; i++)
        {
            double sin = Math.Sin(c * x[i]), cos = Math.Cos(c * x[i]);
            expected[i * m + i] = 2 * wy[i] * c - wz[i] * c * c * sin;
            expected[i * m + n] = expected[n * m + i] = 2 * wy[i] * x[i] + wz[i] * (cos - c * x[i] * sin);
            expected[n * m + n] -= wz[i] * x[i] * x[i] * sin;
        }
        var h = new double[m * m];
        SecondOrder.TwoTypesHessian(x, c, new double[n], new float[n], wy, wz, h);
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));

        var hf = new double[m * m];
        SecondOrder.TwoTypesFHessian(x.Select(v => (float)v).ToArray(), (float)c, new double[n], new float[n], wy, wz, hf);
        Assert.Equal(expected, hf, new HessianTests.Tolerance(1e-5));

        // J·v: y_v = v_c·xᵢ² + 2c·xᵢ·vᵢ, z_v = cos(c·xᵢ)·(v_c·xᵢ + c·vᵢ), as the tangent writes them.
        double[] v = { 0.5, -1, 0.25 };
        double vc = -0.75, hc = 0;
        var y = new double[n];
        var z = new float[n];
        SecondOrder.TwoTypesHessianVectorProduct(x, c, y, z, v, vc, (double[])wy.Clone(), (float[])wz.Clone(), new double[n], ref hc);
        var ty = new double[n];
        var tz = new float[n];
        SecondOrder.TwoTypesTangent(x, c, new double[n], new float[n], v, vc, ty, tz);
        Assert.Equal(ty, y);
        Assert.Equal(tz, z);
        Assert.Equal(x.Select((xi, i) => vc * xi * xi + 2 * c * xi * v[i]).ToArray(), y, new HessianTests.Tolerance(1e-12));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Math.Cos(c * x[i]) * (vc * x[i] + c * v[i]), z[i], 1e-6);
        }
    }

    // ---- Outputs computed by recurrences ------------------------------------------------------------

    /// <summary>
    /// y_i = c·Σ_{j≤i} x_j², weights w: H_jj = 2c·W_j, H_jc = 2x_j·W_j, H_cc = 0 with W_j = Σ_{i≥j} w_i; J·v is the tangent's,
    /// y_v,i = Σ_{j≤i} (v_c·x_j² + 2c·x_j·v_j).
    /// </summary>
    [Fact]
    public void PrefixSumsHaveTheClosedForm()
    {
        double[] x = { 0.3, -0.5, 1.2, 0.8 }, w = s_weights, v = { 0.5, -1, 0.25, 2 };
        double c = 1.5, vc = -0.75, hc = 0;
        int n = x.Length, m = n + 1;
        var expected = new double[m * m];
        for (int j = 0; j < n; j++)
        {
            double tail = w.Skip(j).Sum();
            expected[j * m + j] = 2 * c * tail;
            expected[j * m + n] = expected[n * m + j] = 2 * x[j] * tail;
        }
        var h = new double[m * m];
        SecondOrder.PrefixSumsHessian(x, c, new double[n], w, h);
        Assert.Equal(expected, h, new HessianTests.Tolerance(1e-12));

        var jv = new double[n];
        SecondOrder.PrefixSumsHessianVectorProduct(x, c, jv, v, vc, (double[])w.Clone(), new double[n], ref hc);
        var tangent = new double[n];
        SecondOrder.PrefixSumsTangent(x, c, new double[n], v, vc, tangent);
        Assert.Equal(tangent, jv, new HessianTests.Tolerance(1e-12));
        double running = 0;
        for (int i = 0; i < n; i++)
        {
            running += vc * x[i] * x[i] + 2 * c * x[i] * v[i];
            Assert.Equal(running, jv[i], 12);
        }
    }

    /// <summary>
    /// One step of the trajectory by hand: y_0 = q0 + h·(u0 − h·k·sin q0), so with weight w only on y_0 the Hessian over
    /// (q0, u0, k) is w·(−h²k·(−sin q0), 0, −h²·cos q0; 0, 0, 0; −h²·cos q0, 0, 0).
    /// </summary>
    [Fact]
    public void OneStepOfTheTrajectoryHasTheClosedForm()
    {
        double q0 = 0.5, u0 = -0.2, k = 3.0, step = 0.1, weight = 0.7;
        var h = new double[9];
        SecondOrder.TrajectoryHessian(q0, u0, k, new double[1], new[] { weight }, h);
        double hqq = weight * step * step * k * Math.Sin(q0), hqk = -weight * step * step * Math.Cos(q0);
        Assert.Equal(new[] { hqq, 0, hqk, 0, 0, 0, hqk, 0, 0 }, h, new HessianTests.Tolerance(1e-12));
    }

    // ---- Accumulation, arguments, memory --------------------------------------------------------

    [Fact]
    public void HessianAndProductAccumulate()
    {
        double[] x = { 0.3, -0.7, 1.1 };
        var once = new double[9];
        SecondOrder.RosenbrockHessian(x, once);
        var h = Enumerable.Range(1, 9).Select(i => (double)i).ToArray();
        SecondOrder.RosenbrockHessian(x, h);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => i + once[i - 1]).ToArray(), h, new HessianTests.Tolerance(1e-12));

        var hv = new double[] { 10, 20, 30 };
        SecondOrder.RosenbrockHessianVectorProduct(x, new double[] { 0, 1, 0 }, hv);
        Assert.Equal(new[] { 10 + once[1], 20 + once[4], 30 + once[7] }, hv, new HessianTests.Tolerance(1e-12));
    }

    [Fact]
    public void ArgumentsOfTheWrongLengthAreRejected()
    {
        double[] x = { 0.3, -0.7, 1.1 };
        Assert.Equal("hessian", Assert.Throws<ArgumentException>(() => SecondOrder.RosenbrockHessian(x, new double[8])).ParamName);
        Assert.Equal("vx", Assert.Throws<ArgumentException>(() => SecondOrder.RosenbrockHessianVectorProduct(x, new double[2], new double[3])).ParamName);
        Assert.Equal("hvx", Assert.Throws<ArgumentException>(() => SecondOrder.RosenbrockHessianVectorProduct(x, new double[3], new double[4])).ParamName);
    }

    [Fact]
    public void EmptyArrayHasAnEmptyHessian()
    {
        Assert.Equal(0, SecondOrder.RosenbrockHessian(Array.Empty<double>(), Span<double>.Empty));
        var h = new double[1];
        Assert.Equal(0, SecondOrder.RosenbrockHessian(new[] { 2.0 }, h));   // one element: no term, H = 0
        Assert.Equal(0, h[0]);
    }

    [Fact]
    public void WarmCallsAllocateNothing()
    {
        double[] x = { -1.2, 1, 0.5, 2, 0.3, -0.1 };
        var h = new double[x.Length * x.Length];
        double[] v = { 1, 2, 3, 4, 5, 6 }, hv = new double[6];
        var hr = new double[4];
        double[] twoX = s_inputs[..3], twoY = new double[3], twoH = new double[16], loopH = new double[25];
        float[] twoZ = new float[3];
        double[] prefixY = new double[5], prefixH = new double[36], trajectoryY = new double[5], trajectoryH = new double[9];
        void Run()
        {
            SecondOrder.RosenbrockHessian(x, h);
            SecondOrder.RosenbrockHessianVectorProduct(x, v, hv);
            SecondOrder.RecurrenceHessian(0.7, 1.3, s_inputs, hr);
            SecondOrder.NewtonSqrtHessian(2, 1.5, hr);
            SecondOrder.TwoTypesHessian(twoX, 0.8, twoY, twoZ, s_yWeights, s_zWeights, twoH);
            SecondOrder.CallsNoDiffInLoopHessian(s_inputs, 0.6, loopH);
            SecondOrder.PrefixSumsHessian(s_inputs, 1.5, prefixY, s_inputs, prefixH);
            SecondOrder.TrajectoryHessian(0.5, -0.2, 3, trajectoryY, s_trajectoryWeights, trajectoryH);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
