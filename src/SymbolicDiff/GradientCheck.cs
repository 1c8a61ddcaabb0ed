using System;
using System.Globalization;
using System.Text;

namespace SymbolicDiff;

/// <summary>
/// Checks an analytic gradient against central finite differences, (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h,
/// as in CS224n lecture 4's "gradient checking". Use it on any generated gradient method.
/// </summary>
/// <example>
/// <code>
/// var report = GradientCheck.Check(
///     p => Circuit.F(p[0], p[1], p[2]),
///     (p, g) => Circuit.FGradient(p[0], p[1], p[2], ref g[0], ref g[1], ref g[2]),
///     new[] { -2.0, 5.0, -4.0 });
/// Console.WriteLine(report);   // worst error and every component
/// </code>
/// </example>
public static class GradientCheck
{
    /// <summary>A gradient: returns f(point) and adds ∇f(point) into <paramref name="gradient"/>.</summary>
    public delegate double Gradient(double[] point, double[] gradient);

    /// <summary>A single-precision gradient: returns f(point) and adds ∇f(point) into <paramref name="gradient"/>.</summary>
    public delegate float GradientF(float[] point, float[] gradient);

    /// <summary>Compares <paramref name="gradient"/> with central differences of <paramref name="function"/> at <paramref name="point"/>.</summary>
    /// <param name="function">The function being differentiated.</param>
    /// <param name="gradient">The analytic gradient, for example a lambda calling a generated method.</param>
    /// <param name="point">Where to compare. It is not modified.</param>
    /// <param name="step">Relative step h; each component uses h·max(1, |xᵢ|).</param>
    public static GradientCheckReport Check(Func<double[], double> function, Gradient gradient, double[] point, double step = 1e-6)
    {
        var analytic = new double[point.Length];
        gradient((double[])point.Clone(), analytic);
        var numeric = new double[point.Length];
        var probe = (double[])point.Clone();
        for (int i = 0; i < point.Length; i++)
        {
            double h = step * Math.Max(1.0, Math.Abs(point[i]));
            probe[i] = point[i] + h;
            double up = function(probe);
            probe[i] = point[i] - h;
            double down = function(probe);
            probe[i] = point[i];
            numeric[i] = (up - down) / (2 * h);
        }
        return new GradientCheckReport(analytic, numeric);
    }

    /// <summary>
    /// Single-precision variant. Differences of a float function are noisy, so the default step is larger;
    /// expect errors near 1e-3 rather than 1e-7.
    /// </summary>
    public static GradientCheckReport Check(Func<float[], float> function, GradientF gradient, float[] point, float step = 5e-3f)
    {
        var analytic = new float[point.Length];
        gradient((float[])point.Clone(), analytic);
        var numeric = new double[point.Length];
        var probe = (float[])point.Clone();
        for (int i = 0; i < point.Length; i++)
        {
            float h = step * MathF.Max(1f, MathF.Abs(point[i]));
            probe[i] = point[i] + h;
            double up = function(probe);
            probe[i] = point[i] - h;
            double down = function(probe);
            probe[i] = point[i];
            numeric[i] = (up - down) / ((double)(point[i] + h) - (point[i] - h));
        }
        return new GradientCheckReport(Array.ConvertAll(analytic, a => (double)a), numeric);
    }
}

/// <summary>
/// The outcome of a <see cref="GradientCheck"/>: both gradients and their largest disagreement.
/// The error of a component is |analytic − numeric| / max(1, |analytic|, |numeric|): relative for large
/// derivatives, absolute for small ones, so a derivative near zero does not report a huge relative error.
/// </summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(double[] analytic, double[] numeric)
    {
        Analytic = analytic;
        Numeric = numeric;
        for (int i = 0; i < analytic.Length && !double.IsNaN(MaxError); i++)
        {
            double error = ErrorOf(i);
            if (WorstIndex < 0 || double.IsNaN(error) || error > MaxError)   // NaN is the worst error and stays so
            {
                MaxError = error;
                WorstIndex = i;
            }
        }
    }

    /// <summary>The gradient under test.</summary>
    public double[] Analytic { get; }

    /// <summary>The central-difference estimate.</summary>
    public double[] Numeric { get; }

    /// <summary>The largest component error (NaN if any component is NaN).</summary>
    public double MaxError { get; }

    /// <summary>Index of the component with <see cref="MaxError"/>, or −1 for an empty gradient.</summary>
    public int WorstIndex { get; } = -1;

    /// <summary>True when every component's error is at most <paramref name="tolerance"/>.</summary>
    public bool Passed(double tolerance) => MaxError <= tolerance;

    /// <summary>Error of component <paramref name="i"/>.</summary>
    public double ErrorOf(int i) =>
        Math.Abs(Analytic[i] - Numeric[i]) / Math.Max(1.0, Math.Max(Math.Abs(Analytic[i]), Math.Abs(Numeric[i])));

    /// <summary>A table of every component, for test failure messages and console output.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Format(CultureInfo.InvariantCulture, "max error {0:E2} at index {1}", MaxError, WorstIndex));
        for (int i = 0; i < Analytic.Length; i++)
        {
            text.AppendLine(string.Format(CultureInfo.InvariantCulture,
                "  [{0}] analytic {1,14:G8}  numeric {2,14:G8}  error {3:E2}", i, Analytic[i], Numeric[i], ErrorOf(i)));
        }
        return text.ToString();
    }
}
