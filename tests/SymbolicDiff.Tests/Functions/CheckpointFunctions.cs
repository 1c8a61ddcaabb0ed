using System;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Loops that keep values per iteration, each written with <c>Checkpointing = true</c>, with a <c>LoopMemoryLimit</c>
/// (binomial checkpoints) and without either. The checkpointed gradients must equal the full-storage ones bit for bit.
/// </summary>
public static partial class CheckpointFunctions
{
    /// <summary>An integrator: h ← tanh(w·h + u·xₜ) (keeps h and tanh per step).</summary>
    [Differentiable(Checkpointing = true)]
    public static double Recurrence(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0.1;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }

    [Differentiable]
    public static double RecurrenceFull(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0.1;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }

    /// <summary>Two carried variables (a damped oscillator, symplectic Euler), counted down with a stride of 3.</summary>
    [Differentiable(Checkpointing = true)]
    public static double Oscillator(double k, double damping, int steps)
    {
        double x = 1, v = 0;
        for (int i = 3 * steps - 1; i >= 0; i -= 3)
        {
            v = v - 0.01 * (k * Math.Sin(x) + damping * v);
            x = x + 0.01 * v;
        }
        return x * x + v;
    }

    [Differentiable]
    public static double OscillatorFull(double k, double damping, int steps)
    {
        double x = 1, v = 0;
        for (int i = 3 * steps - 1; i >= 0; i -= 3)
        {
            v = v - 0.01 * (k * Math.Sin(x) + damping * v);
            x = x + 0.01 * v;
        }
        return x * x + v;
    }

    /// <summary>A checkpointed outer loop whose inner loop keeps values too (stacked per segment).</summary>
    [Differentiable(Checkpointing = true)]
    public static double Nested(ReadOnlySpan<double> p, int steps)
    {
        double s = 0.5;
        for (int t = 0; t < steps; t++)
        {
            double inner = 0;
            for (int j = 0; j < p.Length; j++)
            {
                inner += Math.Exp(p[j] * s);
            }
            s = Math.Log(1 + inner * s);
        }
        return s;
    }

    [Differentiable]
    public static double NestedFull(ReadOnlySpan<double> p, int steps)
    {
        double s = 0.5;
        for (int t = 0; t < steps; t++)
        {
            double inner = 0;
            for (int j = 0; j < p.Length; j++)
            {
                inner += Math.Exp(p[j] * s);
            }
            s = Math.Log(1 + inner * s);
        }
        return s;
    }

    /// <summary>The integrator within 1 KB: 32 iterations per segment and 32 checkpoints, so long runs recompute.</summary>
    [Differentiable(LoopMemoryLimit = 1024)]
    public static double RecurrenceWithin1KB(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0.1;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }

    /// <summary>The integrator within 16 KB.</summary>
    [Differentiable(LoopMemoryLimit = 16 * 1024)]
    public static double RecurrenceWithin16KB(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0.1;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }

    /// <summary>The oscillator with the least memory there is: segments of one step and one checkpoint (each step runs again for every later one).</summary>
    [Differentiable(LoopMemoryLimit = 1)]
    public static double OscillatorWithinLeastMemory(double k, double damping, int steps)
    {
        double x = 1, v = 0;
        for (int i = 3 * steps - 1; i >= 0; i -= 3)
        {
            v = v - 0.01 * (k * Math.Sin(x) + damping * v);
            x = x + 0.01 * v;
        }
        return x * x + v;
    }

    /// <summary>The nested loops within 2 KB (the inner loop's stack is not counted).</summary>
    [Differentiable(LoopMemoryLimit = 2048)]
    public static double NestedWithin2KB(ReadOnlySpan<double> p, int steps)
    {
        double s = 0.5;
        for (int t = 0; t < steps; t++)
        {
            double inner = 0;
            for (int j = 0; j < p.Length; j++)
            {
                inner += Math.Exp(p[j] * s);
            }
            s = Math.Log(1 + inner * s);
        }
        return s;
    }

    /// <summary>A checkpointed loop inside a running sum over runs (fused): its schedule starts again in every run.</summary>
    [Differentiable(LoopMemoryLimit = 256)]
    public static double SumOfRuns(double w, [NoDiff] ReadOnlySpan<double> inputs, int runs)
    {
        double total = 0;
        for (int r = 0; r < runs; r++)
        {
            double h = 0.1 * r;
            for (int t = 0; t < inputs.Length; t++)
            {
                h = Math.Tanh(w * h + inputs[t]);
            }
            total += h * h;
        }
        return total;
    }

    [Differentiable]
    public static double SumOfRunsFull(double w, [NoDiff] ReadOnlySpan<double> inputs, int runs)
    {
        double total = 0;
        for (int r = 0; r < runs; r++)
        {
            double h = 0.1 * r;
            for (int t = 0; t < inputs.Length; t++)
            {
                h = Math.Tanh(w * h + inputs[t]);
            }
            total += h * h;
        }
        return total;
    }

    /// <summary>The integrator within 64 bytes, with second order too (which keeps full storage).</summary>
    [Differentiable(Hessian = true, LoopMemoryLimit = 64)]
    public static double RecurrenceWithHessian(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0.1;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }

    [Differentiable(Hessian = true)]
    public static double RecurrenceWithHessianFull(double w, double u, [NoDiff] ReadOnlySpan<double> inputs)
    {
        double h = 0.1;
        for (int t = 0; t < inputs.Length; t++)
        {
            h = Math.Tanh(w * h + u * inputs[t]);
        }
        return h;
    }
}
