using System;
using System.Linq;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;
using static SymbolicDiff.Runtime.Tests.TestUtil;

namespace SymbolicDiff.Runtime.Tests;

public class TrainingTests
{
    // f(θ) = Σ cᵢ (θᵢ − tᵢ)², gradient 2cᵢ(θᵢ − tᵢ); an ill-conditioned quadratic with minimum at t.
    private static readonly double[] Target = { 1.5, -2.0, 0.25, 3.0, -0.75 };
    private static readonly double[] Curv = { 1.0, 4.0, 0.5, 2.0, 10.0 };

    private static double Loss(double[] p) => p.Select((v, i) => Curv[i] * (v - Target[i]) * (v - Target[i])).Sum();

    private static void Grad(double[] p, double[] g)
    {
        for (int i = 0; i < p.Length; i++) g[i] += 2 * Curv[i] * (p[i] - Target[i]);
    }

    private static double Minimise(Func<(double[] Value, double[] Grad)[], Optimizer<double>> make, int steps)
    {
        // split θ across two parameter arrays to exercise the list handling
        double[] p = new double[5], g = new double[5];
        double[] a = new double[3], ga = new double[3], b = new double[2], gb = new double[2];
        var opt = make(new[] { (a, ga), (b, gb) });
        for (int s = 0; s < steps; s++)
        {
            a.CopyTo(p, 0); b.CopyTo(p, 3);
            Array.Clear(g);
            Grad(p, g);
            g.AsSpan(0, 3).CopyTo(ga); g.AsSpan(3, 2).CopyTo(gb);
            opt.Step();
            Assert.All(ga, v => Assert.Equal(0.0, v)); // Step zeros the gradients
            Assert.All(gb, v => Assert.Equal(0.0, v));
        }
        a.CopyTo(p, 0); b.CopyTo(p, 3);
        return Loss(p);
    }

    [Fact]
    public void Sgd_MinimisesQuadratic() => Assert.True(Minimise(ps => new Sgd<double>(ps, 0.04), 500) < 1e-8);

    [Fact]
    public void SgdMomentum_MinimisesQuadratic() => Assert.True(Minimise(ps => new Sgd<double>(ps, 0.01, momentum: 0.9), 500) < 1e-8);

    [Fact]
    public void Adam_MinimisesQuadratic() => Assert.True(Minimise(ps => new Adam<double>(ps, 0.05), 2000) < 1e-6);

    [Fact]
    public void AdaGrad_MinimisesQuadratic() => Assert.True(Minimise(ps => new AdaGrad<double>(ps, 0.5), 2000) < 1e-6);

    [Fact]
    public void Adam_Float_MinimisesQuadratic()
    {
        float[] p = { 3f, -3f }, g = new float[2];
        var opt = new Adam<float>(new[] { (p, g) }, 0.05f);
        for (int s = 0; s < 1000; s++)
        {
            g[0] = 2 * (p[0] - 1); g[1] = 2 * (p[1] + 1);
            opt.Step();
        }
        Assert.Equal(1f, p[0], 3);
        Assert.Equal(-1f, p[1], 3);
    }

    [Fact]
    public void Adam_TwoSteps_MatchHandComputedFormula()
    {
        double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] p = { 1.0, -2.0 }, g = new double[2];
        var opt = new Adam<double>(new[] { (p, g) }, lr, b1, b2, eps);
        double[] g1 = { 0.5, -3.0 }, g2 = { -1.0, 2.0 };

