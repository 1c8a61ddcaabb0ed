using System;

namespace SymbolicDiff;

/// <summary>
/// Scalar nonlinearities from CS224n lecture 4. The generator knows each one's derivative,
/// so they can be used inside <see cref="DifferentiableAttribute"/> methods.
/// </summary>
public static class Activations
{
    /// <summary>Logistic sigmoid 1 / (1 + e^−x); derivative σ(x)(1 − σ(x)).</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <inheritdoc cref="Sigmoid(double)"/>
    public static float Sigmoid(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));

    /// <summary>Rectified linear unit max(0, x); derivative 1 for x &gt; 0, else 0.</summary>
    public static double ReLU(double x) => x > 0 ? x : 0.0;

    /// <inheritdoc cref="ReLU(double)"/>
    public static float ReLU(float x) => x > 0 ? x : 0f;

    /// <summary>Hard tanh: −1 below −1, 1 above 1, x between; derivative 1 on (−1, 1), else 0.</summary>
    public static double HardTanh(double x) => x < -1.0 ? -1.0 : x > 1.0 ? 1.0 : x;

    /// <inheritdoc cref="HardTanh(double)"/>
    public static float HardTanh(float x) => x < -1f ? -1f : x > 1f ? 1f : x;

    /// <summary>Softplus log(1 + eˣ), computed without overflow; derivative σ(x).</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <inheritdoc cref="Softplus(double)"/>
    public static float Softplus(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    /// <summary>Leaky ReLU: x for x &gt; 0, else slope·x; derivative 1 or slope.</summary>
    public static double LeakyReLU(double x, double slope) => x > 0 ? x : slope * x;

    /// <inheritdoc cref="LeakyReLU(double, double)"/>
    public static float LeakyReLU(float x, float slope) => x > 0 ? x : slope * x;
}
