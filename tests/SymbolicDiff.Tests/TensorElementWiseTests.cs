using System;
using System.Collections.Generic;
using SymbolicDiff;
using SymbolicDiff.Tensors;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>
/// One element-wise tensor operation per method, weighted by u so that dx = u ∘ f′(x): the backward passes the
/// emitter writes from the operation table (Vector&lt;T&gt; lanes, then the remaining elements one by one).
/// </summary>
public static partial class ElementWiseModels
{
    [Differentiable] public static double Tanh(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Tanh(x));
    [Differentiable] public static double Sigmoid(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Sigmoid(x));
    [Differentiable] public static double ReLU(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.ReLU(x));
    [Differentiable] public static double HardTanh(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.HardTanh(x));
    [Differentiable] public static double Exp(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Exp(x));
    [Differentiable] public static double Log(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Log(x));
    // Tensor.Map: rules with a Vector<T> form (square root, absolute value, a constant function Math.Log(10)) and one without (−sin).
    [Differentiable] public static double Sqrt(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Map(x, Math.Sqrt));
    [Differentiable] public static double Abs(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Map(x, Math.Abs));
    [Differentiable] public static double Softsign(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Map(x, Activations.Softsign));
    [Differentiable] public static double Log10(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Map(x, Math.Log10));
    [Differentiable] public static double Cos(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.Map(x, Math.Cos));

    [Differentiable] public static float TanhF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.Tanh(x));
    [Differentiable] public static float SigmoidF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.Sigmoid(x));
    [Differentiable] public static float ReLUF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.ReLU(x));
    [Differentiable] public static float HardTanhF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.HardTanh(x));
    [Differentiable] public static float ExpF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.Exp(x));
    [Differentiable] public static float LogF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.Log(x));
    [Differentiable] public static float SqrtF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.Map(x, MathF.Sqrt));
    [Differentiable] public static float AbsF(Vec<float> x, [NoDiff] Vec<float> u) => Tensor.Dot(u, Tensor.Map(x, MathF.Abs));

    // A matrix (a minibatch's activations): its elements are the Mat's Data.
    [Differentiable] public static double TanhRows(Mat<double> X) => Tensor.Sum(Tensor.Tanh(X));
    [Differentiable] public static double SigmoidRows(Mat<double> X) => Tensor.Sum(Tensor.Sigmoid(X));
    [Differentiable] public static float ReLURows(Mat<float> X) => Tensor.Sum(Tensor.ReLU(X));

    /// <summary>ln 0 = −∞ and ReLU(−∞) = 0: dy = 0 reaches Log where its rule 1/x is infinite, and must pass on 0 (not 0/0 = NaN).</summary>
    [Differentiable] public static double LogAtZero(Vec<double> x, [NoDiff] Vec<double> u) => Tensor.Dot(u, Tensor.ReLU(Tensor.Log(x)));
}

public class TensorElementWiseTests
{
    public static readonly int[] Lengths = { 1, 7, 8, 9, 33 };

    /// <summary>Points on both sides of every kink (0, ±1) and away from them, further than any difference step.</summary>
    private static readonly double[] Around = { -2.5, -1.01, -0.99, -0.5, -0.01, 0.01, 0.5, 0.99, 1.01, 2.5, -1.7, 0.3, 1.9 };

    private delegate double Model(Vec<double> x, Vec<double> u);
    private delegate double Gradient(Vec<double> x, Vec<double> u, Vec<double> dx);
    private delegate float ModelF(Vec<float> x, Vec<float> u);
    private delegate float GradientF(Vec<float> x, Vec<float> u, Vec<float> dx);

