using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Long local arrays held in memory: dynamic-programming tables, running vectors, partial fills, fills inside an if,
/// elements read and then overwritten.
/// </summary>
public static partial class MemoryArrayFunctions
{
    /// <summary>A DP table: dp[i] = sin(dp[i−1])·w + x[i], dp[0] = x[0]; f = dp[n−1] + Σ dp[i]².</summary>
    [Differentiable(Tangent = true)]
    public static double Recurrence(double[] x, double w)
    {
        int n = x.Length;
        var dp = new double[n];
        dp[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            dp[i] = Math.Sin(dp[i - 1]) * w + x[i];
        }
        double s = dp[n - 1];
        for (int i = 0; i < n; i++)
        {
            s += dp[i] * dp[i];
        }
        return s;
    }

    /// <summary>The DP table with Checkpointing = true and a loop that carries a value past it (checkpointed; the table's loops are not).</summary>
    [Differentiable(Checkpointing = true)]
    public static double RecurrenceCheckpointed(double[] x, double w)
    {
        int n = x.Length;
        var dp = new double[n];
        dp[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            dp[i] = Math.Sin(dp[i - 1]) * w + x[i];
        }
        double s = dp[n - 1];
        for (int i = 0; i < n; i++)
        {
            s += dp[i] * dp[i];
        }
        double c = s;
        for (int i = 0; i < n; i++)
        {
            c = Math.Sin(c) * w + x[i];
        }
        return c;
    }

    /// <summary>The same without checkpointing.</summary>
    [Differentiable]
    public static double RecurrenceFullStorage(double[] x, double w)
    {
        int n = x.Length;
        var dp = new double[n];
        dp[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            dp[i] = Math.Sin(dp[i - 1]) * w + x[i];
        }
        double s = dp[n - 1];
        for (int i = 0; i < n; i++)
        {
            s += dp[i] * dp[i];
        }
        double c = s;
        for (int i = 0; i < n; i++)
        {
            c = Math.Sin(c) * w + x[i];
        }
        return c;
    }

    /// <summary>The DP table in float.</summary>
    [Differentiable]
    public static float RecurrenceFloat(float[] x, float w)
    {
        int n = x.Length;
        var dp = new float[n];
        dp[0] = x[0];
        for (int i = 1; i < n; i++)
        {
            dp[i] = MathF.Sin(dp[i - 1]) * w + x[i];
        }
        float s = dp[n - 1];
        for (int i = 0; i < n; i++)
        {
            s += dp[i] * dp[i];
        }
        return s;
    }

    /// <summary>
    /// A 2-D DP table (rows × cols, row-major): t[i,j] = t[i−1,j]·a[i] + t[i,j−1]·b[j], first row and column ones;
    /// f = t[rows−1, cols−1].
    /// </summary>
    [Differentiable]
    public static double Paths(double[] a, double[] b)
    {
        int rows = a.Length, cols = b.Length;
        var t = new double[rows * cols];
        for (int j = 0; j < cols; j++)
        {
            t[j] = 1.0;
        }
        for (int i = 1; i < rows; i++)
        {
            t[i * cols] = 1.0;
            for (int j = 1; j < cols; j++)
            {
                t[i * cols + j] = t[(i - 1) * cols + j] * a[i] + t[i * cols + j - 1] * b[j];
            }
        }
        return t[rows * cols - 1];
    }

    /// <summary>A running vector across an outer loop: acc[j] = Σᵢ w[i]·x[i·m + j]; f = Σⱼ acc[j]².</summary>
    [Differentiable(Tangent = true)]
    public static double RunningVector(double[] x, double[] w, int m)
    {
        var acc = new double[m];
        for (int i = 0; i < w.Length; i++)
        {
            for (int j = 0; j < m; j++)
            {
                acc[j] += w[i] * x[i * m + j];
            }
        }
        double s = 0;
        for (int j = 0; j < m; j++)
        {
            s += acc[j] * acc[j];
        }
        return s;
    }

