// Some functions here are zero-derivative on purpose (Floor, Sign, ...); SD0017 says so, and is expected.
#pragma warning disable SD0017

using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>
/// Double-precision [Differentiable] methods: every supported operator and function, alone and composed.
/// Their generated gradients are checked in <see cref="SymbolicDiff.Tests.DoubleValueTests"/>.
/// </summary>
public static partial class D
{
    // ---- Operators ---------------------------------------------------------------------------
    [Differentiable] public static double Add(double x, double y) => x + y;
    [Differentiable] public static double Sub(double x, double y) => x - y;
    [Differentiable] public static double Mul(double x, double y) => x * y;
    [Differentiable] public static double Div(double x, double y) => x / y;
    [Differentiable] public static double Rem(double x, double y) => x % y;
    [Differentiable] public static double Neg(double x) => -x;
    [Differentiable] public static double NegChain(double x, double y) => -(x - -y) * -x;
    [Differentiable] public static double Square(double x) => x * x;
    [Differentiable] public static double Scale(double x) => x * 2.5;
    [Differentiable] public static double Reciprocal(double x) => 1 / x;
    [Differentiable] public static double SelfDivide(double x) => x / x + x;
    [Differentiable] public static double SelfSubtract(double x, double y) => x - x + y * x;

    // ---- Math functions ----------------------------------------------------------------------
    [Differentiable] public static double Exp(double x) => Math.Exp(x);
    [Differentiable] public static double Log(double x) => Math.Log(x);
    [Differentiable] public static double Log10(double x) => Math.Log10(x);
    [Differentiable] public static double Log2(double x) => Math.Log2(x);
    [Differentiable] public static double LogBase(double x, double b) => Math.Log(x, b);
    [Differentiable] public static double LogConstBase(double x) => Math.Log(x, 3);
    [Differentiable] public static double LogConstArg(double b) => Math.Log(5, b);
    [Differentiable] public static double Sqrt(double x) => Math.Sqrt(x);
    [Differentiable] public static double Cbrt(double x) => Math.Cbrt(x);
    [Differentiable] public static double PowCube(double x) => Math.Pow(x, 3);
    [Differentiable] public static double PowSquare(double x) => Math.Pow(x, 2);
    [Differentiable] public static double PowHalf(double x) => Math.Pow(x, 0.5);
    [Differentiable] public static double PowNegative(double x) => Math.Pow(x, -1.5);
    [Differentiable] public static double PowConstBase(double x) => Math.Pow(2, x);
    [Differentiable] public static double PowVar(double x, double y) => Math.Pow(x, y);
    [Differentiable] public static double PowSelf(double x) => Math.Pow(x, x);
    [Differentiable] public static double Sin(double x) => Math.Sin(x);
    [Differentiable] public static double Cos(double x) => Math.Cos(x);
    [Differentiable] public static double Tan(double x) => Math.Tan(x);
    [Differentiable] public static double Asin(double x) => Math.Asin(x);
    [Differentiable] public static double Acos(double x) => Math.Acos(x);
    [Differentiable] public static double Atan(double x) => Math.Atan(x);
    [Differentiable] public static double Atan2(double y, double x) => Math.Atan2(y, x);
    [Differentiable] public static double Sinh(double x) => Math.Sinh(x);
    [Differentiable] public static double Cosh(double x) => Math.Cosh(x);
    [Differentiable] public static double Tanh(double x) => Math.Tanh(x);
    [Differentiable] public static double Abs(double x) => Math.Abs(x);
    [Differentiable] public static double Max(double x, double y) => Math.Max(x, y);
    [Differentiable] public static double Min(double x, double y) => Math.Min(x, y);
    [Differentiable] public static double MaxConst(double x) => Math.Max(x, 0.5);
    [Differentiable] public static double Clamp(double x, double lo, double hi) => Math.Clamp(x, lo, hi);
    [Differentiable] public static double ClampConst(double x) => Math.Clamp(x, -1.0, 2.0);

#pragma warning disable SD0017 // the derivative is zero by design
    [Differentiable] public static double Floor(double x) => Math.Floor(x);
    [Differentiable] public static double Ceiling(double x) => Math.Ceiling(x);
    [Differentiable] public static double Round(double x) => Math.Round(x);
    [Differentiable] public static double Truncate(double x) => Math.Truncate(x);
    [Differentiable] public static double Sign(double x) => Math.Sign(x);
    [Differentiable] public static double Simplified(double x, double y) => x * 1 + 0 * y + (2 + 3) * x - (y - y) + x / 1 + 0;
#pragma warning restore SD0017
    [Differentiable] public static double FloorTimes(double x) => x * Math.Floor(x) + Math.Sin(Math.Round(x)) + Math.Sign(x) * x;
    [Differentiable] public static double CeilingTruncate(double x, double y) => Math.Ceiling(x) * y + Math.Truncate(y) * x;

    // ---- Activations -------------------------------------------------------------------------
    [Differentiable] public static double Sigmoid(double x) => Activations.Sigmoid(x);
    [Differentiable] public static double ReLU(double x) => Activations.ReLU(x);
    [Differentiable] public static double HardTanh(double x) => Activations.HardTanh(x);
    [Differentiable] public static double Softplus(double x) => Activations.Softplus(x);
    [Differentiable] public static double LeakyReLU(double x, double slope) => Activations.LeakyReLU(x, slope);
    [Differentiable] public static double LeakyReLUConst(double x) => Activations.LeakyReLU(x, 0.01);

