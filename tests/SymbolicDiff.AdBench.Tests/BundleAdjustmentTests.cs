using System;
using Xunit;
using Xunit.Abstractions;
using static SymbolicDiff.AdBench.Tests.TestUtil;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// BA residuals and reference Jacobians vs ADBench golden values (1e-8 absolute, as ADBench's Manual
/// module tests; 1e-6 as ADBench allows its Finite module for the finite-difference Jacobian) and the
/// reference-helper blocks (1e-8 relative, scaled by max(1,|ref|)).
/// </summary>
public sealed class BundleAdjustmentTests
{
    private const double GoldenTol = 1e-8;
    private const double ReferenceTol = 1e-8;
    private const double FdTol = 1e-6;

    private readonly ITestOutputHelper _out;
    public BundleAdjustmentTests(ITestOutputHelper output) => _out = output;

    private static AdBenchData.BaInput Load(string rel) => AdBenchData.ReadBa(AdBenchData.PathOf("data/" + rel));

    private static void Block(AdBenchData.BaInput b, int obs, out double[] cam, out double[] x, out double w, out double[] feat)
    {
        cam = new double[BundleAdjustment.CamParams];
        Array.Copy(b.Cams, b.Obs[2 * obs] * BundleAdjustment.CamParams, cam, 0, BundleAdjustment.CamParams);
        x = new double[3];
        Array.Copy(b.X, b.Obs[2 * obs + 1] * 3, x, 0, 3);
        w = b.W[obs];
        feat = new[] { b.Feats[2 * obs], b.Feats[2 * obs + 1] };
    }

    // ------------------------------------------------------------------ data-free checks

    private static readonly double[] SyntheticCam =
        { 0.3, -0.2, 0.1, 1.0, -2.0, 0.5, 400.0, 3.0, -4.0, 0.05, 0.002 };
    private static readonly double[] SyntheticX = { 2.0, 1.0, 9.0 };
    private static readonly double[] SyntheticFeat = { 10.0, -20.0 };

    [Fact]
    public void ForwardJacobian_MatchesCentralDifferences_Synthetic()
    {
        var jf = new double[30];
        var jd = new double[30];
        BundleAdjustment.ReprojErrorJacobianForward(SyntheticCam, SyntheticX, 0.7, SyntheticFeat, jf);
        BundleAdjustment.ReprojErrorJacobianCentralFd(SyntheticCam, SyntheticX, 0.7, SyntheticFeat, jd, 1e-6);
        AssertWithin(_out, "synthetic max |fwd - FD| / max(1,|fwd|)", MaxScaledDiff(jd, jf), FdTol);
    }

    [Fact]
    public void SmallAngleBranch_IsFirstOrderConsistent()
    {
        // At r = 0 ADBench takes Xcam = Xo + r x Xo; its value and first derivatives equal the exact
        // Rodrigues rotation's, so the forward-mode Jacobian at r = 0 matches finite differences whose
        // probes r = +-h land in the general branch.
        var cam = (double[])SyntheticCam.Clone();
        cam[0] = cam[1] = cam[2] = 0.0;
        var e0 = new double[2];
        BundleAdjustment.ReprojError(cam, SyntheticX, 0.7, SyntheticFeat, e0);
        var camTiny = (double[])cam.Clone();
        camTiny[0] = 1e-9;
        var e1 = new double[2];
        BundleAdjustment.ReprojError(camTiny, SyntheticX, 0.7, SyntheticFeat, e1);
        Assert.True(Math.Abs(e0[0] - e1[0]) < 1e-4 && Math.Abs(e0[1] - e1[1]) < 1e-4);

        var jf = new double[30];
        var jd = new double[30];
        BundleAdjustment.ReprojErrorJacobianForward(cam, SyntheticX, 0.7, SyntheticFeat, jf);
        BundleAdjustment.ReprojErrorJacobianCentralFd(cam, SyntheticX, 0.7, SyntheticFeat, jd, 1e-6);
        AssertWithin(_out, "r=0 max |fwd - FD| / max(1,|fwd|)", MaxScaledDiff(jd, jf), FdTol);
    }

    [Fact]
    public void WeightError_AndDerivative()
    {
        Assert.Equal(1.0 - 0.417022 * 0.417022, BundleAdjustment.WeightError(0.417022), 15);
        Assert.Equal(-0.834044, BundleAdjustment.WeightErrorDerivative(0.417022), 15);
    }

    // ------------------------------------------------------------------ golden (ADBench)

    [SkippableFact]
    public void Reader_ReplicatesAsAdBench()
    {
        RequireData(_out);
        var b = Load("ba/test.txt");
        Assert.Equal((2, 10, 10), (b.N, b.M, b.P));
        Assert.Equal(22, b.Cams.Length);
        Assert.Equal(30, b.X.Length);
        Assert.Equal(b.Cams[0], b.Cams[11]);
        Assert.Equal(1.797201, b.Cams[0]);
        Assert.Equal(-0.635786, b.Cams[13]);
        for (int i = 0; i < b.P; i++)
        {
            Assert.Equal(i % b.N, b.Obs[2 * i]);
            Assert.Equal(i % b.M, b.Obs[2 * i + 1]);
            Assert.Equal(0.417022, b.W[i]);
            Assert.Equal(-525.672849, b.Feats[2 * i]);
            Assert.Equal(161.811929, b.Feats[2 * i + 1]);
        }
    }