        double[] m = new double[2], v = new double[2], expected = { 1.0, -2.0 };
        for (int t = 1; t <= 2; t++)
        {
            double[] gt = t == 1 ? g1 : g2;
            gt.CopyTo(g, 0);
            opt.Step();
            for (int i = 0; i < 2; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * gt[i];
                v[i] = b2 * v[i] + (1 - b2) * gt[i] * gt[i];
                double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v[i] / (1 - Math.Pow(b2, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            Assert.Equal(expected[0], p[0], 12);
            Assert.Equal(expected[1], p[1], 12);
        }
        // first Adam step moves each coordinate by ≈ lr·sign(g)
        Assert.Equal(2, opt.StepCount);
    }

    [Fact]
    public void Adam_FloatVectorPass_EqualsTheScalarFormula_BitForBit()
    {
        // 37 entries: whole vectors and a scalar tail. Every lane must round exactly like the textbook formula
        // evaluated step by step in float (unfused, in this order), wherever the entry sits.
        const float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        var rng = new Rng(4);
        float[] p = ToFloat(Random(37, rng)), g = new float[37], expected = (float[])p.Clone(), m = new float[37], v = new float[37];
        var opt = new Adam<float>(new[] { (p, g) }, lr, b1, b2, eps);
        for (int t = 1; t <= 3; t++)
        {
            float[] gt = ToFloat(Random(37, rng));
            gt.CopyTo(g, 0);
            opt.Step();
            float bc1 = 1 - MathF.Pow(b1, t), bc2 = 1 - MathF.Pow(b2, t), c1 = 1 - b1, c2 = 1 - b2, rate = -lr / bc1, unbias = 1 / MathF.Sqrt(bc2);
            for (int i = 0; i < 37; i++)
            {
                m[i] = gt[i] * c1 + m[i] * b1;
                v[i] = gt[i] * gt[i] * c2 + v[i] * b2;
                expected[i] = m[i] / (MathF.Sqrt(v[i]) * unbias + eps) * rate + expected[i];   // √v̂ = √v / √(1 − β₂ᵗ)
            }
            Assert.Equal(expected, p);
            Assert.All(g, x => Assert.Equal(0f, x));   // the step zeros the gradient
        }
    }

    [Fact]
    public void Sgd_Step_MatchesFormula()
    {
        double[] p = { 1, 2 }, g = { 0.5, -1 };
        var opt = new Sgd<double>(new[] { (p, g) }, 0.1, momentum: 0.5);
        opt.Step();                       // v = g; p -= 0.1 v
        Assert.Equal(new[] { 0.95, 2.1 }, p.Select(x => Math.Round(x, 12)));
        g[0] = 0.5; g[1] = -1;
        opt.Step();                       // v = 0.5 v + g = 1.5 g
        Assert.Equal(new[] { 0.875, 2.25 }, p.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Optimizer_RejectsMismatchedPairs()
        => Assert.Throws<ArgumentException>(() => new Sgd<double>(new[] { (new double[3], new double[2]) }, 0.1));

    [Fact]
    public void ClipByGlobalNorm_ScalesOnlyWhenAboveMax()
    {
        double[] a = { 3, 0 }, b = { 0, 4 };
        double norm = GradientClipping.ClipByGlobalNorm(new[] { a, b }, 1.0);
        Assert.Equal(5.0, norm, 12);
        Assert.Equal(0.6, a[0], 12);
        Assert.Equal(0.8, b[1], 12);
        norm = GradientClipping.ClipByGlobalNorm(new[] { a, b }, 2.0);
        Assert.Equal(1.0, norm, 12);
        Assert.Equal(0.6, a[0], 12); // unchanged

        float[] p = new float[2], g = { 30f, 40f };
        var opt = new Sgd<float>(new[] { (p, g) }, 1f);
        Assert.Equal(50f, GradientClipping.ClipByGlobalNorm(opt, 5f), 4);
        Assert.Equal(3f, g[0], 4);
    }

    [Fact]
    public void XavierUniform_BoundsAndMean()
    {
        var w = new Mat<double>(200, 300);
        Init.XavierUniform(w, new Rng(1));
        double bound = Math.Sqrt(6.0 / (200 + 300));
        Assert.All(w.Data, x => Assert.InRange(x, -bound, bound));
        Assert.True(Math.Abs(w.Data.Average()) < 4 * bound / Math.Sqrt(3.0 * w.Length)); // |mean| < 4 standard errors (σ = a/√3)
        double variance = w.Data.Select(x => x * x).Average();
        Assert.Equal(bound * bound / 3, variance, 3); // Var U(−a, a) = a²/3
        Assert.True(w.Data.Max() > 0.99 * bound && w.Data.Min() < -0.99 * bound);

        var wf = new Mat<float>(3, 5);
        Init.XavierUniform(wf, new Rng(2));
        Assert.All(wf.Data, x => Assert.InRange(x, -(float)Math.Sqrt(6.0 / 8), (float)Math.Sqrt(6.0 / 8)));
    }

    [Fact]
    public void Gaussian_And_Zeros()
    {
        var x = new double[50000];
        Init.Gaussian<double>(x, new Rng(3), mean: 2.0, std: 0.5);
        Assert.Equal(2.0, x.Average(), 2);
        Assert.Equal(0.25, x.Select(v => (v - 2) * (v - 2)).Average(), 2);
        Init.Zeros<double>(x);
        Assert.All(x, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Rng_IsDeterministic_WithKnownFirstValues()
    {
        // Reference values computed independently (Python implementation of SplitMix64 + xoshiro256**).
        var r = new Rng(42);
        Assert.Equal(0x15780b2e0c2ec716UL, r.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, r.NextUInt64());
        Assert.Equal(0xae17533239e499a1UL, r.NextUInt64());
        Assert.Equal(0.9246929453253876, r.NextDouble());

        var a = new Rng(123);
        var b = new Rng(123);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(a.NextDouble(), b.NextDouble());
            Assert.Equal(a.NextGaussian(), b.NextGaussian());
            Assert.Equal(a.NextInt(17), b.NextInt(17));
        }
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }

    [Fact]
    public void Rng_Reseed_RestartsLikeANewGenerator_AndStreamSeedsDiffer()
    {
        var reused = new Rng(1);
        reused.NextGaussian();   // leaves a spare normal sample, which Reseed must drop
        reused.Reseed(42);
        var fresh = new Rng(42);
        for (int i = 0; i < 5; i++) Assert.Equal(fresh.NextUInt64(), reused.NextUInt64());
        Assert.Equal(new Rng(42).NextGaussian(), new Rng(42).NextGaussian());
        reused.Reseed(42);
        Assert.Equal(new Rng(42).NextGaussian(), reused.NextGaussian());

        // Streams (epoch, example) of one seed: reproducible, and distinct for neighbouring coordinates and seeds.
        Assert.Equal(Rng.StreamSeed(7, 1, 2), Rng.StreamSeed(7, 1, 2));
        var seeds = new System.Collections.Generic.HashSet<ulong>();
        for (ulong seed = 0; seed < 3; seed++)
            for (ulong a = 0; a < 10; a++)
                for (ulong b = 0; b < 10; b++) Assert.True(seeds.Add(Rng.StreamSeed(seed, a, b)), $"stream ({seed}, {a}, {b}) repeats a seed");
        Assert.NotEqual(Rng.StreamSeed(7, 1, 2), Rng.StreamSeed(7, 2, 1));
    }

    [Fact]
    public void Rng_Shuffle_IsDeterministicPermutation()
    {
        int[] x = Enumerable.Range(0, 50).ToArray(), y = Enumerable.Range(0, 50).ToArray();
        new Rng(9).Shuffle<int>(x);
        new Rng(9).Shuffle<int>(y);
        Assert.Equal(x, y);
        Assert.NotEqual(Enumerable.Range(0, 50), x);
        Assert.Equal(Enumerable.Range(0, 50), x.OrderBy(v => v));

        var rng = new Rng(5);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++) counts[rng.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9500, 10500));
        for (int i = 0; i < 1000; i++) Assert.InRange(rng.NextDouble(), 0.0, 0.9999999999999999);
    }
}
