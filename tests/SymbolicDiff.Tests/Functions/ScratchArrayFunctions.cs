using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Loops over points whose body uses a long local array as its own scratch (filled whole, updated in place, reduced):
/// the gradient fuses such a loop, taking each point's derivatives as it runs. Also the shapes that must not be fused
/// (an element read before the fill, a fill that skips an element), and updates in place of every form.
/// </summary>
public static partial class ScratchArrayFunctions
{
    /// <summary>
    /// f = Σ_p log(1 + |y_p|²) with y_p = (diag(w) + L) x_p, L strictly lower triangular, L[j, i] = l[j(j−1)/2 + i]:
    /// the GMM's Q·(x − μ) in miniature. y is filled whole, then updated in place, in every iteration.
    /// </summary>
    [Differentiable]
    public static double TriangularLoss(double[] x, double[] w, double[] l, int n)
    {
        int d = w.Length;
        var y = new double[d];
        double total = 0;
        for (int p = 0; p < n; p++)
        {
            for (int j = 0; j < d; j++)
            {
                y[j] = w[j] * x[p * d + j];
            }
            for (int i = 0; i < d; i++)
            {
                double xi = x[p * d + i];
                for (int j = i + 1; j < d; j++)
                {
                    y[j] = y[j] + l[j * (j - 1) / 2 + i] * xi;
                }
            }
            double sq = 0;
            for (int j = 0; j < d; j++)
            {
                sq += y[j] * y[j];
            }
            total += Math.Log(1 + sq);
        }
        return total;
    }

    /// <summary>As <see cref="TriangularLoss"/> in float with y = (diag(w) − L) x, the array created in the body and the update written <c>-=</c>.</summary>
    [Differentiable]
    public static float TriangularLossFloat(float[] x, float[] w, float[] l, int n)
    {
        int d = w.Length;
        float total = 0;
        for (int p = 0; p < n; p++)
        {
            var y = new float[d];
            for (int j = 0; j < d; j++)
            {
                y[j] = w[j] * x[p * d + j];
            }
            for (int i = 0; i < d; i++)
            {
                float xi = x[p * d + i];
                for (int j = i + 1; j < d; j++)
                {
                    y[j] -= l[j * (j - 1) / 2 + i] * xi;
                }
            }
            float sq = 0;
            for (int j = 0; j < d; j++)
            {
                sq += y[j] * y[j];
            }
            total += MathF.Log(1 + sq);
        }
        return total;
    }

    /// <summary>
    /// As <see cref="TriangularLoss"/>, but each point first reads y[d − 1] as the previous point left it (zero for the
    /// first): values pass from one iteration to the next through the array, so the loop is reversed, not fused.
    /// f = Σ_p [log(1 + |y_p|²) + c·y_{p−1}[d − 1]].
    /// </summary>
    [Differentiable]
    public static double CarriedThroughTheArray(double[] x, double[] w, double[] l, int n, double c)
    {
        int d = w.Length;
        var y = new double[d];
        double total = 0;
        for (int p = 0; p < n; p++)
        {
            total += c * y[d - 1];
            for (int j = 0; j < d; j++)
            {
                y[j] = w[j] * x[p * d + j];
            }
            for (int i = 0; i < d; i++)
            {
                double xi = x[p * d + i];
                for (int j = i + 1; j < d; j++)
                {
                    y[j] = y[j] + l[j * (j - 1) / 2 + i] * xi;
                }
            }
            double sq = 0;
            for (int j = 0; j < d; j++)
            {
                sq += y[j] * y[j];
            }
            total += Math.Log(1 + sq);
        }
        return total;
    }

    /// <summary>The fill skips y[0], which keeps its value from the previous point (w[0]·x[0] set before the loop): not fused.</summary>
    [Differentiable]
    public static double PartialFillPerPoint(double[] x, double[] w, int n)
    {
        int d = w.Length;
        var y = new double[d];
        y[0] = w[0] * x[0];
        double total = 0;
        for (int p = 0; p < n; p++)
        {
            for (int j = 1; j < d; j++)
            {
                y[j] = w[j] * x[p * d + j] + y[j - 1];
            }
            y[0] = y[0] * w[1];
            double sq = 0;
            for (int j = 0; j < d; j++)
            {
                sq += y[j] * y[j];
            }
            total += Math.Sqrt(1 + sq);
        }
        return total;
    }

    /// <summary>
    /// Three nested loops, the outer one reversed (each point reads z[d − 1] as the previous point left it), the innermost
    /// reading z[j] that later iterations overwrite: it keeps those reads, stacked over the middle loop's iterations and
    /// those over the outer loop's, so no level runs forward again (this was SD0060 before).
    /// </summary>
    [Differentiable]
    public static double ProductsThroughThreeLevels(double[] a, double x, double y, int n)
    {
        int d = a.Length;
        double s = 0;
        var z = new double[d];
        for (int p = 0; p < n; p++)
        {
            s += z[d - 1] * y;
            for (int j = 0; j < d; j++)
            {
                z[j] = a[j] * x + p;
            }
            for (int i = 0; i < d; i++)
            {
                for (int j = i + 1; j < d; j++)
                {
                    z[j] = z[j] * Math.Tanh(a[i] * x + y);
                }
            }
            double q = 0;
            for (int j = 0; j < d; j++)
            {
                q += z[j] * z[j];
            }
            s += Math.Log(1 + q);
        }
        return s;
    }

    /// <summary>
    /// Updates in place of every form, one of them reading another element, which is the same one when i = 0:
    /// z[j] = z[j] + e, z[j] = e + z[j], z[j] -= e, z[j] += z[(j + i) % d]·e, and z[j] = z[j]·e (a product, not an update in place).
    /// </summary>
    [Differentiable]
    public static double UpdatesInPlace(double[] a, double x, int form)
    {
        int d = a.Length;
        double s = 0;
        var z = new double[d];
        for (int p = 0; p < 2; p++)
        {
            for (int j = 0; j < d; j++)
            {
                z[j] = Math.Sin(a[j] * x + p);
            }
            for (int i = 0; i < d; i++)
            {
                double zi = z[i];
                for (int j = i + 1; j < d; j++)
                {
                    double e = zi * a[j] + 0.25 * x;
                    if (form == 0)
                    {
                        z[j] = z[j] + e;
                    }
                    else if (form == 1)
                    {
                        z[j] = e + z[j];
                    }
                    else if (form == 2)
                    {
                        z[j] -= e;
                    }
                    else if (form == 3)
                    {
                        z[j] += z[(j + i) % d] * e;
                    }
                    else
                    {
                        z[j] = z[j] * Math.Tanh(e);
                    }
                }
            }
            double q = 0;
            for (int j = 0; j < d; j++)
            {
                q += z[j] * z[j];
            }
            s += Math.Log(1 + q);
        }
        return s;
    }
}
