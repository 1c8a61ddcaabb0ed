using System;
using Xunit;
using Xunit.Abstractions;
using static SymbolicDiff.AdBench.Tests.TestUtil;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// The generator-differentiated BA residuals (<see cref="BundleAdjustmentAd"/>): residuals and the sparse
/// Jacobian assembled from generated 2x15 blocks against ADBench's golden values (1e-8 absolute), the
/// reference-helper blocks (1e-8 relative) and the dual-number Jacobian of <see cref="BundleAdjustment"/>.
/// </summary>
public sealed class GeneratedBundleAdjustmentTests
{
    private const double GoldenTol = 1e-8;
    private const double ReferenceTol = 1e-8;
    private const double DualTol = 1e-12;   // same expression graph, both exact up to round-off

    private readonly ITestOutputHelper _out;
    public GeneratedBundleAdjustmentTests(ITestOutputHelper output) => _out = output;

    private static AdBenchData.BaInput Load(string rel) => AdBenchData.ReadBa(AdBenchData.PathOf("data/" + rel));

    private static readonly double[] SyntheticCam =
        { 0.3, -0.2, 0.1, 1.0, -2.0, 0.5, 400.0, 3.0, -4.0, 0.05, 0.002 };
    private static readonly double[] SyntheticX = { 2.0, 1.0, 9.0 };
    private static readonly double[] SyntheticFeat = { 10.0, -20.0 };

    private static double[] GeneratedBlock(double[] cam, double[] x, double w, double[] feat, double[] err)
    {
        var jac = new double[2 * BundleAdjustmentAd.BlockCols];
        BundleAdjustmentAd.ReprojErrorJacobian(cam, x, new[] { w }, feat, err, jac);
        return jac;
    }

    // ------------------------------------------------------------------ data-free checks

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // r = 0: ADBench's small-angle branch
    public void GeneratedBlock_MatchesDualNumbers_Synthetic(bool zeroRotation)
    {
        var cam = (double[])SyntheticCam.Clone();
        if (zeroRotation) cam[0] = cam[1] = cam[2] = 0.0;
        var err = new double[2];
        double[] jg = GeneratedBlock(cam, SyntheticX, 0.7, SyntheticFeat, err);
        var plain = new double[2];
        BundleAdjustment.ReprojError(cam, SyntheticX, 0.7, SyntheticFeat, plain);
        Assert.Equal(plain, err);
        var jf = new double[30];
        BundleAdjustment.ReprojErrorJacobianForward(cam, SyntheticX, 0.7, SyntheticFeat, jf);
        AssertWithin(_out, "max |J_gen - J_dual| / max(1,|J_dual|)", MaxScaledDiff(jg, jf), DualTol);
        var jd = new double[30];
        BundleAdjustment.ReprojErrorJacobianCentralFd(cam, SyntheticX, 0.7, SyntheticFeat, jd, 1e-6);
        AssertWithin(_out, "max |J_gen - FD| / max(1,|J_gen|)", MaxScaledDiff(jd, jg), 1e-6);
    }

    [Fact]
    public void WeightErrorGradient_IsMinus2w()
    {
        double dw = 0;
        Assert.Equal(1.0 - 0.417022 * 0.417022, BundleAdjustmentAd.WeightErrorGradient(0.417022, ref dw), 15);
        Assert.Equal(-0.834044, dw, 15);
    }

    [Fact]
    public void SparseJacobian_IsAllocationFreeWhenWarm()
    {
        int n = 2, m = 3, p = 5;
        var cams = new double[11 * n];
        for (int i = 0; i < n; i++) Array.Copy(SyntheticCam, 0, cams, 11 * i, 11);
        var xs = new double[3 * m];
        for (int i = 0; i < m; i++) Array.Copy(SyntheticX, 0, xs, 3 * i, 3);
        var w = new double[p];
        var feats = new double[2 * p];
        var obs = new int[2 * p];
        for (int i = 0; i < p; i++) { w[i] = 0.5 + 0.1 * i; feats[2 * i] = 10; feats[2 * i + 1] = -20; obs[2 * i] = i % n; obs[2 * i + 1] = i % m; }
        var rows = new int[3 * p + 1];
        var cols = new int[BundleAdjustmentAd.NonZeros(p)];
        var vals = new double[BundleAdjustmentAd.NonZeros(p)];
        var reproj = new double[2 * p];
        var werr = new double[p];
        BundleAdjustmentAd.SparseJacobian(n, m, p, cams, xs, w, obs, feats, rows, cols, vals, reproj, werr);
        long before = GC.GetAllocatedBytesForCurrentThread();
        BundleAdjustmentAd.SparseJacobian(n, m, p, cams, xs, w, obs, feats, rows, cols, vals, reproj, werr);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var (fr, fc, fv) = BundleAdjustment.SparseJacobianForward(n, m, p, cams, xs, w, obs, feats);
        Assert.Equal(fr, rows);
        Assert.Equal(fc, cols);
        AssertWithin(_out, "synthetic sparse max |J_gen - J_dual| / max(1,|J_dual|)", MaxScaledDiff(vals, fv), DualTol);
    }

