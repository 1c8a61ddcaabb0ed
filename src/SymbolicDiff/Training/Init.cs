using System;
using System.Numerics;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Training;

/// <summary>Parameter initialisers.</summary>
public static class Init
{
    /// <summary>
    /// Xavier/Glorot uniform: every element of W (fan_out × fan_in = Rows × Cols) drawn from
    /// U(−a, a) with a = √(6 / (fan_in + fan_out)).
    /// </summary>
    /// <param name="w">Matrix to fill; its Cols are fan_in and its Rows fan_out.</param>
    /// <param name="rng">Random source.</param>
    public static void XavierUniform<T>(Mat<T> w, Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(w);
        XavierUniform<T>(w.Data, fanIn: w.Cols, fanOut: w.Rows, rng);
    }

    /// <summary>Xavier/Glorot uniform over a flat span with explicit fan-in and fan-out.</summary>
    /// <param name="values">Values to fill.</param>
    /// <param name="fanIn">Number of inputs to the layer.</param>
    /// <param name="fanOut">Number of outputs of the layer.</param>
    /// <param name="rng">Random source.</param>
    public static void XavierUniform<T>(Span<T> values, int fanIn, int fanOut, Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (fanIn + fanOut <= 0) throw new ArgumentException($"XavierUniform: fan_in ({fanIn}) + fan_out ({fanOut}) must be positive.");
        Uniform(values, Math.Sqrt(6.0 / (fanIn + fanOut)), rng);
    }

    /// <summary>Fills <paramref name="values"/> from U(−<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    /// <param name="values">Values to fill.</param>
    /// <param name="bound">Half-width of the interval.</param>
    /// <param name="rng">Random source.</param>
    public static void Uniform<T>(Span<T> values, double bound, Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateChecked(rng.NextDouble(-bound, bound));
    }

    /// <summary>Sets every element to zero.</summary>
    /// <param name="values">Values to clear.</param>
    public static void Zeros<T>(Span<T> values) where T : unmanaged, IFloatingPointIeee754<T> => values.Clear();

    /// <summary>Fills <paramref name="values"/> with samples of N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    /// <param name="values">Values to fill.</param>
    /// <param name="rng">Random source.</param>
    /// <param name="mean">Mean.</param>
    /// <param name="std">Standard deviation.</param>
    public static void Gaussian<T>(Span<T> values, Rng rng, double mean = 0.0, double std = 1.0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateChecked(rng.NextGaussian(mean, std));
    }
}
