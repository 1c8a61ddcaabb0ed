using System;
using BenchmarkDotNet.Attributes;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Benchmarks;

public static partial class Objectives
{
    /// <summary>A Huber loss of a residual plus a term whose branch guards a logarithm: second order through branches.</summary>
    [Differentiable(Hessian = true)]
    public static double RobustFit(double x, double y, double z)
    {
        double r = x * y - z;
        double loss;
        if (Math.Abs(r) < 1)
        {
            loss = 0.5 * r * r;
        }
        else
        {
            loss = Math.Abs(r) - 0.5;
        }
        return loss + (x > 0 ? Math.Log(1 + x) * y : Math.Exp(x) * z);
    }
}

/// <summary>
/// The Hessian of a method with branches over 1024 points: the function alone (baseline), the generated Hessian,
/// the generated Hessian-vector product, and the Hessian by central differences of the generated gradient
/// (2n = 6 gradient calls, what one writes without second order). Nothing may allocate.
/// </summary>
[MemoryDiagnoser]
public class HessianBenchmarks
{
    private const int Count = 1024;
    private readonly double[] _x = new double[Count];
    private readonly double[] _y = new double[Count];
    private readonly double[] _z = new double[Count];
    private readonly double[] _h = new double[9];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Count; i++)
        {
            _x[i] = random.NextDouble() * 4 - 2;
            _y[i] = random.NextDouble() * 4 - 2;
            _z[i] = random.NextDouble() * 4 - 2;
        }
    }

    [Benchmark(Baseline = true)]
    public double Function()
    {
        double sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.RobustFit(_x[i], _y[i], _z[i]);
        }
        return sum;
    }

    [Benchmark]
    public double GeneratedHessian()
    {
        Span<double> h = _h;
        h.Clear();
        double sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.RobustFitHessian(_x[i], _y[i], _z[i], h);
        }
        return sum + h[0] + h[4] + h[8];
    }

    [Benchmark]
    public double GeneratedHessianVectorProduct()
    {
        double hx = 0, hy = 0, hz = 0, sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.RobustFitHessianVectorProduct(_x[i], _y[i], _z[i], 0.5, -1, 2, ref hx, ref hy, ref hz);
        }
        return sum + hx + hy + hz;
    }

    [Benchmark]
    public double CentralDifferencesOfTheGradient()
    {
        Span<double> h = _h;
        h.Clear();
        Span<double> p = stackalloc double[3];
        Span<double> plus = stackalloc double[3];
        Span<double> minus = stackalloc double[3];
        double sum = 0;
        for (int i = 0; i < Count; i++)
        {
            p[0] = _x[i];
            p[1] = _y[i];
            p[2] = _z[i];
            for (int j = 0; j < 3; j++)
            {
                double step = 1e-5 * Math.Max(1, Math.Abs(p[j]));
                double saved = p[j];
                p[j] = saved + step;
                plus.Clear();
                sum += Objectives.RobustFitGradient(p[0], p[1], p[2], ref plus[0], ref plus[1], ref plus[2]);
                p[j] = saved - step;
                minus.Clear();
                Objectives.RobustFitGradient(p[0], p[1], p[2], ref minus[0], ref minus[1], ref minus[2]);
                p[j] = saved;
                for (int k = 0; k < 3; k++)
                {
                    h[k * 3 + j] += (plus[k] - minus[k]) / (2 * step);
                }
            }
        }
        return sum + h[0] + h[4] + h[8];
    }
}

public static partial class Objectives
{
    /// <summary>A chain energy over an array in a loop (second order through a loop and an array parameter).</summary>
    [Differentiable(Hessian = true)]
    public static double ChainEnergy(double[] x, double k)
    {
        double sum = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double d = x[i + 1] - x[i];
            sum += k * Math.Exp(d) - d;
        }
        return sum;
    }

    /// <summary>A tanh recurrence over 100 inputs with two scalar weights: a loop whose carried state needs a reversed pass.</summary>
    [Differentiable(Hessian = true)]
    public static double RecurrenceLoss(double w, double u, [NoDiff] double[] inputs)
    {
        double h = 0;
        foreach (double input in inputs)
        {
            h = Math.Tanh(w * h + u * input);
        }
        return h * h;
    }
}