    /// <summary>Each operation: the model, its gradient, f′ derived by hand, and whether it needs x &gt; 0.</summary>
    private static readonly Dictionary<string, (Model F, Gradient G, Func<double, double> Derivative, bool Positive)> Cases = new()
    {
        ["Tanh"] = (ElementWiseModels.Tanh, Ws<ElementWiseModels.TanhWorkspace>(ElementWiseModels.TanhGradient), x => 1 - Math.Tanh(x) * Math.Tanh(x), false),
        ["Sigmoid"] = (ElementWiseModels.Sigmoid, Ws<ElementWiseModels.SigmoidWorkspace>(ElementWiseModels.SigmoidGradient), x => Math.Exp(-x) / ((1 + Math.Exp(-x)) * (1 + Math.Exp(-x))), false),
        ["ReLU"] = (ElementWiseModels.ReLU, Ws<ElementWiseModels.ReLUWorkspace>(ElementWiseModels.ReLUGradient), x => x > 0 ? 1 : 0, false),
        ["HardTanh"] = (ElementWiseModels.HardTanh, Ws<ElementWiseModels.HardTanhWorkspace>(ElementWiseModels.HardTanhGradient), x => x >= -1 && x <= 1 ? 1 : 0, false),
        ["Exp"] = (ElementWiseModels.Exp, Ws<ElementWiseModels.ExpWorkspace>(ElementWiseModels.ExpGradient), Math.Exp, false),
        ["Log"] = (ElementWiseModels.Log, Ws<ElementWiseModels.LogWorkspace>(ElementWiseModels.LogGradient), x => 1 / x, true),
        ["Sqrt"] = (ElementWiseModels.Sqrt, Ws<ElementWiseModels.SqrtWorkspace>(ElementWiseModels.SqrtGradient), x => 0.5 / Math.Sqrt(x), true),
        ["Abs"] = (ElementWiseModels.Abs, Ws<ElementWiseModels.AbsWorkspace>(ElementWiseModels.AbsGradient), x => x < 0 ? -1 : 1, false),
        ["Softsign"] = (ElementWiseModels.Softsign, Ws<ElementWiseModels.SoftsignWorkspace>(ElementWiseModels.SoftsignGradient), x => 1 / ((1 + Math.Abs(x)) * (1 + Math.Abs(x))), false),
        ["Log10"] = (ElementWiseModels.Log10, Ws<ElementWiseModels.Log10Workspace>(ElementWiseModels.Log10Gradient), x => 1 / (x * Math.Log(10)), true),
        ["Cos"] = (ElementWiseModels.Cos, Ws<ElementWiseModels.CosWorkspace>(ElementWiseModels.CosGradient), x => -Math.Sin(x), false),
    };

    private static readonly Dictionary<string, (ModelF F, GradientF G, string Double)> FloatCases = new()
    {
        ["TanhF"] = (ElementWiseModels.TanhF, WsF<ElementWiseModels.TanhFWorkspace>(ElementWiseModels.TanhFGradient), "Tanh"),
        ["SigmoidF"] = (ElementWiseModels.SigmoidF, WsF<ElementWiseModels.SigmoidFWorkspace>(ElementWiseModels.SigmoidFGradient), "Sigmoid"),
        ["ReLUF"] = (ElementWiseModels.ReLUF, WsF<ElementWiseModels.ReLUFWorkspace>(ElementWiseModels.ReLUFGradient), "ReLU"),
        ["HardTanhF"] = (ElementWiseModels.HardTanhF, WsF<ElementWiseModels.HardTanhFWorkspace>(ElementWiseModels.HardTanhFGradient), "HardTanh"),
        ["ExpF"] = (ElementWiseModels.ExpF, WsF<ElementWiseModels.ExpFWorkspace>(ElementWiseModels.ExpFGradient), "Exp"),
        ["LogF"] = (ElementWiseModels.LogF, WsF<ElementWiseModels.LogFWorkspace>(ElementWiseModels.LogFGradient), "Log"),
        ["SqrtF"] = (ElementWiseModels.SqrtF, WsF<ElementWiseModels.SqrtFWorkspace>(ElementWiseModels.SqrtFGradient), "Sqrt"),
        ["AbsF"] = (ElementWiseModels.AbsF, WsF<ElementWiseModels.AbsFWorkspace>(ElementWiseModels.AbsFGradient), "Abs"),
    };

    private static Gradient Ws<TW>(Func<Vec<double>, Vec<double>, Vec<double>, TW, double> gradient) where TW : new()
    {
        var workspace = new TW();
        return (x, u, dx) => gradient(x, u, dx, workspace);
    }

    private static GradientF WsF<TW>(Func<Vec<float>, Vec<float>, Vec<float>, TW, float> gradient) where TW : new()
    {
        var workspace = new TW();
        return (x, u, dx) => gradient(x, u, dx, workspace);
    }

