using System;
using System.IO;
using Xunit;
using Xunit.Abstractions;
using static SymbolicDiff.AdBench.Tests.TestUtil;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// GMM objective and hand gradient vs ADBench golden values (ADBench tolerance: 1e-8 absolute),
/// reference-helper values (no stated tolerance: 1e-8 relative, scaled by max(1,|ref|)), and
/// central finite differences.
/// </summary>
public sealed class GmmTests
{
    private const double GoldenTol = 1e-8;     // ADBench EXPECT_NEAR(expected, actual, 1e-8)
    private const double ReferenceTol = 1e-8;  // relative, per brief (README states none for reference-helper)

    private readonly ITestOutputHelper _out;
    public GmmTests(ITestOutputHelper output) => _out = output;

    private static AdBenchData.GmmInput Load(string rel, bool rep = false) =>
        AdBenchData.ReadGmm(AdBenchData.PathOf("data/" + rel), rep);

    private static double Objective(AdBenchData.GmmInput g) =>
        Gmm.Objective(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X, g.WishartGamma, g.WishartM);

    private static double Gradient(AdBenchData.GmmInput g, out double[] grad)
    {
        grad = new double[g.K + g.K * g.D + g.K * Gmm.IcfSize(g.D)];
        return GmmGradient.ObjectiveAndGradient(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X,
            g.WishartGamma, g.WishartM, grad);
    }

    // ------------------------------------------------------------------ data-free checks

    [Fact]
    public void LogGamma_MatchesKnownValues()
    {
        Assert.Equal(0.0, Gmm.LogGamma(1.0), 15);
        Assert.Equal(0.0, Gmm.LogGamma(2.0), 15);
        Assert.Equal(0.5 * Math.Log(Math.PI), Gmm.LogGamma(0.5), 15);
        Assert.Equal(Math.Log(24.0), Gmm.LogGamma(5.0), 13);
        Assert.Equal(Math.Log(0.75 * Math.Sqrt(Math.PI)), Gmm.LogGamma(2.5), 13);   // Gamma(5/2) = 3/4 sqrt(pi)
        // non-half-integer path (Stirling): Gamma(1/3) = 2.678938534707747...
        Assert.Equal(Math.Log(2.6789385347077476337), Gmm.LogGamma(1.0 / 3.0), 13);
        Assert.Equal(Math.Log(3628800.0), Gmm.LogGamma(11.0), 12);
        // half-integer vs Stirling consistency just off the grid
        Assert.Equal(Gmm.LogGamma(7.5), Gmm.LogGamma(7.5 + 1e-13), 11);
    }

    [Fact]
    public void LogSumExp_UsesMaxTrick()
    {
        var v = new[] { 1000.0, 1000.0 };
        Assert.Equal(1000.0 + Math.Log(2.0), Gmm.LogSumExp(2, v), 12);
    }

    [Fact]
    public void HandGradient_MatchesCentralDifferences_OnSyntheticInstance()
    {
        // d=3, K=2, n=4 synthetic (no data needed), Wishart gamma=1.3, m=2.
        int d = 3, k = 2, n = 4, icfSz = Gmm.IcfSize(d);
        var rng = new Random(12345);
        double[] R(int len, double s) { var a = new double[len]; for (int i = 0; i < len; i++) a[i] = s * (2 * rng.NextDouble() - 1); return a; }
        double[] alphas = R(k, 1), means = R(k * d, 1), icf = R(k * icfSz, 0.5), x = R(n * d, 1.5);
        var grad = new double[k + k * d + k * icfSz];
        double f = GmmGradient.ObjectiveAndGradient(d, k, n, alphas, means, icf, x, 1.3, 2, grad);
        Assert.Equal(Gmm.Objective(d, k, n, alphas, means, icf, x, 1.3, 2), f, 12);
        double[] fd = GmmGradient.CentralDifferences(d, k, n, alphas, means, icf, x, 1.3, 2, 1e-5);
        AssertWithin(_out, "synthetic: max |hand - FD| / max(1,|FD|)", MaxScaledDiff(grad, fd), 1e-7);
    }

