using System;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;
using static SymbolicDiff.Tests.FiniteDifferences;

namespace SymbolicDiff.Tests;

/// <summary>
/// Loops as people write them (counting down, strided, several counters, !=, break, continue, return):
/// generated gradients and tangents against closed forms and central finite differences.
/// </summary>
public class LoopShapeTests
{
    /// <summary>The gradient matches central differences, and a tangent (when given) is the gradient times its direction.</summary>
    private static void AgreesWithFiniteDifferences(Func<double[], double> f, double[] p, double[] gradient, Func<double[], double>? tangentAlong = null)
    {
        Close(Numeric(f, p), gradient, 1e-6);
        if (tangentAlong is not null)
        {
            var direction = Enumerable.Range(0, p.Length).Select(i => 0.3 + 0.1 * i).ToArray();
            Assert.Equal(gradient.Zip(direction, (g, v) => g * v).Sum(), tangentAlong(direction), 10);
        }
    }

    private static double[] Join(double[] x, params double[] more) => x.Concat(more).ToArray();

    [Theory]
    [InlineData(0.7, 6)]
    [InlineData(-1.3, 4)]
    [InlineData(2.0, 1)]
    [InlineData(0.5, 0)]
    public void HornerCountingDownHasThePolynomialsDerivative(double x, int degree)
    {
        var c = Enumerable.Range(0, degree + 1).Select(i => Math.Cos(i) * 2).ToArray();
        if (degree == 0)
        {
            c = Array.Empty<double>();
        }
        var dc = new double[c.Length];
        double dx = 0;
        double value = LoopShapeFunctions.HornerGradient(c, x, dc, ref dx);

        // p(x) = Σ c_i x^i, so ∂p/∂x = Σ i c_i x^(i−1) and ∂p/∂c_i = x^i.
        Assert.Equal(c.Select((ci, i) => ci * Math.Pow(x, i)).Sum(), value, 12);
        Assert.Equal(c.Select((ci, i) => i * ci * Math.Pow(x, i - 1)).Sum(), dx, 12);
        Close(c.Select((_, i) => Math.Pow(x, i)).ToArray(), dc, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.Horner(p[..^1], p[^1]), Join(c, x), Join(dc, dx),
            v => { LoopShapeFunctions.HornerTangent(c, x, v[..^1], v[^1], out double t); return t; });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void BackSubstitutionHasTheAdjointSolvesGradient(int n)
    {
        var d = Enumerable.Range(0, n).Select(i => 2.0 + 0.5 * i).ToArray();
        var e = Enumerable.Range(0, n).Select(i => Math.Sin(i + 1.0)).ToArray();
        var b = Enumerable.Range(0, n).Select(i => Math.Cos(i) - 0.25).ToArray();
        var (dd, de, db) = (new double[n], new double[n], new double[n]);
        double value = LoopShapeFunctions.BackSubstitutionGradient(d, e, b, dd, de, db);

        // Solve Ux = b, then the adjoint system Uᵀλ = c (c_i = i + 1) by forward substitution:
        // ∂(cᵀx)/∂b_i = λ_i, ∂/∂d_i = −λ_i x_i, ∂/∂e_i = −λ_i x_{i+1} (x_n = 0).
        var x = new double[n + 1];
        for (int i = n - 1; i >= 0; i--)
        {
            x[i] = (b[i] - e[i] * x[i + 1]) / d[i];
        }
        var lambda = new double[n];
        for (int i = 0; i < n; i++)
        {
            lambda[i] = (i + 1 - (i > 0 ? e[i - 1] * lambda[i - 1] : 0)) / d[i];
        }
        Assert.Equal(Enumerable.Range(0, n).Sum(i => (i + 1) * x[i]), value, 13);
        Close(lambda, db, 1e-13);
        Close(lambda.Select((l, i) => -l * x[i]).ToArray(), dd, 1e-13);
        Close(lambda.Select((l, i) => -l * x[i + 1]).ToArray(), de, 1e-13);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.BackSubstitution(p[..n], p[n..(2 * n)], p[(2 * n)..]), d.Concat(e).Concat(b).ToArray(),
            dd.Concat(de).Concat(db).ToArray(), v =>
            {
                LoopShapeFunctions.BackSubstitutionTangent(d, e, b, v[..n], v[n..(2 * n)], v[(2 * n)..], out double t);
                return t;
            });
    }

