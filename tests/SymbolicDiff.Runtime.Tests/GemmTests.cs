using System;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;
using static SymbolicDiff.Runtime.Tests.TestUtil;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>The GEMM kernels against a naive triple loop, on sizes that are not multiples of the register tile or the blocks.</summary>
public class GemmTests
{
    // m, k, n: edge tiles in every direction, k deeper than one KC slice (256), m taller than one MC block (128),
    // n wider than one NC block (2048).
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 3, 5 }, { 8, 1, 32 }, { 9, 17, 33 }, { 13, 300, 70 }, { 130, 5, 40 }, { 64, 257, 31 }, { 3, 260, 2050 },
    };

    /// <summary>C (+)= op(A)·op(B) in doubles, elementwise from the definition.</summary>
    private static double[] Naive(double[] a, double[] b, double[] c0, int m, int k, int n, char form, bool accumulate)
    {
        var c = accumulate ? (double[])c0.Clone() : new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = form == 'A' ? a[p * m + i] : a[i * k + p];
                    double y = form == 'T' ? b[j * k + p] : b[p * n + j];
                    s += x * y;
                }
                c[i * n + j] += s;
            }
        return c;
    }

    private static void Multiply<T>(char form, T[] a, T[] b, T[] c, int m, int k, int n, bool accumulate)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (form)
        {
            case 'N': Gemm.NN<T>(a, b, c, m, k, n, accumulate); break;
            case 'T': Gemm.NT<T>(a, b, c, m, k, n, accumulate); break;
            default: Gemm.TN<T>(a, b, c, m, k, n, accumulate); break;
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void AllForms_MatchNaive_Double(int m, int k, int n)
    {
        var rng = new Rng((ulong)(m * 7919 + k * 31 + n));
        foreach (char form in "NTA")   // NN, NT, TN (A transposed)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                double[] a = Random(m * k, rng), b = Random(k * n, rng), c0 = Random(m * n, rng);
                var c = (double[])c0.Clone();
                Multiply(form, a, b, c, m, k, n, accumulate);
                Close(Naive(a, b, c0, m, k, n, form, accumulate), c, 1e-12);
                var portable = (double[])c0.Clone();
                Gemm.RowWise<double>(a, b, portable, m, k, n, form, accumulate);
                Close(Naive(a, b, c0, m, k, n, form, accumulate), portable, 1e-12);
            }
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void AllForms_MatchNaive_Float(int m, int k, int n)
    {
        var rng = new Rng((ulong)(m * 7919 + k * 31 + n + 1));
        foreach (char form in "NTA")
        {
            foreach (bool accumulate in new[] { false, true })
            {
                double[] a = Random(m * k, rng), b = Random(k * n, rng), c0 = Random(m * n, rng);
                var c = ToFloat(c0);
                Multiply(form, ToFloat(a), ToFloat(b), c, m, k, n, accumulate);
                // The inputs are the floats' exact values, so only float rounding of ~k products separates the two.
                var expected = Naive(Array.ConvertAll(ToFloat(a), v => (double)v), Array.ConvertAll(ToFloat(b), v => (double)v),
                    Array.ConvertAll(ToFloat(c0), v => (double)v), m, k, n, form, accumulate);
                Close(expected, c, 1e-5 * Math.Sqrt(k));
            }
        }
    }

    [Fact]
    public void EmptyInnerDimension_ClearsOrKeeps()
    {
        var c = new[] { 1.0, 2.0 };
        Gemm.NN<double>(Array.Empty<double>(), Array.Empty<double>(), c, 1, 0, 2, accumulate: true);
        Assert.Equal(new[] { 1.0, 2.0 }, c);
        Gemm.NN<double>(Array.Empty<double>(), Array.Empty<double>(), c, 1, 0, 2);
        Assert.Equal(new[] { 0.0, 0.0 }, c);
    }

    [Fact]
    public void ShapeMismatch_Throws_BeforeWriting()
    {
        var c = new[] { 5.0, 5.0 };
        var ex = Assert.Throws<ArgumentException>(() => Gemm.NT<double>(new double[3], new double[4], c, 1, 3, 2));
        Assert.Contains("Gemm.NT", ex.Message);
        Assert.Equal(new[] { 5.0, 5.0 }, c);
    }

    [Fact]
    public void WarmCalls_AllocateNothing()
    {
        float[] a = new float[64 * 100], b = new float[50 * 100], c = new float[64 * 50];
        Gemm.NT<float>(a, b, c, 64, 100, 50);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Gemm.NT<float>(a, b, c, 64, 100, 50);
        Gemm.NN<float>(c, b.AsSpan(0, 50 * 100), a, 64, 50, 100);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
