using System;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>The generator-differentiated GMM objective in ADBench's own style with local arrays (<see cref="GmmAdNatural"/>), checked by <see cref="GeneratedGmmChecks"/>.</summary>
public sealed class GeneratedGmmNaturalTests : GeneratedGmmChecks
{
    public GeneratedGmmNaturalTests(ITestOutputHelper output) : base(output)
    {
    }

    protected override double ObjectiveAndGradient(AdBenchData.GmmInput g, double[] grad) =>
        GmmAdNatural.ObjectiveAndGradient(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X, g.WishartGamma, g.WishartM, grad);

    protected override double Objective(AdBenchData.GmmInput g) =>
        GmmAdNatural.Objective(g.Alphas, g.Means, g.Icf, g.X, g.D, g.K, g.N, g.WishartGamma, g.WishartM);

    protected override void ObjectiveGradient(AdBenchData.GmmInput g, double[] da, double[] dm, double[] di) =>
        GmmAdNatural.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.D, g.K, g.N, g.WishartGamma, g.WishartM, da, dm, di);

    protected override void AssertAccumulated(double once, double twice, int i) =>
        Assert.True(Math.Abs(2 * once - twice) <= 1e-13 * (1 + Math.Abs(twice)), $"icf {i}: {2 * once:R} vs {twice:R}");
}