    [Fact]
    public void HornerInFloat()
    {
        var c = new[] { 1f, -2f, 0.5f, 3f };
        var dc = new float[4];
        float dx = 0;
        float value = LoopShapeFunctions.HornerFloatGradient(c, 0.75f, dc, ref dx);
        Assert.Equal(1 - 2 * 0.75f + 0.5f * 0.75f * 0.75f + 3 * MathF.Pow(0.75f, 3), value, 5);
        Assert.Equal(-2 + 2 * 0.5f * 0.75f + 9 * 0.75f * 0.75f, dx, 5);
        Assert.Equal(new[] { 1f, 0.75f, 0.5625f, 0.421875f }, dc);
        float h = 1e-2f;
        Assert.Equal((LoopShapeFunctions.HornerFloat(c, 0.75f + h) - LoopShapeFunctions.HornerFloat(c, 0.75f - h)) / (2 * h), dx, 2);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(1)]
    [InlineData(0)]
    public void StridedLoopsUpAndDownReadExactlyTheirElements(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => 0.4 + 0.3 * i).ToArray();
        double w = 0.8;
        var dx = new double[n];
        double dw = 0;
        double value = LoopShapeFunctions.StridedGradient(x, w, dx, ref dw);

        // Odd i: sin(w x_i); i = n−1, n−4, … > 0: w x_i²; k = 0, 2, 4: k w.
        var odd = Enumerable.Range(0, n).Where(i => i % 2 == 1).ToArray();
        var down = Enumerable.Range(1, Math.Max(0, n - 1)).Where(i => (n - 1 - i) % 3 == 0).ToArray();
        Assert.Equal(odd.Sum(i => Math.Sin(w * x[i])) + down.Sum(i => w * x[i] * x[i]) + 6 * w, value, 12);
        var expected = new double[n];
        foreach (int i in odd)
        {
            expected[i] += w * Math.Cos(w * x[i]);
        }
        foreach (int i in down)
        {
            expected[i] += 2 * w * x[i];
        }
        Close(expected, dx, 1e-14);
        Assert.Equal(odd.Sum(i => x[i] * Math.Cos(w * x[i])) + down.Sum(i => x[i] * x[i]) + 6, dw, 12);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.Strided(p[..^1], p[^1]), Join(x, w), Join(dx, dw),
            v => { LoopShapeFunctions.StridedTangent(x, w, v[..^1], v[^1], out double t); return t; });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void AStepFromAParameterRunsAsAWhileLoop(int step)
    {
        var x = Enumerable.Range(0, 10).Select(i => 0.1 * i - 0.3).ToArray();
        var dx = new double[10];
        double value = LoopShapeFunctions.StepFromParameterGradient(x, step, dx);
        var visited = Enumerable.Range(0, 10).Where(i => i % step == 0).ToArray();
        Assert.Equal(visited.Sum(i => x[i] * x[i] * i), value, 12);
        Close(Enumerable.Range(0, 10).Select(i => visited.Contains(i) ? 2 * x[i] * i : 0).ToArray(), dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.StepFromParameter(p, step), x, dx);
    }

    [Fact]
    public void NotEqualBoundStopsWhereTheCounterMeetsIt()
    {
        var x = new[] { 0.5, 9.0, -0.25, 9.0, 2.0, 9.0 };
        var dx = new double[6];
        double value = LoopShapeFunctions.NotEqualBoundGradient(x, 6, dx);
        Assert.Equal(1.5 * 0.75 * 3.0, value, 14);
        Close(new[] { 0.75 * 3.0, 0, 1.5 * 3.0, 0, 1.5 * 0.75, 0 }, dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.NotEqualBound(p, 6), x, dx);
        Assert.Equal(1.0, LoopShapeFunctions.NotEqualBoundGradient(x, 0, dx));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(1)]
    public void TwoPointersMeetInTheMiddle(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => Math.Sin(i + 1.0)).ToArray();
        var dx = new double[n];
        double value = LoopShapeFunctions.TwoPointerGradient(x, dx);
        Assert.Equal(Enumerable.Range(0, n / 2).Sum(i => x[i] * x[n - 1 - i]), value, 14);
        // Each element of a pair gets its partner; the middle one (odd n) gets nothing.
        Close(Enumerable.Range(0, n).Select(i => i == n - 1 - i ? 0 : x[n - 1 - i]).ToArray(), dx, 1e-14);
        AgreesWithFiniteDifferences(LoopShapeFunctions.TwoPointer, x, dx,
            v => { LoopShapeFunctions.TwoPointerTangent(x, v, out double t); return t; });
    }

    [Theory]
    [InlineData(2.5, 2)]
    [InlineData(100, 5)]
    [InlineData(0.1, 0)]
    public void ACounterDeclaredBeforeTheLoopKeepsItsValueAtTheBreak(double limit, int taken)
    {
        var x = new[] { 1.0, 1.25, 0.5, 0.75, 2.0 };
        var dx = new double[5];
        double value = LoopShapeFunctions.CounterDeclaredBeforeGradient(x, limit, dx);
        double sum = x.Take(taken).Sum();
        Assert.Equal(sum * taken, value, 14);
        Close(Enumerable.Range(0, 5).Select(i => i < taken ? (double)taken : 0).ToArray(), dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.CounterDeclaredBefore(p, limit), x, dx);
    }

    [Theory]
    [InlineData(new[] { 0.5, 1.5, -1.0, 2.0 }, 2)]
    [InlineData(new[] { 0.5, 1.5 }, 2)]
    [InlineData(new double[0], 0)]
    public void AConditionReadsAnElementOnlyWhenTheIndexIsInRange(double[] x, int leading)
    {
        var dx = new double[x.Length];
        double value = LoopShapeFunctions.LeadingPositivesGradient(x, dx);
        Assert.Equal(x.Take(leading).Sum(v => v * v) + leading, value, 14);
        Close(x.Select((v, i) => i < leading ? 2 * v : 0).ToArray(), dx, 1e-14);
        AgreesWithFiniteDifferences(LoopShapeFunctions.LeadingPositives, x, dx);
    }

    [Fact]
    public void ABodyThatAdvancesItsCounterSkipsTheNextElement()
    {
        var x = new[] { 0.5, 1.5, 3.0, -0.5, 0.25 };   // 1.5 > 1 skips 3.0
        var dx = new double[5];
        double value = LoopShapeFunctions.CounterChangedInBodyGradient(x, dx);
        Assert.Equal(0.25 + 2.25 + 0.25 + 0.0625, value, 14);
        Close(new[] { 1.0, 3.0, 0, -1.0, 0.5 }, dx, 1e-14);
        AgreesWithFiniteDifferences(LoopShapeFunctions.CounterChangedInBody, x, dx);
    }

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(10.0, 3.0)]
    [InlineData(0.25, 4.0)]
    public void NewtonWithABreakConvergesToTheSquareRootAndItsDerivative(double a, double x0)
    {
        double da = 0, dx0 = 0;
        double value = LoopShapeFunctions.NewtonSqrtGradient(a, x0, ref da, ref dx0);
        Assert.Equal(Math.Sqrt(a), value, 14);
        // The converged iterate is √a whatever the start: ∂/∂a = 1/(2√a), and the start is forgotten (quadratic convergence).
        Assert.Equal(1 / (2 * Math.Sqrt(a)), da, 10);
        Assert.Equal(0, dx0, 10);
        LoopShapeFunctions.NewtonSqrtTangent(a, x0, 1.0, 0.5, out double tangent);
        Assert.Equal(da + 0.5 * dx0, tangent, 10);
        Assert.Equal((LoopShapeFunctions.NewtonSqrt(a + 1e-5, x0) - LoopShapeFunctions.NewtonSqrt(a - 1e-5, x0)) / 2e-5, da, 6);
    }

    [Fact]
    public void NewtonWithABreakInFloat()
    {
        float da = 0, dx0 = 0;
        float value = LoopShapeFunctions.NewtonSqrtFloatGradient(3f, 1f, ref da, ref dx0);
        Assert.Equal(MathF.Sqrt(3f), value, 5);
        Assert.Equal(1 / (2 * MathF.Sqrt(3f)), da, 4);
        Assert.Equal(0f, dx0, 4);
    }

    [Theory]
    [InlineData(0.5, 2)]
    [InlineData(-1.0, 0)]
    [InlineData(5.0, -1)]
    public void ASearchLoopDifferentiatesTheElementItFound(double threshold, int found)
    {
        var x = new[] { -0.5, 0.25, 1.5, 2.5, 0.75 };
        double w = 1.75;
        var dx = new double[5];
        double dw = 0;
        double value = LoopShapeFunctions.FirstAboveGradient(x, w, threshold, dx, ref dw);
        Assert.Equal(found < 0 ? 0 : w * x[found], value, 14);
        Assert.Equal(found < 0 ? 0 : x[found], dw, 14);
        Close(Enumerable.Range(0, 5).Select(i => i == found ? w : 0).ToArray(), dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.FirstAbove(p[..^1], p[^1], threshold), Join(x, w), Join(dx, dw),
            v => { LoopShapeFunctions.FirstAboveTangent(x, w, threshold, v[..^1], v[^1], out double t); return t; });
    }

    [Fact]
    public void ContinueSkipsTheRestOfAnIteration()
    {
        var x = new[] { 1.5, -2.0, 0.5, -0.1, 3.0 };
        double w = 0.5;
        var dx = new double[5];
        double dw = 0;
        double value = LoopShapeFunctions.SkipNegativesGradient(x, w, dx, ref dw);
        Assert.Equal(w * (2.25 + 0.25 + 9), value, 14);
        Assert.Equal(2.25 + 0.25 + 9, dw, 14);
        Close(new[] { 2 * w * 1.5, 0, 2 * w * 0.5, 0, 2 * w * 3.0 }, dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.SkipNegatives(p[..^1], p[^1]), Join(x, w), Join(dx, dw),
            v => { LoopShapeFunctions.SkipNegativesTangent(x, w, v[..^1], v[^1], out double t); return t; });

        var xf = new[] { 1.5f, -2f, 0.5f };
        var dxf = new float[3];
        float dwf = 0;
        Assert.Equal(0.5f * 2.5f, LoopShapeFunctions.SkipNegativesFloatGradient(xf, 0.5f, dxf, ref dwf), 6);
        Assert.Equal(new[] { 1.5f, 0f, 0.5f }, dxf);
        Assert.Equal(2.5f, dwf, 6);
    }

    [Theory]
    [InlineData(1.0, 2)]
    [InlineData(0.1, 0)]
    [InlineData(100, -1)]
    public void AReturnInsideALoopEndsTheMethod(double limit, int returnedAt)
    {
        var x = new[] { 0.5, 0.5, 1.0, 2.0 };
        double w = 3;
        var dx = new double[4];
        double dw = 0;
        double value = LoopShapeFunctions.ReturnWhenPastGradient(x, w, limit, dx, ref dw);
        int used = returnedAt < 0 ? 4 : returnedAt + 1;
        double sum = x.Take(used).Sum(v => v * v);
        Assert.Equal(returnedAt < 0 ? -sum : sum * w, value, 14);
        Assert.Equal(returnedAt < 0 ? 0 : sum, dw, 14);
        Close(Enumerable.Range(0, 4).Select(i => i >= used ? 0 : returnedAt < 0 ? -2 * x[i] : 2 * x[i] * w).ToArray(), dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.ReturnWhenPast(p[..^1], p[^1], limit), Join(x, w), Join(dx, dw),
            v => { LoopShapeFunctions.ReturnWhenPastTangent(x, w, limit, v[..^1], v[^1], out double t); return t; });
    }

    /// <summary>The same loops written without jumps, to compare against.</summary>
    private static double NestedBreakByHand(double[] x, double w)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = i; j < x.Length && x[j] * w <= 2; j++)
            {
                s += x[i] * x[j] * w;
                if (s > 50)
                {
                    return s;
                }
            }
        }
        return s * 2;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void NestedLoopsBreakTheInnerOneAndReturnFromBoth(double w)
    {
        var x = new[] { 0.5, 1.0, 0.75, 2.5, 0.25, 1.5 };
        var dx = new double[6];
        double dw = 0;
        double value = LoopShapeFunctions.NestedBreakGradient(x, w, dx, ref dw);
        Assert.Equal(NestedBreakByHand(x, w), value, 12);
        AgreesWithFiniteDifferences(p => NestedBreakByHand(p[..^1], p[^1]), Join(x, w), Join(dx, dw));

        // Big values return from inside the inner loop: pairs (0,0), (0,1), (0,2), (1,1), (1,2) reach 57.75 > 50, not doubled.
        var big = new[] { 6.0, 7.0, 8.0 };
        var dbig = new double[3];
        double dw2 = 0;
        double early = LoopShapeFunctions.NestedBreakGradient(big, 0.25, dbig, ref dw2);
        Assert.Equal((36 + 42 + 48 + 49 + 56) * 0.25, early, 14);
        Close(new[] { (12 + 7 + 8) * 0.25, (6 + 14 + 8) * 0.25, (6 + 7) * 0.25 }, dbig, 1e-14);
        Assert.Equal(36 + 42 + 48 + 49 + 56, dw2, 12);
    }

    [Theory]
    [InlineData(0.9, 4)]
    [InlineData(1.1, 6)]
    [InlineData(-0.7, 3)]
    public void ALoopThatBreaksInsideABranchOfALoopThatBreaks(double y, int n)
    {
        var a = new[] { -0.5, 0.05, -0.2, 0.3, -1.0, 0.0, -0.3, 0.5, -0.1, 0.2, -0.4, 0.6 };
        double dy = 0;
        double value = LoopShapeFunctions.NestedWhileFormsGradient(y, a, n, ref dy);

        // By hand: the same loops carrying dc1/dy by the chain rule (max(c, 2)·y has derivative c'·y + c above 2, else 2).
        double c1 = y, dc1 = 1;
        for (int i = 0; i <= n; i++)
        {
            (c1, dc1) = (c1 * 0.9, dc1 * 0.9);
            if (0.25 * i > 0.6)
            {
                break;
            }
            for (int j = i; j < n && a[i + j] <= 0.1; j++)
            {
                (c1, dc1) = c1 > 2.0 ? (c1 * y, dc1 * y + c1) : (2.0 * y, 2.0);
            }
        }
        Assert.Equal(c1, value, 12);
        Assert.Equal(dc1, dy, 12);
        Assert.Equal((LoopShapeFunctions.NestedWhileForms(y + 1e-6, a, n) - LoopShapeFunctions.NestedWhileForms(y - 1e-6, a, n)) / 2e-6, dy, 5);
    }

    [Theory]
    [InlineData(5.0, 0.5)]
    [InlineData(0.5, 0.9)]
    [InlineData(1e9, 0.5)]
    public void WhileWithBreakAndDoWithContinue(double x, double rate)
    {
        double dx = 0, drate = 0;
        double value = LoopShapeFunctions.WhileBreakGradient(x, rate, ref dx, ref drate);
        // The while loop multiplies by rate until below 0.01 or 20 times; then k = 1, 3, 5 add sin(t)·rate.
        int steps = 0;
        double s = x, ds = 1, dsRate = 0;
        while (s > 0.01 && steps < 20)
        {
            (s, ds, dsRate) = (s * rate, ds * rate, dsRate * rate + s);
            steps++;
        }
        double t = s, dt = ds, dtRate = dsRate;
        for (int k = 1; k <= 5; k += 2)
        {
            (t, dt, dtRate) = (t + Math.Sin(t) * rate, dt + Math.Cos(t) * rate * dt, dtRate + Math.Cos(t) * rate * dtRate + Math.Sin(t));
        }
        Close(new[] { t, dt, dtRate }, new[] { value, dx, drate }, 1e-13);
        LoopShapeFunctions.WhileBreakTangent(x, rate, 0.5, -1, out double tangent);
        Close(new[] { 0.5 * dx - drate }, new[] { tangent }, 1e-13);
    }

    [Fact]
    public void ForeachWithBreakMultipliesUpToTheFirstNegative()
    {
        var x = new[] { 2.0, 0.5, 3.0, -1.0, 7.0 };
        var dx = new double[5];
        Assert.Equal(3.0, LoopShapeFunctions.ProductUntilNegativeGradient(x, dx), 14);
        Close(new[] { 1.5, 6.0, 1.0, 0, 0 }, dx, 1e-14);
        AgreesWithFiniteDifferences(LoopShapeFunctions.ProductUntilNegative, x, dx);
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(0.5)]
    public void ForeverLoopWithABreak(double x)
    {
        double dx = 0;
        double value = LoopShapeFunctions.HalveUntilSmallGradient(x, ref dx);
        int halvings = x < 1 ? 0 : (int)Math.Floor(Math.Log2(x)) + 1;
        double s = x / Math.Pow(2, halvings);
        Assert.Equal(s * s + Math.Pow(2, halvings), value, 14);
        Assert.Equal(2 * s / Math.Pow(2, halvings), dx, 14);
    }

    [Fact]
    public void StatementsPastABreakAreNotDifferentiated()
    {
        // sqrt and log of the elements after the break would be NaN (or ∞ at 0); they must not reach the gradient.
        var x = new[] { 4.0, 0.25, -1.0, 0.0, 9.0 };
        var dx = new double[5];
        double value = LoopShapeFunctions.GuardedByBreakGradient(x, dx);
        Assert.Equal(2 + Math.Log(4) + 0.5 + Math.Log(0.25), value, 14);
        Assert.Equal(new[] { 1 / (2 * 2.0) + 1 / 4.0, 1 / (2 * 0.5) + 1 / 0.25, 0, 0, 0 }, dx);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void AReturnInALocalFunctionsLoopEndsOnlyTheFunction(double w)
    {
        var x = new[] { 0.3, 0.6, 1.2, 2.5 };
        var dx = new double[4];
        double dw = 0;
        double value = LoopShapeFunctions.LocalSearchGradient(x, w, dx, ref dw);
        double expected = 0, expectedW = 0;
        var expectedX = new double[4];
        for (int k = 1; k <= 3; k++)
        {
            int i = Array.FindIndex(x, v => v * w * k > 1);
            if (i >= 0)
            {
                expected += x[i] * w * k;
                expectedW += x[i] * k;
                expectedX[i] += w * k;
            }
        }
        Assert.Equal(expected, value, 14);
        Assert.Equal(expectedW, dw, 14);
        Close(expectedX, dx, 1e-14);
        AgreesWithFiniteDifferences(p => LoopShapeFunctions.LocalSearch(p[..^1], p[^1]), Join(x, w), Join(dx, dw));
    }

    [Fact]
    public void AVectorOutputWrittenCountingDownHasItsJacobian()
    {
        double a = 0.3;
        var b = new[] { 1.5 };
        var y = new double[5];
        var jacobian = new double[5 * 2];
        LoopShapeFunctions.CountDownJacobian(a, b, y, jacobian);
        for (int i = 0; i < 5; i++)
        {
            bool written = (4 - i) % 2 == 0;
            Assert.Equal(written ? Math.Sin(a * i) * 1.5 : 0, y[i], 14);
            Assert.Equal(written ? i * Math.Cos(a * i) * 1.5 : 0, jacobian[i * 2], 14);
            Assert.Equal(written ? Math.Sin(a * i) : 0, jacobian[i * 2 + 1], 14);
        }
        var dy = new double[5];
        var db = new double[1];
        LoopShapeFunctions.CountDownTangent(a, b, y, 1, new[] { 0.0 }, dy);
        Close(Enumerable.Range(0, 5).Select(i => jacobian[i * 2]).ToArray(), dy, 1e-14);
    }

    [Fact]
    public void WarmGradientsOfTheNewLoopShapesAllocateNothing()
    {
        var x = Enumerable.Range(0, 40).Select(i => 0.5 + 0.01 * i).ToArray();
        var dx = new double[40];
        double d1 = 0, d2 = 0;
        void Run()
        {
            LoopShapeFunctions.HornerGradient(x, 0.9, dx, ref d1);
            LoopShapeFunctions.StridedGradient(x, 0.9, dx, ref d1);
            LoopShapeFunctions.TwoPointerGradient(x, dx);
            LoopShapeFunctions.NewtonSqrtGradient(2, 1, ref d1, ref d2);
            LoopShapeFunctions.FirstAboveGradient(x, 0.5, 0.7, dx, ref d1);
            LoopShapeFunctions.SkipNegativesGradient(x, 0.5, dx, ref d1);
            LoopShapeFunctions.ReturnWhenPastGradient(x, 0.5, 3, dx, ref d1);
            LoopShapeFunctions.NestedBreakGradient(x, 0.5, dx, ref d1);
            LoopShapeFunctions.WhileBreakGradient(5, 0.5, ref d1, ref d2);
            LoopShapeFunctions.ProductUntilNegativeGradient(x, dx);
        }
        Run();
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Run();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
