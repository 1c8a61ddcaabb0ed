using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>Loops as people write them: any for header, break, continue and return in loop bodies.</summary>
public static partial class LoopShapeFunctions
{
    /// <summary>Horner's rule, counting down: p(x) = c0 + c1·x + … + cn·xⁿ.</summary>
    [Differentiable(Tangent = true)]
    public static double Horner(double[] c, double x)
    {
        double p = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            p = p * x + c[i];
        }
        return p;
    }

    /// <summary>Horner's rule in float.</summary>
    [Differentiable]
    public static float HornerFloat(float[] c, float x)
    {
        float p = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            p = p * x + c[i];
        }
        return p;
    }

    /// <summary>Odd elements going up by 2, every third from the end going down by 3 (strided, counted).</summary>
    [Differentiable(Tangent = true)]
    public static double Strided(double[] x, double w)
    {
        double s = 0;
        for (int i = 1; i < x.Length; i += 2)
        {
            s += Math.Sin(w * x[i]);
        }
        for (int i = x.Length - 1; i > 0; i -= 3)
        {
            s += w * x[i] * x[i];
        }
        for (int k = 0; k <= 4; k = k + 2)
        {
            s += k * w;
        }
        return s;
    }

    /// <summary>A step from a parameter (not constant, so the loop runs as a while loop).</summary>
    [Differentiable]
    public static double StepFromParameter(double[] x, int step)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i = i + step)
        {
            s += x[i] * x[i] * i;
        }
        return s;
    }

    /// <summary>i != end, where it terminates: every other element up to n.</summary>
    [Differentiable]
    public static double NotEqualBound(double[] x, int n)
    {
        double s = 1;
        for (int i = 0; i != n; i += 2)
        {
            s *= 1 + x[i];
        }
        return s;
    }

    /// <summary>Two pointers meeting in the middle: Σ x[i]·x[n−1−i] over the first half.</summary>
    [Differentiable(Tangent = true)]
    public static double TwoPointer(double[] x)
    {
        double s = 0;
        for (int i = 0, j = x.Length - 1; i < j; i++, j--)
        {
            s += x[i] * x[j];
        }
        return s;
    }

    /// <summary>A counter declared before the loop, read after it: how many leading terms stay below the limit.</summary>
    [Differentiable]
    public static double CounterDeclaredBefore(double[] x, [NoDiff] double limit)
    {
        int i;
        double s = 0;
        for (i = 0; i < x.Length; i++)
        {
            if (s + x[i] > limit)
            {
                break;
            }
            s += x[i];
        }
        return s * i;
    }

    /// <summary>The body changes its own counter (skips the next element after a large one).</summary>
    [Differentiable]
    public static double CounterChangedInBody(double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * x[i];
            if (x[i] > 1)
            {
                i++;
            }
        }
        return s;
    }

    /// <summary>Newton's iteration for √a with an iteration cap and a convergence break.</summary>
    [Differentiable(Tangent = true)]
    public static double NewtonSqrt(double a, double x0)
    {
        double x = x0;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double next = 0.5 * (x + a / x);
            if (Math.Abs(next - x) < 1e-13 * x)
            {
                x = next;
                break;
            }
            x = next;
        }
        return x;
    }

    /// <summary>Newton's iteration for √a in float.</summary>
    [Differentiable]
    public static float NewtonSqrtFloat(float a, float x0)
    {
        float x = x0;
        for (int iteration = 0; iteration < 50; iteration++)
        {
            float next = 0.5f * (x + a / x);
            if (MathF.Abs(next - x) < 1e-6f * x)
            {
                x = next;
                break;
            }
            x = next;
        }
        return x;
    }

    /// <summary>A search loop: w times the first element above the threshold (0 when none is).</summary>
    [Differentiable(Tangent = true)]
    public static double FirstAbove(double[] x, double w, [NoDiff] double threshold)
    {
        double found = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > threshold)
            {
                found = w * x[i];
                break;
            }
        }
        return found;
    }

    /// <summary>continue skips the negative elements.</summary>
    [Differentiable(Tangent = true)]
    public static double SkipNegatives(double[] x, double w)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] < 0)
            {
                continue;
            }
            s += w * x[i] * x[i];
        }
        return s;
    }

    /// <summary>continue in float, in a while loop.</summary>
    [Differentiable]
    public static float SkipNegativesFloat(float[] x, float w)
    {
        float s = 0;
        int i = -1;
        while (i < x.Length - 1)
        {
            i++;
            if (x[i] < 0)
            {
                continue;
            }
            s += w * x[i] * x[i];
        }
        return s;
    }

    /// <summary>return inside a loop: the running sum times w once it passes the limit, else its negation.</summary>
    [Differentiable(Tangent = true)]
    public static double ReturnWhenPast(double[] x, double w, [NoDiff] double limit)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * x[i];
            if (sum > limit)
            {
                return sum * w;
            }
        }
        return -sum;
    }

    /// <summary>Nested loops; the inner one breaks (only itself), the outer returns from inside the inner one.</summary>
    [Differentiable]
    public static double NestedBreak(double[] x, double w)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = i; j < x.Length; j++)
            {
                if (x[j] * w > 2)
                {
                    break;
                }
                s += x[i] * x[j] * w;
                if (s > 50)
                {
                    return s;
                }
            }
        }
        return s * 2;
    }

    /// <summary>A while loop that breaks, and a do loop with continue.</summary>
    [Differentiable(Tangent = true)]
    public static double WhileBreak(double x, double rate)
    {
        double s = x;
        int steps = 0;
        while (s > 0.01)
        {
            s = s * rate;
            steps++;
            if (steps >= 20)
            {
                break;
            }
        }
        double t = s;
        int k = 0;
        do
        {
            k++;
            if (k % 2 == 0)
            {
                continue;
            }
            t = t + Math.Sin(t) * rate;
        }
        while (k < 5);
        return t;
    }

    /// <summary>foreach with break: the product of the elements up to the first negative one.</summary>
    [Differentiable]
    public static double ProductUntilNegative(double[] x)
    {
        double p = 1;
        foreach (double v in x)
        {
            if (v < 0)
            {
                break;
            }
            p *= v;
        }
        return p;
    }

    /// <summary>for (;;) with a break: halves until below 1, counting.</summary>
    [Differentiable]
    public static double HalveUntilSmall(double x)
    {
        double s = x;
        double scale = 1;
        for (;;)
        {
            if (s < 1)
            {
                break;
            }
            s = s * 0.5;
            scale = scale * 2;
        }
        return s * s + scale;
    }

    /// <summary>A vector output written counting down (its Jacobian through the counted reverse loop).</summary>
    [Differentiable]
    public static void CountDown(double a, ReadOnlySpan<double> b, Span<double> y)
    {
        for (int i = y.Length - 1; i >= 0; i -= 2)
        {
            y[i] = Math.Sin(a * i) * b[0];
        }
    }
}

