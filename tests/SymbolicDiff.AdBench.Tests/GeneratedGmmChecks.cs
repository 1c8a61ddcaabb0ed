using System;
using Xunit;
using Xunit.Abstractions;
using static SymbolicDiff.AdBench.Tests.TestUtil;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// The checks of a generator-differentiated GMM objective (<see cref="GeneratedGmmTests"/>,
/// <see cref="GeneratedGmmNaturalTests"/>): objective and gradient against ADBench's golden values (1e-8 absolute,
/// ADBench's tolerance), the reference-helper values (1e-8 relative, scaled by max(1,|ref|)) and the hand-derived
/// gradient (<see cref="GmmGradient"/>).
/// </summary>
public abstract class GeneratedGmmChecks
{
    private const double GoldenTol = 1e-8;
    private const double ReferenceTol = 1e-8;
    private const double HandTol = 1e-10;   // same formula, different summation order

    private readonly ITestOutputHelper _out;
    protected GeneratedGmmChecks(ITestOutputHelper output) => _out = output;

    /// <summary>The generated objective and gradient into one array (alphas, means, icf).</summary>
    protected abstract double ObjectiveAndGradient(AdBenchData.GmmInput g, double[] grad);

    /// <summary>The [Differentiable] objective itself, called directly.</summary>
    protected abstract double Objective(AdBenchData.GmmInput g);

    /// <summary>The generated gradient, adding into the three adjoint arrays.</summary>
    protected abstract void ObjectiveGradient(AdBenchData.GmmInput g, double[] da, double[] dm, double[] di);

    /// <summary>After two gradient calls the icf adjoint holds twice the first one.</summary>
    protected virtual void AssertAccumulated(double once, double twice, int i) => Assert.Equal(2 * once, twice, 12);

    private static AdBenchData.GmmInput Load(string rel) => AdBenchData.ReadGmm(AdBenchData.PathOf("data/" + rel), false);

    private double Generated(AdBenchData.GmmInput g, out double[] grad)
    {
        grad = new double[g.K + g.K * g.D + g.K * Gmm.IcfSize(g.D)];
        return ObjectiveAndGradient(g, grad);
    }

    private static double Hand(AdBenchData.GmmInput g, out double[] grad)
    {
        grad = new double[g.K + g.K * g.D + g.K * Gmm.IcfSize(g.D)];
        return GmmGradient.ObjectiveAndGradient(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X, g.WishartGamma, g.WishartM, grad);
    }

    private static AdBenchData.GmmInput Synthetic(int d, int k, int n, int seed, double gamma, int m)
    {
        var rng = new Random(seed);
        double[] R(int len, double s) { var a = new double[len]; for (int i = 0; i < len; i++) a[i] = s * (2 * rng.NextDouble() - 1); return a; }
        return new AdBenchData.GmmInput(d, k, n, R(k, 1), R(k * d, 1), R(k * Gmm.IcfSize(d), 0.5), R(n * d, 1.5), n, false, gamma, m);
    }

    // ------------------------------------------------------------------ data-free checks

    [Theory]
    [InlineData(3, 2, 4, 12345, 1.3, 2)]
    [InlineData(1, 1, 3, 7, 1.0, 0)]
    [InlineData(5, 4, 6, 99, 0.7, 3)]
    public void GeneratedMatchesHandGradientAndPlainObjective_Synthetic(int d, int k, int n, int seed, double gamma, int m)
    {
        var g = Synthetic(d, k, n, seed, gamma, m);
        double f = Generated(g, out var grad);
        double plain = Gmm.Objective(d, k, n, g.Alphas, g.Means, g.Icf, g.X, gamma, m);
        AssertWithin(_out, "|f_gen - f_plain| / max(1,|f|)", RelDiff(f, plain), 1e-13);
        AssertWithin(_out, "|f_direct - f_plain| / max(1,|f|)",
            RelDiff(Objective(g), plain), 1e-13);
        Hand(g, out var hand);
        AssertWithin(_out, "max |gen - hand| / max(1,|hand|)", MaxScaledDiff(grad, hand), 1e-12);
        double[] fd = GmmGradient.CentralDifferences(d, k, n, g.Alphas, g.Means, g.Icf, g.X, gamma, m, 1e-5);
        AssertWithin(_out, "max |gen - FD| / max(1,|FD|)", MaxScaledDiff(grad, fd), 1e-7);
    }

    [Fact]
    public void TiedComponents_GiveTheSymmetricGradient()
    {
        // Two identical components: the streaming log-sum-exp meets main == max exactly, where Math.Max must
        // route its adjoint one way; the result must not depend on it.
        var g = Synthetic(2, 2, 3, 5, 1.0, 1);
        Array.Copy(g.Means, 0, g.Means, 2, 2);
        Array.Copy(g.Icf, 0, g.Icf, 3, 3);
        g.Alphas[1] = g.Alphas[0];
        Generated(g, out var grad);
        Hand(g, out var hand);
        AssertWithin(_out, "tie: max |gen - hand| / max(1,|hand|)", MaxScaledDiff(grad, hand), 1e-12);
        Assert.Equal(grad[0], grad[1], 14);
    }

