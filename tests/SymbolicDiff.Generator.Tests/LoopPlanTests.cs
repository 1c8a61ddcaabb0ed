using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator;
using SymbolicDiff.Generator.Emitting;
using SymbolicDiff.Generator.Model;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// The loop plans the gradient is written from (<see cref="LoopPlan"/>), checked on their own: which strategy each loop
/// gets, what it keeps per iteration, what its reverse recomputes and which inner loops it stacks. The values these
/// gradients compute are checked in SymbolicDiff.Tests (LoopPlanValueTests) and their text by the snapshots.
/// </summary>
public class LoopPlanTests
{
    /// <summary>The method's model as the parse step produced it, and its plans with the names of the nodes they refer to.</summary>
    private static (DifferentiableMethod Method, IReadOnlyList<LoopPlan> Plans) Plan(string body, string parameters = "ReadOnlySpan<double> x") =>
        PlanWithAttribute("[Differentiable]", body, parameters);

    private static string Names(DifferentiableMethod method, IEnumerable<int> ids) =>
        string.Join(", ", ids.Select(id => method.Nodes[id].Op + ":" + method.Nodes[id].Name));

    private static LoopPlan LoopOf(DifferentiableMethod method, IReadOnlyList<LoopPlan> plans, string counter) =>
        plans.Single(p => method.Nodes.Any(n => n.Op == Op.LoopCounter && n.Args[0] == p.Loop && n.Name == counter));

    [Fact]
    public void ARunningSumIsFused()
    {
        var (method, plans) = Plan("""
                    double sum = 0;
                    for (int i = 0; i + 1 < x.Length; i++)
                    {
                        double a = 1 - x[i];
                        double b = x[i + 1] - x[i] * x[i];
                        sum += a * a + 100 * b * b;
                    }
                    return sum;
            """);
        var plan = Assert.Single(plans);
        Assert.Equal(LoopStrategy.Fused, plan.Strategy);
        Assert.Empty(plan.SavedPhis);
        Assert.Equal(0, plan.BytesPerIteration);
        Assert.Equal("LoopExit:sum", Names(method, plan.Deferred));
    }

    [Fact]
    public void ReadsOfAnArrayHeldInMemoryAreKeptOnlyWhereALaterWriteChangesThem()
    {
        // dp is updated in place (its read in the recurrence is kept per iteration); u is a scratch buffer written before
        // it is read and never after (its read is read again by the reverse, nothing kept), and a loop that only reads it
        // may still be fused.
        var (method, plans) = Plan("""
                    var dp = new double[x.Length];
                    var u = new double[x.Length];
                    dp[0] = x[0];
                    for (int i = 1; i < x.Length; i++)
                    {
                        dp[i] = Math.Sin(dp[i - 1]) + x[i];
                    }
                    for (int j = 0; j < x.Length; j++)
                    {
                        u[j] = Math.Cos(x[j]);
                    }
                    double s = 0;
                    for (int k = 0; k < x.Length; k++)
                    {
                        s += u[k] * dp[k];
                    }
                    return s;
            """);
        var recurrence = LoopOf(method, plans, "i");
        Assert.Equal(LoopStrategy.Reversed, recurrence.Strategy);
        var kept = Assert.Single(recurrence.KeptValues, id => method.Nodes[id].Op == Op.Load);
        Assert.Equal(Op.NewArray, method.Nodes[method.Nodes[kept].Args[0]].Op);
        Assert.Equal("dp", method.Nodes[method.Nodes[kept].Args[0]].Name);
        var reads = LoopOf(method, plans, "k");
        Assert.Equal(LoopStrategy.Fused, reads.Strategy);
        Assert.Empty(reads.KeptValues);
    }

    [Fact]
    public void ASumWhoseValueTheBackwardPassReadsIsReversed()
    {
        // Log(sum) reads sum, so the loop must have run before the backward pass starts.
        var (_, plans) = Plan("""
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        sum += x[i] * x[i];
                    }
                    return Math.Log(sum);
            """);
        Assert.Equal(LoopStrategy.Reversed, Assert.Single(plans).Strategy);
    }