/// <summary>
/// Second order through loops: a 100-element chain energy (the function alone as baseline, its gradient, H·v, the
/// full 101×101 Hessian = 101 H·v calls) and a 100-step tanh recurrence (function, H·v, 2×2 Hessian). Nothing may allocate.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LoopHessianBenchmarks
{
    private const int Length = 100;
    private readonly double[] _x = new double[Length];
    private readonly double[] _v = new double[Length];
    private readonly double[] _hv = new double[Length];
    private readonly double[] _dx = new double[Length];
    private readonly double[] _h = new double[(Length + 1) * (Length + 1)];
    private readonly double[] _inputs = new double[Length];
    private readonly double[] _h2 = new double[4];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Length; i++)
        {
            _x[i] = random.NextDouble() - 0.5;
            _v[i] = random.NextDouble() - 0.5;
            _inputs[i] = random.NextDouble() * 2 - 1;
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Chain")]
    public double ChainFunction() => Objectives.ChainEnergy(_x, 1.5);

    [Benchmark]
    [BenchmarkCategory("Chain")]
    public double ChainGradient()
    {
        double dk = 0;
        return Objectives.ChainEnergyGradient(_x, 1.5, _dx, ref dk);
    }

    [Benchmark]
    [BenchmarkCategory("Chain")]
    public double ChainHessianVectorProduct()
    {
        double hk = 0;
        return Objectives.ChainEnergyHessianVectorProduct(_x, 1.5, _v, 0.25, _hv, ref hk);
    }

    [Benchmark]
    [BenchmarkCategory("Chain")]
    public double ChainHessian() => Objectives.ChainEnergyHessian(_x, 1.5, _h);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Recurrence")]
    public double RecurrenceFunction() => Objectives.RecurrenceLoss(0.7, 1.3, _inputs);

    [Benchmark]
    [BenchmarkCategory("Recurrence")]
    public double RecurrenceHessianVectorProduct()
    {
        double hw = 0, hu = 0;
        return Objectives.RecurrenceLossHessianVectorProduct(0.7, 1.3, _inputs, 0.5, -0.25, ref hw, ref hu);
    }

    [Benchmark]
    [BenchmarkCategory("Recurrence")]
    public double RecurrenceHessian() => Objectives.RecurrenceLossHessian(0.7, 1.3, _inputs, _h2);
}

public static partial class Objectives
{
    /// <summary>The WindowNer sample's per-window loss (samples/WindowNer/WindowModel.cs) with Hessian = true.</summary>
    [Differentiable(Hessian = true)]
    public static float WindowLoss(Mat<float> E, Mat<float> W, Vec<float> b, Mat<float> U, Vec<float> c,
        [NoDiff] int w0, [NoDiff] int w1, [NoDiff] int w2, [NoDiff] int w3, [NoDiff] int w4, [NoDiff] int tag)
    {
        var x = Tensor.Concat(Tensor.Row(E, w0), Tensor.Row(E, w1), Tensor.Row(E, w2), Tensor.Row(E, w3), Tensor.Row(E, w4));
        var h = Tensor.Tanh(Tensor.Add(Tensor.MatVec(W, x), b));
        var s = Tensor.Add(Tensor.MatVec(U, h), c);
        return Tensor.CrossEntropy(s, tag);
    }
}

/// <summary>
/// A tensor Hessian-vector product (Pearlmutter's trick) of one window of the NER model at the lectures' sizes
/// (vocabulary 10,000, embeddings 50, hidden 100, 5 tags): the loss alone through the same kernels (baseline), the
/// generated gradient, and the generated H·v along a dense direction. Nothing may allocate.
/// </summary>
[MemoryDiagnoser]
public class TensorHessianBenchmarks
{
    private const int Vocabulary = 10_000, Dim = 50, Hidden = 100, Tags = 5, Tag = 2;
    private static readonly int[] Window = { 17, 4_211, 9_998, 3, 512 };

    private readonly Mat<float> _e = new(Vocabulary, Dim), _w = new(Hidden, 5 * Dim), _u = new(Tags, Hidden);
    private readonly Vec<float> _b = new(Hidden), _c = new(Tags);
    private readonly Mat<float> _vE = new(Vocabulary, Dim), _vW = new(Hidden, 5 * Dim), _vU = new(Tags, Hidden);
    private readonly Vec<float> _vb = new(Hidden), _vc = new(Tags);
    private readonly Mat<float> _dE = new(Vocabulary, Dim), _dW = new(Hidden, 5 * Dim), _dU = new(Tags, Hidden);
    private readonly Vec<float> _db = new(Hidden), _dc = new(Tags);
    private readonly float[] _x = new float[5 * Dim], _z = new float[Hidden], _h = new float[Hidden], _s = new float[Tags];
    private readonly Objectives.WindowLossWorkspace _workspace = new();
    private readonly Objectives.WindowLossHessianVectorProductWorkspace _productWorkspace = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        foreach (var data in new[] { _e.Data, _w.Data, _u.Data, _b.Data, _c.Data, _vE.Data, _vW.Data, _vU.Data, _vb.Data, _vc.Data })
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            }
        }
    }

    [Benchmark(Baseline = true)]
    public float Forward() => NerBenchmarks.ForwardPass(_e, _w, _b, _u, _c, Window, Tag, _x, _z, _h, _s);

    [Benchmark]
    public float GeneratedGradient() =>
        Objectives.WindowLossGradient(_e, _w, _b, _u, _c, Window[0], Window[1], Window[2], Window[3], Window[4], Tag, _dE, _dW, _db, _dU, _dc, _workspace);

    [Benchmark]
    public float GeneratedHessianVectorProduct() =>
        Objectives.WindowLossHessianVectorProduct(_e, _w, _b, _u, _c, Window[0], Window[1], Window[2], Window[3], Window[4], Tag,
            _vE, _vW, _vb, _vU, _vc, _dE, _dW, _db, _dU, _dc, _productWorkspace);
}
