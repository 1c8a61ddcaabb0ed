using System;
using BenchmarkDotNet.Attributes;
using SymbolicDiff.AdBench.Tests;

namespace SymbolicDiff.Benchmarks;

/// <summary>Shared data lookup: the ADBench files live outside the repository (see AdBenchData).</summary>
internal static class AdBenchFiles
{
    public static string Path(string relative)
    {
        if (!AdBenchData.Available)
            throw new InvalidOperationException(AdBenchData.SkipMessage);
        return AdBenchData.PathOf("data/" + relative);
    }
}

/// <summary>
/// ADBench GMM: the objective as the generator sees it (<see cref="GmmAd.Objective"/>, the baseline), its
/// generated full gradient (alphas, means, icf), the hand-derived reverse-mode gradient and ADBench's plain
/// objective with scratch arrays (<see cref="Gmm.Objective(int,int,int,double[],double[],double[],double[],double,int,double[],double[],double[])"/>).
/// NaturalObjective and NaturalGeneratedGradient are the same objective written in ADBench's style with local arrays.
/// The Ratio column of GeneratedGradient is ADBench's J/f. Sizes: a subset of the data README's 1k and 10k
/// instances (n points, d dimensions, K components) that runs in seconds per benchmark.
/// </summary>
[MemoryDiagnoser]
public class AdBenchGmmBenchmarks
{
    [Params("1k/gmm_d2_K5", "1k/gmm_d10_K25", "1k/gmm_d20_K50", "10k/gmm_d32_K25")]
    public string Instance { get; set; } = "";

    private AdBenchData.GmmInput _g = null!;
    private double[] _grad = Array.Empty<double>();
    private double[] _xc = Array.Empty<double>(), _qxc = Array.Empty<double>(), _main = Array.Empty<double>();

    [GlobalSetup]
    public void Setup()
    {
        _g = AdBenchData.ReadGmm(AdBenchFiles.Path("gmm/" + Instance + ".txt"), replicatePoint: false);
        _grad = new double[_g.K + _g.K * _g.D + _g.K * Gmm.IcfSize(_g.D)];
        _xc = new double[_g.D];
        _qxc = new double[_g.D];
        _main = new double[_g.K];
    }

    [Benchmark(Baseline = true)]
    public double Objective() =>
        GmmAd.Objective(_g.Alphas, _g.Means, _g.Icf, _g.X, _g.D, _g.K, _g.N, _g.WishartGamma, _g.WishartM);

    [Benchmark]
    public double GeneratedGradient() =>
        GmmAd.ObjectiveAndGradient(_g.D, _g.K, _g.N, _g.Alphas, _g.Means, _g.Icf, _g.X, _g.WishartGamma, _g.WishartM, _grad);

    /// <summary>The objective in ADBench's own style with local arrays (<see cref="GmmAdNatural"/>), as the generator sees it.</summary>
    [Benchmark]
    public double NaturalObjective() =>
        GmmAdNatural.Objective(_g.Alphas, _g.Means, _g.Icf, _g.X, _g.D, _g.K, _g.N, _g.WishartGamma, _g.WishartM);

    [Benchmark]
    public double NaturalGeneratedGradient() =>
        GmmAdNatural.ObjectiveAndGradient(_g.D, _g.K, _g.N, _g.Alphas, _g.Means, _g.Icf, _g.X, _g.WishartGamma, _g.WishartM, _grad);

    [Benchmark]
    public double HandGradient() =>
        GmmGradient.ObjectiveAndGradient(_g.D, _g.K, _g.N, _g.Alphas, _g.Means, _g.Icf, _g.X, _g.WishartGamma, _g.WishartM, _grad);

    [Benchmark]
    public double PlainObjectiveWithScratch() =>
        Gmm.Objective(_g.D, _g.K, _g.N, _g.Alphas, _g.Means, _g.Icf, _g.X, _g.WishartGamma, _g.WishartM, _xc, _qxc, _main);
}

/// <summary>
/// ADBench bundle adjustment: all residuals (reprojection error per observation and weight error, the
/// baseline) against the full sparse Jacobian in ADBench's CSR layout assembled from the generated 2x15 block
/// per observation (<see cref="BundleAdjustmentAd.SparseJacobian"/>), and the dual-number forward-mode
/// Jacobian (<see cref="BundleAdjustment.SparseJacobianForward"/>, which allocates its CSR arrays and 15 dual
/// sweeps per observation). The Ratio column of GeneratedJacobian is ADBench's J/f. Sizes: ba1 and ba5 of
/// the data README's ba1..ba20 (p = 31,843 and 225,911 observations).
/// </summary>
[MemoryDiagnoser]
public class AdBenchBaBenchmarks
{
    [Params("ba1_n49_m7776_p31843", "ba5_n257_m65132_p225911")]
    public string Instance { get; set; } = "";

    private AdBenchData.BaInput _b = null!;
    private double[] _reproj = Array.Empty<double>(), _werr = Array.Empty<double>(), _vals = Array.Empty<double>();
    private int[] _rows = Array.Empty<int>(), _cols = Array.Empty<int>();

    [GlobalSetup]
    public void Setup()
    {
        _b = AdBenchData.ReadBa(AdBenchFiles.Path("ba/" + Instance + ".txt"));
        _reproj = new double[2 * _b.P];
        _werr = new double[_b.P];
        _rows = new int[3 * _b.P + 1];
        _cols = new int[BundleAdjustmentAd.NonZeros(_b.P)];
        _vals = new double[BundleAdjustmentAd.NonZeros(_b.P)];
    }

    [Benchmark(Baseline = true)]
    public double Objective()
    {
        BundleAdjustmentAd.Objective(_b.N, _b.M, _b.P, _b.Cams, _b.X, _b.W, _b.Obs, _b.Feats, _reproj, _werr);
        return _reproj[0];
    }

    [Benchmark]
    public double GeneratedJacobian()
    {
        BundleAdjustmentAd.SparseJacobian(_b.N, _b.M, _b.P, _b.Cams, _b.X, _b.W, _b.Obs, _b.Feats,
            _rows, _cols, _vals, _reproj, _werr);
        return _vals[0];
    }

    [Benchmark]
    public double DualNumberJacobian()
    {
        var (_, _, vals) = BundleAdjustment.SparseJacobianForward(_b.N, _b.M, _b.P, _b.Cams, _b.X, _b.W, _b.Obs, _b.Feats);
        return vals[0];
    }
}