    public static IEnumerable<object[]> DoubleRows()
    {
        foreach (var name in Cases.Keys) foreach (int n in Lengths) yield return new object[] { name, n };
    }

    public static IEnumerable<object[]> FloatRows()
    {
        foreach (var name in FloatCases.Keys) foreach (int n in Lengths) yield return new object[] { name, n };
    }

    /// <summary>x around the kinks (positive for Log, Sqrt, Log10), u random with both signs, dx holding a previous sum.</summary>
    private static (double[] X, double[] U, double[] Before) Point(int n, bool positive, int seed)
    {
        var random = new Random(seed);
        var (x, u, before) = (new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            double at = Around[(i + seed) % Around.Length];
            x[i] = positive ? Math.Abs(at) + 0.05 : at;
            u[i] = (random.NextDouble() + 0.5) * (i % 3 == 1 ? -1 : 1);
            before[i] = random.NextDouble() - 0.5;   // the backward pass accumulates onto it
        }
        return (x, u, before);
    }

    [Theory]
    [MemberData(nameof(DoubleRows))]
    public void DoubleBackwardMatchesCentralDifferencesAndTheHandDerivedRule(string name, int n)
    {
        var (f, g, derivative, positive) = Cases[name];
        var (xs, us, before) = Point(n, positive, n);
        var (x, u, dx) = (new Vec<double>((double[])xs.Clone()), new Vec<double>(us), new Vec<double>((double[])before.Clone()));
        double value = g(x, u, dx);
        Assert.Equal(f(x, u), value, 12);
        const double h = 1e-6;
        for (int i = 0; i < n; i++)
        {
            double share = dx[i] - before[i];
            Assert.Equal(us[i] * derivative(xs[i]), share, 12);
            x[i] = xs[i] + h;
            double up = f(x, u);
            x[i] = xs[i] - h;
            double down = f(x, u);
            x[i] = xs[i];
            double central = (up - down) / (2 * h);
            Assert.True(Math.Abs(central - share) <= 1e-6 * Math.Max(1, Math.Abs(share)), $"{name}, n = {n}, x[{i}] = {xs[i]}: backward {share}, central difference {central}");
        }
    }

    [Theory]
    [MemberData(nameof(FloatRows))]
    public void FloatBackwardMatchesCentralDifferencesAndTheHandDerivedRule(string name, int n)
    {
        var (f, g, of) = FloatCases[name];
        var (_, _, derivative, positive) = Cases[of];
        var (xs, us, before) = Point(n, positive, n + 1);
        var x = new Vec<float>(Array.ConvertAll(xs, v => (float)v));
        var u = new Vec<float>(Array.ConvertAll(us, v => (float)v));
        var dx = new Vec<float>(Array.ConvertAll(before, v => (float)v));
        g(x, u, dx);
        const float h = 1e-3f;
        for (int i = 0; i < n; i++)
        {
            double share = dx[i] - (float)before[i];
            Assert.True(Math.Abs(u[i] * derivative(x[i]) - share) <= 1e-5 * Math.Max(1, Math.Abs(share)), $"{name}, n = {n}, x[{i}] = {x[i]}: backward {share}, by hand {u[i] * derivative(x[i])}");
            float xi = x[i];
            x[i] = xi + h;
            float up = f(x, u);
            x[i] = xi - h;
            float down = f(x, u);
            x[i] = xi;
            double central = ((double)up - down) / (2 * h);
            Assert.True(Math.Abs(central - share) <= 1e-2 * Math.Max(1, Math.Abs(share)), $"{name}, n = {n}, x[{i}] = {x[i]}: backward {share}, central difference {central}");
        }
    }

