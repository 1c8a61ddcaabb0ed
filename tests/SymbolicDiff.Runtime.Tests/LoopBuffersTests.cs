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

    [Theory]
    [InlineData(0L, 5L, 5)]
    [InlineData(5L, 5L, 0)]
    [InlineData(0L, int.MinValue, 0)]                          // i < int.MinValue: never (end − 1 would wrap to int.MaxValue)
    [InlineData(int.MinValue, int.MinValue + 3L, 3)]
    [InlineData(int.MaxValue - 2L, int.MaxValue + 1L, 3)]     // i <= int.MaxValue − 0 … as TripCount(s, e + 1L)
    [InlineData(int.MinValue, -1L, int.MaxValue)]              // the most a loop may run: 2³¹ − 1 iterations
    public void TripCountIsComputedWithoutWrappingAround(long first, long end, int expected) =>
        Assert.Equal(expected, LoopBuffers.TripCount(first, end));

    [Fact]
    public void TripCountBeyondIntMaxValueThrows() =>
        Assert.Throws<NotSupportedException>(() => LoopBuffers.TripCount(int.MinValue, int.MaxValue + 1L));
}
