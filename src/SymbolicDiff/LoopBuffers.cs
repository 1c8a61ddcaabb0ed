using System;
using System.Buffers;

namespace SymbolicDiff;

/// <summary>
/// The buffers generated gradients keep loop-carried values in: sized when a loop starts (its trip count is
/// known then) and reused from <see cref="ArrayPool{T}"/>, so a warm gradient call allocates nothing.
/// </summary>
public static class LoopBuffers
{
    /// <summary>Makes <paramref name="buffer"/> hold at least <paramref name="count"/> elements, renting a larger one if needed.</summary>
    public static void Ensure<T>(ref T[] buffer, int count)
    {
        if (buffer.Length < count)
        {
            Return(buffer);
            buffer = ArrayPool<T>.Shared.Rent(count);
        }
    }

    /// <summary>Gives a buffer from <see cref="Ensure{T}"/> back to the pool (an empty one is ignored).</summary>
    public static void Return<T>(T[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }
}
