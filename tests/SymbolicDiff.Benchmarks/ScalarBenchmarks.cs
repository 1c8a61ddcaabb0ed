using System;
using BenchmarkDotNet.Attributes;

namespace SymbolicDiff.Benchmarks;

/// <summary>Functions under benchmark; their gradients are generated.</summary>
public static partial class Objectives
{
    [Differentiable]
    public static double Neuron(double w0, double w1, double w2, [NoDiff] double x0, [NoDiff] double x1)
    {
        double z = w0 * x0 + w1 * x1 + w2;
        return 1.0 / (1.0 + Math.Exp(-z));
    }

    /// <summary>The 2-D Rosenbrock function, a classic optimisation test.</summary>
    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }
}

/// <summary>
/// Each benchmark sweeps the same 1024 inputs: the function alone (the baseline, so the generated gradient's
/// ratio is the cost of forward + backward over forward) and a gradient written by hand. Nothing may allocate.
/// </summary>
[MemoryDiagnoser]
public class ScalarBenchmarks
{
    private const int Count = 1024;
    private readonly double[] _a = new double[Count];
    private readonly double[] _b = new double[Count];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Count; i++)
        {
            _a[i] = random.NextDouble() * 4 - 2;
            _b[i] = random.NextDouble() * 4 - 2;
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Neuron")]
    public double NeuronForward()
    {
        double sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.Neuron(2, -3, -3, _a[i], _b[i]);
        }
        return sum;
    }

    [Benchmark, BenchmarkCategory("Neuron")]
    public double NeuronGeneratedGradient()
    {
        double dw0 = 0, dw1 = 0, dw2 = 0, sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.NeuronGradient(2, -3, -3, _a[i], _b[i], ref dw0, ref dw1, ref dw2);
        }
        return sum + dw0 + dw1 + dw2;
    }

    [Benchmark, BenchmarkCategory("Neuron")]
    public double NeuronHandWrittenGradient()
    {
        double dw0 = 0, dw1 = 0, dw2 = 0, sum = 0;
        for (int i = 0; i < Count; i++)
        {
            // Lecture 4's hand backprop: σ'(z) = σ(z)(1 − σ(z)), then distribute over w·x + b.
            double z = 2 * _a[i] - 3 * _b[i] - 3;
            double f = 1.0 / (1.0 + Math.Exp(-z));
            double dz = f * (1 - f);
            dw0 += dz * _a[i];
            dw1 += dz * _b[i];
            dw2 += dz;
            sum += f;
        }
        return sum + dw0 + dw1 + dw2;
    }
}

/// <summary>Same layout for Rosenbrock, whose gradient has no transcendental functions at all.</summary>
[MemoryDiagnoser]
public class RosenbrockBenchmarks
{
    private const int Count = 1024;
    private readonly double[] _x = new double[Count];
    private readonly double[] _y = new double[Count];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        for (int i = 0; i < Count; i++)
        {
            _x[i] = random.NextDouble() * 4 - 2;
            _y[i] = random.NextDouble() * 4 - 2;
        }
    }

    [Benchmark(Baseline = true)]
    public double RosenbrockForward()
    {
        double sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.Rosenbrock(_x[i], _y[i]);
        }
        return sum;
    }

    [Benchmark]
    public double RosenbrockGeneratedGradient()
    {
        double sum = 0, dx = 0, dy = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += Objectives.RosenbrockGradient(_x[i], _y[i], ref dx, ref dy);
        }
        return sum + dx + dy;
    }

    [Benchmark]
    public double RosenbrockHandWrittenGradient()
    {
        double sum = 0, dx = 0, dy = 0;
        for (int i = 0; i < Count; i++)
        {
            double x = _x[i], a = 1 - x, b = _y[i] - x * x;
            sum += a * a + 100 * b * b;
            dx += -2 * a - 400 * b * x;
            dy += 200 * b;
        }
        return sum + dx + dy;
    }
}