    /// <summary>At a kink itself (0, ±1) the rule takes the side the table names: ReLU the zero side, HardTanh the linear side, |x| the + side.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(33)]
    public void AtTheKinksTheTablesSideIsTaken(int n)
    {
        double[] kinks = { 0, 1, -1 };
        var xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = kinks[i % 3];
        var u = new Vec<double>(n);
        for (int i = 0; i < n; i++) u[i] = i + 1;
        foreach (var (name, expected) in new (string, Func<double, double>)[] { ("ReLU", x => x > 0 ? 1 : 0), ("HardTanh", x => 1), ("Abs", x => x < 0 ? -1 : 1) })
        {
            var dx = new Vec<double>(n);
            Cases[name].G(new Vec<double>((double[])xs.Clone()), u, dx);
            for (int i = 0; i < n; i++) Assert.Equal(u[i] * expected(xs[i]), dx[i]);
        }
        var xf = new Vec<float>(Array.ConvertAll(xs, v => (float)v));
        var uf = new Vec<float>(Array.ConvertAll(u.Data, v => (float)v));
        var dReLU = new Vec<float>(n);
        var dHardTanh = new Vec<float>(n);
        FloatCases["ReLUF"].G(xf, uf, dReLU);
        FloatCases["HardTanhF"].G(xf, uf, dHardTanh);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(xs[i] > 0 ? uf[i] : 0f, dReLU[i]);
            Assert.Equal(uf[i], dHardTanh[i]);
        }
    }

    /// <summary>Where the rule is infinite (1/x and 1/(2√x) at 0) a zero adjoint passes on exactly 0, in the lanes and in the remainder.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(33)]
    public void ZeroAdjointsPassOnZeroWhereTheRuleIsInfinite(int n)
    {
        var x = new Vec<double>(n);
        var u = new Vec<double>(n);
        for (int i = 0; i < n; i++)
        {
            x[i] = i % 2 == 0 ? 0 : 0.5 + i;
            u[i] = i % 2 == 0 ? 0 : 1;
        }
        var dx = new Vec<double>(n);
        ElementWiseModels.LogAtZeroGradient(x, u, dx, new ElementWiseModels.LogAtZeroWorkspace());
        for (int i = 0; i < n; i++) Assert.Equal(i % 2 == 0 ? 0 : 1 / x[i], dx[i]);   // ReLU(ln x) passes d where ln x > 0
        dx.Clear();
        Cases["Sqrt"].G(x, u, dx);
        for (int i = 0; i < n; i++) Assert.Equal(i % 2 == 0 ? 0 : 0.5 / Math.Sqrt(x[i]), dx[i], 15);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 3)]
    [InlineData(5, 9)]
    public void MatrixElementsMatchTheHandDerivedRule(int rows, int cols)
    {
        var X = new Mat<double>(rows, cols);
        for (int i = 0; i < X.Length; i++) X.Data[i] = Around[i % Around.Length];
        var dTanh = new Mat<double>(rows, cols);
        var dSigmoid = new Mat<double>(rows, cols);
        ElementWiseModels.TanhRowsGradient(X, dTanh, new ElementWiseModels.TanhRowsWorkspace());
        ElementWiseModels.SigmoidRowsGradient(X, dSigmoid, new ElementWiseModels.SigmoidRowsWorkspace());
        var Xf = new Mat<float>(rows, cols);
        for (int i = 0; i < X.Length; i++) Xf.Data[i] = (float)X.Data[i];
        var dReLU = new Mat<float>(rows, cols);
        ElementWiseModels.ReLURowsGradient(Xf, dReLU, new ElementWiseModels.ReLURowsWorkspace());
        for (int i = 0; i < X.Length; i++)
        {
            Assert.Equal(Cases["Tanh"].Derivative(X.Data[i]), dTanh.Data[i], 14);
            Assert.Equal(Cases["Sigmoid"].Derivative(X.Data[i]), dSigmoid.Data[i], 14);
            Assert.Equal(X.Data[i] > 0 ? 1f : 0f, dReLU.Data[i]);
        }
    }

    [Fact]
    public void AWarmCallAllocatesNothing()
    {
        var (xs, us, _) = Point(33, false, 2);
        var (x, u, dx) = (new Vec<double>(xs), new Vec<double>(us), new Vec<double>(33));
        var xf = new Vec<float>(Array.ConvertAll(xs, v => (float)v));
        var (uf, dxf) = (new Vec<float>(Array.ConvertAll(us, v => (float)v)), new Vec<float>(33));
        var tanh = new ElementWiseModels.TanhWorkspace();
        var hardTanh = new ElementWiseModels.HardTanhFWorkspace();
        var log = new ElementWiseModels.LogAtZeroWorkspace();
        void Run()
        {
            ElementWiseModels.TanhGradient(x, u, dx, tanh);
            ElementWiseModels.HardTanhFGradient(xf, uf, dxf, hardTanh);
            ElementWiseModels.LogAtZeroGradient(x, u, dx, log);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