    // ------------------------------------------------------------------ golden (ADBench)

    [SkippableFact]
    public void ResidualsAndSparseJacobian_MatchGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("ba");
        var b = Load("ba/test.txt");
        int nnz = BundleAdjustmentAd.NonZeros(b.P);
        var rows = new int[3 * b.P + 1];
        var cols = new int[nnz];
        var vals = new double[nnz];
        var reproj = new double[2 * b.P];
        var werr = new double[b.P];
        BundleAdjustmentAd.SparseJacobian(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats, rows, cols, vals, reproj, werr);

        double[] pair = AdBenchData.DoubleArray(golden.GetProperty("reproj_err_pair_repeated_for_each_observation"));
        double gw = golden.GetProperty("w_err_each_observation").GetDouble();
        double maxR = 0, maxW = 0;
        for (int i = 0; i < b.P; i++)
        {
            maxR = Math.Max(maxR, Math.Max(Math.Abs(reproj[2 * i] - pair[0]), Math.Abs(reproj[2 * i + 1] - pair[1])));
            maxW = Math.Max(maxW, Math.Abs(werr[i] - gw));
        }
        AssertWithin(_out, "ba test.txt max |reproj_err_gen - golden|", maxR, GoldenTol);
        AssertWithin(_out, "ba test.txt max |w_err_gen - golden|", maxW, GoldenTol);

        Assert.Equal(golden.GetProperty("J_rows_size").GetInt32(), rows.Length);
        Assert.Equal(golden.GetProperty("J_nnz").GetInt32(), vals.Length);
        var (fr, fc, _) = BundleAdjustment.SparseJacobianForward(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats);
        Assert.Equal(fr, rows);
        Assert.Equal(fc, cols);
        double[] expected = AdBenchData.DoubleArray(golden.GetProperty("J_vals_csr_order"));
        AssertWithin(_out, $"ba test.txt max |J_gen - golden| ({nnz} nnz)", MaxAbsDiff(vals, expected), GoldenTol);

        // the plain (undifferentiated) call of the [Differentiable] methods gives the same residuals
        var reproj2 = new double[2 * b.P];
        var werr2 = new double[b.P];
        BundleAdjustmentAd.Objective(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats, reproj2, werr2);
        Assert.Equal(reproj, reproj2);
        Assert.Equal(werr, werr2);
    }

    // ------------------------------------------------------------------ reference-helper

    [SkippableTheory]
    [InlineData("ba/test.txt")]
    [InlineData("ba/ba1_n49_m7776_p31843.txt")]
    [InlineData("ba/ba2_n21_m11315_p36455.txt")]
    public void SparseJacobian_MatchesReferenceHelperAndDualNumbers(string rel)
    {
        RequireData(_out);
        var reference = AdBenchData.ReadBaBlocksTsv()[rel];
        var b = Load(rel);
        int nnz = BundleAdjustmentAd.NonZeros(b.P);
        var rows = new int[3 * b.P + 1];
        var cols = new int[nnz];
        var vals = new double[nnz];
        var reproj = new double[2 * b.P];
        var werr = new double[b.P];
        BundleAdjustmentAd.SparseJacobian(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats, rows, cols, vals, reproj, werr);

        // every observation has the same block (replicated data): check all of them against the helper's block
        double maxR = 0, maxW = 0, maxJ = 0, maxDw = 0;
        for (int i = 0; i < b.P; i++)
        {
            maxR = Math.Max(maxR, Math.Max(RelDiff(reproj[2 * i], reference.Err0), RelDiff(reproj[2 * i + 1], reference.Err1)));
            maxW = Math.Max(maxW, RelDiff(werr[i], reference.WErr));
            for (int j = 0; j < BundleAdjustmentAd.BlockCols; j++)
            {
                maxJ = Math.Max(maxJ, RelDiff(vals[30 * i + j], reference.JRow0[j]));
                maxJ = Math.Max(maxJ, RelDiff(vals[30 * i + 15 + j], reference.JRow1[j]));
            }
            maxDw = Math.Max(maxDw, Math.Abs(vals[30 * b.P + i] - reference.DWErrDw));
        }
        AssertWithin(_out, $"{rel} max rel |reproj_err_gen - ref| over {b.P} obs", maxR, ReferenceTol);
        AssertWithin(_out, $"{rel} max rel |w_err_gen - ref|", maxW, ReferenceTol);
        AssertWithin(_out, $"{rel} max |J_gen - ref| / max(1,|ref|) over {nnz} nnz", maxJ, ReferenceTol);
        AssertWithin(_out, $"{rel} max |dwerr/dw_gen - ref|", maxDw, ReferenceTol);

        var (fr, fc, fv) = BundleAdjustment.SparseJacobianForward(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats);
        Assert.Equal(fr, rows);
        Assert.Equal(fc, cols);
        AssertWithin(_out, $"{rel} max |J_gen - J_dual| / max(1,|J_dual|)", MaxScaledDiff(vals, fv), DualTol);
    }
}
