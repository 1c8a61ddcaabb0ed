using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace SymbolicDiff.Tensors;

/// <summary>
/// Allocation-free span kernels for dense vectors and row-major matrices, the building blocks that
/// generated forward/backward code calls. Built on <see cref="TensorPrimitives"/> (SIMD) wherever a library
/// kernel exists.
/// </summary>
/// <remarks>
/// <para>Conventions: forward kernels overwrite <c>dst</c>/<c>y</c>; every <c>…Backward</c> and <c>…Add</c>
/// kernel ACCUMULATES (+=) into its adjoint output, so contributions from several uses of a value add up.</para>
/// <para>All shape checks run before any output element is written and throw <see cref="ArgumentException"/>
/// naming both shapes. Element-wise outputs may alias an input only exactly (same start, same length);
/// matrix-product outputs must not alias their inputs.</para>
/// </remarks>
public static partial class TensorKernels
{
    // Size (in elements) of the stack scratch used to fuse element-wise backward formulas chunk by chunk.
    private const int Chunk = 256;

    // ------------------------------------------------------------------ shape checks

    private static void SameLength(string op, string aName, int a, string bName, int b)
    {
        if (a != b) throw new ArgumentException($"{op}: {aName} has length {a} but {bName} has length {b}; they must be equal.");
    }

