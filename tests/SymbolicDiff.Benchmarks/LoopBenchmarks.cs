using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace SymbolicDiff.Benchmarks;

/// <summary>Loop objectives whose gradients are generated.</summary>
public static partial class LoopObjectives
{
    /// <summary>The n-dimensional Rosenbrock function: a sum over a loop (the backward pass keeps nothing).</summary>
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = 1 - x[i];
            double b = x[i + 1] - x[i] * x[i];
            sum += a * a + 100 * b * b;
        }
        return sum;
    }

    /// <summary>A recurrence h = tanh(w·h + u·xₜ) over a sequence (the backward pass keeps h per step).</summary>
    [Differentiable]
    public static double Recurrence(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }
}

/// <summary>
/// Loops of 1,000 steps: the function alone (baseline, so the generated gradient's ratio is (forward + backward) /
/// forward) against a gradient written by hand for the same loop. Nothing may allocate.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LoopBenchmarks
{
    private const int Length = 1000;
    private readonly double[] _x = new double[Length];
    private readonly double[] _dx = new double[Length];
    private readonly double[] _inputs = new double[Length];
    private readonly double[] _h = new double[Length + 1];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Length; i++)
        {
            _x[i] = random.NextDouble() * 2 - 1;
            _inputs[i] = random.NextDouble() * 2 - 1;
        }
        // The hand-written gradients must agree with the generated ones.
        var generated = new double[Length];
        LoopObjectives.RosenbrockGradient(_x, generated);
        Array.Clear(_dx);
        RosenbrockHandWritten();
        for (int i = 0; i < Length; i++)
        {
            if (Math.Abs(generated[i] - _dx[i]) > 1e-9 * (1 + Math.Abs(_dx[i])))
            {
                throw new InvalidOperationException($"Rosenbrock gradients differ at {i}: {generated[i]} vs {_dx[i]}");
            }
        }
        double dw = 0, du = 0;
        LoopObjectives.RecurrenceGradient(0.9, 0.5, _inputs, ref dw, ref du);
        var (hw, hu) = RecurrenceHandWrittenGradient();
        if (Math.Abs(dw - hw) > 1e-12 || Math.Abs(du - hu) > 1e-12)
        {
            throw new InvalidOperationException($"Recurrence gradients differ: ({dw}, {du}) vs ({hw}, {hu})");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Rosenbrock")]
    public double RosenbrockForward() => LoopObjectives.Rosenbrock(_x);

    [Benchmark, BenchmarkCategory("Rosenbrock")]
    public double RosenbrockGeneratedGradient() => LoopObjectives.RosenbrockGradient(_x, _dx);

    [Benchmark, BenchmarkCategory("Rosenbrock")]
    public double RosenbrockHandWritten()
    {
        double sum = 0;
        for (int i = 0; i + 1 < _x.Length; i++)
        {
            double a = 1 - _x[i];
            double b = _x[i + 1] - _x[i] * _x[i];
            sum += a * a + 100 * b * b;
            _dx[i] += -2 * a - 400 * b * _x[i];
            _dx[i + 1] += 200 * b;
        }
        return sum;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Recurrence")]
    public double RecurrenceForward() => LoopObjectives.Recurrence(0.9, 0.5, _inputs);

    [Benchmark, BenchmarkCategory("Recurrence")]
    public double RecurrenceGeneratedGradient()
    {
        double dw = 0, du = 0;
        return LoopObjectives.RecurrenceGradient(0.9, 0.5, _inputs, ref dw, ref du) + dw + du;
    }

    [Benchmark, BenchmarkCategory("Recurrence")]
    public double RecurrenceHandWritten()
    {
        var (dw, du) = RecurrenceHandWrittenGradient();
        return _h[Length] + dw + du;
    }

    /// <summary>Backpropagation through time by hand: keep every h, then walk back.</summary>
    private (double Dw, double Du) RecurrenceHandWrittenGradient()
    {
        const double w = 0.9, u = 0.5;
        _h[0] = 0;
        for (int t = 0; t < Length; t++)
        {
            _h[t + 1] = Math.Tanh(w * _h[t] + u * _inputs[t]);
        }
        double dh = 1, dw = 0, du = 0;
        for (int t = Length - 1; t >= 0; t--)
        {
            double dz = dh * (1 - _h[t + 1] * _h[t + 1]);
            dw += dz * _h[t];
            du += dz * _inputs[t];
            dh = dz * w;
        }
        return (dw, du);
    }
}
