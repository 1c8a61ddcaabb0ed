using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using SymbolicDiff.Training;

namespace SymbolicDiff.Tensors;

/// <summary>
/// Single-threaded general matrix multiply C = op(A)·op(B) (or C += …) for row-major float/double spans, in the
/// three forms backprop needs, so no transpose is ever materialised:
/// <list type="bullet">
/// <item><see cref="NN{T}"/>: A m×k, B k×n (a layer's input gradient δ·W).</item>
/// <item><see cref="NT{T}"/>: A m×k, B n×k, C = A·Bᵀ (a layer's forward pass X·Wᵀ).</item>
/// <item><see cref="TN{T}"/>: A k×m, B k×n, C = Aᵀ·B (a weight gradient δᵀ·X).</item>
/// </list>
/// </summary>
/// <remarks>
/// The BLIS loop nest: for a KC-deep slice of k, B is packed into NR-wide column panels (zero-padded) and A into
/// MR-tall row panels, then an MR×NR register tile (8 rows × two AVX-512 vectors, 16 accumulators) is computed with
/// fused multiply-adds. A B panel (KC·NR elements) stays in L1 while the A block (MC·KC) streams from L2. Packing
/// reads each operand in its own layout, which is what makes the transposed forms free. Without AVX-512 a row-wise
/// <see cref="TensorPrimitives"/> loop is used. Pack buffers are per thread and reused, so calls allocate nothing
/// once a thread has seen its largest shape. With <see cref="Threads"/> above 1, large products are split across
/// threads without changing a single bit of the result.
/// </remarks>
public static class Gemm
{
    private const int MR = 8, KC = 256, MC = 128, NC = 2048;

    /// <summary>Products of fewer multiply-adds (m·k·n) stay on the calling thread: waking a thread costs more than they take.</summary>
    private const long ParallelWork = 1 << 20;

    private static readonly object s_poolLock = new();
    private static DataParallel<object>? s_pool;
    private static volatile int s_threads = 1;

    /// <summary>Products split across threads so far (tests check that the parallel path ran).</summary>
    internal static long ParallelProducts;

