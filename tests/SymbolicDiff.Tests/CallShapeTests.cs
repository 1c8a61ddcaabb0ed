using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Enums passed to [Differentiable] helpers, return; in void methods, helpers that write output spans and slices passed
/// to helpers: gradients, tangents and Jacobians against closed forms and central finite differences.
/// </summary>
public class CallShapeTests
{
    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    // ---- 1. Enums passed on ----

    [Theory]
    [InlineData(Nonlinearity.Relu, 0.4)]
    [InlineData(Nonlinearity.Relu, -0.9)]
    [InlineData(Nonlinearity.Tanh, 0.4)]
    [InlineData(Nonlinearity.Sigmoid, -0.9)]
    public void AnEnumPassedToAHelperSelectsItsCaseInTheGradientAndTangent(Nonlinearity activation, double b)
    {
        var w = new[] { 0.3, -0.2, 0.5 };
        var x = new[] { 1.0, 0.5, -0.4 };
        var dw = new double[3];
        var dx = new double[3];
        double db = 0;
        double value = CallShapeFunctions.NeuronGradient(w, x, b, activation, dw, dx, ref db);

        double z = b + w.Zip(x, (p, q) => p * q).Sum();
        var (f, slope) = activation switch
        {
            Nonlinearity.Relu => (Math.Max(z, 0), z > 0 ? 1.0 : 0.0),
            Nonlinearity.Tanh => (Math.Tanh(z), 1 - Math.Tanh(z) * Math.Tanh(z)),
            _ => (Sigmoid(z), Sigmoid(z) * (1 - Sigmoid(z))),
        };
        Assert.Equal(f, value, 14);
        Close(x.Select(v => slope * v).ToArray(), dw, 1e-14);
        Close(w.Select(v => slope * v).ToArray(), dx, 1e-14);
        Assert.Equal(slope, db, 14);
        var p = w.Concat(x).Append(b).ToArray();
        Close(Numeric(q => CallShapeFunctions.Neuron(q[..3], q[3..6], q[6], activation), p), dw.Concat(dx).Append(db).ToArray(), 1e-7);

        var direction = new[] { 0.1, 0.2, -0.3, 0.4, 0.0, 0.5, -0.6 };
        CallShapeFunctions.NeuronTangent(w, x, b, activation, direction[..3], direction[3..6], direction[6], out double tangent);
        Assert.Equal(dw.Concat(dx).Append(db).Zip(direction, (g, v) => g * v).Sum(), tangent, 14);
    }

    [Fact]
    public void ConstantEnumArgumentsKeepEachCallsOwnCase()
    {
        double u = 0.7, v = -0.3, du = 0, dv = 0;
        double value = CallShapeFunctions.MixedGradient(u, v, ref du, ref dv);
        // tanh(uv) + σ(u − v) + relu(v), with v < 0 so relu contributes nothing.
        double t = Math.Tanh(u * v), s = Sigmoid(u - v);
        Assert.Equal(t + s, value, 14);
        Assert.Equal((1 - t * t) * v + s * (1 - s), du, 14);
        Assert.Equal((1 - t * t) * u - s * (1 - s), dv, 14);
        Close(Numeric(q => CallShapeFunctions.Mixed(q[0], q[1]), new[] { u, v }), new[] { du, dv }, 1e-8);
    }

    [Theory]
    [InlineData(Nonlinearity.Tanh)]
    [InlineData(Nonlinearity.Sigmoid)]
    [InlineData(Nonlinearity.Relu)]
    public void AFloatEnumCallHasTheClosedFormGradient(Nonlinearity activation)
    {
        float w = 0.8f, x = 1.5f, b = -0.2f, dw = 0, dx = 0, db = 0;
        float value = CallShapeFunctions.NeuronFloatGradient(w, x, b, activation, ref dw, ref dx, ref db);
        double z = (double)w * x + b;
        var (f, slope) = activation switch
        {
            Nonlinearity.Relu => (Math.Max(z, 0), z > 0 ? 1.0 : 0.0),
            Nonlinearity.Tanh => (Math.Tanh(z), 1 - Math.Tanh(z) * Math.Tanh(z)),
            _ => (Sigmoid(z), Sigmoid(z) * (1 - Sigmoid(z))),
        };
        Assert.Equal(f * x, value, 5);
        Assert.Equal(slope * x * x, dw, 5);
        Assert.Equal(slope * w * x + f, dx, 5);
        Assert.Equal(slope * x, db, 5);
        var numeric = Numeric(q => CallShapeFunctions.NeuronFloat((float)q[0], (float)q[1], (float)q[2], activation), new double[] { w, x, b }, 1e-2);
        Close(numeric, new double[] { dw, dx, db }, 2e-3);
    }