    // ---- Conditionals ------------------------------------------------------------------------
    [Differentiable] public static double TernaryGt(double x) => x > 0 ? x * x : -3 * x;
    [Differentiable] public static double TernaryLe(double x) => x <= 1 ? Math.Sin(x) : Math.Exp(x);
    [Differentiable] public static double TernaryLt(double x, double y) => x < y ? x * y : x - y;
    [Differentiable] public static double TernaryGe(double x) => x >= 2 ? 5 * x : x * x * x;
    [Differentiable] public static double TernaryEq(double x, double y) => x == 2 ? y * y : x * y;
    [Differentiable] public static double TernaryNe(double x) => x != 0 ? Math.Sin(x) / x : 1.0;
    [Differentiable] public static double TernaryAnd(double x, double y) => x > 0 && y > 0 ? x * y : x + y;
    [Differentiable] public static double TernaryOr(double x, double y) => x > 1 || y < 0 ? x * x : y * y;
    [Differentiable] public static double TernaryNot(double x) => !(x > 1) ? 2 * x : x * x;
    [Differentiable] public static double TernaryMax(double x, double y) => x > y ? x : y;
    [Differentiable] public static double TernaryProduct(double x, double y) => x * y > 1 ? Math.Log(x * y) : x * y - 1;
    [Differentiable] public static double NestedTernary(double x) => x < -1 ? -x * x : x < 1 ? x : Math.Sqrt(x);
    /// <summary>The untaken branch is NaN for x &lt; 0: the derivative must still be −1.</summary>
    [Differentiable] public static double SafeSqrt(double x) => x > 0 ? Math.Sqrt(x) : -x;
    /// <summary>The untaken branch is −∞ (with derivative ∞) at 0 and NaN below.</summary>
    [Differentiable] public static double SafeLog(double x) => x > 0 ? Math.Log(x) : x;
    /// <summary>At y = 0 the untaken branch divides by zero.</summary>
    [Differentiable] public static double SafeDivide(double x, double y) => y != 0 ? x / y : x;
    [Differentiable] public static double TernaryLocal(double x, double y)
    {
        double a = x > y ? Math.Sqrt(x - y) : Math.Log(y - x);
        double b = a * a + x;
        return b > 2 ? b * y : b - y;
    }

    // ---- Casts and integer parameters ---------------------------------------------------------
    [Differentiable] public static double ViaFloat(double x) => (double)(float)x;
    [Differentiable] public static double ViaFloatSquared(double x) => (double)(float)(x * x) * 3;
    [Differentiable] public static double FloatInMath(double x) => Math.Sin((float)x);
    [Differentiable] public static double IntCast(double x) => x * (int)x + (long)x;
    [Differentiable] public static double IntParam(double x, int n) => n * x * x + n / 2 + x / n;
    [Differentiable] public static double LongParam(double x, long m) => Math.Pow(x, m) + m * x;
    [Differentiable] public static double IntLocal(double x, int n)
    {
        int k = n * 2 + 1;
        k += 1;
        k++;
        k--;
        double a = x * k;
        a += k % 3;
        return a * x;
    }
    [Differentiable] public static double BoolParam(double x, bool negate) => negate ? -x : x * x;

    // ---- [NoDiff] ----------------------------------------------------------------------------
    [Differentiable] public static double NoDiffScale(double x, [NoDiff] double s) => s * Math.Sin(x) + s * s;
    [Differentiable] public static double NoDiffMiddle(double x, [NoDiff] double s, double y) => x * s + y * y * s;
    [Differentiable]
    public static double Kinky(double x, [NoDiff] double s)
    {
        double y = x > 0 ? Math.Sqrt(x) * s : -x * x;
        double z = Math.Log(1 + y * y);
        return z + Math.Sin(y) * z;
    }

    // ---- Statements: compound assignment, reassignment, ++/-- ----------------------------------
    [Differentiable]
    public static double Compound(double x, double y)
    {
        double a = x;
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
    public static double CompoundMulDiv(double x, double y)
    {
        double a = x;
        a *= y;
        a /= x + y;
        a -= x;
        return a;
    }
    [Differentiable]
    public static double Reassign(double x, double y)
    {
        double t = x * x;
        t = t * y + t;
        t = Math.Sin(t);
        return t * x;
    }
    [Differentiable]
    public static double ParamReassign(double x, double y)
    {
        x = x * 2;
        y += x;
        return x * y;
    }
    [Differentiable]
    public static double IncDec(double x)
    {
        double a = x * x;
        a++;
        a *= a;
        a--;
        return a;
    }

    // ---- Common subexpressions and deep compositions --------------------------------------------
    [Differentiable] public static double Cse(double x, double y) => Math.Sin(x * y) * Math.Sin(x * y) + Math.Exp(x * y) + x * y;
    [Differentiable] public static double CseCube(double x) => (x + 1) * (x + 1) * (x + 1);
    [Differentiable] public static double Deep1(double x) => Math.Exp(Math.Sin(Math.Log(x * x + 1)));
    [Differentiable] public static double Deep2(double x, double y) => Math.Sqrt(Math.Pow(Math.Tanh(x * y), 2) + Activations.Sigmoid(x - y));
    [Differentiable] public static double Deep3(double x, double y, double z) => Activations.Softplus(x * y - z) * Math.Cos(z) / (1 + Math.Abs(x));
    [Differentiable]
    public static double Deep4(double x, double y)
    {
        double r = Math.Sqrt(x * x + y * y);
        double theta = Math.Atan2(y, x);
        double u = Math.Cosh(r / 4) * Math.Cos(theta);
        return Math.Log(1 + u * u) + Math.Max(u, theta) * Math.Min(r, 2);
    }

    [Differentiable(GradientName = "CustomNamedGrad")]
    public static double CustomNamed(double x) => 3 * x * x;
}
