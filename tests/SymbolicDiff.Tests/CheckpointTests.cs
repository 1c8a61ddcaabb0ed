using System;
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

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(1000)]
    public void RecurrenceEqualsFullStorageBitForBit(int n)
    {
        var inputs = Inputs(n);
        double dw = 0, du = 0, fw = 0, fu = 0;
        double value = CheckpointFunctions.RecurrenceGradient(0.9, 0.5, inputs, ref dw, ref du);
        double full = CheckpointFunctions.RecurrenceFullGradient(0.9, 0.5, inputs, ref fw, ref fu);
        Assert.Equal(full, value);
        Assert.Equal(CheckpointFunctions.Recurrence(0.9, 0.5, inputs), value);
        Assert.Equal(fw, dw);
        Assert.Equal(fu, du);
        Assert.Equal(Central(w => CheckpointFunctions.Recurrence(w, 0.5, inputs), 0.9), dw, 6);
        Assert.Equal(Central(u => CheckpointFunctions.Recurrence(0.9, u, inputs), 0.5), du, 6);
    }

    [Fact]
    public void RecurrenceOfOneStepHasTheHandDerivedGradient()
    {
        // h = tanh(0.1 w + u x): ∂h/∂w = 0.1 (1 − h²), ∂h/∂u = x (1 − h²).
        double x = 0.6, w = 0.9, u = 0.5;
        double dw = 0, du = 0;
        double h = CheckpointFunctions.RecurrenceGradient(w, u, new[] { x }, ref dw, ref du);
        Assert.Equal(Math.Tanh(0.1 * w + u * x), h, 15);
        Assert.Equal(0.1 * (1 - h * h), dw, 15);
        Assert.Equal(x * (1 - h * h), du, 15);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(50)]
    public void CountingDownWithAStrideEqualsFullStorageBitForBit(int steps)
    {
        double dk = 0, dd = 0, fk = 0, fd = 0;
        double value = CheckpointFunctions.OscillatorGradient(3.0, 0.4, steps, ref dk, ref dd);
        Assert.Equal(CheckpointFunctions.OscillatorFullGradient(3.0, 0.4, steps, ref fk, ref fd), value);
        Assert.Equal(fk, dk);
        Assert.Equal(fd, dd);
        Assert.Equal(Central(k => CheckpointFunctions.Oscillator(k, 0.4, steps), 3.0), dk, 6);
        Assert.Equal(Central(damping => CheckpointFunctions.Oscillator(3.0, damping, steps), 0.4), dd, 6);
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
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(20_000)]
    public void WithinAMemoryLimitTheRecurrenceEqualsFullStorageBitForBit(int n)
    {
        var inputs = Inputs(n);
        double fw = 0, fu = 0;
        double full = CheckpointFunctions.RecurrenceFullGradient(0.9, 0.5, inputs, ref fw, ref fu);
        double dw = 0, du = 0, sw = 0, su = 0;
        Assert.Equal(full, CheckpointFunctions.RecurrenceWithin1KBGradient(0.9, 0.5, inputs, ref dw, ref du));
        Assert.Equal(full, CheckpointFunctions.RecurrenceWithin16KBGradient(0.9, 0.5, inputs, ref sw, ref su));
        Assert.Equal(fw, dw);
        Assert.Equal(fu, du);
        Assert.Equal(fw, sw);
        Assert.Equal(fu, su);
        Assert.Equal(Central(w => CheckpointFunctions.RecurrenceWithin1KB(w, 0.5, inputs), 0.9), dw, 6);
        Assert.Equal(Central(u => CheckpointFunctions.RecurrenceWithin1KB(0.9, u, inputs), 0.5), du, 6);
    }

    [Fact]
    public void WithinAMemoryLimitOneStepHasTheHandDerivedGradient()
    {
        double x = 0.6, w = 0.9, u = 0.5;
        double dw = 0, du = 0;
        double h = CheckpointFunctions.RecurrenceWithin1KBGradient(w, u, new[] { x }, ref dw, ref du);
        Assert.Equal(Math.Tanh(0.1 * w + u * x), h, 15);
        Assert.Equal(0.1 * (1 - h * h), dw, 15);
        Assert.Equal(x * (1 - h * h), du, 15);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(300)]
    [InlineData(3000)]
    public void WithinTheLeastMemoryTheOscillatorEqualsFullStorageBitForBit(int steps)
    {
        double dk = 0, dd = 0, fk = 0, fd = 0;
        double value = CheckpointFunctions.OscillatorWithinLeastMemoryGradient(3.0, 0.4, steps, ref dk, ref dd);
        Assert.Equal(CheckpointFunctions.OscillatorFullGradient(3.0, 0.4, steps, ref fk, ref fd), value);
        Assert.Equal(fk, dk);
        Assert.Equal(fd, dd);
        Assert.Equal(Central(k => CheckpointFunctions.OscillatorWithinLeastMemory(k, 0.4, steps), 3.0), dk, 6);
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
