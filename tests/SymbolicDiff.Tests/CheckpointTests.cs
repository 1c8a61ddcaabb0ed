using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>
/// <c>Checkpointing = true</c>: loops keep their carried variables every ⌈√n⌉ iterations and the backward pass
/// recomputes each segment from its checkpoint. <c>LoopMemoryLimit</c>: as many checkpoints as fit, placed by the
/// binomial schedule, segments run again from the nearest one. The gradients must be those of full storage bit for bit (the same
/// operations in the same order), match central differences, and stay within the memory the option promises.
/// </summary>
public class CheckpointTests
{
    /// <summary>The central difference of f at a.</summary>
    private static double Central(Func<double, double> f, double a, double h = 1e-6) => (f(a + h) - f(a - h)) / (2 * h);

    private static double[] Inputs(int n) => Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i) * 0.8).ToArray();

    private delegate double RecurrenceValue(double w, double u, ReadOnlySpan<double> inputs);
    private delegate double RecurrenceGradient(double w, double u, ReadOnlySpan<double> inputs, ref double dw, ref double du);

    /// <summary>The integrator checkpointed every ⌈√n⌉ steps, or within 1 KB or 16 KB.</summary>
    private static (RecurrenceValue Value, RecurrenceGradient Gradient) Recurrence(string variant) => variant switch
    {
        "√n" => (CheckpointFunctions.Recurrence, CheckpointFunctions.RecurrenceGradient),
        "1 KB" => (CheckpointFunctions.RecurrenceWithin1KB, CheckpointFunctions.RecurrenceWithin1KBGradient),
        _ => (CheckpointFunctions.RecurrenceWithin16KB, CheckpointFunctions.RecurrenceWithin16KBGradient),
    };

    public static IEnumerable<object[]> RecurrenceCases() =>
        from variant in new[] { "√n", "1 KB", "16 KB" }
        from n in new[] { 0, 1, 2, 3, 10, 17, 32, 33, 1000, 1024, 20_000 }
        select new object[] { variant, n };

    [Theory]
    [MemberData(nameof(RecurrenceCases))]
    public void RecurrenceEqualsFullStorageBitForBit(string variant, int n)
    {
        var (value, gradient) = Recurrence(variant);
        var inputs = Inputs(n);
        double dw = 0, du = 0, fw = 0, fu = 0;
        double returned = gradient(0.9, 0.5, inputs, ref dw, ref du);
        Assert.Equal(CheckpointFunctions.RecurrenceFullGradient(0.9, 0.5, inputs, ref fw, ref fu), returned);
        Assert.Equal(value(0.9, 0.5, inputs), returned);
        Assert.Equal(fw, dw);
        Assert.Equal(fu, du);
        Assert.Equal(Central(w => value(w, 0.5, inputs), 0.9), dw, 6);
        Assert.Equal(Central(u => value(0.9, u, inputs), 0.5), du, 6);
    }

    [Theory]
    [InlineData("√n")]
    [InlineData("1 KB")]
    [InlineData("16 KB")]
    public void RecurrenceOfOneStepHasTheHandDerivedGradient(string variant)
    {
        // h = tanh(0.1 w + u x): ∂h/∂w = 0.1 (1 − h²), ∂h/∂u = x (1 − h²).
        double x = 0.6, w = 0.9, u = 0.5;
        double dw = 0, du = 0;
        double h = Recurrence(variant).Gradient(w, u, new[] { x }, ref dw, ref du);
        Assert.Equal(Math.Tanh(0.1 * w + u * x), h, 15);
        Assert.Equal(0.1 * (1 - h * h), dw, 15);
        Assert.Equal(x * (1 - h * h), du, 15);
    }

    private delegate double OscillatorValue(double k, double damping, int steps);
    private delegate double OscillatorGradient(double k, double damping, int steps, ref double dk, ref double ddamping);

    [Theory]
    [InlineData("√n", 0)]
    [InlineData("√n", 1)]
    [InlineData("√n", 5)]
    [InlineData("√n", 50)]
    [InlineData("least memory", 0)]
    [InlineData("least memory", 5)]
    [InlineData("least memory", 300)]
    [InlineData("least memory", 3000)]
    public void CountingDownWithAStrideEqualsFullStorageBitForBit(string variant, int steps)
    {
        // Two carried variables; "least memory" checkpoints one step at a time in one slot (each runs again for every later one).
        OscillatorValue value = variant == "√n" ? CheckpointFunctions.Oscillator : CheckpointFunctions.OscillatorWithinLeastMemory;
        OscillatorGradient gradient = variant == "√n" ? CheckpointFunctions.OscillatorGradient : CheckpointFunctions.OscillatorWithinLeastMemoryGradient;
        double dk = 0, dd = 0, fk = 0, fd = 0;
        double returned = gradient(3.0, 0.4, steps, ref dk, ref dd);
        Assert.Equal(CheckpointFunctions.OscillatorFullGradient(3.0, 0.4, steps, ref fk, ref fd), returned);
        Assert.Equal(fk, dk);
        Assert.Equal(fd, dd);
        Assert.Equal(Central(k => value(k, 0.4, steps), 3.0), dk, 6);
        Assert.Equal(Central(damping => value(3.0, damping, steps), 0.4), dd, 6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(30)]
    public void NestedLoopsEqualFullStorageBitForBit(int steps)
    {
        var p = new[] { 0.3, -0.2, 0.5 };
        var dp = new double[3];
        var fp = new double[3];
        double value = CheckpointFunctions.NestedGradient(p, steps, dp);
        Assert.Equal(CheckpointFunctions.NestedFullGradient(p, steps, fp), value);
        Assert.Equal(fp, dp);
        for (int i = 0; i < 3; i++)
        {
            int at = i;
            Assert.Equal(Central(v => CheckpointFunctions.Nested(p.Select((pj, j) => j == at ? v : pj).ToArray(), steps), p[i]), dp[i], 6);
        }
    }

    [Fact]
    public void AMillionStepsKeepAboutTwoSquareRootsOfMemory()
    {
        // Full storage keeps h and tanh for every step: 16 bytes × 10⁶ = 16 MB. Checkpointed: h every 1,000 steps and
        // 16 bytes × 1,000 for one segment, about 24 KB, rented once from the pool (whatever the pool held before).
        var inputs = Inputs(1_000_000);
        double dw = 0, du = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        CheckpointFunctions.RecurrenceGradient(0.9, 0.5, inputs, ref dw, ref du);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"the first checkpointed call allocated {allocated} bytes");
        double fw = 0, fu = 0;
        CheckpointFunctions.RecurrenceFullGradient(0.9, 0.5, inputs, ref fw, ref fu);
        Assert.Equal(fw, dw);
        Assert.Equal(fu, du);

        before = GC.GetAllocatedBytesForCurrentThread();
        CheckpointFunctions.RecurrenceGradient(0.9, 0.5, inputs, ref dw, ref du);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);   // warm: nothing
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(700)]
    public void WithinAMemoryLimitNestedLoopsEqualFullStorageBitForBit(int steps)
    {
        var p = new[] { 0.3, -0.2, 0.5 };
        var dp = new double[3];
        var fp = new double[3];
        double value = CheckpointFunctions.NestedWithin2KBGradient(p, steps, dp);
        Assert.Equal(CheckpointFunctions.NestedFullGradient(p, steps, fp), value);
        Assert.Equal(fp, dp);
    }

    [Fact]
    public void AMillionStepsStayWithinTheMemoryLimit()
    {
        // 16 KB: 512 steps of h and tanh (8 KB) and 512 checkpoints of h with their segment numbers (6 KB). On a thread of
        // its own, so the pool starts empty: a first call of a few steps makes the pool's bookkeeping for the smallest
        // sizes, then the million steps rent what they keep, all of it allocated here.
        var inputs = Inputs(1_000_000);
        long allocated = 0;
        double dw = 0, du = 0;
        var thread = new System.Threading.Thread(() =>
        {
            double w = 0, u = 0;
            CheckpointFunctions.RecurrenceWithin16KBGradient(0.9, 0.5, inputs.AsSpan(0, 20), ref w, ref u);
            long before = GC.GetAllocatedBytesForCurrentThread();
            CheckpointFunctions.RecurrenceWithin16KBGradient(0.9, 0.5, inputs, ref dw, ref du);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();
        // The buffers (14,336 bytes) with their array headers and the pool's stacks for their sizes (under 1 KB).
        Assert.InRange(allocated, 14_336, 16 * 1024 + 1024);
        double fw = 0, fu = 0;
        CheckpointFunctions.RecurrenceFullGradient(0.9, 0.5, inputs, ref fw, ref fu);
        Assert.Equal(fw, dw);
        Assert.Equal(fu, du);

        CheckpointFunctions.RecurrenceWithin16KBGradient(0.9, 0.5, inputs, ref dw, ref du);
        long warm = GC.GetAllocatedBytesForCurrentThread();
        CheckpointFunctions.RecurrenceWithin16KBGradient(0.9, 0.5, inputs, ref dw, ref du);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - warm);   // warm: nothing
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(5, 1)]
    [InlineData(300, 4)]
    public void ACheckpointedLoopInsideAnotherEqualsFullStorageAndAllocatesNothingWhenWarm(int n, int runs)
    {
        // The inner loop's schedule starts again in every run of the outer loop, reusing its buffer.
        var inputs = Inputs(n);
        double dw = 0, fw = 0;
        double value = CheckpointFunctions.SumOfRunsGradient(0.7, inputs, runs, ref dw);
        Assert.Equal(CheckpointFunctions.SumOfRunsFullGradient(0.7, inputs, runs, ref fw), value);
        Assert.Equal(fw, dw);
        Assert.Equal(Central(w => CheckpointFunctions.SumOfRuns(w, inputs, runs), 0.7), dw, 6);

        CheckpointFunctions.SumOfRunsGradient(0.7, inputs, runs, ref dw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        CheckpointFunctions.SumOfRunsGradient(0.7, inputs, runs, ref dw);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    public void WithAMemoryLimitSecondOrderIsThatOfFullStorage(int n)
    {
        // The gradient is checkpointed, the Hessian and H·v keep full storage: all equal the unlimited twin's bit for bit.
        var inputs = Inputs(n);
        double dw = 0, du = 0, fw = 0, fu = 0;
        Assert.Equal(CheckpointFunctions.RecurrenceWithHessianFullGradient(0.9, 0.5, inputs, ref fw, ref fu),
            CheckpointFunctions.RecurrenceWithHessianGradient(0.9, 0.5, inputs, ref dw, ref du));
        Assert.Equal((fw, fu), (dw, du));
        var hessian = new double[4];
        var full = new double[4];
        CheckpointFunctions.RecurrenceWithHessianHessian(0.9, 0.5, inputs, hessian);
        CheckpointFunctions.RecurrenceWithHessianFullHessian(0.9, 0.5, inputs, full);
        Assert.Equal(full, hessian);
        Assert.Equal(Central(w => { double gw = 0, gu = 0; CheckpointFunctions.RecurrenceWithHessianGradient(w, 0.5, inputs, ref gw, ref gu); return gw; }, 0.9), hessian[0], 6);
        double hw = 0, hu = 0;
        CheckpointFunctions.RecurrenceWithHessianHessianVectorProduct(0.9, 0.5, inputs, 1.0, -2.0, ref hw, ref hu);
        Assert.Equal(hessian[0] - 2 * hessian[1], hw, 12);
        Assert.Equal(hessian[2] - 2 * hessian[3], hu, 12);
    }
}
