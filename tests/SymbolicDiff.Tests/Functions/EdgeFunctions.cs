// Some functions here are zero-derivative on purpose (Floor, Sign, ...); SD0017 says so, and is expected.
#pragma warning disable SD0017

using System;
using SymbolicDiff;

namespace SymbolicDiff.Tests.Functions;

/// <summary>Edge cases: names that could collide with generated temporaries, integer arithmetic, constants, CSE across branches.</summary>
public static partial class Edge
{
    [Differentiable] public static double PowVarAtZero(double x, double y) => Math.Pow(x, y);
    // Operands that are the same value: the backward pass must not compare x with itself (C# warning CS1718).
    [Differentiable] public static double MaxSelf(double x) => Math.Max(x, x);
    [Differentiable] public static double MinSelf(double x) => Math.Min(x, x);
    [Differentiable] public static double ClampSelf(double x) => Math.Clamp(x, x, x + 1);
    [Differentiable] public static double IntDivision(double x) => x * (7 / 2) + x * (7 % 4) + (double)(9 / 4) * x;
    [Differentiable] public static double FloatLiteral(double x) => x * 0.1f;
    [Differentiable] public static double ThirdConstant(double x) => x * (1.0 / 3.0) + x / 10;
    [Differentiable] public static double IntMath(double x, int n) => x * Math.Max(n, 3) + Math.Abs(n) * x + x * (n > 0 ? n : -n);
    [Differentiable] public static double IntCompare(double x, int n) => x > n ? x * x : n;
    [Differentiable] public static double IntBranchLiteral(double x) => x > 0 ? x : 0;
    [Differentiable]
    public static double BoolLocal(double x, double y)
    {
        bool positive = x > 0;
        bool both = positive && y > 0;
        return both ? x * y : positive ? x : -y;
    }
    [Differentiable]
    public static double CseAcrossBranch(double x)
    {
        double a = x > 1 ? Math.Exp(x) : 1;
        return a + Math.Exp(x);
    }
    [Differentiable]
    public static double CseIntoBranch(double x)
    {
        double e = Math.Exp(x);
        double a = x > 1 ? Math.Exp(x) * 2 : e;
        return a * e;
    }
    [Differentiable]
    public static double SqrtLocalInUntakenBranch(double x)
    {
        double s = Math.Sqrt(x);
        return x > 0 ? s : -x;
    }
    [Differentiable] public static double SqrtInCondition(double x) => Math.Sqrt(x) > 1 ? Math.Sqrt(x) : x;
    /// <summary>Each branch is NaN wherever it is not taken.</summary>
    [Differentiable] public static double NaNNested(double x) => x > 0 ? Math.Sqrt(x) * 2 : (x < -5 ? Math.Log(-x) : Math.Log(x + 5.5) - x);
    [Differentiable]
    public static double BranchThenReassign(double x, double y)
    {
        double a = x;
        double b = a > 0 ? a * y : y;
        a = b * 2;
        a += a;
        a -= x * a;
        return a + b;
    }
    [Differentiable]
    public static double RemAssign(double x, double y)
    {
        double a = x * 3;
        a %= y;
        return a;
    }
    [Differentiable]
    public static double ParamIncrement(double x)
    {
        x++;
        x *= x;
        x--;
        return x;
    }
    [Differentiable] public static double Names(double x, double dx) => x * dx + dx;
    [Differentiable] public static double Temps(double t1, double dt1, double t2) => t1 * dt1 + Math.Sin(t2 * t1);
    [Differentiable]
    public static double LocalNames(double x)
    {
        double dx = x * x;
        double t1 = dx + x;
        double dt1 = t1 * 3;
        return dt1;
    }
    [Differentiable] public static double Keywords(double @in, double @double) => @in * @double + @in;
}