    /// <summary>
    /// Threads a large product (m·k·n ≥ 2²⁰, AVX-512 kernel) is split across; 1, the default, keeps every product on
    /// the calling thread. C is cut into blocks of whole register tiles (columns, or rows when C is taller than
    /// wide), so every element of C is computed by the same operations in the same order for any thread count: the
    /// results are bit-identical. One product at a time uses the threads; a product started on another thread while
    /// they are busy runs on its own thread. The threads are started when this is set and wait between products.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int Threads
    {
        get => s_threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "At least one thread is needed.");
            lock (s_poolLock)
            {
                if (value == s_threads) return;
                s_pool?.Dispose();
                s_pool = value > 1 ? new DataParallel<object>(value, _ => new object()) : null;
                s_threads = value;
            }
        }
    }

    /// <summary>C = A·B (or C += A·B when <paramref name="accumulate"/>), A m×k, B k×n, C m×n.</summary>
    /// <param name="a">A, m×k row-major.</param>
    /// <param name="b">B, k×n row-major.</param>
    /// <param name="c">C, m×n row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void NN<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(nameof(NN), m, k, n, a.Length, b.Length, c.Length, "A m×k", "B k×n");
        Run(a, k, 1, b, n, 1, c, m, k, n, accumulate);
    }

    /// <summary>C = A·Bᵀ (or C += A·Bᵀ), A m×k, B n×k, C m×n.</summary>
    /// <param name="a">A, m×k row-major.</param>
    /// <param name="b">B, n×k row-major.</param>
    /// <param name="c">C, m×n row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void NT<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(nameof(NT), m, k, n, a.Length, b.Length, c.Length, "A m×k", "B n×k");
        Run(a, k, 1, b, 1, k, c, m, k, n, accumulate);
    }

    /// <summary>C = Aᵀ·B (or C += Aᵀ·B), A k×m, B k×n, C m×n.</summary>
    /// <param name="a">A, k×m row-major.</param>
    /// <param name="b">B, k×n row-major.</param>
    /// <param name="c">C, m×n row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void TN<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(nameof(TN), m, k, n, a.Length, b.Length, c.Length, "A k×m", "B k×n");
        Run(a, 1, m, b, n, 1, c, m, k, n, accumulate);
    }

    /// <summary>Bytes allocated so far by the pool's threads and the calling thread (tests check that warm products allocate nothing).</summary>
    internal static long AllocatedOnPoolThreads()
    {
        lock (s_poolLock)
        {
            return s_pool is { } pool ? (long)pool.Run(pool.Threads, static (_, _, _) => GC.GetAllocatedBytesForCurrentThread()) : GC.GetAllocatedBytesForCurrentThread();
        }
    }

    /// <summary>Whether the register-tiled AVX-512 kernel runs for <typeparamref name="T"/> on this machine.</summary>
    public static bool IsVectorized<T>() => Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    private static void Check(string form, int m, int k, int n, int aLength, int bLength, int cLength, string aShape, string bShape)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentException($"Gemm.{form}: dimensions m={m}, k={k}, n={n} must be non-negative.");
        if (aLength != (long)m * k || bLength != (long)k * n || cLength != (long)m * n)
            throw new ArgumentException($"Gemm.{form}: m={m}, k={k}, n={n} needs {aShape} ({(long)m * k} elements), {bShape} ({(long)k * n}) and C m×n ({(long)m * n}), " +
                                        $"but the spans have lengths {aLength}, {bLength}, {cLength}.");
    }

    // Aeff(i, p) = a[i·ai + p·ap]; Beff(p, j) = b[p·bp + j·bj]; C is m×n with row stride n.
    private static void Run<T>(ReadOnlySpan<T> a, int ai, int ap, ReadOnlySpan<T> b, int bp, int bj, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c.Clear();
            return;
        }
        if (!IsVectorized<T>())
        {
            RowWise(a, ai, ap, b, bp, bj, c, m, k, n, accumulate);
            return;
        }
        if ((long)m * k * n >= ParallelWork && s_threads > 1 && Monitor.TryEnter(s_poolLock))
        {
            try
            {
                if (s_pool is { } pool)
                {
                    Parallel<T>.Run(pool, a, ai, ap, b, bp, bj, c, m, k, n, accumulate);
                    return;
                }
            }
            finally
            {
                Monitor.Exit(s_poolLock);
            }
        }
        Blocked(a, ai, ap, b, bp, bj, c, n, m, k, n, accumulate);
    }

    /// <summary>The BLIS loop nest on one thread; C has row stride <paramref name="ldc"/>.</summary>
    private static void Blocked<T>(ReadOnlySpan<T> a, int ai, int ap, ReadOnlySpan<T> b, int bp, int bj, Span<T> c, int ldc, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, nr = 2 * w;
        var (packA, packB) = Buffers<T>.Get(MC * KC, KC * ((Math.Min(n, NC) + nr - 1) / nr * nr));
        Span<T> tile = stackalloc T[MR * nr];
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool add = accumulate || pc > 0;
                Pack(b, bj, bp, jc, nc, pc, kc, nr, packB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    Pack(a, ai, ap, ic, mc, pc, kc, MR, packA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        ref T bPanel = ref packB[jr * kc];
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int rows = Math.Min(MR, mc - ir);
                            ref T aPanel = ref packA[ir * kc];
                            if (rows == MR && cols == nr)
                            {
                                Kernel(ref aPanel, ref bPanel, kc, ref c[(ic + ir) * ldc + jc + jr], ldc, add);
                                continue;
                            }
                            // An edge tile: compute the whole padded tile aside, then add or copy the part inside C
                            // (tile + C rounds exactly like the kernel's C + tile, so where a tile edge falls never changes C).
                            Kernel(ref aPanel, ref bPanel, kc, ref tile[0], nr, add: false);
                            for (int r = 0; r < rows; r++)
                            {
                                var src = tile.Slice(r * nr, cols);
                                var dst = c.Slice((ic + ir + r) * ldc + jc + jr, cols);
                                if (add) TensorPrimitives.Add(dst, src, dst);
                                else src.CopyTo(dst);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs a block of a matrix into panels of <paramref name="width"/> lines, each kc×width (zero lines pad the last):
    /// the lines x0..x0+count (rows of Aeff, panels of MR; columns of Beff, panels of nr), steps pc..pc+kc along the
    /// shared dimension. Element (x, p) is at src[x·sx + p·sp]; one of the strides is 1.
    /// </summary>
    private static void Pack<T>(ReadOnlySpan<T> src, int sx, int sp, int x0, int count, int pc, int kc, int width, T[] dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int xr = 0; xr < count; xr += width)
        {
            int lines = Math.Min(width, count - xr);
            var panel = dst.AsSpan(xr * kc, kc * width);
            if (lines < width) panel.Clear();
            if (sp == 1)
            {
                for (int x = 0; x < lines; x++)
                {
                    // Transposing copy without per-element bounds checks: the slices are checked once, p·width + x < kc·width.
                    ref T from = ref MemoryMarshal.GetReference(src.Slice((x0 + xr + x) * sx + pc, kc));
                    ref T to = ref panel[x];
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref to, p * width) = Unsafe.Add(ref from, p);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                    src.Slice((pc + p) * sp + (x0 + xr) * sx, lines).CopyTo(panel.Slice(p * width, lines));
            }
        }
    }

    /// <summary>The MR×(2 vectors) register tile: C[0..MR, 0..2W] (+)= Apanel·Bpanel over kc steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<T>(ref T a, ref T b, int kc, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b, (nuint)(2 * w * p));
            var b1 = Vector512.LoadUnsafe(ref b, (nuint)(2 * w * p + w));
            ref T ar = ref Unsafe.Add(ref a, MR * p);
            var x = Vector512.Create(ar);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref ar, 1));
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref ar, 2));
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref ar, 3));
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref ar, 4));
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref ar, 5));
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref ar, 6));
            c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref ar, 7));
            c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
        }
        Store(ref c, 0, w, c00, c01, add);
        Store(ref c, ldc, w, c10, c11, add);
        Store(ref c, 2 * ldc, w, c20, c21, add);
        Store(ref c, 3 * ldc, w, c30, c31, add);
        Store(ref c, 4 * ldc, w, c40, c41, add);
        Store(ref c, 5 * ldc, w, c50, c51, add);
        Store(ref c, 6 * ldc, w, c60, c61, add);
        Store(ref c, 7 * ldc, w, c70, c71, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(ref T c, int offset, int w, Vector512<T> v0, Vector512<T> v1, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T row = ref Unsafe.Add(ref c, offset);
        if (add)
        {
            v0 += Vector512.LoadUnsafe(ref row);
            v1 += Vector512.LoadUnsafe(ref row, (nuint)w);
        }
        v0.StoreUnsafe(ref row);
        v1.StoreUnsafe(ref row, (nuint)w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Avx512F.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Avx512F.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    /// <summary>The portable path, callable directly so tests cover it on machines with AVX-512.</summary>
    internal static void RowWise<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, char form, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (form)
        {
            case 'N': RowWise(a, k, 1, b, n, 1, c, m, k, n, accumulate); break;
            case 'T': RowWise(a, k, 1, b, 1, k, c, m, k, n, accumulate); break;
            default: RowWise(a, 1, m, b, n, 1, c, m, k, n, accumulate); break;
        }
    }

    /// <summary>The portable path: each row of C as a sum of scaled rows of Beff, or of dot products for the NT form.</summary>
    private static void RowWise<T>(ReadOnlySpan<T> a, int ai, int ap, ReadOnlySpan<T> b, int bp, int bj, Span<T> c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            Span<T> ci = c.Slice(i * n, n);
            if (!accumulate) ci.Clear();
            if (bj == 1)
            {
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(b.Slice(p * bp, n), a[i * ai + p * ap], ci, ci);
            }
            else
            {
                ReadOnlySpan<T> row = a.Slice(i * ai, k);   // bj != 1 only in the NT form, where A's rows are contiguous
                for (int j = 0; j < n; j++) ci[j] += TensorPrimitives.Dot(row, b.Slice(j * bj, k));
            }
        }
    }

    /// <summary>
    /// One product split across the pool: C's columns in blocks of whole NR-wide panels (each thread packs all of A and
    /// its columns of B), or C's rows in blocks of whole MR-tall panels when that repeats less packing. The operands
    /// are pinned for the duration and reached from the pool's threads through pointers.
    /// </summary>
    private static unsafe class Parallel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static T* s_a, s_b, s_c;
        private static int s_aLength, s_bLength, s_cLength, s_ai, s_ap, s_bp, s_bj, s_m, s_k, s_n;
        private static bool s_accumulate, s_columns;
        private static readonly DataParallel<object>.Chunk s_part = Part;   // cached, so a warm product allocates nothing

        public static void Run(DataParallel<object> pool, ReadOnlySpan<T> a, int ai, int ap, ReadOnlySpan<T> b, int bp, int bj, Span<T> c,
            int m, int k, int n, bool accumulate)
        {
            int columnPanels = (n + 2 * Vector512<T>.Count - 1) / (2 * Vector512<T>.Count), rowPanels = (m + MR - 1) / MR;
            // Splitting columns repeats A's packing (m·k) on every thread, splitting rows repeats B's (k·n).
            bool columns = m <= n ? columnPanels >= 2 : rowPanels < 2;
            int panels = columns ? columnPanels : rowPanels;
            if (panels < 2)
            {
                Blocked(a, ai, ap, b, bp, bj, c, n, m, k, n, accumulate);
                return;
            }
            ParallelProducts++;   // under the pool's lock
            fixed (T* pa = a, pb = b, pc = c)
            {
                s_a = pa;
                s_b = pb;
                s_c = pc;
                (s_aLength, s_bLength, s_cLength) = (a.Length, b.Length, c.Length);
                (s_ai, s_ap, s_bp, s_bj, s_m, s_k, s_n, s_accumulate, s_columns) = (ai, ap, bp, bj, m, k, n, accumulate, columns);
                try
                {
                    pool.Run(panels, s_part);
                }
                finally
                {
                    s_a = s_b = s_c = null;   // the operands are unpinned on leaving: nothing may keep them
                }
            }
        }

        private static double Part(object worker, int start, int end)
        {
            var a = new ReadOnlySpan<T>(s_a, s_aLength);
            var b = new ReadOnlySpan<T>(s_b, s_bLength);
            var c = new Span<T>(s_c, s_cLength);
            if (s_columns)
            {
                int nr = 2 * Vector512<T>.Count, j0 = start * nr, j1 = Math.Min(end * nr, s_n);
                Blocked(a, s_ai, s_ap, b.Slice(j0 * s_bj), s_bp, s_bj, c.Slice(j0), s_n, s_m, s_k, j1 - j0, s_accumulate);
            }
            else
            {
                int i0 = start * MR, i1 = Math.Min(end * MR, s_m);
                Blocked(a.Slice(i0 * s_ai), s_ai, s_ap, b, s_bp, s_bj, c.Slice(i0 * s_n), s_n, i1 - i0, s_k, s_n, s_accumulate);
            }
            return 0;
        }
    }

    /// <summary>Per-thread pack buffers, grown to the largest shape seen and then reused.</summary>
    private static class Buffers<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? s_a;
        [ThreadStatic] private static T[]? s_b;

        public static (T[] A, T[] B) Get(int aLength, int bLength)
        {
            if (s_a is null || s_a.Length < aLength) s_a = new T[aLength];
            if (s_b is null || s_b.Length < bLength) s_b = new T[bLength];
            return (s_a, s_b);
        }
    }
}
