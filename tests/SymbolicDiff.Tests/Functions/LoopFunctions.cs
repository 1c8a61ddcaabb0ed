using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>Loops, arrays and local functions: each is checked against finite differences and closed forms.</summary>
public static partial class LoopFunctions
{
    /// <summary>The recurrence x_{k+1} = sin(x_k)·w, carried through the loop (its values are kept per iteration).</summary>
    [Differentiable(Tangent = true)]
    public static double Recurrence(double x0, double w, int steps)
    {
        double x = x0;
        for (int k = 0; k < steps; k++)
        {
            x = Math.Sin(x) * w;
        }
        return x;
    }

    /// <summary>Σ wᵢ·xᵢ²: a reduction, recomputed in the backward pass with no memory kept.</summary>
    [Differentiable]
    public static double WeightedSquares(double[] x, ReadOnlySpan<double> weights)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += weights[i] * x[i] * x[i];
        }
        return sum;
    }

    /// <summary>Π xᵢ: the running product is kept per iteration.</summary>
    [Differentiable(Tangent = true)]
    public static double Product(double[] x)
    {
        double p = 1;
        foreach (double v in x)
        {
            p *= v;
        }
        return p;
    }

    /// <summary>A running max routes the adjoint to the largest element.</summary>
    [Differentiable]
    public static double RunningMax(double[] x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            m = Math.Max(m, x[i]);
        }
        return m;
    }

    /// <summary>Nested loops with a triangular inner bound and a branch at a kink.</summary>
    [Differentiable(Tangent = true)]
    public static double Triangular(double[] x, double a)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double inner = 0;
            for (int j = 0; j <= i; j++)
            {
                inner += Math.Exp(a * x[j]);
            }
            if (inner > 3)
            {
                total += Math.Log(inner);
            }
            else
            {
                total -= inner * a;
            }
        }
        return total;
    }

    /// <summary>A vector output: y = tanh(W·x + b) for a 2×3 W stored row-major.</summary>
    [Differentiable]
    public static void Layer(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int r = 0; r < y.Length; r++)
        {
            double z = b[r];
            for (int c = 0; c < x.Length; c++)
            {
                z += w[r * x.Length + c] * x[c];
            }
            y[r] = Math.Tanh(z);
        }
    }

    /// <summary>A while loop whose trip count depends on the values: recorded as it runs, then replayed in reverse.</summary>
    [Differentiable(Tangent = true)]
    public static double Shrink(double x, double rate, [NoDiff] double limit)
    {
        double s = x;
        while (s > limit)
        {
            s = s * rate + Math.Sin(s) * 0.1;
        }
        return s * s;
    }

    /// <summary>A do loop: Newton's iteration for √a from x0, at least one step, until two iterates agree (value-dependent trips).</summary>
    [Differentiable(Tangent = true)]
    public static double NewtonSqrt(double a, double x0)
    {
        double x = x0;
        double previous;
        do
        {
            previous = x;
            x = 0.5 * (x + a / x);
        }
        while (Math.Abs(x - previous) > 1e-3);
        return x;
    }

    /// <summary>A while loop with an int carried counter (kept per iteration) and a sum (not kept).</summary>
    [Differentiable]
    public static double CountedSum(double x, int n)
    {
        double total = 0;
        int k = 0;
        while (k < n)
        {
            total += Math.Cos(x * k);
            k++;
        }
        return total;
    }

    /// <summary>More outputs than inputs: its Jacobian is written column by column in forward mode.</summary>
    [Differentiable]
    public static void Expand(double a, ReadOnlySpan<double> b, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = Math.Sin(a * i) + b[0] * i + b[1] * b[1];
        }
    }

    /// <summary>An early return before a loop (so the loop lives in a branch), and a call inside the loop.</summary>
    [Differentiable(Tangent = true)]
    public static double GuardedSeries(double x, int n)
    {
        if (x < 0)
        {
            return -x;
        }
        double total = 0;
        double power = 1;
        for (int i = 1; i <= n; i++)
        {
            power *= x;
            total += Term(power, i);
        }
        return total;
    }

    /// <summary>A [Differentiable] callee used inside a loop: its generated gradient is called there.</summary>
    [Differentiable]
    public static double Term(double power, [NoDiff] double i) => Math.Sin(power) / i;

    /// <summary>Regression: a branch inside a loop computes a value its derivative reads (the backward pass must recompute it).</summary>
    [Differentiable]
    public static double BranchInLoop(double[] x)
    {
        double acc = 0.0;
        for (int j = 0; j < x.Length; j++)
        {
            if (x[j] > acc)
            {
                acc = acc + Math.Exp(x[j]);
            }
            else
            {
                acc = acc * 0.5;
            }
        }
        return acc;
    }

    /// <summary>Regression: a loop's result read inside a later loop and after it (every share of its adjoint counts).</summary>
    [Differentiable]
    public static double ResultUsedInAndAfterALoop(double[] x)
    {
        double m = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            m += x[i];
        }
        double s = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * m;
        }
        return s + m;
    }

    /// <summary>A kept loop value read after the loop by two outputs: every row's backward pass must see its final value.</summary>
    [Differentiable]
    public static void AfterTheLoop(double x, ReadOnlySpan<double> a, Span<double> y)
    {
        double p = x;
        for (int i = 0; i < a.Length; i++)
        {
            p = p * a[i] + Math.Sin(p);
        }
        y[0] = p * p;
        y[1] = Math.Exp(p * x);
    }

    /// <summary>Neighbouring elements: the header i + 1 &lt; n stops one early.</summary>
    [Differentiable]
    public static double Differences(ReadOnlySpan<double> x)
    {
        double total = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double step = x[i + 1] - x[i];
            total += step * step;
        }
        return total;
    }

    /// <summary>A local function, differentiated where it is called.</summary>
    [Differentiable]
    public static double WithLocalFunction(double x, double y)
    {
        double total = Square(x) + Square(x * y);
        return total;

        static double Square(double v) => v * v;
    }
}