    [Fact]
    public void ARecurrenceKeepsItsStateAndItsCostlyValue()
    {
        var (method, plans) = Plan("""
                    double h = 0;
                    for (int t = 0; t < x.Length; t++)
                    {
                        h = Math.Tanh(w * h + x[t]);
                    }
                    return h;
            """, "double w, [NoDiff] ReadOnlySpan<double> x");
        var plan = Assert.Single(plans);
        Assert.Equal(LoopStrategy.Reversed, plan.Strategy);
        Assert.Equal("Phi:h", Names(method, plan.SavedPhis));
        Assert.Equal("Tanh:h", Names(method, plan.KeptValues));   // 1 − tanh² reads it: kept, not recomputed
        Assert.DoesNotContain(plan.KeptValues[0], plan.Recomputed);
        Assert.Equal(16, plan.BytesPerIteration);
    }

    [Fact]
    public void ARunningIntegerIndexIsComputedFromTheIterationNotKept()
    {
        // li steps by 1 in the row loop: its reverse computes li from its start and the iteration, keeping only r.
        // The row loop's start of li is the value the component loop carries, which that loop keeps per row (it steps
        // by the row loop's trip count, not by a fixed amount). k steps down by a parameter in a while loop.
        var (method, plans) = Plan("""
                    double s = 0;
                    int li = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double r = x[i];
                        for (int j = i + 1; j < x.Length; j++)
                        {
                            r = r * l[li] + x[j];
                            li++;
                        }
                        s = s * w + r * r;
                    }
                    int k = x.Length - 1;
                    double p = 0;
                    while (k >= 0)
                    {
                        p = p * w + x[k];
                        k -= stride;
                    }
                    return s + p;
            """, "ReadOnlySpan<double> l, ReadOnlySpan<double> x, double w, int stride");
        var rows = LoopOf(method, plans, "j");
        Assert.Equal(LoopStrategy.Reversed, rows.Strategy);
        Assert.Equal("Phi:r", Names(method, rows.SavedPhis));
        Assert.Equal("Phi:li", Names(method, rows.Inductions));
        Assert.Equal(8, rows.BytesPerIteration);
        var outer = LoopOf(method, plans, "i");
        Assert.Equal(LoopStrategy.Reversed, outer.Strategy);
        Assert.Equal("Phi:li, Phi:s", Names(method, outer.SavedPhis));
        Assert.Empty(outer.Inductions);
        var search = plans.Single(p => method.Nodes[p.Loop].LoopCondition >= 0);
        Assert.Equal("Phi:p", Names(method, search.SavedPhis));
        Assert.Equal("Phi:k", Names(method, search.Inductions));
    }

    [Fact]
    public void ACheckpointedLoopKeepsItsRecurrenceButNotItsRunningIndex()
    {
        var (method, plans) = PlanWithAttribute("[Differentiable(Checkpointing = true)]", """
                    double p = 0;
                    int k = 1;
                    for (int i = 0; i < x.Length / 2; i++)
                    {
                        p = Math.Sin(p * w + x[k]);
                        k += 2;
                    }
                    return p;
            """, "ReadOnlySpan<double> x, double w");
        var plan = Assert.Single(plans);
        Assert.True(plan.Checkpointed);
        Assert.Equal("Phi:p", Names(method, plan.SavedPhis));
        Assert.Equal("Phi:k", Names(method, plan.Inductions));
    }