    [SkippableFact]
    public void Residuals_MatchGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("ba");
        var b = Load("ba/test.txt");
        Assert.Equal((golden.GetProperty("n").GetInt32(), golden.GetProperty("m").GetInt32(), golden.GetProperty("p").GetInt32()),
            (b.N, b.M, b.P));
        var reproj = new double[2 * b.P];
        var werr = new double[b.P];
        BundleAdjustment.Objective(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats, reproj, werr);
        double[] pair = AdBenchData.DoubleArray(golden.GetProperty("reproj_err_pair_repeated_for_each_observation"));
        double gw = golden.GetProperty("w_err_each_observation").GetDouble();
        double maxR = 0, maxW = 0;
        for (int i = 0; i < b.P; i++)
        {
            maxR = Math.Max(maxR, Math.Max(Math.Abs(reproj[2 * i] - pair[0]), Math.Abs(reproj[2 * i + 1] - pair[1])));
            maxW = Math.Max(maxW, Math.Abs(werr[i] - gw));
        }
        AssertWithin(_out, "ba test.txt max |reproj_err - golden|", maxR, GoldenTol);
        AssertWithin(_out, "ba test.txt max |w_err - golden|", maxW, GoldenTol);
    }

    [SkippableFact]
    public void SparseForwardJacobian_MatchesGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("ba");
        var b = Load("ba/test.txt");
        var (rows, cols, vals) = BundleAdjustment.SparseJacobianForward(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats);
        Assert.Equal(golden.GetProperty("J_rows_size").GetInt32(), rows.Length);
        Assert.Equal(golden.GetProperty("J_nrows").GetInt32(), rows.Length - 1);
        Assert.Equal(golden.GetProperty("J_nnz").GetInt32(), vals.Length);
        int ncols = golden.GetProperty("J_ncols").GetInt32();
        Assert.Equal(BundleAdjustment.CamParams * b.N + 3 * b.M + b.P, ncols);
        foreach (int c in cols) Assert.InRange(c, 0, ncols - 1);
        double[] expected = AdBenchData.DoubleArray(golden.GetProperty("J_vals_csr_order"));
        AssertWithin(_out, "ba test.txt max |J_fwd - golden| (310 nnz)", MaxAbsDiff(vals, expected), GoldenTol);
    }

    [SkippableFact]
    public void CentralFdJacobian_MatchesGolden_TestInstance()
    {
        RequireData(_out);
        var golden = AdBenchData.Golden.GetProperty("ba");
        var b = Load("ba/test.txt");
        double[] expected = AdBenchData.DoubleArray(golden.GetProperty("J_vals_csr_order"));
        Block(b, 0, out var cam, out var x, out double w, out var feat);
        var jd = new double[30];
        BundleAdjustment.ReprojErrorJacobianCentralFd(cam, x, w, feat, jd, 1e-6);
        var first = new double[30];
        Array.Copy(expected, first, 30);
        AssertWithin(_out, "ba test.txt block 0 max |J_fd - golden| / max(1,|golden|)", MaxScaledDiff(jd, first), FdTol);
    }

    // ------------------------------------------------------------------ reference-helper

    [SkippableTheory]
    [InlineData("ba/test.txt")]
    [InlineData("ba/ba1_n49_m7776_p31843.txt")]
    [InlineData("ba/ba2_n21_m11315_p36455.txt")]
    public void ResidualsAndBlock_MatchReferenceHelper(string rel)
    {
        RequireData(_out);
        var reference = AdBenchData.ReadBaBlocksTsv()[rel];
        var b = Load(rel);
        Assert.Equal((reference.N, reference.M, reference.P), (b.N, b.M, b.P));

        // every observation has the same residuals (replicated data); check them all
        var reproj = new double[2 * b.P];
        var werr = new double[b.P];
        BundleAdjustment.Objective(b.N, b.M, b.P, b.Cams, b.X, b.W, b.Obs, b.Feats, reproj, werr);
        double maxR = 0, maxW = 0;
        for (int i = 0; i < b.P; i++)
        {
            maxR = Math.Max(maxR, Math.Max(RelDiff(reproj[2 * i], reference.Err0), RelDiff(reproj[2 * i + 1], reference.Err1)));
            maxW = Math.Max(maxW, RelDiff(werr[i], reference.WErr));
        }
        AssertWithin(_out, $"{rel} max rel |reproj_err - ref| over {b.P} obs", maxR, ReferenceTol);
        AssertWithin(_out, $"{rel} max rel |w_err - ref|", maxW, ReferenceTol);

        Block(b, b.P - 1, out var cam, out var x, out double w, out var feat);
        var jf = new double[30];
        BundleAdjustment.ReprojErrorJacobianForward(cam, x, w, feat, jf);
        var refBlock = new double[30];
        Array.Copy(reference.JRow0, 0, refBlock, 0, 15);
        Array.Copy(reference.JRow1, 0, refBlock, 15, 15);
        AssertWithin(_out, $"{rel} max |J_fwd - ref| / max(1,|ref|)", MaxScaledDiff(jf, refBlock), ReferenceTol);
        AssertWithin(_out, $"{rel} |dwerr/dw - ref|", Math.Abs(BundleAdjustment.WeightErrorDerivative(w) - reference.DWErrDw), ReferenceTol);

        var jd = new double[30];
        BundleAdjustment.ReprojErrorJacobianCentralFd(cam, x, w, feat, jd, 1e-6);
        AssertWithin(_out, $"{rel} max |J_fd - ref| / max(1,|ref|)", MaxScaledDiff(jd, refBlock), FdTol);
    }
}
