using System;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

public class LoopBuffersTests
{
    [Fact]
    public void EnsureGrowsOnlyWhenTooSmallAndReturnIgnoresTheEmptyBuffer()
    {
        double[] buffer = Array.Empty<double>();
        LoopBuffers.Ensure(ref buffer, 0);
        Assert.Empty(buffer);
        LoopBuffers.Ensure(ref buffer, 100);
        Assert.True(buffer.Length >= 100);
        var rented = buffer;
        LoopBuffers.Ensure(ref buffer, 50);
        Assert.Same(rented, buffer);   // big enough: kept
        LoopBuffers.Ensure(ref buffer, -3);
        Assert.Same(rented, buffer);   // a negative trip count (end < start) needs nothing
        LoopBuffers.Return(buffer);
        LoopBuffers.Return(Array.Empty<double>());
    }

    [Fact]
    public void ABufferGivenBackIsRentedAgainByItsThreadOnly()
    {
        double[] buffer = Array.Empty<double>();
        LoopBuffers.Ensure(ref buffer, 1000);
        Assert.Equal(1024, buffer.Length);   // a power of two: any request up to it can take it back
        var first = buffer;
        LoopBuffers.Return(buffer);
        double[] elsewhere = Array.Empty<double>();
        var other = new System.Threading.Thread(() => LoopBuffers.Ensure(ref elsewhere, 1000));
        other.Start();
        other.Join();
        Assert.NotSame(first, elsewhere);   // another thread never takes this thread's arrays
        double[] again = Array.Empty<double>();
        LoopBuffers.Grow(ref again, 600);
        Assert.Same(first, again);
        again[0] = 7.0;
        LoopBuffers.Grow(ref again, 1025);   // grows to the next power of two, keeping what it held
        Assert.Equal(2048, again.Length);
        Assert.Equal(7.0, again[0]);
        LoopBuffers.Return(again);
    }

    [Theory]
    [InlineData(0L, 5L, 5)]
    [InlineData(5L, 5L, 0)]
    [InlineData(0L, int.MinValue, 0)]                          // i < int.MinValue: never (end − 1 would wrap to int.MaxValue)
    [InlineData(int.MinValue, int.MinValue + 3L, 3)]
    [InlineData(int.MaxValue - 2L, int.MaxValue + 1L, 3)]     // i <= int.MaxValue − 0 … as TripCount(s, e + 1L)
    [InlineData(int.MinValue, -1L, int.MaxValue)]              // the most a loop may run: 2³¹ − 1 iterations
    public void TripCountIsComputedWithoutWrappingAround(long first, long end, int expected) =>
        Assert.Equal(expected, LoopBuffers.TripCount(first, end));

    /// <summary>The stack an inner loop keeps over the iterations of the loop around it: top + outer × inner, in long.</summary>
    [Theory]
    [InlineData(0, 25, 10, 250)]
    [InlineData(7, 0, 10, 7)]
    [InlineData(100, 3, 0, 100)]
    [InlineData(1, 65536, 32767, 2147418113)]
    public void StackSizeIsTopPlusOuterTimesInner(int top, int outer, int inner, int expected) =>
        Assert.Equal(expected, LoopBuffers.StackSize(top, outer, inner));

    [Fact]
    public void AStackLargerThanAnArrayThrowsInsteadOfWrappingAround()
    {
        Assert.Throws<NotSupportedException>(() => LoopBuffers.StackSize(0, 65536, 32768));   // 2^31
        Assert.Throws<NotSupportedException>(() => LoopBuffers.StackSize(int.MaxValue, 1, 1));
    }

    [Theory]
    [InlineData(0L, 9L, 2, 5)]                                 // for (i = 0; i < 9; i += 2): 0, 2, 4, 6, 8
    [InlineData(0L, 10L, 2, 5)]
    [InlineData(1L, 10L, 3, 3)]                                // 1, 4, 7
    [InlineData(9L, -1L, -1, 10)]                              // for (i = 9; i >= 0; i--) as TripCount(9, 0 - 1L, -1)
    [InlineData(9L, 0L, -3, 3)]                                // for (i = 9; i > 0; i -= 3): 9, 6, 3
    [InlineData(0L, 5L, -1, 0)]                                // counting down from below the bound: never
    [InlineData(5L, 0L, 2, 0)]
    [InlineData(int.MinValue, int.MaxValue, 2, 1L << 31)]     // every other int: 2³¹ would not fit, see below
    [InlineData(int.MaxValue, int.MinValue - 1L, -4, 1 << 30)]
    public void SteppedTripCountIsACeilingDivisionInLong(long first, long end, int step, long expected)
    {
        if (expected > int.MaxValue)
        {
            Assert.Throws<NotSupportedException>(() => LoopBuffers.TripCount(first, end, step));
            return;
        }
        Assert.Equal((int)expected, LoopBuffers.TripCount(first, end, step));
    }

    [Fact]
    public void TripCountBeyondIntMaxValueThrows() =>
        Assert.Throws<NotSupportedException>(() => LoopBuffers.TripCount(int.MinValue, int.MaxValue + 1L));
}
