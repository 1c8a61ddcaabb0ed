using System;

namespace SymbolicDiff.Tensors;

/// <summary>
/// The rows of a matrix gradient that have been written since the last <see cref="Clear"/>: embedding lookups mark
/// the rows they scatter into, dense kernels mark all. Optimizers read it to update and clear only those rows.
/// Marking and clearing allocate nothing.
/// </summary>
public sealed class RowSet
{
    private readonly bool[] _marked;
    private readonly int[] _rows;
    private int _count;

    /// <summary>Creates an empty set for a matrix with <paramref name="rowCount"/> rows.</summary>
    /// <param name="rowCount">Rows of the matrix.</param>
    public RowSet(int rowCount)
    {
        _marked = new bool[rowCount];
        _rows = new int[rowCount];
    }

    /// <summary>Rows of the matrix.</summary>
    public int RowCount => _marked.Length;

    /// <summary>Whether every row counts as written (a dense kernel wrote the matrix).</summary>
    public bool All { get; private set; }

    /// <summary>The marked rows in the order they were first marked (meaningful when <see cref="All"/> is false).</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>Marks one row.</summary>
    /// <param name="row">Zero-based row index.</param>
    public void Mark(int row)
    {
        if (!_marked[row])
        {
            _marked[row] = true;
            _rows[_count++] = row;
        }
    }

    /// <summary>Marks every row.</summary>
    public void MarkAll() => All = true;

    /// <summary>Unmarks every row (in time proportional to the rows marked).</summary>
    public void Clear()
    {
        foreach (int row in Rows) _marked[row] = false;
        _count = 0;
        All = false;
    }
}