    [Fact]
    public void GradientAccumulatesAndIsAllocationFreeWhenWarm()
    {
        var g = Synthetic(4, 3, 20, 3, 1.0, 0);
        int icfLen = g.K * Gmm.IcfSize(g.D);
        var da = new double[g.K];
        var dm = new double[g.K * g.D];
        var di = new double[icfLen];
        ObjectiveGradient(g, da, dm, di);
        var once = (double[])di.Clone();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ObjectiveGradient(g, da, dm, di);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        for (int i = 0; i < icfLen; i++) AssertAccumulated(once[i], di[i], i);
    }

    /// <summary>
    /// At the shape of ADBench's 10k instance (d = 32, K = 25), where a call holds several buffers of one size at
    /// once, a warm call allocates nothing on its thread while other code on another thread holds arrays of the same
    /// sizes from ArrayPool.Shared, and after a full collection (BenchmarkDotNet collects between iterations). When
    /// the generated code rented from ArrayPool.Shared it allocated here: all but one array of a size are shared
    /// between the threads of the process.
    /// </summary>
    [Fact]
    public void WarmGradientAllocatesNothing_WhileAnotherThreadHoldsPooledArrays_AtTheD32K25Shape()
    {
        var g = Synthetic(32, 25, 300, 17, 1.0, 0);
        var grad = new double[g.K + g.K * g.D + g.K * Gmm.IcfSize(g.D)];
        ObjectiveAndGradient(g, grad);
        ObjectiveAndGradient(g, grad);
        var held = new System.Collections.Generic.List<double[]>();
        var other = new System.Threading.Thread(() =>
        {
            for (int length = 16; length <= 1 << 16; length *= 2)
                for (int i = 0; i < 8; i++)
                    held.Add(System.Buffers.ArrayPool<double>.Shared.Rent(length));
        });
        other.Start();
        other.Join();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetAllocatedBytesForCurrentThread();
        ObjectiveAndGradient(g, grad);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        foreach (var array in held) System.Buffers.ArrayPool<double>.Shared.Return(array);
        Assert.Equal(0, allocated);
    }

    // ------------------------------------------------------------------ golden (ADBench)

    [SkippableFact]
    public void ObjectiveAndGradient_MatchGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("gmm");
        var g = Load("gmm/test.txt");
        double f = Generated(g, out var grad);
        double expected = golden.GetProperty("objective").GetDouble();
        _out.WriteLine($"f = {f:R}, golden = {expected:R}");
        AssertWithin(_out, "gmm test.txt |f_gen - golden|", Math.Abs(f - expected), GoldenTol);
        double[] expectedGrad = AdBenchData.DoubleArray(golden.GetProperty("gradient"));
        AssertWithin(_out, "gmm test.txt max |grad_gen - golden|", MaxAbsDiff(grad, expectedGrad), GoldenTol);
        Hand(g, out var hand);
        AssertWithin(_out, "gmm test.txt max |grad_gen - hand| / max(1,|hand|)", MaxScaledDiff(grad, hand), HandTol);
    }

    // ------------------------------------------------------------------ reference-helper

    [SkippableTheory]
    [InlineData("gmm/1k/gmm_d2_K5.txt", "gmm_1k_gmm_d2_K5_grad.txt")]
    [InlineData("gmm/1k/gmm_d10_K25.txt", "gmm_1k_gmm_d10_K25_grad.txt")]
    public void ObjectiveAndGradient_MatchReferenceHelper(string rel, string gradFile)
    {
        RequireData(_out);
        var g = Load(rel);
        var tsv = AdBenchData.ReadGmmObjectivesTsv()[rel];
        var (refF, refGrad) = AdBenchData.ReadReferenceGradient(gradFile);
        double f = Generated(g, out var grad);
        _out.WriteLine($"{rel}: f_gen = {f:R}, tsv = {tsv.Objective:R}, grad-file = {refF:R}");
        AssertWithin(_out, "rel |f_gen - tsv|", RelDiff(f, tsv.Objective), ReferenceTol);
        AssertWithin(_out, "rel |f_gen - grad file objective|", RelDiff(f, refF), ReferenceTol);
        AssertWithin(_out, "max |grad_gen - ref| / max(1,|ref|)", MaxScaledDiff(grad, refGrad), ReferenceTol);
        AssertWithin(_out, "rel | |grad_gen| - tsv grad_l2norm |", RelDiff(L2(grad), tsv.GradL2Norm), ReferenceTol);
        double fh = Hand(g, out var hand);
        AssertWithin(_out, "rel |f_gen - f_hand|", RelDiff(f, fh), 1e-12);
        AssertWithin(_out, "max |grad_gen - hand| / max(1,|hand|)", MaxScaledDiff(grad, hand), HandTol);
    }
}