    /// <summary>The running vector in float.</summary>
    [Differentiable]
    public static float RunningVectorFloat(float[] x, float[] w, int m)
    {
        var acc = new float[m];
        for (int i = 0; i < w.Length; i++)
        {
            for (int j = 0; j < m; j++)
            {
                acc[j] += w[i] * x[i * m + j];
            }
        }
        float s = 0;
        for (int j = 0; j < m; j++)
        {
            s += acc[j] * acc[j];
        }
        return s;
    }

    /// <summary>A partial fill: a[j] = x·(j + 1) for j &lt; n − 1, the last element stays 0; f = Σ sin(a[j]) + a[n−1].</summary>
    [Differentiable(Tangent = true)]
    public static double PartialFill(double x, int n)
    {
        var a = new double[n];
        for (int j = 0; j < n - 1; j++)
        {
            a[j] = x * (j + 1);
        }
        double s = a[n - 1];
        for (int j = 0; j < n; j++)
        {
            s += Math.Sin(a[j]);
        }
        return s;
    }

    /// <summary>The partial fill in float.</summary>
    [Differentiable]
    public static float PartialFillFloat(float x, int n)
    {
        var a = new float[n];
        for (int j = 0; j < n - 1; j++)
        {
            a[j] = x * (j + 1);
        }
        float s = a[n - 1];
        for (int j = 0; j < n; j++)
        {
            s += MathF.Sin(a[j]);
        }
        return s;
    }

    /// <summary>The fill inside an if in float.</summary>
    [Differentiable]
    public static float FillInAnIfFloat(float x, int n)
    {
        var a = new float[n];
        if (x > 0)
        {
            for (int j = 0; j < n; j++)
            {
                a[j] = x * x * j;
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                a[j] = -x;
            }
        }
        float s = 0;
        for (int j = 0; j < n; j++)
        {
            s += a[j] * a[j] * x;
        }
        return s;
    }

    /// <summary>A fill inside an if: a[j] = x·x·j when x &gt; 0, else a[j] = −x; f = Σ a[j]·a[j]·x.</summary>
    [Differentiable(Tangent = true)]
    public static double FillInAnIf(double x, int n)
    {
        var a = new double[n];
        if (x > 0)
        {
            for (int j = 0; j < n; j++)
            {
                a[j] = x * x * j;
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                a[j] = -x;
            }
        }
        double s = 0;
        for (int j = 0; j < n; j++)
        {
            s += a[j] * a[j] * x;
        }
        return s;
    }

    /// <summary>
    /// Elements read, then overwritten from their old values, three times over: a⁽⁰⁾ = x, a⁽ᵏ⁺¹⁾ = a⁽ᵏ⁾·w + 1;
    /// f = Σₖ Σⱼ sin(a⁽ᵏ⁾ⱼ) + a⁽³⁾₀·a⁽³⁾ₙ₋₁.
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double Overwritten(double[] x, double w)
    {
        int n = x.Length;
        var a = new double[n];
        for (int j = 0; j < n; j++)
        {
            a[j] = x[j];
        }
        double s = 0;
        for (int k = 0; k < 3; k++)
        {
            for (int j = 0; j < n; j++)
            {
                s += Math.Sin(a[j]);
                a[j] = a[j] * w + 1;
            }
        }
        return s + a[0] * a[n - 1];
    }

    /// <summary>The overwritten elements in float.</summary>
    [Differentiable]
    public static float OverwrittenFloat(float[] x, float w)
    {
        int n = x.Length;
        var a = new float[n];
        for (int j = 0; j < n; j++)
        {
            a[j] = x[j];
        }
        float s = 0;
        for (int k = 0; k < 3; k++)
        {
            for (int j = 0; j < n; j++)
            {
                s += MathF.Sin(a[j]);
                a[j] = a[j] * w + 1;
            }
        }
        return s + a[0] * a[n - 1];
    }

