using System;
using BenchmarkDotNet.Attributes;

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
