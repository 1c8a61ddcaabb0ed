using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using SymbolicDiff.Tensors;
using MathNetMatrix = MathNet.Numerics.LinearAlgebra.Matrix<float>;

namespace SymbolicDiff.Benchmarks;

/// <summary>
/// The GEMM candidates at the MLP's first layer (64×784×256) and at 256³, float: our packed register-tiled kernel in its
/// three forms, the row-wise <see cref="TensorPrimitives"/> loop it replaced (baseline), and Math.NET Numerics' managed
/// provider (the one managed BLAS served). GFLOP/s = 2·m·k·n / time; one thread.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = Array.Empty<float>(), _b = Array.Empty<float>(), _c = Array.Empty<float>();
    private MathNetMatrix _ma = null!, _mb = null!, _mc = null!;

    [Params("64x784x256", "256x256x256")]
    public string Shape { get; set; } = "";

    private int M, K, N;   // parsed once in Setup, so the timed methods allocate nothing

    [GlobalSetup]
    public void Setup()
    {
        (M, K, N) = (int.Parse(Shape.Split('x')[0]), int.Parse(Shape.Split('x')[1]), int.Parse(Shape.Split('x')[2]));
        var random = new Random(1);
        _a = new float[M * K];
        _b = new float[K * N];
        _c = new float[M * N];
        for (int i = 0; i < _a.Length; i++) _a[i] = (float)random.NextDouble();
        for (int i = 0; i < _b.Length; i++) _b[i] = (float)random.NextDouble();
        MathNet.Numerics.Control.UseManaged();
        MathNet.Numerics.Control.UseSingleThread();
        _ma = MathNetMatrix.Build.Dense(M, K, (i, j) => _a[i * K + j]);
        _mb = MathNetMatrix.Build.Dense(K, N, (i, j) => _b[i * N + j]);
        _mc = MathNetMatrix.Build.Dense(M, N);
    }

    [Benchmark(Baseline = true)]
    public void RowWiseTensorPrimitives()
    {
        int k = K, n = N;
        for (int i = 0; i < M; i++)
        {
            Span<float> ci = _c.AsSpan(i * n, n);
            ci.Clear();
            for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(_b.AsSpan(p * n, n), _a[i * k + p], ci, ci);
        }
    }

    [Benchmark]
    public void GemmNN() => Gemm.NN<float>(_a, _b, _c, M, K, N);

    [Benchmark]
    public void GemmNT() => Gemm.NT<float>(_a, _b, _c, M, K, N);   // B read as n×k

    [Benchmark]
    public void GemmTN() => Gemm.TN<float>(_a, _b, _c, M, K, N);   // A read as k×m

    [Benchmark]
    public void MathNetManaged() => _ma.Multiply(_mb, _mc);
}

/// <summary>The same kernel in double, for the fraction of double peak.</summary>
[MemoryDiagnoser]
public class GemmDoubleBenchmarks
{
    private double[] _a = Array.Empty<double>(), _b = Array.Empty<double>(), _c = Array.Empty<double>();

    [Params("64x784x256", "256x256x256")]
    public string Shape { get; set; } = "";

    private int M, K, N;   // parsed once in Setup, so the timed methods allocate nothing

    [GlobalSetup]
    public void Setup()
    {
        (M, K, N) = (int.Parse(Shape.Split('x')[0]), int.Parse(Shape.Split('x')[1]), int.Parse(Shape.Split('x')[2]));
        var random = new Random(1);
        _a = new double[M * K];
        _b = new double[K * N];
        _c = new double[M * N];
        for (int i = 0; i < _a.Length; i++) _a[i] = random.NextDouble();
        for (int i = 0; i < _b.Length; i++) _b[i] = random.NextDouble();
    }

    [Benchmark(Baseline = true)]
    public void GemmNN() => Gemm.NN<double>(_a, _b, _c, M, K, N);

    [Benchmark]
    public void GemmNT() => Gemm.NT<double>(_a, _b, _c, M, K, N);

    [Benchmark]
    public void GemmTN() => Gemm.TN<double>(_a, _b, _c, M, K, N);
}

/// <summary>
/// <see cref="Gemm.Threads"/> = 2 against one thread, float, at the MLP's two large products: its forward pass X·W1ᵀ
/// (NT, 64×784×256) and its weight gradient δᵀX (TN, m×k×n = 256×64×784), and at 256³ (NN). Each form is its own
/// category with the one-thread kernel as baseline, so the ratio is the speed-up of the split in the same run.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ParallelGemmBenchmarks
{
    private readonly float[] _x = new float[64 * 784], _w = new float[256 * 784], _h = new float[64 * 256], _dW = new float[256 * 784];
    private readonly float[] _a = new float[256 * 256], _b = new float[256 * 256], _c = new float[256 * 256];

    private void Fill()
    {
        var random = new Random(1);
        foreach (var data in new[] { _x, _w, _h, _a, _b })
        {
            for (int i = 0; i < data.Length; i++) data[i] = (float)random.NextDouble();
        }
    }

    // Each benchmark runs in its own process, so the setting belongs to the method it targets.
    [GlobalSetup(Targets = [nameof(ForwardNT_OneThread), nameof(WeightGradientTN_OneThread), nameof(Square256NN_OneThread)])]
    public void OneThread()
    {
        Fill();
        Gemm.Threads = 1;
    }

    [GlobalSetup(Targets = [nameof(ForwardNT_TwoThreads), nameof(WeightGradientTN_TwoThreads), nameof(Square256NN_TwoThreads)])]
    public void TwoThreads()
    {
        Fill();
        Gemm.Threads = 2;
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.Threads = 1;

    [Benchmark(Baseline = true), BenchmarkCategory("64x784x256 NT")]
    public void ForwardNT_OneThread() => Gemm.NT<float>(_x, _w, _h, 64, 784, 256);

    [Benchmark, BenchmarkCategory("64x784x256 NT")]
    public void ForwardNT_TwoThreads() => Gemm.NT<float>(_x, _w, _h, 64, 784, 256);

    [Benchmark(Baseline = true), BenchmarkCategory("256x64x784 TN")]
    public void WeightGradientTN_OneThread() => Gemm.TN<float>(_h, _x, _dW, 256, 64, 784, accumulate: true);

    [Benchmark, BenchmarkCategory("256x64x784 TN")]
    public void WeightGradientTN_TwoThreads() => Gemm.TN<float>(_h, _x, _dW, 256, 64, 784, accumulate: true);

    [Benchmark(Baseline = true), BenchmarkCategory("256x256x256 NN")]
    public void Square256NN_OneThread() => Gemm.NN<float>(_a, _b, _c, 256, 256, 256);

    [Benchmark, BenchmarkCategory("256x256x256 NN")]
    public void Square256NN_TwoThreads() => Gemm.NN<float>(_a, _b, _c, 256, 256, 256);
}
