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
}
