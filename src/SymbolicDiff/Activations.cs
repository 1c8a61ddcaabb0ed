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

    /// <summary>The error function erf x = 2/√π ∫₀ˣ e^−t² dt (System.Math has none); derivative 2/√π·e^−x².</summary>
    /// <remarks>
    /// |x| &lt; 3: the series e^−x²·2/√π·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), whose terms are all positive (no cancellation);
    /// beyond, 1 − erfc x with erfc's continued fraction. Both are accurate to a few ulps, so that finite differences
    /// of Erf agree with its derivative.
    /// </remarks>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }
        double a = Math.Abs(x);
        if (a >= 6)
        {
            return Math.CopySign(1.0, x);
        }
        if (a < 3)
        {
            double term = a, sum = a, square = a * a;
            for (int n = 1; term > 1e-17 * sum; n++)
            {
                term *= 2 * square / (2 * n + 1);
                sum += term;
            }
            return Math.CopySign(1.1283791670955126 * Math.Exp(-square) * sum, x);
        }
        // erfc a = e^−a²/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated bottom-up.
        double fraction = a;
        for (int k = 60; k >= 1; k--)
        {
            fraction = a + k / 2.0 / fraction;
        }
        return Math.CopySign(1.0 - Math.Exp(-a * a) / (1.7724538509055160 * fraction), x);
    }

    /// <inheritdoc cref="Erf(double)"/>
    public static float Erf(float x) => (float)Erf((double)x);

    /// <summary>GELU x·Φ(x) = x/2·(1 + erf(x/√2)) (the exact form, not the tanh approximation); derivative Φ(x) + x·φ(x).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Erf(x * 0.7071067811865476));

    /// <inheritdoc cref="Gelu(double)"/>
    public static float Gelu(float x) => 0.5f * x * (1f + Erf(x * 0.70710677f));

    /// <summary>Swish (SiLU) x·σ(x); derivative σ(x)(1 + x(1 − σ(x))).</summary>
    public static double Swish(double x) => x * Sigmoid(x);

    /// <inheritdoc cref="Swish(double)"/>
    public static float Swish(float x) => x * Sigmoid(x);

    /// <summary>Mish x·tanh(softplus x); derivative tanh(sp) + x·(1 − tanh²(sp))·σ(x).</summary>
    public static double Mish(double x) => x * Math.Tanh(Softplus(x));

    /// <inheritdoc cref="Mish(double)"/>
    public static float Mish(float x) => x * MathF.Tanh(Softplus(x));

    /// <summary>Softsign x / (1 + |x|); derivative 1 / (1 + |x|)².</summary>
    public static double Softsign(double x) => x / (1.0 + Math.Abs(x));

    /// <inheritdoc cref="Softsign(double)"/>
    public static float Softsign(float x) => x / (1f + MathF.Abs(x));

    /// <summary>ELU: x for x &gt; 0, else α(eˣ − 1); derivative 1, or α·eˣ for x ≤ 0.</summary>
    public static double Elu(double x, double alpha) => x > 0 ? x : alpha * double.ExpM1(x);

    /// <inheritdoc cref="Elu(double, double)"/>
    public static float Elu(float x, float alpha) => x > 0 ? x : alpha * float.ExpM1(x);

    /// <summary>SELU λ·ELU(x, α) with the self-normalising λ ≈ 1.0507, α ≈ 1.6733; derivative λ, or λα·eˣ for x ≤ 0.</summary>
    public static double Selu(double x) => x > 0 ? 1.0507009873554805 * x : 1.7580993408473766 * double.ExpM1(x);

    /// <inheritdoc cref="Selu(double)"/>
    public static float Selu(float x) => x > 0 ? 1.050701f * x : 1.7580993f * float.ExpM1(x);
}