    [Fact]
    public void AnInnerLoopIsStackedByTheLoopAroundItInsteadOfRunningAgain()
    {
        // Per component: a row loop that keeps exp(q) and an inner product per row; the component loop keeps its
        // log-sum-exp state. The component loop's reverse must not run the row loop forward again.
        var (method, plans) = Plan("""
                    double total = 0;
                    for (int p = 0; p < n; p++)
                    {
                        double mx = double.NegativeInfinity;
                        double se = 0;
                        for (int c = 0; c < k; c++)
                        {
                            double sq = 0;
                            for (int row = 0; row < d; row++)
                            {
                                double y = Math.Exp(q[c * d + row]) * x[p * d + row];
                                for (int col = 0; col < row; col++)
                                {
                                    y += q[c * d + col] * x[p * d + col];
                                }
                                sq += y * y;
                            }
                            double main = -0.5 * sq;
                            double m = Math.Max(mx, main);
                            se = se * Math.Exp(mx - m) + Math.Exp(main - m);
                            mx = m;
                        }
                        total += Math.Log(se) + mx;
                    }
                    return total;
            """, "ReadOnlySpan<double> q, [NoDiff] ReadOnlySpan<double> x, int n, int k, int d");
        var points = LoopOf(method, plans, "p");
        var components = LoopOf(method, plans, "c");
        var rows = LoopOf(method, plans, "row");
        var columns = LoopOf(method, plans, "col");
        Assert.Equal(LoopStrategy.Fused, points.Strategy);
        Assert.Equal(LoopStrategy.Reversed, components.Strategy);
        Assert.Equal("Phi:se, Phi:mx", Names(method, components.SavedPhis.OrderBy(i => method.Nodes[i].Name == "mx")));
        Assert.Contains(components.KeptValues, id => method.Nodes[id] is { Op: Op.LoopExit, Name: "sq" });   // the row loop's result

        Assert.True(rows.StackedInEnclosing);
        Assert.False(rows.RunForwardInReverse);
        Assert.DoesNotContain(rows.Loop, components.Recomputed);
        Assert.Contains(rows.KeptValues, id => method.Nodes[id].Op == Op.Exp);
        Assert.Contains(rows.KeptValues, id => method.Nodes[id] is { Op: Op.LoopExit, Name: "y" });   // the column loop's result
        // exp(q[c * d + row]) does not depend on the point: computed for the first point only, read back for the others.
        var exp = rows.KeptValues.Single(id => method.Nodes[id].Op == Op.Exp);
        Assert.Equal(new[] { exp }, points.KeptOnce);
        Assert.Equal(LoopStrategy.Reversed, columns.Strategy);   // y += …: a running sum, but its result is read (y * y)
        Assert.False(columns.RunForwardInReverse);   // its reverse needs nothing recorded: it never runs forward again
        Assert.Empty(columns.KeptValues);
    }

    /// <summary>The body of a loop over points: y filled whole, updated in place, reduced; <paramref name="before"/> goes first.</summary>
    private static string PointLoop(string fill, string before = "", string declaration = "var y = new double[d];", string inBody = "") => $$"""
                    int d = w.Length;
                    {{declaration}}
                    double total = 0;
                    for (int p = 0; p < n; p++)
                    {
                        {{inBody}}
                        {{before}}
                        {{fill}}
                        for (int i = 0; i < d; i++)
                        {
                            double xi = x[p * d + i];
                            for (int j = i + 1; j < d; j++)
                            {
                                y[j] = y[j] + w[i] * xi;
                            }
                        }
                        double sq = 0;
                        for (int j = 0; j < d; j++)
                        {
                            sq += y[j] * y[j];
                        }
                        total += Math.Log(1 + sq);
                    }
                    return total;
            """;

    private const string WholeFill = "for (int j = 0; j < d; j++) { y[j] = w[j] * x[p * d + j]; }";

    [Fact]
    public void ALoopWhoseArraysAreScratchOfEachIterationIsFused()
    {
        const string parameters = "ReadOnlySpan<double> w, [NoDiff] ReadOnlySpan<double> x, int n";
        // Filled whole before any read in every iteration, or created in the body: nothing passes between iterations.
        Assert.Equal(LoopStrategy.Fused, PlanOfPoints(PointLoop(WholeFill), parameters));
        Assert.Equal(LoopStrategy.Fused, PlanOfPoints(PointLoop(WholeFill, declaration: "", inBody: "var y = new double[d];"), parameters));
        // A read before the fill, a fill that skips an element, a fill under an if: the previous iteration's values are read.
        Assert.Equal(LoopStrategy.Reversed, PlanOfPoints(PointLoop(WholeFill, before: "total += y[d - 1];"), parameters));
        Assert.Equal(LoopStrategy.Reversed, PlanOfPoints(PointLoop("for (int j = 1; j < d; j++) { y[j] = w[j] * x[p * d + j]; }"), parameters));
        Assert.Equal(LoopStrategy.Reversed, PlanOfPoints(PointLoop($"if (x[p * d] > 0) {{ {WholeFill} }}"), parameters));
        Assert.Equal(LoopStrategy.Reversed, PlanOfPoints(PointLoop("for (int j = 0; j < d; j++) { if (x[p * d + j] > 0) continue; y[j] = w[j]; }"), parameters));
        // Read after the loop: the array's last values are used there.
        Assert.Equal(LoopStrategy.Reversed, PlanOfPoints(PointLoop(WholeFill).Replace("return total;", "return total + y[0];"), parameters));
    }

