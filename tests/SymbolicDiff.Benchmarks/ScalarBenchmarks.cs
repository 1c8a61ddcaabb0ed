using System;
using BenchmarkDotNet.Attributes;

namespace SymbolicDiff.Benchmarks;

/// <summary>Functions under benchmark; their gradients are generated.</summary>
public static partial class Objectives
{
    [Differentiable]
    public static double Neuron(double w0, double w1, double w2, double x0, double x1)
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
/// Generated gradient vs the function alone (the baseline: the ratio is the cost of forward + backward over
/// forward) and vs a gradient written by hand. Per call: no allocation is expected anywhere.
/// </summary>
[MemoryDiagnoser]
public class ScalarBenchmarks
{
    private double _w0 = 2, _w1 = -3, _w2 = -3, _x0 = -1, _x1 = -2;

    [Benchmark(Baseline = true)]
    public double NeuronForward() => Objectives.Neuron(_w0, _w1, _w2, _x0, _x1);

    [Benchmark]
    public double NeuronGeneratedGradient()
    {
        double dw0 = 0, dw1 = 0, dw2 = 0, dx0 = 0, dx1 = 0;
        double f = Objectives.NeuronGradient(_w0, _w1, _w2, _x0, _x1, ref dw0, ref dw1, ref dw2, ref dx0, ref dx1);
        return f + dw0 + dw1 + dw2 + dx0 + dx1;
    }

    [Benchmark]
    public double NeuronHandWrittenGradient()
    {
        // Lecture 4's hand backprop: σ'(z) = σ(z)(1 − σ(z)), then distribute.
        double z = _w0 * _x0 + _w1 * _x1 + _w2;
        double f = 1.0 / (1.0 + Math.Exp(-z));
        double dz = f * (1 - f);
        double dw0 = dz * _x0, dw1 = dz * _x1, dw2 = dz, dx0 = dz * _w0, dx1 = dz * _w1;
        return f + dw0 + dw1 + dw2 + dx0 + dx1;
    }
}

[MemoryDiagnoser]
public class RosenbrockBenchmarks
{
    private double _x = -1.2, _y = 1.0;

    [Benchmark(Baseline = true)]
    public double RosenbrockForward() => Objectives.Rosenbrock(_x, _y);

    [Benchmark]
    public double RosenbrockGeneratedGradient()
    {
        double dx = 0, dy = 0;
        double f = Objectives.RosenbrockGradient(_x, _y, ref dx, ref dy);
        return f + dx + dy;
    }

    [Benchmark]
    public double RosenbrockHandWrittenGradient()
    {
        double a = 1 - _x, b = _y - _x * _x;
        double f = a * a + 100 * b * b;
        double dx = -2 * a - 400 * b * _x, dy = 200 * b;
        return f + dx + dy;
    }
}
