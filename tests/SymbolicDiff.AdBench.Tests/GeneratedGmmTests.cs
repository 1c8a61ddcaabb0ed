using System;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>The generator-differentiated GMM objective reshaped with scalar rows and a streamed log-sum-exp (<see cref="GmmAd"/>), checked by <see cref="GeneratedGmmChecks"/>.</summary>
public sealed class GeneratedGmmTests : GeneratedGmmChecks
{
    public GeneratedGmmTests(ITestOutputHelper output) : base(output)
    {
    }

    protected override double ObjectiveAndGradient(AdBenchData.GmmInput g, double[] grad) =>
        GmmAd.ObjectiveAndGradient(g.D, g.K, g.N, g.Alphas, g.Means, g.Icf, g.X, g.WishartGamma, g.WishartM, grad);

    protected override double Objective(AdBenchData.GmmInput g) =>
        GmmAd.Objective(g.Alphas, g.Means, g.Icf, g.X, g.D, g.K, g.N, g.WishartGamma, g.WishartM);

    protected override void ObjectiveGradient(AdBenchData.GmmInput g, double[] da, double[] dm, double[] di) =>
        GmmAd.ObjectiveGradient(g.Alphas, g.Means, g.Icf, g.X, g.D, g.K, g.N, g.WishartGamma, g.WishartM, da, dm, di);
}