    /// <summary>A middle loop that keeps nothing itself but stacks the innermost loop's reads: it is stacked too, so no level runs again.</summary>
    [Fact]
    public void AMiddleLoopThatOnlyStacksAnInnerLoopIsStackedItself()
    {
        var (method, plans) = Plan(PointLoop(WholeFill, before: "total += y[d - 1];").Replace("y[j] = y[j] + w[i] * xi;", "y[j] = y[j] * Math.Tanh(w[i] * xi);"),
            "ReadOnlySpan<double> w, [NoDiff] ReadOnlySpan<double> x, int n");
        var (points, middle, inner) = (LoopOf(method, plans, "p"), LoopOf(method, plans, "i"), plans.Single(p => method.Nodes[p.Loop].Region == method.Nodes[LoopOf(method, plans, "i").Loop].TrueRegion));
        Assert.Equal(LoopStrategy.Reversed, points.Strategy);
        Assert.Empty(middle.KeptValues);
        Assert.Empty(middle.SavedPhis);
        Assert.True(inner.StackedInEnclosing);
        Assert.NotEmpty(inner.KeptValues);   // y[j], which later writes change
        Assert.True(middle.StackedInEnclosing);
        Assert.False(middle.RunForwardInReverse);
    }

    private static LoopStrategy PlanOfPoints(string body, string parameters)
    {
        var (method, plans) = Plan(body, parameters);
        return LoopOf(method, plans, "p").Strategy;
    }

    [Fact]
    public void CheckpointingAppliesToLoopsThatKeepValues()
    {
        string body = """
                    double h = 0.1, s = 0;
                    for (int t = 0; t < x.Length; t++)
                    {
                        h = Math.Tanh(w * h + x[t]);
                    }
                    for (int t = 0; t < x.Length; t++)
                    {
                        s += x[t] * w;
                    }
                    return h * s;
            """;
        var (_, plain) = Plan(body, "double w, [NoDiff] ReadOnlySpan<double> x");
        Assert.False(plain[0].Checkpointed);   // without the attribute option
        var (method, checkpointed) = PlanWithAttribute("[Differentiable(Checkpointing = true)]", body, "double w, [NoDiff] ReadOnlySpan<double> x");
        var recurrence = checkpointed[0];
        var sum = checkpointed[1];
        Assert.True(recurrence.Checkpointed);
        Assert.Equal("Phi:h", Names(method, recurrence.SavedPhis));
        Assert.False(sum.Checkpointed);   // a running sum keeps nothing: nothing to bound
        Assert.Equal("Phi:s", Names(method, sum.RunningSums));
        Assert.Empty(sum.SavedPhis);

        // A memory limit checkpoints the same loops (the schedule within the limit is the runtime's, tested there).
        var (limited, capped) = PlanWithAttribute("[Differentiable(LoopMemoryLimit = 4096)]", body, "double w, [NoDiff] ReadOnlySpan<double> x");
        Assert.Equal(4096, limited.LoopMemoryLimit);
        Assert.True(capped[0].Checkpointed);
        Assert.False(capped[1].Checkpointed);
        Assert.Equal(checkpointed, capped);   // the same plans: only the schedule's sizes differ
    }

    /// <summary>As <see cref="Plan"/>, with the attribute written out.</summary>
    private static (DifferentiableMethod Method, IReadOnlyList<LoopPlan> Plans) PlanWithAttribute(string attribute, string body, string parameters)
    {
        string source = $$"""
            using System;
            using SymbolicDiff;
            namespace Demo;
            public static partial class Fns
            {
                {{attribute}}
                public static double F({{parameters}})
                {
            {{body}}
                }
            }
            """;
        var run = GeneratorHarness.Run(source);
        var method = run.Driver.GetRunResult().Results[0].TrackedSteps[DifferentiableGenerator.TrackingNames.Parse]
            .SelectMany(s => s.Outputs).Select(o => (ParseResult)o.Value).Single().Method!;
        return (method, Emitter.PlanLoops(method));
    }

    [Fact]
    public void PlansAreValues()
    {
        var first = Plan("double s = 0; for (int i = 0; i < x.Length; i++) { s += Math.Exp(x[i]); } return s * s;").Plans;
        var second = Plan("double s = 0; for (int i = 0; i < x.Length; i++) { s += Math.Exp(x[i]); } return s * s;").Plans;
        Assert.Equal(first, second);
    }
}
