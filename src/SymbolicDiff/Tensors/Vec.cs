using System;
using System.Numerics;

namespace SymbolicDiff.Tensors;

/// <summary>
/// A dense vector backed by a managed array. A thin shape-carrying wrapper so kernels can check
/// shapes; all arithmetic lives in <see cref="TensorKernels"/>.
/// </summary>
/// <typeparam name="T">Element type (<see cref="float"/> or <see cref="double"/>).</typeparam>
public sealed class Vec<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a zero vector of the given length.</summary>
    /// <param name="length">Number of elements (≥ 0).</param>
    public Vec(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "Vector length must be non-negative.");
        Data = new T[length];
    }

    /// <summary>Wraps an existing array (no copy); the vector's length is the array's length.</summary>
    /// <param name="data">Backing storage, shared with the caller.</param>
    public Vec(T[] data) => Data = data ?? throw new ArgumentNullException(nameof(data));

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Backing storage.</summary>
    public T[] Data { get; }

    /// <summary>The elements as a span over <see cref="Data"/>.</summary>
    public Span<T> Span => Data;

    /// <summary>Gets or sets element <paramref name="i"/>.</summary>
    /// <param name="i">Zero-based index.</param>
    public T this[int i]
    {
        get => Data[i];
        set => Data[i] = value;
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(Data);

    /// <summary>Shape as text, e.g. <c>[7]</c>, for error messages.</summary>
    public string Shape => $"[{Length}]";

    /// <inheritdoc/>
    public override string ToString() => $"Vec<{typeof(T).Name}>{Shape}";

    /// <summary>Views the vector as a span.</summary>
    /// <param name="v">The vector.</param>
    public static implicit operator Span<T>(Vec<T> v) => v.Data;

    /// <summary>Views the vector as a read-only span.</summary>
    /// <param name="v">The vector.</param>
    public static implicit operator ReadOnlySpan<T>(Vec<T> v) => v.Data;
}