    // ---- 2. return; in void methods ----

    [Theory]
    [InlineData(100.0, 4)]   // never passes the limit: every element written
    [InlineData(1.2, 2)]     // stops in the third iteration
    [InlineData(-5.0, 0)]    // stops at once
    public void AReturnInALoopOfAVoidMethodStopsWritingOutputsInEveryMode(double limit, int written)
    {
        var x = new[] { 0.5, 0.25, 1.0, 0.75 };
        double scale = 1.5;
        var y = new double[4];
        var jacobian = new double[4 * 5];
        CallShapeFunctions.CappedPrefixJacobian(x, scale, limit, y, jacobian);

        // y_i = scale Σ_{j≤i} x_j for the elements written: ∂y_i/∂x_j = scale for j ≤ i, ∂y_i/∂scale = Σ_{j≤i} x_j; zero rows after.
        var expected = new double[4 * 5];
        for (int i = 0; i < written; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                expected[i * 5 + j] = scale;
            }
            expected[i * 5 + 4] = x.Take(i + 1).Sum();
        }
        Close(expected, jacobian, 1e-15);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => i < written ? scale * x.Take(i + 1).Sum() : 0).ToArray(), y);
        var numeric = NumericJacobian(p =>
        {
            var output = new double[4];
            CallShapeFunctions.CappedPrefix(p[..4], p[4], limit, output);
            return output;
        }, x.Append(scale).ToArray(), 4);
        Close(numeric, jacobian, 1e-7);

        // A vector-Jacobian product and a tangent agree with the Jacobian.
        var seed = new[] { 1.0, -2.0, 0.5, 3.0 };
        var dx = new double[4];
        double dscale = 0;
        CallShapeFunctions.CappedPrefixGradient(x, scale, limit, new double[4], (double[])seed.Clone(), dx, ref dscale);
        Close(Enumerable.Range(0, 5).Select(c => Enumerable.Range(0, 4).Sum(r => seed[r] * expected[r * 5 + c])).ToArray(), dx.Append(dscale).ToArray(), 1e-15);
        var dy = new double[4];
        CallShapeFunctions.CappedPrefixTangent(x, scale, limit, new double[4], new[] { 1.0, 0, 0, 1.0 }, 2.0, dy);
        Close(Enumerable.Range(0, 4).Select(r => expected[r * 5] + expected[r * 5 + 3] + 2 * expected[r * 5 + 4]).ToArray(), dy, 1e-15);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(-0.5)]
    public void AnEarlyReturnOutsideLoopsSkipsTheRestOfAVoidMethod(double x)
    {
        var y = new double[3];
        var jacobian = new double[3];
        CallShapeFunctions.ClippedJacobian(x, y, jacobian);
        double[] expected = x < 0 ? new[] { 2 * x, 0, 0 } : new[] { 2 * x, 0.5 / Math.Sqrt(x), -Math.Exp(-x) };
        Close(expected, jacobian, 1e-15);
        Assert.Equal(x < 0 ? new[] { x * x, 0, 0 } : new[] { x * x, Math.Sqrt(x), Math.Exp(-x) }, y);
        Close(NumericJacobian(p =>
        {
            var output = new double[3];
            CallShapeFunctions.Clipped(p[0], output);
            return output;
        }, new[] { x }, 3), jacobian, 1e-7);
    }

    [Theory]
    [InlineData(10.0, 9)]
    [InlineData(0.5, 2)]   // x0·x2 = 0.75 stops the first row
    [InlineData(0.8, 5)]   // x1·x2 = 1.2 stops the second row
    public void AReturnFromNestedLoopsOfAVoidMethodStopsBothLoops(double limit, int written)
    {
        var x = new[] { 0.5, 0.8, 1.5 };
        var y = new double[9];
        var jacobian = new double[9 * 3];
        CallShapeFunctions.OuterUntilJacobian(x, limit, y, jacobian);
        var expected = new double[27];
        for (int k = 0; k < written; k++)
        {
            int i = k / 3, j = k % 3;
            expected[k * 3 + i] += x[j];
            expected[k * 3 + j] += x[i];
        }
        Close(expected, jacobian, 1e-15);
        Close(NumericJacobian(p =>
        {
            var output = new double[9];
            CallShapeFunctions.OuterUntil(p, limit, output);
            return output;
        }, x, 9), jacobian, 1e-7);
    }

    // ---- 3. Helpers that write output spans ----

    [Fact]
    public void TwoLayersThroughAnOutputHelperHaveTheClosedFormJacobianAndGradient()
    {
        // M1 is 3×2, M2 is 2×3.
        var m1 = new[] { 0.5, -0.3, 0.2, 0.8, -0.6, 0.1 };
        var m2 = new[] { 0.7, 0.4, -0.5, -0.2, 0.9, 0.3 };
        var x = new[] { 0.6, -1.1 };
        var y = new double[2];
        int columns = 6 + 6 + 2;
        var jacobian = new double[2 * columns];
        CallShapeFunctions.TwoLayerJacobian(m1, m2, x, y, jacobian);

        var t = Enumerable.Range(0, 3).Select(j => Math.Tanh(m1[2 * j] * x[0] + m1[2 * j + 1] * x[1])).ToArray();
        var expected = new double[2 * columns];
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(Enumerable.Range(0, 3).Sum(j => m2[3 * r + j] * t[j]), y[r], 14);
            for (int j = 0; j < 3; j++)
            {
                double share = m2[3 * r + j] * (1 - t[j] * t[j]);
                expected[r * columns + 2 * j] = share * x[0];            // ∂y_r/∂M1[j, 0]
                expected[r * columns + 2 * j + 1] = share * x[1];        // ∂y_r/∂M1[j, 1]
                expected[r * columns + 6 + 3 * r + j] = t[j];            // ∂y_r/∂M2[r, j]
                expected[r * columns + 12] += share * m1[2 * j];         // ∂y_r/∂x_0
                expected[r * columns + 13] += share * m1[2 * j + 1];     // ∂y_r/∂x_1
            }
        }
        Close(expected, jacobian, 1e-14);
        var numeric = NumericJacobian(p =>
        {
            var output = new double[2];
            CallShapeFunctions.TwoLayer(p[..6], p[6..12], p[12..], output);
            return output;
        }, m1.Concat(m2).Concat(x).ToArray(), 2);
        Close(numeric, jacobian, 1e-7);

        var dm1 = new double[6];
        var dm2 = new double[6];
        var dx = new double[2];
        CallShapeFunctions.TwoLayerGradient(m1, m2, x, new double[2], new[] { 1.0, -0.5 }, dm1, dm2, dx);
        Close(Enumerable.Range(0, columns).Select(c => expected[c] - 0.5 * expected[columns + c]).ToArray(), dm1.Concat(dm2).Concat(dx).ToArray(), 1e-14);
    }

    [Fact]
    public void AScalarMethodFillingALocalArrayThroughAnOutputHelperHasTheClosedFormGradient()
    {
        var m = new[] { 0.5, -0.3, 0.2, 0.8, -0.6, 0.1 };
        var x = new[] { 0.6, -1.1 };
        var dm = new double[6];
        var dx = new double[2];
        double value = CallShapeFunctions.EnergyGradient(m, x, dm, dx);
        // e = ‖h‖² with h = M x: ∂e/∂M[j, c] = 2 h_j x_c, ∂e/∂x = 2 Mᵀ h.
        var h = Enumerable.Range(0, 3).Select(j => m[2 * j] * x[0] + m[2 * j + 1] * x[1]).ToArray();
        Assert.Equal(h.Sum(v => v * v), value, 14);
        Close(Enumerable.Range(0, 6).Select(i => 2 * h[i / 2] * x[i % 2]).ToArray(), dm, 1e-14);
        Close(Enumerable.Range(0, 2).Select(c => Enumerable.Range(0, 3).Sum(j => 2 * h[j] * m[2 * j + c])).ToArray(), dx, 1e-14);
        Close(Numeric(p => CallShapeFunctions.Energy(p[..6], p[6..]), m.Concat(x).ToArray()), dm.Concat(dx).ToArray(), 1e-7);
    }

    [Fact]
    public void AShortBufferScaledInPlaceByAHelperInALoopHasTheClosedFormGradient()
    {
        double a = 0.9, da = 0;
        var x = new[] { 0.4, -0.7, 1.3 };
        var dx = new double[3];
        double value = CallShapeFunctions.RescaledGradient(a, x, ref da, dx);
        // In iteration k, u = 1.5^(k+1) a x, so s = Σ_k 1.5^(2k+2) a² x_k x_0.
        double Term(int k) => Math.Pow(1.5, 2 * k + 2);
        Assert.Equal(Enumerable.Range(0, 3).Sum(k => Term(k) * a * a * x[k] * x[0]), value, 13);
        Assert.Equal(Enumerable.Range(0, 3).Sum(k => Term(k) * 2 * a * x[k] * x[0]), da, 13);
        var expected = new double[3];
        for (int k = 0; k < 3; k++)
        {
            expected[k] += Term(k) * a * a * x[0];
            expected[0] += Term(k) * a * a * x[k];
        }
        Close(expected, dx, 1e-14);
        Close(Numeric(p => CallShapeFunctions.Rescaled(p[0], p[1..]), new[] { a }.Concat(x).ToArray()), new[] { da }.Concat(dx).ToArray(), 1e-7);
    }

    [Fact]
    public void AFloatOutputHelperWritingALocalArrayHasTheClosedFormJacobian()
    {
        float a = 0.7f;
        var x = new[] { 0.5f, -1.5f, 2f };
        var y = new float[3];
        var jacobian = new float[3 * 4];
        CallShapeFunctions.SineOfScaledFloatJacobian(a, x, y, jacobian);
        for (int i = 0; i < 3; i++)
        {
            double c = Math.Cos((double)a * x[i]);
            Assert.Equal(Math.Sin((double)a * x[i]), y[i], 5);
            Assert.Equal(c * x[i], jacobian[i * 4], 5);
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(i == j ? c * a : 0, jacobian[i * 4 + 1 + j], 5);
            }
        }
    }

    // ---- 4. Slices passed to helpers ----

    [Fact]
    public void SlicesOfEveryFormHaveTheClosedFormGradientAndTangent()
    {
        var x = new[] { 0.3, -0.8, 1.1, 0.6 };
        var w = new[] { 0.9, -0.4, 0.25 };
        var dx = new double[4];
        var dw = new double[3];
        double value = CallShapeFunctions.SlicedGradient(x, w, dx, dw);
        // x₁w₀ + x₂w₁ + x₂w₁ + x₃w₂ + x₂w₀ + x₃w₁
        Assert.Equal(x[1] * w[0] + 2 * x[2] * w[1] + x[3] * w[2] + x[2] * w[0] + x[3] * w[1], value, 14);
        Close(new[] { 0, w[0], 2 * w[1] + w[0], w[2] + w[1] }, dx, 1e-15);
        Close(new[] { x[1] + x[2], 2 * x[2] + x[3], x[3] }, dw, 1e-15);
        Close(Numeric(p => CallShapeFunctions.Sliced(p[..4], p[4..]), x.Concat(w).ToArray()), dx.Concat(dw).ToArray(), 1e-8);

        var direction = new[] { 0.5, -1.0, 0.25, 2.0, 1.0, 0.0, -0.5 };
        CallShapeFunctions.SlicedTangent(x, w, direction[..4], direction[4..], out double tangent);
        Assert.Equal(dx.Concat(dw).Zip(direction, (g, v) => g * v).Sum(), tangent, 14);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(6)]   // longer than x: no window
    public void ASlidingWindowSliceHasTheClosedFormGradient(int k)
    {
        var x = new[] { 0.3, -0.8, 1.1, 0.6, -0.2 };
        var dx = new double[5];
        double value = CallShapeFunctions.WindowsGradient(x, k, dx);
        var expected = new double[5];
        double sum = 0;
        for (int i = 0; i + k <= 5; i++)
        {
            double q = x.Skip(i).Take(k).Sum(v => v * v);
            sum += Math.Sin(q);
            for (int j = i; j < i + k; j++)
            {
                expected[j] += Math.Cos(q) * 2 * x[j];
            }
        }
        Assert.Equal(sum, value, 14);
        Close(expected, dx, 1e-14);
        Close(Numeric(p => CallShapeFunctions.Windows(p, k), x), dx, 1e-7);
    }

    [Fact]
    public void HelpersWritingOutputSlicesHaveTheClosedFormJacobian()
    {
        // y (5 elements): y[0..2] = M x with M 2×3 (the first 6 of m's 9), y[2..5] = 2 x.
        var m = new[] { 0.5, -0.3, 0.2, 0.8, -0.6, 0.1, 7.0, 8.0, 9.0 };
        var x = new[] { 0.6, -1.1, 0.4 };
        var y = new double[5];
        var jacobian = new double[5 * 12];
        CallShapeFunctions.BlocksJacobian(m, x, y, jacobian);
        var expected = new double[5 * 12];
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(m[3 * r] * x[0] + m[3 * r + 1] * x[1] + m[3 * r + 2] * x[2], y[r], 14);
            for (int c = 0; c < 3; c++)
            {
                expected[r * 12 + 3 * r + c] = x[c];
                expected[r * 12 + 9 + c] = m[3 * r + c];
            }
        }
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(2 * x[i], y[2 + i]);
            expected[(2 + i) * 12 + 9 + i] = 2;
        }
        Close(expected, jacobian, 1e-15);
        Close(NumericJacobian(p =>
        {
            var output = new double[5];
            CallShapeFunctions.Blocks(p[..9], p[9..], output);
            return output;
        }, m.Concat(x).ToArray(), 5), jacobian, 1e-7);
    }

    [Fact]
    public void FloatWindowSlicesHaveTheClosedFormGradient()
    {
        var x = new[] { 0.5f, -1.0f, 0.25f, 2.0f };
        var w = new[] { 0.3f, -0.6f };
        var dx = new float[4];
        var dw = new float[2];
        float value = CallShapeFunctions.WindowDotsFloatGradient(x, w, dx, dw);
        var ex = new double[4];
        var ew = new double[2];
        double sum = 0;
        for (int i = 0; i < 3; i++)
        {
            double d = (double)x[i] * w[0] + (double)x[i + 1] * w[1];
            sum += d * d;
            ex[i] += 2 * d * w[0];
            ex[i + 1] += 2 * d * w[1];
            ew[0] += 2 * d * x[i];
            ew[1] += 2 * d * x[i + 1];
        }
        Close(new[] { sum }, new double[] { value }, 1e-6);
        Close(ex, dx.Select(v => (double)v).ToArray(), 1e-5);
        Close(ew, dw.Select(v => (double)v).ToArray(), 1e-5);
        var numeric = Numeric(p => CallShapeFunctions.WindowDotsFloat(p[..4].Select(v => (float)v).ToArray(), p[4..].Select(v => (float)v).ToArray()),
            x.Concat(w).Select(v => (double)v).ToArray(), 1e-2);
        Close(numeric, dx.Concat(dw).Select(v => (double)v).ToArray(), 2e-3);
    }

    [Fact]
    public void TheNewCallShapesAllocateNothingOnceWarm()
    {
        var w = new[] { 0.3, -0.2, 0.5 };
        var x3 = new[] { 1.0, 0.5, -0.4 };
        var m1 = new[] { 0.5, -0.3, 0.2, 0.8, -0.6, 0.1 };
        var m2 = new[] { 0.7, 0.4, -0.5, -0.2, 0.9, 0.3 };
        var x2 = new[] { 0.6, -1.1 };
        var x4 = new[] { 0.5, 0.25, 1.0, 0.75 };
        var (d3a, d3b, d6a, d6b, d2, d4, y2, y4, dy2, dy4, y5, dy5, d9) =
            (new double[3], new double[3], new double[6], new double[6], new double[2], new double[4], new double[2], new double[4], new double[2], new double[4], new double[5], new double[5], new double[9]);
        var m9 = new[] { 0.5, -0.3, 0.2, 0.8, -0.6, 0.1, 7.0, 8.0, 9.0 };
        double db = 0, ds = 0;
        void Run()
        {
            CallShapeFunctions.NeuronGradient(w, x3, 0.1, Nonlinearity.Sigmoid, d3a, d3b, ref db);
            CallShapeFunctions.CappedPrefixGradient(x4, 1.5, 1.2, y4, dy4, d4, ref ds);
            CallShapeFunctions.TwoLayerGradient(m1, m2, x2, y2, dy2, d6a, d6b, d2);
            CallShapeFunctions.RescaledGradient(0.9, x3, ref db, d3a);
            CallShapeFunctions.WindowsGradient(x4, 2, d4);
            CallShapeFunctions.BlocksGradient(m9, x3, y5, dy5, d9, d3b);
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Run();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
