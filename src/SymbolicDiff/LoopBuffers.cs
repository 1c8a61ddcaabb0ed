using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SymbolicDiff;

/// <summary>
/// The buffers generated gradients keep loop-carried values in: sized when a loop starts (its trip count is
/// known then) and given back when the call ends, to a pool of the calling thread, so a warm gradient call
/// allocates nothing.
/// </summary>
/// <remarks>
/// Each thread reuses only the arrays it gave back itself, kept until the thread ends. <see cref="ArrayPool{T}.Shared"/>
/// cannot promise a warm call nothing: it keeps one array of a size per thread and shares the others between threads
/// (a gradient running on another thread takes them), and it trims arrays when the GC collects.
/// </remarks>
public static class LoopBuffers
{
    /// <summary>Makes <paramref name="buffer"/> hold at least <paramref name="count"/> elements, renting a larger one if needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // (the check is inlined, the renting is not: see TripCount)
    public static void Ensure<T>(ref T[] buffer, int count)
    {
        if (buffer.Length < count)
        {
            buffer = Replace(buffer, count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T[] Replace<T>(T[] buffer, int count)
    {
        Return(buffer);
        return PerThread<T>.Rent(count);
    }

    /// <summary>
    /// Makes <paramref name="buffer"/> hold at least <paramref name="count"/> elements, keeping what it holds: for values
    /// kept by an inner loop across the iterations of the loop around it, whose total is known only as they come
    /// (it at least doubles, so a warm buffer is already large enough).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Grow<T>(ref T[] buffer, int count)
    {
        if (buffer.Length < count)
        {
            buffer = Enlarge(buffer, count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T[] Enlarge<T>(T[] buffer, int count)
    {
        var larger = PerThread<T>.Rent(Math.Max(count, 2 * buffer.Length));
        Array.Copy(buffer, larger, buffer.Length);
        Return(buffer);
        return larger;
    }

    /// <summary>
    /// How many times a loop runs whose condition value goes first, first + 1, … while below <paramref name="end"/>:
    /// <c>for (int i = s; i &lt; e; i++)</c> runs TripCount(s, e) times, <c>i &lt;= e</c> TripCount(s, e + 1L) and
    /// <c>i + k &lt; e</c> TripCount(unchecked(s + k), e). Computed in long, so bounds at the int limits do not wrap.
    /// </summary>
    /// <exception cref="NotSupportedException">The loop runs more times than an array can keep (more than int.MaxValue).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // (called in loops: a call there makes the JIT spill the loop's doubles, xmm registers being caller-saved)
    public static int TripCount(long first, long end)
    {
        long count = end - first;
        if (count <= 0)
        {
            return 0;
        }
        if (count > int.MaxValue)
        {
            ThrowTooManyIterations(count);
        }
        return (int)count;
    }

    /// <summary>
    /// The size of a stack of values an inner loop keeps for every iteration of the loop around it, when both run a
    /// known number of times: <paramref name="top"/> + <paramref name="outerTrips"/> × <paramref name="innerTrips"/>,
    /// computed in long.
    /// </summary>
    /// <exception cref="NotSupportedException">More values than an array can keep (more than int.MaxValue).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StackSize(int top, int outerTrips, int innerTrips)
    {
        long size = top + (long)outerTrips * innerTrips;
        if (size > int.MaxValue)
        {
            ThrowTooManyIterations(size);
        }
        return (int)size;
    }

    [DoesNotReturn]
    private static void ThrowTooManyIterations(long count) =>
        throw new NotSupportedException($"A loop runs {count} times; a generated gradient runs loops of at most {int.MaxValue} iterations backward.");

    /// <summary>
    /// How many times a loop runs whose counter goes first, first + step, … while before <paramref name="end"/>
    /// (below it when step &gt; 0, above it when step &lt; 0): <c>for (int i = s; i &lt; e; i += 3)</c> runs
    /// TripCount(s, e, 3) times, <c>for (int i = s; i &gt;= e; i--)</c> TripCount(s, e - 1L, -1). Computed in long.
    /// </summary>
    /// <exception cref="NotSupportedException">The loop runs more times than an array can keep (more than int.MaxValue).</exception>
    public static int TripCount(long first, long end, int step)
    {
        long distance = step > 0 ? end - first : first - end;
        long stride = Math.Abs((long)step);
        return distance <= 0 ? 0 : TripCount(0, (distance + stride - 1) / stride);
    }

    /// <summary>
    /// The iterations between two checkpoints of a loop of <paramref name="trips"/> iterations (<c>Checkpointing = true</c>):
    /// ⌈√trips⌉, so that the checkpoints and the values of one segment take about 2√trips iterations' worth of memory.
    /// </summary>
    public static int SegmentLength(int trips) => trips <= 1 ? 1 : (int)Math.Ceiling(Math.Sqrt(trips));

    /// <summary>How many segments of <paramref name="segment"/> iterations a loop of <paramref name="trips"/> iterations has.</summary>
    public static int Segments(int trips, int segment) => (trips + segment - 1) / segment;

    /// <summary>Gives a buffer from <see cref="Ensure{T}"/> or <see cref="Grow{T}"/> back to the calling thread's pool (an empty one is ignored).</summary>
    public static void Return<T>(T[] buffer)
    {
        if (buffer.Length > 0)
        {
            PerThread<T>.Return(buffer);
        }
    }

    /// <summary>
    /// The arrays one thread gave back, by size: a stack per power of two (arrays are rented at a power of two, at
    /// least 16, so any array of a size's stack serves any request of that size; larger than 2³⁰ they are not pooled).
    /// </summary>
    private static class PerThread<T>
    {
        [ThreadStatic] private static Stack<T[]>?[]? t_sizes;

        public static T[] Rent(int count)
        {
            if (count > MaxPooled)
            {
                return new T[count];   // beyond the largest power of two an array can have: not pooled
            }
            int size = count <= 16 ? 4 : BitOperations.Log2((uint)count - 1) + 1;
            if (t_sizes?[size] is { Count: > 0 } kept)
            {
                return kept.Pop();
            }
            return new T[1 << size];
        }

        public static void Return(T[] buffer)
        {
            int size = BitOperations.Log2((uint)buffer.Length);
            if (buffer.Length != 1 << size || buffer.Length > MaxPooled)
            {
                return;   // not one of ours: left to the GC
            }
            var sizes = t_sizes ??= new Stack<T[]>?[32];
            (sizes[size] ??= new Stack<T[]>()).Push(buffer);
        }

        private const int MaxPooled = 1 << 30;
    }
}