    private static void CheckMat(string op, string name, int length, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"{op}: {name} shape {rows}×{cols} must be non-negative.");
        if ((long)rows * cols != length)
            throw new ArgumentException($"{op}: {name} is declared {rows}×{cols} ({(long)rows * cols} elements) but its span has length {length}.");
    }

    /// <summary>The shapes of a matrix–vector kernel: W, its input vector (x or d) and its output y.</summary>
    private static void CheckMatVec(string op, int wLength, int rows, int cols, string input, int inputLength, int inputExpected, int yLength, int yExpected)
    {
        CheckMat(op, "W", wLength, rows, cols);
        if (inputLength != inputExpected || yLength != yExpected)
            throw new ArgumentException($"{op}: W is {rows}×{cols}, so {input} must have length {inputExpected} and y length {yExpected}, but {input} has length {inputLength} and y has length {yLength}.");
    }

    /// <summary>y += Wᵀ·d, one row of W at a time (shapes already checked).</summary>
    private static void AddTransposeProduct<T>(ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> d, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            TensorPrimitives.MultiplyAdd(w.Slice(r * cols, cols), d[r], y, y);
    }

    private static void CheckIndex(string op, int index, int rows, string name)
    {
        if ((uint)index >= (uint)rows)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{op}: index {index} is out of range for {name} with {rows} rows.");
    }

    // ------------------------------------------------------------------ matrix–vector

    /// <summary>y = W·x for a row-major <paramref name="rows"/>×<paramref name="cols"/> matrix W.</summary>
    /// <param name="w">Row-major matrix data.</param>
    /// <param name="rows">Rows of W (length of y).</param>
    /// <param name="cols">Columns of W (length of x).</param>
    /// <param name="x">Input vector, length <paramref name="cols"/>.</param>
    /// <param name="y">Output vector, length <paramref name="rows"/>; overwritten; must not alias x.</param>
    public static void MatVec<T>(ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatVec(nameof(MatVec), w.Length, rows, cols, "x", x.Length, cols, y.Length, rows);
        for (int r = 0; r < rows; r++)
            y[r] = TensorPrimitives.Dot(w.Slice(r * cols, cols), x);
    }

    /// <summary>y = W·x.</summary>
    /// <param name="w">Matrix W (m×n).</param>
    /// <param name="x">Input vector, length n.</param>
    /// <param name="y">Output vector, length m; overwritten.</param>
    public static void MatVec<T>(Mat<T> w, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => MatVec<T>(w.Data, w.Rows, w.Cols, x, y);

    /// <summary>y += Wᵀ·d: the adjoint of <see cref="MatVec{T}(ReadOnlySpan{T}, int, int, ReadOnlySpan{T}, Span{T})"/> with respect to x.</summary>
    /// <param name="w">Row-major matrix data.</param>
    /// <param name="rows">Rows of W (length of d).</param>
    /// <param name="cols">Columns of W (length of y).</param>
    /// <param name="d">Upstream adjoint, length <paramref name="rows"/>.</param>
    /// <param name="y">Accumulator, length <paramref name="cols"/>.</param>
    public static void MatTransposeVecAdd<T>(ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> d, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatVec(nameof(MatTransposeVecAdd), w.Length, rows, cols, "d", d.Length, rows, y.Length, cols);
        AddTransposeProduct(w, rows, cols, d, y);
    }

    /// <summary>y += Wᵀ·d.</summary>
    /// <param name="w">Matrix W (m×n).</param>
    /// <param name="d">Upstream adjoint, length m.</param>
    /// <param name="y">Accumulator, length n.</param>
    public static void MatTransposeVecAdd<T>(Mat<T> w, ReadOnlySpan<T> d, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => MatTransposeVecAdd<T>(w.Data, w.Rows, w.Cols, d, y);

    /// <summary>dW += d·aᵀ (the outer product; the lectures' ∂J/∂W = δ aᵀ).</summary>
    /// <param name="dW">Row-major accumulator, <paramref name="rows"/>×<paramref name="cols"/>.</param>
    /// <param name="rows">Rows of dW (length of d).</param>
    /// <param name="cols">Columns of dW (length of a).</param>
    /// <param name="d">Column factor δ, length <paramref name="rows"/>.</param>
    /// <param name="a">Row factor a, length <paramref name="cols"/>.</param>
    public static void OuterAdd<T>(Span<T> dW, int rows, int cols, ReadOnlySpan<T> d, ReadOnlySpan<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMat(nameof(OuterAdd), "dW", dW.Length, rows, cols);
        if (d.Length != rows || a.Length != cols)
            throw new ArgumentException($"OuterAdd: dW is {rows}×{cols}, so d must have length {rows} and a length {cols}, but d has length {d.Length} and a has length {a.Length}.");
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = dW.Slice(r * cols, cols);
            TensorPrimitives.MultiplyAdd(a, d[r], row, row);
        }
    }

    /// <summary>dW += d·aᵀ.</summary>
    /// <param name="dW">Accumulator (m×n).</param>
    /// <param name="d">Length m.</param>
    /// <param name="a">Length n.</param>
    public static void OuterAdd<T>(Mat<T> dW, ReadOnlySpan<T> d, ReadOnlySpan<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        OuterAdd<T>(dW.Data, dW.Rows, dW.Cols, d, a);
        dW.TouchedRows?.MarkAll();
    }

    /// <summary>y = Wᵀ·d (overwrites y): the transpose product, without forming Wᵀ.</summary>
    /// <param name="w">Row-major matrix data.</param>
    /// <param name="rows">Rows of W (length of d).</param>
    /// <param name="cols">Columns of W (length of y).</param>
    /// <param name="d">Input vector, length <paramref name="rows"/>.</param>
    /// <param name="y">Output vector, length <paramref name="cols"/>; overwritten; must not alias d.</param>
    public static void MatTransposeVec<T>(ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> d, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatVec(nameof(MatTransposeVec), w.Length, rows, cols, "d", d.Length, rows, y.Length, cols);
        y.Clear();
        AddTransposeProduct(w, rows, cols, d, y);
    }

    /// <summary>y = Wᵀ·d (overwrites y).</summary>
    /// <param name="w">Matrix W (m×n).</param>
    /// <param name="d">Input vector, length m.</param>
    /// <param name="y">Output vector, length n; overwritten.</param>
    public static void MatTransposeVec<T>(Mat<T> w, ReadOnlySpan<T> d, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => MatTransposeVec<T>(w.Data, w.Rows, w.Cols, d, y);

    /// <summary>y += W·x: the adjoint of <see cref="MatTransposeVec{T}(ReadOnlySpan{T}, int, int, ReadOnlySpan{T}, Span{T})"/> with respect to d.</summary>
    /// <param name="w">Row-major matrix data.</param>
    /// <param name="rows">Rows of W (length of y).</param>
    /// <param name="cols">Columns of W (length of x).</param>
    /// <param name="x">Input vector, length <paramref name="cols"/>.</param>
    /// <param name="y">Accumulator, length <paramref name="rows"/>; must not alias x.</param>
    public static void MatVecAdd<T>(ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatVec(nameof(MatVecAdd), w.Length, rows, cols, "x", x.Length, cols, y.Length, rows);
        for (int r = 0; r < rows; r++)
            y[r] += TensorPrimitives.Dot(w.Slice(r * cols, cols), x);
    }

    /// <summary>y += W·x.</summary>
    /// <param name="w">Matrix W (m×n).</param>
    /// <param name="x">Input vector, length n.</param>
    /// <param name="y">Accumulator, length m.</param>
    public static void MatVecAdd<T>(Mat<T> w, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => MatVecAdd<T>(w.Data, w.Rows, w.Cols, x, y);

    // ------------------------------------------------------------------ matrix–matrix

    private static void CheckMatMul(string op, int m, int k, int n, int aLen, int bLen, int cLen, string aName, string bName, string cName)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentException($"{op}: dimensions m={m}, k={k}, n={n} must be non-negative.");
        if (aLen != (long)m * k || bLen != (long)k * n || cLen != (long)m * n)
            throw new ArgumentException($"{op}: expected {aName} {m}×{k} ({(long)m * k} elements), {bName} {k}×{n} ({(long)k * n}), {cName} {m}×{n} ({(long)m * n}), " +
                                        $"but the spans have lengths {aLen}, {bLen}, {cLen}.");
    }

    /// <summary>C = A·B with A m×k, B k×n, C m×n (all row-major).</summary>
    /// <param name="a">A, m×k.</param>
    /// <param name="b">B, k×n.</param>
    /// <param name="c">C, m×n; overwritten; must not alias A or B.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatMul(nameof(MatMul), m, k, n, a.Length, b.Length, c.Length, "A", "B", "C");
        Gemm.NN(a, b, c, m, k, n);
    }

    /// <summary>C = A·B.</summary>
    /// <param name="a">A (m×k).</param>
    /// <param name="b">B (k×n).</param>
    /// <param name="c">C (m×n); overwritten.</param>
    public static void MatMul<T>(Mat<T> a, Mat<T> b, Mat<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Cols != b.Rows || c.Rows != a.Rows || c.Cols != b.Cols)
            throw new ArgumentException($"MatMul: A is {a.Shape} and B is {b.Shape}, so C must be {a.Rows}×{b.Cols} with A.Cols = B.Rows, but C is {c.Shape}.");
        MatMul<T>(a.Data, b.Data, c.Data, a.Rows, a.Cols, b.Cols);
    }

    /// <summary>dA += dC·Bᵀ: the adjoint of <c>C = A·B</c> with respect to A.</summary>
    /// <param name="dC">Upstream adjoint, m×n.</param>
    /// <param name="b">B, k×n.</param>
    /// <param name="dA">Accumulator, m×k.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    public static void MatMulTransposeBAdd<T>(ReadOnlySpan<T> dC, ReadOnlySpan<T> b, Span<T> dA, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatMul(nameof(MatMulTransposeBAdd), m, k, n, dA.Length, b.Length, dC.Length, "dA", "B", "dC");
        Gemm.NT(dC, b, dA, m, n, k, accumulate: true);
    }

    /// <summary>dA += dC·Bᵀ.</summary>
    /// <param name="dC">Upstream adjoint (m×n).</param>
    /// <param name="b">B (k×n).</param>
    /// <param name="dA">Accumulator (m×k).</param>
    public static void MatMulTransposeBAdd<T>(Mat<T> dC, Mat<T> b, Mat<T> dA) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dC.Cols != b.Cols || dA.Rows != dC.Rows || dA.Cols != b.Rows)
            throw new ArgumentException($"MatMulTransposeBAdd: dC is {dC.Shape} and B is {b.Shape}, so dA must be {dC.Rows}×{b.Rows} with dC.Cols = B.Cols, but dA is {dA.Shape}.");
        MatMulTransposeBAdd<T>(dC.Data, b.Data, dA.Data, dC.Rows, b.Rows, b.Cols);
        dA.TouchedRows?.MarkAll();
    }

    /// <summary>dB += Aᵀ·dC: the adjoint of <c>C = A·B</c> with respect to B.</summary>
    /// <param name="a">A, m×k.</param>
    /// <param name="dC">Upstream adjoint, m×n.</param>
    /// <param name="dB">Accumulator, k×n.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="n">Columns of B and C.</param>
    public static void MatMulTransposeAAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> dC, Span<T> dB, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatMul(nameof(MatMulTransposeAAdd), m, k, n, a.Length, dB.Length, dC.Length, "A", "dB", "dC");
        Gemm.TN(a, dC, dB, k, m, n, accumulate: true);
    }

    /// <summary>dB += Aᵀ·dC.</summary>
    /// <param name="a">A (m×k).</param>
    /// <param name="dC">Upstream adjoint (m×n).</param>
    /// <param name="dB">Accumulator (k×n).</param>
    public static void MatMulTransposeAAdd<T>(Mat<T> a, Mat<T> dC, Mat<T> dB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rows != dC.Rows || dB.Rows != a.Cols || dB.Cols != dC.Cols)
            throw new ArgumentException($"MatMulTransposeAAdd: A is {a.Shape} and dC is {dC.Shape}, so dB must be {a.Cols}×{dC.Cols} with A.Rows = dC.Rows, but dB is {dB.Shape}.");
        MatMulTransposeAAdd<T>(a.Data, dC.Data, dB.Data, a.Rows, a.Cols, dC.Cols);
        dB.TouchedRows?.MarkAll();
    }

    // ------------------------------------------------------------------ element-wise arithmetic and reductions

    /// <summary>dst = x + y.</summary>
    /// <param name="x">Left operand.</param>
    /// <param name="y">Right operand, same length.</param>
    /// <param name="dst">Output, same length.</param>
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Add), "x", x.Length, "y", y.Length);
        SameLength(nameof(Add), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Add(x, y, dst);
    }

    /// <summary>dst = x − y.</summary>
    /// <param name="x">Left operand.</param>
    /// <param name="y">Right operand, same length.</param>
    /// <param name="dst">Output, same length.</param>
    public static void Subtract<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Subtract), "x", x.Length, "y", y.Length);
        SameLength(nameof(Subtract), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Subtract(x, y, dst);
    }

    /// <summary>dst = x ∘ y (Hadamard product).</summary>
    /// <param name="x">Left operand.</param>
    /// <param name="y">Right operand, same length.</param>
    /// <param name="dst">Output, same length.</param>
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Multiply), "x", x.Length, "y", y.Length);
        SameLength(nameof(Multiply), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Multiply(x, y, dst);
    }

    /// <summary>dst = s·x.</summary>
    /// <param name="x">Input.</param>
    /// <param name="s">Scalar factor.</param>
    /// <param name="dst">Output, same length.</param>
    public static void Scale<T>(ReadOnlySpan<T> x, T s, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Scale), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Multiply(x, s, dst);
    }

    /// <summary>dst += src.</summary>
    /// <param name="dst">Accumulator.</param>
    /// <param name="src">Addend, same length.</param>
    public static void AddInPlace<T>(Span<T> dst, ReadOnlySpan<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(AddInPlace), "dst", dst.Length, "src", src.Length);
        TensorPrimitives.Add(dst, src, dst);
    }

    /// <summary>dst += src for matrices of one shape; marks every row of dst written.</summary>
    /// <param name="dst">Accumulator.</param>
    /// <param name="src">Matrix of the same shape.</param>
    public static void AddInPlace<T>(Mat<T> dst, Mat<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dst.Rows != src.Rows || dst.Cols != src.Cols) throw new ArgumentException($"AddInPlace: dst is {dst.Shape} but src is {src.Shape}; they must be equal.");
        AddInPlace<T>(dst.Data, src.Data);
        dst.TouchedRows?.MarkAll();
    }

    /// <summary>dst += s·src (axpy).</summary>
    /// <param name="dst">Accumulator.</param>
    /// <param name="src">Addend, same length.</param>
    /// <param name="s">Scalar factor.</param>
    public static void ScaleAdd<T>(Span<T> dst, ReadOnlySpan<T> src, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(ScaleAdd), "dst", dst.Length, "src", src.Length);
        TensorPrimitives.MultiplyAdd(src, s, dst, dst);
    }

    /// <summary>dst += s·src for matrices of one shape (the adjoint of a squared norm); marks every row of dst written.</summary>
    /// <param name="dst">Accumulator.</param>
    /// <param name="src">Matrix of the same shape.</param>
    /// <param name="s">Scale.</param>
    public static void ScaleAdd<T>(Mat<T> dst, Mat<T> src, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dst.Rows != src.Rows || dst.Cols != src.Cols) throw new ArgumentException($"ScaleAdd: dst is {dst.Shape} but src is {src.Shape}; they must be equal.");
        ScaleAdd<T>(dst.Data, src.Data, s);
        dst.TouchedRows?.MarkAll();
    }

    /// <summary>⟨x, y⟩.</summary>
    /// <param name="x">Left operand.</param>
    /// <param name="y">Right operand, same length.</param>
    /// <returns>The dot product.</returns>
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Dot), "x", x.Length, "y", y.Length);
        return TensorPrimitives.Dot(x, y);
    }

    /// <summary>Σᵢ xᵢ (0 for an empty span).</summary>
    /// <param name="x">Input.</param>
    /// <returns>The sum.</returns>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sum(x);

    /// <summary>‖x‖² = Σᵢ xᵢ².</summary>
    /// <param name="x">Input.</param>
    /// <returns>The squared Euclidean norm.</returns>
    public static T SquaredNorm<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.SumOfSquares(x);

    // ------------------------------------------------------------------ activations: forward

    /// <summary>dst = σ(x) = 1 / (1 + e^−x), element-wise.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length (may be x).</param>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Sigmoid), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Sigmoid(x, dst);
    }

    /// <summary>dst = tanh(x), element-wise.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length (may be x).</param>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Tanh), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Tanh(x, dst);
    }

    /// <summary>dst = clamp(x, −1, 1), element-wise.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length (may be x).</param>
    public static void HardTanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(HardTanh), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Max(x, -T.One, dst);
        TensorPrimitives.Min(dst, T.One, dst);
    }

    /// <summary>dst = max(x, 0), element-wise.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length (may be x).</param>
    public static void ReLU<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(ReLU), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Max(x, T.Zero, dst);
    }

    /// <summary>dst = eˣ, element-wise.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length (may be x).</param>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Exp), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Exp(x, dst);
    }

    /// <summary>dst = ln x, element-wise.</summary>
    /// <param name="x">Input.</param>
    /// <param name="dst">Output, same length (may be x).</param>
    public static void Log<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Log), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.Log(x, dst);
    }

    // Their backward passes are written by the generator from the operation table (the one place a derivative rule
    // lives), Vector<T> lanes inline in the gradient: no runtime kernel restates σ′, 1 − y² or 1/x.

    private static void Check3(string op, string firstName, int a, int dy, int dx, string dyName = "dy", string dxName = "dx")
    {
        if (a != dy || a != dx)
            throw new ArgumentException($"{op}: {firstName} has length {a}, {dyName} has length {dy} and {dxName} has length {dx}; all must be equal.");
    }

    // ------------------------------------------------------------------ softmax family

    /// <summary>log Σᵢ e^{xᵢ}, computed stably as max(x) + log Σ e^{xᵢ − max}.</summary>
    /// <param name="x">Input (non-empty).</param>
    /// <returns>The log-sum-exp.</returns>
    public static T LogSumExp<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty) throw new ArgumentException("LogSumExp: x must be non-empty (shape [0]).", nameof(x));
        T max = TensorPrimitives.Max(x);
        if (T.IsInfinity(max)) return max;
        Span<T> t = stackalloc T[Chunk];
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            Span<T> tc = t[..n];
            TensorPrimitives.Subtract(x.Slice(i, n), max, tc);
            TensorPrimitives.Exp(tc, tc);
            sum += TensorPrimitives.Sum<T>(tc);
        }
        return max + T.Log(sum);
    }

    /// <summary>y = softmax(x) = e^{x − max} / Σ e^{x − max} (numerically stable).</summary>
    /// <param name="x">Logits (non-empty).</param>
    /// <param name="y">Output probabilities, same length (may be x).</param>
    public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(Softmax), "x", x.Length, "y", y.Length);
        if (x.IsEmpty) throw new ArgumentException("Softmax: x must be non-empty (shape [0]).", nameof(x));
        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        T sum = TensorPrimitives.Sum<T>(y);
        TensorPrimitives.Divide(y, sum, y);
    }

    /// <summary>y = log softmax(x) = x − logsumexp(x) (numerically stable).</summary>
    /// <param name="x">Logits (non-empty).</param>
    /// <param name="y">Output log-probabilities, same length (may be x).</param>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(LogSoftmax), "x", x.Length, "y", y.Length);
        T lse = LogSumExp(x);
        TensorPrimitives.Subtract(x, lse, y);
    }

    /// <summary>dx += y ∘ (dy − ⟨dy, y⟩), where y = softmax(x) is the forward output.</summary>
    /// <param name="y">Forward output softmax(x).</param>
    /// <param name="dy">Upstream adjoint.</param>
    /// <param name="dx">Accumulator.</param>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check3(nameof(SoftmaxBackward), "y", y.Length, dy.Length, dx.Length);
        T s = TensorPrimitives.Dot(dy, y);
        Span<T> t = stackalloc T[Chunk];
        for (int i = 0; i < y.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, y.Length - i);
            Span<T> tc = t[..n];
            Span<T> dxc = dx.Slice(i, n);
            TensorPrimitives.Subtract(dy.Slice(i, n), s, tc);
            TensorPrimitives.MultiplyAdd(tc, y.Slice(i, n), dxc, dxc);
        }
    }

    /// <summary>dx += dy − softmax(x)·Σdy, where y = log softmax(x) is the forward output (so softmax(x) = eʸ).</summary>
    /// <param name="y">Forward output log softmax(x).</param>
    /// <param name="dy">Upstream adjoint.</param>
    /// <param name="dx">Accumulator.</param>
    public static void LogSoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check3(nameof(LogSoftmaxBackward), "y", y.Length, dy.Length, dx.Length);
        T negSum = -TensorPrimitives.Sum(dy);
        TensorPrimitives.Add(dx, dy, dx);
        Span<T> t = stackalloc T[Chunk];
        for (int i = 0; i < y.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, y.Length - i);
            Span<T> tc = t[..n];
            Span<T> dxc = dx.Slice(i, n);
            TensorPrimitives.Exp(y.Slice(i, n), tc);
            TensorPrimitives.MultiplyAdd(tc, negSum, dxc, dxc);
        }
    }

    /// <summary>Cross-entropy loss of a single example: logsumexp(logits) − logits[label] (= −log softmax(logits)[label]).</summary>
    /// <param name="logits">Unnormalised scores (non-empty).</param>
    /// <param name="label">Index of the correct class.</param>
    /// <returns>The loss (≥ 0).</returns>
    public static T CrossEntropy<T>(ReadOnlySpan<T> logits, int label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckIndex(nameof(CrossEntropy), label, logits.Length, "logits");
        return LogSumExp(logits) - logits[label];
    }

    /// <summary>dx += d·(softmax(logits) − onehot(label)): the adjoint of <see cref="CrossEntropy{T}"/> scaled by upstream <paramref name="d"/>.</summary>
    /// <param name="logits">Forward input.</param>
    /// <param name="label">Index of the correct class.</param>
    /// <param name="d">Upstream adjoint of the scalar loss (usually 1, or 1/batch).</param>
    /// <param name="dx">Accumulator, same length as logits.</param>
    /// <param name="scratch">Caller-supplied buffer, same length as logits, that receives softmax(logits).</param>
    public static void CrossEntropyBackward<T>(ReadOnlySpan<T> logits, int label, T d, Span<T> dx, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check3(nameof(CrossEntropyBackward), "logits", logits.Length, dx.Length, scratch.Length, "dx", "scratch");
        CheckIndex(nameof(CrossEntropyBackward), label, logits.Length, "logits");
        Softmax(logits, scratch);
        TensorPrimitives.MultiplyAdd(scratch, d, dx, dx);
        dx[label] -= d;
    }

    // ------------------------------------------------------------------ scalar scores: sigmoid, logistic and hinge losses

    /// <summary>σ(x) = 1 / (1 + e^−x) of one scalar, computed without overflow for large |x|.</summary>
    /// <param name="x">The score.</param>
    /// <returns>σ(x) in [0, 1].</returns>
    public static T Sigmoid<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x >= T.Zero) return T.One / (T.One + T.Exp(-x));
        T e = T.Exp(x);
        return e / (T.One + e);
    }

    /// <summary>
    /// Logistic loss of a binary label: −log σ(s) for label 1 and −log(1 − σ(s)) = −log σ(−s) for label 0, computed as
    /// softplus(m) = max(m, 0) + log(1 + e^−|m|) with m = −s (label 1) or s (label 0), so it never overflows.
    /// </summary>
    /// <param name="score">The score s (a logit).</param>
    /// <param name="label">0 or 1.</param>
    /// <returns>The loss (≥ 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The label is not 0 or 1.</exception>
    public static T LogisticLoss<T>(T score, int label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckBinaryLabel(nameof(LogisticLoss), label);
        T m = label == 1 ? -score : score;
        return T.Max(m, T.Zero) + T.LogP1(T.Exp(-T.Abs(m)));
    }

    /// <summary>∂LogisticLoss/∂s = σ(s) − label (computed as −σ(−s) for label 1, so it is exact for large |s|).</summary>
    /// <param name="score">The score s.</param>
    /// <param name="label">0 or 1.</param>
    /// <returns>The derivative, in [−1, 1].</returns>
    public static T LogisticLossDerivative<T>(T score, int label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckBinaryLabel(nameof(LogisticLossDerivative), label);
        return label == 1 ? -Sigmoid(-score) : Sigmoid(score);
    }

    private static void CheckBinaryLabel(string op, int label)
    {
        if (label is not (0 or 1))
            throw new ArgumentOutOfRangeException(nameof(label), label, $"{op}: a binary label must be 0 or 1.");
    }

    /// <summary>The max-margin (hinge) loss of lecture 3: max(0, 1 − s + s_c) for the true window's score s and a corrupt window's s_c.</summary>
    /// <param name="scoreTrue">Score s of the true window.</param>
    /// <param name="scoreCorrupt">Score s_c of the corrupt window.</param>
    /// <returns>The loss (≥ 0).</returns>
    public static T Hinge<T>(T scoreTrue, T scoreCorrupt) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T margin = T.One - scoreTrue + scoreCorrupt;
        return margin > T.Zero ? margin : T.Zero;
    }

    /// <summary>
    /// 1 where the hinge is active (1 − s + s_c &gt; 0), else 0: ∂Hinge/∂s_c, and −∂Hinge/∂s. At exactly zero margin it is 0,
    /// the same one-sided convention as the derivative of <see cref="Activations.ReLU(double)"/>.
    /// </summary>
    /// <param name="scoreTrue">Score s of the true window.</param>
    /// <param name="scoreCorrupt">Score s_c of the corrupt window.</param>
    /// <returns>1 or 0.</returns>
    public static T HingeSlope<T>(T scoreTrue, T scoreCorrupt) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.One - scoreTrue + scoreCorrupt > T.Zero ? T.One : T.Zero;

    // ------------------------------------------------------------------ embeddings and concatenation

    /// <summary>dst = E[index, :] (embedding lookup).</summary>
    /// <param name="e">Row-major table, <paramref name="rows"/>×<paramref name="cols"/>.</param>
    /// <param name="rows">Number of rows (vocabulary size).</param>
    /// <param name="cols">Row length (embedding size).</param>
    /// <param name="index">Row to read.</param>
    /// <param name="dst">Output, length <paramref name="cols"/>.</param>
    public static void GatherRow<T>(ReadOnlySpan<T> e, int rows, int cols, int index, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMat(nameof(GatherRow), "E", e.Length, rows, cols);
        if (dst.Length != cols) throw new ArgumentException($"GatherRow: E is {rows}×{cols} but dst has length {dst.Length}; it must be {cols}.");
        CheckIndex(nameof(GatherRow), index, rows, "E");
        e.Slice(index * cols, cols).CopyTo(dst);
    }

    /// <summary>dst = E[index, :].</summary>
    /// <param name="e">Table.</param>
    /// <param name="index">Row to read.</param>
    /// <param name="dst">Output, length E.Cols.</param>
    public static void GatherRow<T>(Mat<T> e, int index, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
        => GatherRow<T>(e.Data, e.Rows, e.Cols, index, dst);

    /// <summary>dE[index, :] += src: the sparse adjoint of <see cref="GatherRow{T}(ReadOnlySpan{T}, int, int, int, Span{T})"/>; only the touched row changes.</summary>
    /// <param name="dE">Row-major accumulator, <paramref name="rows"/>×<paramref name="cols"/>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <param name="index">Row to update.</param>
    /// <param name="src">Adjoint of the gathered row, length <paramref name="cols"/>.</param>
    public static void ScatterAddRow<T>(Span<T> dE, int rows, int cols, int index, ReadOnlySpan<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMat(nameof(ScatterAddRow), "dE", dE.Length, rows, cols);
        if (src.Length != cols) throw new ArgumentException($"ScatterAddRow: dE is {rows}×{cols} but src has length {src.Length}; it must be {cols}.");
        CheckIndex(nameof(ScatterAddRow), index, rows, "dE");
        Span<T> row = dE.Slice(index * cols, cols);
        TensorPrimitives.Add(row, src, row);
    }

    /// <summary>dE[index, :] += src.</summary>
    /// <param name="dE">Accumulator.</param>
    /// <param name="index">Row to update.</param>
    /// <param name="src">Length dE.Cols.</param>
    public static void ScatterAddRow<T>(Mat<T> dE, int index, ReadOnlySpan<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ScatterAddRow<T>(dE.Data, dE.Rows, dE.Cols, index, src);
        dE.TouchedRows?.Mark(index);
    }

    /// <summary>dst[offset .. offset + src.Length] = src: one piece of a concatenation.</summary>
    /// <param name="src">Piece to copy.</param>
    /// <param name="dst">Concatenated output.</param>
    /// <param name="offset">Where the piece starts in <paramref name="dst"/>.</param>
    public static void ConcatInto<T>(ReadOnlySpan<T> src, Span<T> dst, int offset) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (offset < 0 || (long)offset + src.Length > dst.Length)
            throw new ArgumentException($"ConcatInto: src of length {src.Length} at offset {offset} does not fit in dst of length {dst.Length}.");
        src.CopyTo(dst.Slice(offset, src.Length));
    }

    /// <summary>dSrc += dDst[offset .. offset + dSrc.Length]: the adjoint of <see cref="ConcatInto{T}"/>.</summary>
    /// <param name="dDst">Adjoint of the concatenated output.</param>
    /// <param name="offset">Where the piece starts.</param>
    /// <param name="dSrc">Accumulator for the piece.</param>
    public static void ConcatBackward<T>(ReadOnlySpan<T> dDst, int offset, Span<T> dSrc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (offset < 0 || (long)offset + dSrc.Length > dDst.Length)
            throw new ArgumentException($"ConcatBackward: dSrc of length {dSrc.Length} at offset {offset} does not fit in dDst of length {dDst.Length}.");
        TensorPrimitives.Add(dSrc, dDst.Slice(offset, dSrc.Length), dSrc);
    }

    // ------------------------------------------------------------------ accumulating helpers for generated backward passes

    /// <summary>dst += x ∘ y (the adjoint of a Hadamard product).</summary>
    /// <param name="x">First factor.</param>
    /// <param name="y">Second factor, same length.</param>
    /// <param name="dst">Accumulator, same length.</param>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SameLength(nameof(MultiplyAdd), "x", x.Length, "y", y.Length);
        SameLength(nameof(MultiplyAdd), "x", x.Length, "dst", dst.Length);
        TensorPrimitives.MultiplyAdd(x, y, dst, dst);
    }

    /// <summary>dst += s for every element (the adjoint of a sum).</summary>
    /// <param name="dst">Accumulator.</param>
    /// <param name="s">The value added to each element.</param>
    public static void AddScalarInPlace<T>(Span<T> dst, T s) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(dst, s, dst);
}
