using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

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

    /// <summary>A vector parameter and its adjoint, for <see cref="CheckTensors{T}"/>.</summary>
    /// <param name="name">The name the report uses.</param>
    /// <param name="value">The parameter; entries are perturbed in place and restored.</param>
    /// <param name="gradient">The adjoint the gradient method accumulates into (same length).</param>
    public static CheckedTensor<T> Param<T>(string name, Vec<T> value, Vec<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        if (value.Length != gradient.Length)
            throw new ArgumentException($"GradientCheck: {name} has shape {value.Shape} but its gradient has shape {gradient.Shape}.");
        return new CheckedTensor<T>(name, value.Data, gradient.Data, 1, value.Length, isMatrix: false);
    }

    /// <summary>A matrix parameter and its adjoint, for <see cref="CheckTensors{T}"/>.</summary>
    /// <param name="name">The name the report uses.</param>
    /// <param name="value">The parameter; entries are perturbed in place and restored.</param>
    /// <param name="gradient">The adjoint the gradient method accumulates into (same shape).</param>
    public static CheckedTensor<T> Param<T>(string name, Mat<T> value, Mat<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        if (value.Rows != gradient.Rows || value.Cols != gradient.Cols)
            throw new ArgumentException($"GradientCheck: {name} has shape {value.Shape} but its gradient has shape {gradient.Shape}.");
        return new CheckedTensor<T>(name, value.Data, gradient.Data, value.Rows, value.Cols, isMatrix: true);
    }

    /// <summary>
    /// Gradient checking for a method with <see cref="Vec{T}"/>/<see cref="Mat{T}"/> parameters: zeroes each adjoint, calls
    /// <paramref name="gradient"/> once (a generated <c>…Gradient</c> method, which accumulates into the adjoints), then compares
    /// a seeded random sample of each tensor's entries with central differences of <paramref name="function"/>, perturbing the
    /// entries in place (and restoring them). Checking a sample keeps the cost at 2 evaluations per sampled entry however large
    /// the tensors; a tensor with at most <paramref name="samplesPerTensor"/> entries is checked in full.
    /// </summary>
    /// <example>
    /// <code>
    /// var ws = new Networks.TwoLayerWorkspace();
    /// var report = GradientCheck.CheckTensors(
    ///     () => Networks.TwoLayer(W1, b1, W2, b2, u, x),
    ///     () => Networks.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, ws),
    ///     new[] { GradientCheck.Param("W1", W1, dW1), GradientCheck.Param("b1", b1, db1), GradientCheck.Param("x", x, dx) });
    /// Console.WriteLine(report);   // every sampled entry, worst first line
    /// </code>
    /// </example>
    /// <param name="function">The function, reading the tensors' current values.</param>
    /// <param name="gradient">Computes the function's value and adds its gradient into the adjoints.</param>
    /// <param name="tensors">The parameters to check, each with its adjoint (see <see cref="Param{T}(string, Vec{T}, Vec{T})"/>).</param>
    /// <param name="samplesPerTensor">How many entries of each tensor to check (≥ 1).</param>
    /// <param name="seed">Seed of the sample, so a failing check can be repeated.</param>
    /// <param name="step">Relative step h (each entry uses h·max(1, |xᵢ|)); 0 picks 1e-6 for double and 5e-3 for float.</param>
    public static TensorGradientCheckReport CheckTensors<T>(Func<T> function, Func<T> gradient, IReadOnlyList<CheckedTensor<T>> tensors,
        int samplesPerTensor = 16, ulong seed = 1, double step = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(tensors);
        if (samplesPerTensor < 1) throw new ArgumentOutOfRangeException(nameof(samplesPerTensor), samplesPerTensor, "Check at least one entry per tensor.");
        if (step == 0) step = typeof(T) == typeof(float) ? 5e-3 : 1e-6;

        foreach (var tensor in tensors)
        {
            Array.Clear(tensor.Gradient);
        }
        double gradientValue = double.CreateChecked(gradient());
        double value = double.CreateChecked(function());

        var rng = new Rng(seed);
        var entries = new List<TensorGradientCheckEntry>();
        foreach (var tensor in tensors)
        {
            var values = tensor.Values;
            int[] indices = Sample(values.Length, samplesPerTensor, rng);
            foreach (int i in indices)
            {
                T saved = values[i];
                T h = T.CreateChecked(step) * T.Max(T.One, T.Abs(saved));
                T up = saved + h, down = saved - h;
                values[i] = up;
                double fUp = double.CreateChecked(function());
                values[i] = down;
                double fDown = double.CreateChecked(function());
                values[i] = saved;
                double numeric = (fUp - fDown) / (double.CreateChecked(up) - double.CreateChecked(down));
                entries.Add(new TensorGradientCheckEntry(tensor.Name, i, tensor.IsMatrix ? i / tensor.Cols : -1, tensor.IsMatrix ? i % tensor.Cols : i,
                    double.CreateChecked(tensor.Gradient[i]), numeric));
            }
        }
        return new TensorGradientCheckReport(value, gradientValue, entries);
    }

    /// <summary>Sorted distinct indices: all of 0..n−1 when n ≤ k, else k drawn without replacement.</summary>
    private static int[] Sample(int n, int k, Rng rng)
    {
        if (n <= k)
        {
            var all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        // Floyd's algorithm: k distinct values without an O(n) array.
        var chosen = new HashSet<int>();
        for (int j = n - k; j < n; j++)
        {
            int t = rng.NextInt(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        var result = new int[k];
        chosen.CopyTo(result);
        Array.Sort(result);
        return result;
    }
}

/// <summary>A tensor parameter and its adjoint for <see cref="GradientCheck.CheckTensors{T}"/>; make one with <c>GradientCheck.Param</c>.</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class CheckedTensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal CheckedTensor(string name, T[] values, T[] gradient, int rows, int cols, bool isMatrix)
    {
        Name = name;
        Values = values;
        Gradient = gradient;
        Rows = rows;
        Cols = cols;
        IsMatrix = isMatrix;
    }

    /// <summary>The name in the report.</summary>
    public string Name { get; }

    internal T[] Values { get; }

    internal T[] Gradient { get; }

    internal int Rows { get; }

    internal int Cols { get; }

    internal bool IsMatrix { get; }
}

/// <summary>One checked entry: where it is, both derivatives, and their error.</summary>
/// <param name="Tensor">The parameter's name.</param>
/// <param name="Index">Flat (row-major) index.</param>
/// <param name="Row">Row of a matrix entry, −1 for a vector.</param>
/// <param name="Col">Column of a matrix entry, or the vector index.</param>
/// <param name="Analytic">The gradient under test.</param>
/// <param name="Numeric">The central-difference estimate.</param>
public sealed record TensorGradientCheckEntry(string Tensor, int Index, int Row, int Col, double Analytic, double Numeric)
{
    /// <summary>|analytic − numeric| / max(1, |analytic|, |numeric|), as in <see cref="GradientCheckReport"/>.</summary>
    public double Error => Math.Abs(Analytic - Numeric) / Math.Max(1.0, Math.Max(Math.Abs(Analytic), Math.Abs(Numeric)));

    /// <summary>The entry as <c>W[2,3]</c> or <c>b[4]</c>.</summary>
    public string Where => Row >= 0
        ? string.Format(CultureInfo.InvariantCulture, "{0}[{1},{2}]", Tensor, Row, Col)
        : string.Format(CultureInfo.InvariantCulture, "{0}[{1}]", Tensor, Col);
}

/// <summary>The outcome of <see cref="GradientCheck.CheckTensors{T}"/>: every sampled entry, the worst error, and the values.</summary>
public sealed class TensorGradientCheckReport
{
    internal TensorGradientCheckReport(double value, double gradientValue, IReadOnlyList<TensorGradientCheckEntry> entries)
    {
        Value = value;
        GradientValue = gradientValue;
        Entries = entries;
        ValueError = Math.Abs(value - gradientValue) / Math.Max(1.0, Math.Abs(value));
        foreach (var entry in entries)
        {
            double error = entry.Error;
            if (Worst is null || double.IsNaN(error) || error > MaxError)
            {
                MaxError = error;
                Worst = entry;
                if (double.IsNaN(error)) break;
            }
        }
    }

    /// <summary>The function's value.</summary>
    public double Value { get; }

    /// <summary>The value the gradient method returned (it must equal <see cref="Value"/>).</summary>
    public double GradientValue { get; }

    /// <summary>|Value − GradientValue| / max(1, |Value|).</summary>
    public double ValueError { get; }

    /// <summary>Every checked entry, tensor by tensor, in index order.</summary>
    public IReadOnlyList<TensorGradientCheckEntry> Entries { get; }

    /// <summary>The largest entry error (NaN if any entry is NaN; 0 when nothing was checked).</summary>
    public double MaxError { get; }

    /// <summary>The entry with <see cref="MaxError"/>, or null when nothing was checked.</summary>
    public TensorGradientCheckEntry? Worst { get; }

    /// <summary>True when every entry's error and the value error are at most <paramref name="tolerance"/>.</summary>
    public bool Passed(double tolerance) => MaxError <= tolerance && ValueError <= tolerance;

    /// <summary>A table of every checked entry, worst first line, for test failure messages and console output.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0} entries checked, max error {1:E2} at {2}; value {3:G10} (gradient method returned {4:G10})",
            Entries.Count, MaxError, Worst?.Where ?? "-", Value, GradientValue));
        foreach (var entry in Entries)
        {
            text.AppendLine(string.Format(CultureInfo.InvariantCulture,
                "  {0,-12} analytic {1,14:G8}  numeric {2,14:G8}  error {3:E2}", entry.Where, entry.Analytic, entry.Numeric, entry.Error));
        }
        return text.ToString();
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