public static partial class LoopShapeFunctions
{
    /// <summary>A condition that reads an element only when the index is in range (&amp;&amp; short-circuits).</summary>
    [Differentiable]
    public static double LeadingPositives(double[] x)
    {
        double s = 0;
        int i;
        for (i = 0; i < x.Length && x[i] > 0; i++)
        {
            s += x[i] * x[i];
        }
        return s + i;
    }
}

public static partial class LoopShapeFunctions
{
    /// <summary>A loop with break inside a loop with break (both run as while loops).</summary>
    [Differentiable]
    public static double NestedWhileForms(double y, [NoDiff] double[] a, int n)
    {
        double c1 = y;
        for (int i = 0; i <= n; ++i)
        {
            c1 *= 0.9;
            if (0.25 * i > 0.6)
            {
                break;
            }
            for (int j = i; j < n; ++j)
            {
                if (a[i + j] > 0.1)
                {
                    break;
                }
                c1 = Math.Max(c1, 2.0) * y;
            }
        }
        return c1;
    }
}

public static partial class LoopShapeFunctions
{
    /// <summary>A break guards a square root and a log that would be NaN past it: the backward pass must not meet them.</summary>
    [Differentiable]
    public static double GuardedByBreak(double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] <= 0)
            {
                break;
            }
            s += Math.Sqrt(x[i]) + Math.Log(x[i]);
        }
        return s;
    }

    /// <summary>A local function whose loop returns, called in a loop: its return ends the function, not the caller's loop.</summary>
    [Differentiable]
    public static double LocalSearch(double[] x, double w)
    {
        double total = 0;
        for (int k = 1; k <= 3; k++)
        {
            total += FirstBig(w * k);
        }
        return total;

        double FirstBig(double scale)
        {
            for (int i = 0; i < x.Length; i++)
            {
                if (x[i] * scale > 1)
                {
                    return x[i] * scale;
                }
            }
            return 0;
        }
    }
}

public static partial class LoopShapeFunctions
{
    /// <summary>
    /// Back-substitution for an upper bidiagonal system d[i]·x[i] + e[i]·x[i+1] = b[i], counting down, returning
    /// Σ (i + 1)·x[i]; only x[i + 1] is carried from one step to the next.
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double BackSubstitution(double[] d, double[] e, double[] b)
    {
        double next = 0;
        double s = 0;
        for (int i = b.Length - 1; i >= 0; i--)
        {
            double xi = (b[i] - e[i] * next) / d[i];
            s += (i + 1) * xi;
            next = xi;
        }
        return s;
    }
}