    /// <summary>
    /// A table created inside a loop, once per iteration: t[0] = w, t[j] = t[j−1]·x[j] + k; f = Σₖ t[n−1]².
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double CreatedInALoop(double[] x, double w)
    {
        double s = 0;
        for (int k = 0; k < 3; k++)
        {
            var t = new double[x.Length];
            t[0] = w;
            for (int j = 1; j < x.Length; j++)
            {
                t[j] = t[j - 1] * x[j] + k;
            }
            s += t[x.Length - 1] * t[x.Length - 1];
        }
        return s;
    }

    /// <summary>Stops once the running sum passes a limit (a break): a[i] = s·w + x[i], s += a[i]²; f = s + a[0].</summary>
    [Differentiable(Tangent = true)]
    public static double UntilLimit(double[] x, double w, [NoDiff] double limit)
    {
        var a = new double[x.Length];
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (s > limit)
            {
                break;
            }
            a[i] = s * w + x[i];
            s += a[i] * a[i];
        }
        return s + a[0];
    }

    /// <summary>
    /// A read inside an if of a loop body, of an array the loop overwrites: b[0] = x[0]·w, b[i] = x[i]·w·b[i−1] (in place);
    /// f = Σ_{i ≥ 1, x[i] &gt; 0} sin(b[i−1])·x[i] + b[n−1].
    /// </summary>
    [Differentiable]
    public static double ReadInAnIf(double[] x, double w)
    {
        var a = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            a[j] = x[j] * w;
        }
        double s = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > 0)
            {
                s += Math.Sin(a[i - 1]) * x[i];
            }
            a[i] = a[i] * a[i - 1];
        }
        return s + a[x.Length - 1];
    }

    /// <summary>
    /// A while loop that updates elements in place until their running sum passes a limit (it runs once: running it again
    /// would update them twice): a[i] = a[i]·w + 1, s += sin a[i]; f = s + a[0]·a[n−1].
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double ScaleUntil(double[] x, double w, [NoDiff] double limit)
    {
        var a = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            a[j] = x[j];
        }
        double s = 0;
        int i = 0;
        while (i < a.Length && s < limit)
        {
            a[i] = a[i] * w + 1;
            s += Math.Sin(a[i]);
            i++;
        }
        return s + a[0] * a[a.Length - 1];
    }

    /// <summary>
    /// An early return before an element is overwritten: a[j] = x[j]·w; w &gt; 1 returns a[0]², otherwise
    /// a[0] = sin(a[n−1])·w and f = a[0] + a[n−1]·a[0].
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double EarlyReturn(double[] x, double w)
    {
        var a = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            a[j] = x[j] * w;
        }
        if (w > 1)
        {
            return a[0] * a[0];
        }
        a[0] = Math.Sin(a[x.Length - 1]) * w;
        return a[0] + a[x.Length - 1] * a[0];
    }

    /// <summary>foreach over a local array held in memory: a[j] = sin(x[j])·w; f = Σ a[j]².</summary>
    [Differentiable(Tangent = true)]
    public static double ForeachOverAnArray(double[] x, double w)
    {
        var a = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            a[j] = Math.Sin(x[j]) * w;
        }
        double s = 0;
        foreach (double v in a)
        {
            s += v * v;
        }
        return s;
    }

    /// <summary>Prefix products in a table written to an output (a Jacobian): p[0] = x[0], p[i] = p[i−1]·x[i]; y[i] = p[i].</summary>
    [Differentiable]
    public static void PrefixProducts(double[] x, Span<double> y)
    {
        var p = new double[x.Length];
        p[0] = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            p[i] = p[i - 1] * x[i];
        }
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = p[i];
        }
    }

    /// <summary>Writes a[k] and reads a[k − 1] of an array of n elements: with k ≥ n (or k = 0) C# throws, and so must the gradient.</summary>
    [Differentiable]
    public static double IndexedUpdate(double x, int n, int k)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = x * i;
        }
        a[k] = a[k - 1] * x;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += a[i] * a[i];
        }
        return s;
    }
}
