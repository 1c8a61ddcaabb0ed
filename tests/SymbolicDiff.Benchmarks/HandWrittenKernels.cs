using System;
using System.Numerics.Tensors;

namespace SymbolicDiff.Benchmarks;

/// <summary>
/// The activation backward passes of the hand-written baselines, as a user would write them with TensorPrimitives
/// (the runtime has no such kernels: the generator writes them from the operation table).
/// </summary>
internal static class HandWrittenKernels
{
    /// <summary>dx += dy ∘ (1 − y²), y = tanh(x), in chunks of a stack buffer.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Span<float> t = stackalloc float[256];
        for (int i = 0; i < y.Length; i += t.Length)
        {
            int n = Math.Min(t.Length, y.Length - i);
            Span<float> tc = t[..n];
            ReadOnlySpan<float> yc = y.Slice(i, n);
            Span<float> dxc = dx.Slice(i, n);
            TensorPrimitives.Multiply(yc, yc, tc);
            TensorPrimitives.Subtract(1f, tc, tc);
            TensorPrimitives.MultiplyAdd(tc, dy.Slice(i, n), dxc, dxc);
        }
    }

    /// <summary>dx += dy where x &gt; 0.</summary>
    public static void ReLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++)
            if (x[i] > 0f) dx[i] += dy[i];
    }
}
