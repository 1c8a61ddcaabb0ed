using System;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Loops that keep values per iteration, each written twice: with <c>Checkpointing = true</c> and without. The
/// checkpointed gradients must equal the full-storage ones bit for bit.
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
}
