using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Loops that walk an array with a running integer index (<c>li++</c>, <c>k += stride</c>) instead of a formula of
/// their counters, as ADBench's C++ does: the generated reverse computes the index from its start and the iteration.
/// </summary>
public static partial class RunningIndexFunctions
{
    /// <summary>|(I + L) x|² with L strictly lower triangular, stored column by column and walked with a running index
    /// (ADBench gmm.h Qtimesx).</summary>
    [Differentiable(Tangent = true)]
    public static double TriangularNorm(double[] ltri, double[] x)
    {
        int d = x.Length;
        var o = new double[d];
        for (int id = 0; id < d; id++)
        {
            o[id] = x[id];
        }
        int li = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                o[j] = o[j] + ltri[li] * x[i];
                li++;
            }
        }
        double s = 0;
        for (int r = 0; r < d; r++)
        {
            s += o[r] * o[r];
        }
        return s;
    }

    /// <summary><see cref="TriangularNorm"/> in float.</summary>
    [Differentiable]
    public static float TriangularNormFloat(float[] ltri, float[] x)
    {
        int d = x.Length;
        var o = new float[d];
        for (int id = 0; id < d; id++)
        {
            o[id] = x[id];
        }
        int li = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                o[j] = o[j] + ltri[li] * x[i];
                li++;
            }
        }
        float s = 0;
        for (int r = 0; r < d; r++)
        {
            s += o[r] * o[r];
        }
        return s;
    }

    /// <summary>
    /// A recurrence per row whose index continues across rows (the outer loop carries it too) and a row loop that is
    /// not a running sum (so both loops run in reverse): r = r·l[li] + x[j] along row i, s = s·w + r².
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double RowRecurrence(double[] l, double[] x, double w)
    {
        double s = 0;
        int li = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = x[i];
            for (int j = i + 1; j < x.Length; j++)
            {
                r = r * l[li] + x[j];
                li++;
            }
            s = s * w + r * r;
        }
        return s;
    }

    /// <summary><see cref="RowRecurrence"/> with the index computed from the counters (the reference).</summary>
    [Differentiable]
    public static double RowRecurrenceIndexed(double[] l, double[] x, double w)
    {
        int n = x.Length;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double r = x[i];
            for (int j = i + 1; j < n; j++)
            {
                r = r * l[i * n - i * (i + 1) / 2 + j - i - 1] + x[j];
            }
            s = s * w + r * r;
        }
        return s;
    }

    /// <summary>
    /// Per component c, a triangle of its own whose index starts again at c's offset (ADBench resets it per component):
    /// Σ_c w_c^(c+1)·|(I + L_c) x|², the component loop running in reverse.
    /// </summary>
    [Differentiable(Tangent = true)]
    public static double Components(double[] ltri, double[] x, double w, int k)
    {
        int d = x.Length;
        int size = d * (d - 1) / 2;
        var o = new double[d];
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            for (int id = 0; id < d; id++)
            {
                o[id] = x[id];
            }
            int li = c * size;
            for (int i = 0; i < d; i++)
            {
                for (int j = i + 1; j < d; j++)
                {
                    o[j] = o[j] + ltri[li] * x[i];
                    li++;
                }
            }
            double s = 0;
            for (int r = 0; r < d; r++)
            {
                s += o[r] * o[r];
            }
            total = total * w + s;
        }
        return total;
    }

    /// <summary>Horner's rule over every stride-th element from the end, in a while loop whose index steps down by a parameter.</summary>
    [Differentiable(Tangent = true)]
    public static double StridedHorner(double[] c, double x, int stride)
    {
        double p = 0;
        int k = c.Length - 1;
        while (k >= 0)
        {
            p = p * x + c[k];
            k = k - stride;
        }
        return p;
    }

    /// <summary>A recurrence reading every other element through a running index, with checkpoints every ⌈√n⌉ iterations.</summary>
    [Differentiable(Checkpointing = true)]
    public static double OddWalkCheckpointed(double[] c, double x)
    {
        double p = 0;
        int k = 1;
        for (int i = 0; i < c.Length / 2; i++)
        {
            p = Math.Sin(p * x + c[k]);
            k += 2;
        }
        return p;
    }

    /// <summary><see cref="OddWalkCheckpointed"/> keeping every iteration.</summary>
    [Differentiable]
    public static double OddWalk(double[] c, double x)
    {
        double p = 0;
        int k = 1;
        for (int i = 0; i < c.Length / 2; i++)
        {
            p = Math.Sin(p * x + c[k]);
            k += 2;
        }
        return p;
    }
}