    // ------------------------------------------------------------------ golden (ADBench)

    [SkippableFact]
    public void Reader_ParsesTestInstance()
    {
        RequireData(_out);
        var g = Load("gmm/test.txt");
        Assert.Equal((2, 3, 1), (g.D, g.K, g.N));
        Assert.Equal(3, g.Alphas.Length);
        Assert.Equal(6, g.Means.Length);
        Assert.Equal(9, g.Icf.Length);
        Assert.Equal(new[] { 1.175171, 2.029160 }, g.X);
        Assert.Equal(1.0, g.WishartGamma);
        Assert.Equal(0, g.WishartM);
        Assert.False(g.Replicated);
    }

    [SkippableFact]
    public void Reader_ReplicatesTheStoredPoint_In2_5MFiles()
    {
        RequireData(_out);
        var g = Load("gmm/2.5M/gmm_d2_K5.txt", rep: true);
        Assert.Equal((2, 5, 2_500_000, 1), (g.D, g.K, g.N, g.StoredPoints));
        Assert.Equal(2L * 2_500_000, g.X.LongLength);
        Assert.Equal(1.270848, g.X[0]);
        Assert.Equal(0.066009, g.X[1]);
        Assert.Equal(1.270848, g.X[2 * 2_499_999]);
        Assert.Equal(0.066009, g.X[2 * 2_499_999 + 1]);
        Assert.Equal((1.0, 0), (g.WishartGamma, g.WishartM));
    }

