using System;
using System.Numerics;

namespace SymbolicDiff.Tensors;

/// <summary>
/// A dense row-major matrix backed by a managed array: element (r, c) lives at <c>Data[r * Cols + c]</c>.
/// </summary>
/// <typeparam name="T">Element type (<see cref="float"/> or <see cref="double"/>).</typeparam>
public sealed class Mat<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a zero matrix.</summary>
    /// <param name="rows">Number of rows (≥ 0).</param>
    /// <param name="cols">Number of columns (≥ 0).</param>
    public Mat(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix shape {rows}×{cols} must be non-negative.");
        Rows = rows;
        Cols = cols;
        Data = new T[checked(rows * cols)];
    }

    /// <summary>Wraps an existing row-major array (no copy).</summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="data">Backing storage of length <paramref name="rows"/>·<paramref name="cols"/>, shared with the caller.</param>
    /// <exception cref="ArgumentException">The array length does not equal rows·cols.</exception>
    public Mat(int rows, int cols, T[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix shape {rows}×{cols} must be non-negative.");
        if ((long)rows * cols != data.Length)
            throw new ArgumentException($"Matrix shape {rows}×{cols} needs {(long)rows * cols} elements but the array has {data.Length}.", nameof(data));
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Row-major backing storage.</summary>
    public T[] Data { get; }

    /// <summary>Total number of elements (Rows·Cols).</summary>
    public int Length => Data.Length;

    /// <summary>All elements as one row-major span.</summary>
    public Span<T> Span => Data;

    /// <summary>Row <paramref name="r"/> as a span of length <see cref="Cols"/>.</summary>
    /// <param name="r">Zero-based row index.</param>
    public Span<T> Row(int r)
    {
        if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(r), r, $"Row index out of range for a {Shape} matrix.");
        return Data.AsSpan(r * Cols, Cols);
    }

    /// <summary>Gets or sets element (r, c).</summary>
    /// <param name="r">Zero-based row index.</param>
    /// <param name="c">Zero-based column index.</param>
    public T this[int r, int c]
    {
        get
        {
            CheckIndex(r, c);
            return Data[r * Cols + c];
        }
        set
        {
            CheckIndex(r, c);
            Data[r * Cols + c] = value;
        }
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(Data);

    /// <summary>The rows written since the last clear, when tracking is on (<see cref="TrackTouchedRows"/>); else null.</summary>
    public RowSet? TouchedRows { get; private set; }

    /// <summary>
    /// Turns on row tracking for a gradient matrix: embedding adjoints mark the rows they add into, dense kernels mark
    /// all, so a row-sparse optimizer (<see cref="Training.Optimizer{T}.UseRowSparse"/>) touches only those rows.
    /// </summary>
    /// <returns>This matrix.</returns>
    public Mat<T> TrackTouchedRows()
    {
        TouchedRows ??= new RowSet(Rows);
        return this;
    }

    /// <summary>Shape as text, e.g. <c>3×4</c>, for error messages.</summary>
    public string Shape => $"{Rows}×{Cols}";

    /// <inheritdoc/>
    public override string ToString() => $"Mat<{typeof(T).Name}>[{Shape}]";

    private void CheckIndex(int r, int c)
    {
        if ((uint)r >= (uint)Rows || (uint)c >= (uint)Cols)
            throw new ArgumentOutOfRangeException(nameof(r), $"Index ({r}, {c}) is out of range for a {Shape} matrix.");
    }
}
