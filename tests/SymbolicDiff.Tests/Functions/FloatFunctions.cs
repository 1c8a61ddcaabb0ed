// Some functions here are zero-derivative on purpose (Floor, Sign, ...); SD0017 says so, and is expected.
#pragma warning disable SD0017

using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Single-precision twins of <see cref="D"/>'s methods (same names, same math), checked against the double closed forms
/// in <see cref="SymbolicDiff.Tests.FloatValueTests"/>.
/// </summary>
public static partial class F
{
    // ---- Operators ---------------------------------------------------------------------------
    [Differentiable] public static float Add(float x, float y) => x + y;
    [Differentiable] public static float Sub(float x, float y) => x - y;
    [Differentiable] public static float Mul(float x, float y) => x * y;
    [Differentiable] public static float Div(float x, float y) => x / y;
    [Differentiable] public static float Rem(float x, float y) => x % y;
    [Differentiable] public static float Neg(float x) => -x;
    [Differentiable] public static float NegChain(float x, float y) => -(x - -y) * -x;
    [Differentiable] public static float Square(float x) => x * x;
    [Differentiable] public static float Reciprocal(float x) => 1 / x;

    // ---- MathF functions ---------------------------------------------------------------------
    [Differentiable] public static float Exp(float x) => MathF.Exp(x);
    [Differentiable] public static float Log(float x) => MathF.Log(x);
    [Differentiable] public static float Log10(float x) => MathF.Log10(x);
    [Differentiable] public static float Log2(float x) => MathF.Log2(x);
    [Differentiable] public static float LogBase(float x, float b) => MathF.Log(x, b);
    [Differentiable] public static float LogConstBase(float x) => MathF.Log(x, 3f);
    [Differentiable] public static float Sqrt(float x) => MathF.Sqrt(x);
    [Differentiable] public static float Cbrt(float x) => MathF.Cbrt(x);
    [Differentiable] public static float PowCube(float x) => MathF.Pow(x, 3f);
    [Differentiable] public static float PowSquare(float x) => MathF.Pow(x, 2f);
    [Differentiable] public static float PowHalf(float x) => MathF.Pow(x, 0.5f);
    [Differentiable] public static float PowNegative(float x) => MathF.Pow(x, -1.5f);
    [Differentiable] public static float PowConstBase(float x) => MathF.Pow(2f, x);
    [Differentiable] public static float PowVar(float x, float y) => MathF.Pow(x, y);
    [Differentiable] public static float Sin(float x) => MathF.Sin(x);
    [Differentiable] public static float Cos(float x) => MathF.Cos(x);
    [Differentiable] public static float Tan(float x) => MathF.Tan(x);
    [Differentiable] public static float Asin(float x) => MathF.Asin(x);
    [Differentiable] public static float Acos(float x) => MathF.Acos(x);
    [Differentiable] public static float Atan(float x) => MathF.Atan(x);
    [Differentiable] public static float Atan2(float y, float x) => MathF.Atan2(y, x);
    [Differentiable] public static float Sinh(float x) => MathF.Sinh(x);
    [Differentiable] public static float Cosh(float x) => MathF.Cosh(x);
    [Differentiable] public static float Tanh(float x) => MathF.Tanh(x);
    [Differentiable] public static float Abs(float x) => MathF.Abs(x);
    [Differentiable] public static float Max(float x, float y) => MathF.Max(x, y);
    [Differentiable] public static float Min(float x, float y) => MathF.Min(x, y);
    // MathF has no Clamp: the float overload of Math.Clamp must be emitted as Math.Clamp.
    [Differentiable] public static float Clamp(float x, float lo, float hi) => Math.Clamp(x, lo, hi);
    [Differentiable] public static float Floor(float x) => MathF.Floor(x);
    [Differentiable] public static float Ceiling(float x) => MathF.Ceiling(x);
    [Differentiable] public static float Round(float x) => MathF.Round(x);
    [Differentiable] public static float Truncate(float x) => MathF.Truncate(x);
    [Differentiable] public static float Sign(float x) => MathF.Sign(x);
    [Differentiable] public static float FloorTimes(float x) => x * MathF.Floor(x) + MathF.Sin(MathF.Round(x)) + MathF.Sign(x) * x;

    // ---- Activations -------------------------------------------------------------------------
    [Differentiable] public static float Sigmoid(float x) => Activations.Sigmoid(x);
    [Differentiable] public static float ReLU(float x) => Activations.ReLU(x);
    [Differentiable] public static float HardTanh(float x) => Activations.HardTanh(x);
    [Differentiable] public static float Softplus(float x) => Activations.Softplus(x);
    [Differentiable] public static float LeakyReLU(float x, float slope) => Activations.LeakyReLU(x, slope);
    [Differentiable] public static float LeakyReLUConst(float x) => Activations.LeakyReLU(x, 0.01f);

    // ---- Conditionals ------------------------------------------------------------------------
    [Differentiable] public static float TernaryGt(float x) => x > 0 ? x * x : -3 * x;
    [Differentiable] public static float TernaryAnd(float x, float y) => x > 0 && y > 0 ? x * y : x + y;
    [Differentiable] public static float TernaryOr(float x, float y) => x > 1 || y < 0 ? x * x : y * y;
    [Differentiable] public static float NestedTernary(float x) => x < -1 ? -x * x : x < 1 ? x : MathF.Sqrt(x);
    [Differentiable] public static float SafeSqrt(float x) => x > 0 ? MathF.Sqrt(x) : -x;
    [Differentiable] public static float SafeLog(float x) => x > 0 ? MathF.Log(x) : x;

    // ---- Casts, integers, [NoDiff] -----------------------------------------------------------
    /// <summary>float → double → float through System.Math: same derivative as <see cref="D.Sqrt"/>.</summary>
    [Differentiable] public static float ViaDoubleSqrt(float x) => (float)Math.Sqrt(x);
    [Differentiable] public static float ViaDoubleScale(float x) => (float)((double)x * 2.5);
    [Differentiable] public static float IntCast(float x) => x * (int)x + (long)x;
    [Differentiable] public static float IntParam(float x, int n) => n * x * x + n / 2 + x / n;
    [Differentiable] public static float NoDiffScale(float x, [NoDiff] float s) => s * MathF.Sin(x) + s * s;

    // ---- Statements ----------------------------------------------------------------------------
    [Differentiable]
    public static float Compound(float x, float y)
    {
        float a = x;
        a += y;
        a *= x;
        a -= y;
        a /= 2;
        a %= 7;
        a++;
        a--;
        ++a;
        return a;
    }
    [Differentiable]
    public static float Reassign(float x, float y)
    {
        float t = x * x;
        t = t * y + t;
        t = MathF.Sin(t);
        return t * x;
    }
    [Differentiable]
    public static float ParamReassign(float x, float y)
    {
        x = x * 2;
        y += x;
        return x * y;
    }

    // ---- CSE and deep compositions -------------------------------------------------------------
    [Differentiable] public static float Cse(float x, float y) => MathF.Sin(x * y) * MathF.Sin(x * y) + MathF.Exp(x * y) + x * y;
    [Differentiable] public static float Deep1(float x) => MathF.Exp(MathF.Sin(MathF.Log(x * x + 1)));
    [Differentiable] public static float Deep2(float x, float y) => MathF.Sqrt(MathF.Pow(MathF.Tanh(x * y), 2) + Activations.Sigmoid(x - y));
    [Differentiable] public static float Deep3(float x, float y, float z) => Activations.Softplus(x * y - z) * MathF.Cos(z) / (1 + MathF.Abs(x));
}