    [SkippableFact]
    public void Objective_MatchesGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("gmm");
        Assert.False(golden.GetProperty("replicate_point").GetBoolean());
        var g = Load("gmm/test.txt");
        double f = Objective(g);
        double expected = golden.GetProperty("objective").GetDouble();
        _out.WriteLine($"f = {f:R}, golden = {expected:R}");
        AssertWithin(_out, "gmm test.txt |f - golden|", Math.Abs(f - expected), GoldenTol);
    }

    [SkippableFact]
    public void HandGradient_MatchesGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("gmm");
        var g = Load("gmm/test.txt");
        double f = Gradient(g, out var grad);
        AssertWithin(_out, "gmm test.txt |f_grad - golden|", Math.Abs(f - golden.GetProperty("objective").GetDouble()), GoldenTol);
        double[] expected = AdBenchData.DoubleArray(golden.GetProperty("gradient"));
        AssertWithin(_out, "gmm test.txt max |grad - golden|", MaxAbsDiff(grad, expected), GoldenTol);
    }

    [SkippableFact]
    public void HandGradient_MatchesCentralDifferences_TestInstance()
    {
        RequireData(_out);
        var g = Load("gmm/test.txt");
        Gradient(g, out var grad);
        double[] fd = GmmGradient.CentralDifferences(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X,
            g.WishartGamma, g.WishartM, 1e-5);
        AssertWithin(_out, "gmm test.txt max |hand - FD| / max(1,|FD|)", MaxScaledDiff(grad, fd), 1e-7);
    }

    [SkippableFact]
    public void HandGradient_MatchesCentralDifferences_1k_d2_K5()
    {
        RequireData(_out);
        var g = Load("gmm/1k/gmm_d2_K5.txt");
        Gradient(g, out var grad);
        double[] fd = GmmGradient.CentralDifferences(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X,
            g.WishartGamma, g.WishartM, 1e-5);
        // |f| ~ 5e3, so FD round-off is ~1e-16*5e3/1e-5 ~ 5e-8 absolute.
        AssertWithin(_out, "1k d2 K5 max |hand - FD| / max(1,|FD|)", MaxScaledDiff(grad, fd), 1e-6);
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
        Assert.Equal((tsv.D, tsv.K, tsv.N), (g.D, g.K, g.N));
        var (refF, refGrad) = AdBenchData.ReadReferenceGradient(gradFile);
        Assert.Equal(tsv.NParams, refGrad.Length);

        double f = Objective(g);
        double fg = Gradient(g, out var grad);
        _out.WriteLine($"{rel}: f = {f:R}, tsv = {tsv.Objective:R}, grad-file = {refF:R}");
        AssertWithin(_out, "rel |f - tsv|", RelDiff(f, tsv.Objective), ReferenceTol);
        AssertWithin(_out, "rel |f - grad file objective|", RelDiff(f, refF), ReferenceTol);
        AssertWithin(_out, "rel |f(gradient code) - f|", RelDiff(fg, f), ReferenceTol);
        AssertWithin(_out, "max |grad - ref| / max(1,|ref|)", MaxScaledDiff(grad, refGrad), ReferenceTol);
        AssertWithin(_out, "rel | |grad| - tsv grad_l2norm |", RelDiff(L2(grad), tsv.GradL2Norm), ReferenceTol);
    }

    [SkippableFact]
    public void Replicated_2_5M_d2_K5_MatchesReferenceHelper()
    {
        // ADBench sums n = 2.5M identical per-point terms; the helper multiplied one term by n
        // (README: expect relative differences of roughly 1e-10 or less).
        RequireData(_out);
        const string rel = "gmm/2.5M/gmm_d2_K5.txt";
        var g = Load(rel, rep: true);
        var tsv = AdBenchData.ReadGmmObjectivesTsv()[rel];
        Assert.True(tsv.Replicated);
        double f = Gradient(g, out var grad);
        _out.WriteLine($"{rel}: f = {f:R}, tsv = {tsv.Objective:R}");
        AssertWithin(_out, "rel |f - tsv|", Math.Abs(f - tsv.Objective) / Math.Abs(tsv.Objective), ReferenceTol);
        AssertWithin(_out, "rel | |grad| - tsv grad_l2norm |", Math.Abs(L2(grad) - tsv.GradL2Norm) / tsv.GradL2Norm, ReferenceTol);
    }

    // ------------------------------------------------------------------ locator (no data needed)

    [Fact]
    public void Locator_ReportsMissingOverrideFolder()
    {
        string missing = Path.Combine(Path.GetTempPath(), "symbolicdiff-no-such-adbench-" + Guid.NewGuid().ToString("N"));
        var (dir, reason) = AdBenchData.Locate(missing, AppContext.BaseDirectory);
        _out.WriteLine(reason);
        Assert.Null(dir);
        Assert.Contains(AdBenchData.EnvVar, reason);
    }

    [Fact]
    public void Locator_ReportsRepoWithoutSharedSibling()
    {
        string tmp = Path.Combine(Path.GetTempPath(), "symbolicdiff-locator-" + Guid.NewGuid().ToString("N"));
        string repo = Path.Combine(tmp, "repo");
        string deep = Path.Combine(repo, "tests", "X", "bin", "Debug", "net10.0");
        Directory.CreateDirectory(deep);
        try
        {
            File.WriteAllText(Path.Combine(repo, "SymbolicDiff.sln"), "");
            var (dir, reason) = AdBenchData.LocateFrom(deep);
            _out.WriteLine(reason);
            Assert.Null(dir);
            Assert.Contains("no sibling shared/data/adbench", reason);

            // ...and finds it once the sibling exists.
            string data = Path.Combine(tmp, "shared", "data", "adbench");
            Directory.CreateDirectory(Path.Combine(data, "data"));
            Directory.CreateDirectory(Path.Combine(data, "golden"));
            File.WriteAllText(Path.Combine(data, "golden", "adbench_golden_values.json"), "{}");
            (dir, _) = AdBenchData.LocateFrom(deep);
            Assert.Equal(Path.GetFullPath(data), dir);
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
