using System;
using System.Collections.Generic;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>Row-sparse optimizer steps against the dense ones: exact for SGD and AdaGrad, lazy for momentum and Adam.</summary>
public class SparseOptimizerTests
{
    private const int Rows = 6, Cols = 3;

    private static Optimizer<double> Make(string kind, double[] value, double[] grad) => kind switch
    {
        "sgd" => new Sgd<double>(new[] { (value, grad) }, 0.1),
        "momentum" => new Sgd<double>(new[] { (value, grad) }, 0.1, 0.9),
        "adam" => new Adam<double>(new[] { (value, grad) }, 0.01),
        _ => new AdaGrad<double>(new[] { (value, grad) }, 0.1),
    };

    /// <summary>Runs <paramref name="steps"/> (rows touched per step) through a dense and a row-sparse optimizer from the same start.</summary>
    private static (double[] Dense, double[] Sparse, Mat<double> SparseGrad) Run(string kind, int[][] steps)
    {
        var rng = new Rng(5);
        var start = TestUtil.Random(Rows * Cols, rng);
        var dense = (double[])start.Clone();
        var denseGrad = new double[Rows * Cols];
        var sparse = new Mat<double>(Rows, Cols, (double[])start.Clone());
        var sparseGrad = new Mat<double>(Rows, Cols);
        var denseOpt = Make(kind, dense, denseGrad);
        var sparseOpt = Make(kind, sparse.Data, sparseGrad.Data);
        sparseOpt.UseRowSparse(sparseGrad);
        foreach (var rows in steps)
        {
            foreach (int r in rows)
            {
                var g = TestUtil.Random(Cols, rng);
                TensorKernels.ScatterAddRow<double>(sparseGrad, r, g);   // what a generated embedding adjoint does
                TensorKernels.ScatterAddRow<double>(denseGrad, Rows, Cols, r, g);
            }
            denseOpt.Step();
            sparseOpt.Step();
            Assert.All(sparseGrad.Data, v => Assert.Equal(0.0, v));
            Assert.Equal(0, sparseGrad.TouchedRows!.Rows.Length);
        }
        return (dense, sparse.Data, sparseGrad);
    }

    public static TheoryData<string> Exact => new() { "sgd", "adagrad" };

    public static TheoryData<string> Lazy => new() { "momentum", "adam" };

    [Theory, MemberData(nameof(Exact))]
    public void SgdAndAdaGrad_RowSparse_EqualsDense(string kind)
    {
        var (dense, sparse, _) = Run(kind, new[] { new[] { 1, 4 }, new[] { 4, 4, 0 }, Array.Empty<int>(), new[] { 5, 2, 1 } });
        Assert.Equal(dense, sparse);
    }

    [Theory, MemberData(nameof(Lazy))]
    public void MomentumAndAdam_AreLazy_RowsTouchedEveryStepMatchDense_OthersKeepTheirValues(string kind)
    {
        // Step 1 touches every row, so every row gets state; steps 2–3 touch only rows 0 and 3.
        var all = new[] { 0, 1, 2, 3, 4, 5 };
        var (dense, sparse, _) = Run(kind, new[] { all, new[] { 0, 3 }, new[] { 3, 0 } });
        var (afterFirst, _, _) = Run(kind, new[] { all });
        foreach (int r in new[] { 0, 3 })
            for (int c = 0; c < Cols; c++) Assert.Equal(dense[r * Cols + c], sparse[r * Cols + c], 15);
        foreach (int r in new[] { 1, 2, 4, 5 })
            for (int c = 0; c < Cols; c++)
            {
                int i = r * Cols + c;
                Assert.Equal(afterFirst[i], sparse[i]);        // lazy: no update without a gradient
                Assert.NotEqual(afterFirst[i], dense[i]);      // dense: the state keeps moving the row
            }
    }

    [Theory, MemberData(nameof(Lazy))]
    public void DenseWriteMarksAll_AndTheStepEqualsDense(string kind)
    {
        var value = new double[Rows * Cols];
        var grad = new Mat<double>(Rows, Cols);
        var denseValue = new double[Rows * Cols];
        var denseGrad = new double[Rows * Cols];
        var sparseOpt = Make(kind, value, grad.Data);
        var denseOpt = Make(kind, denseValue, denseGrad);
        sparseOpt.UseRowSparse(grad);
        var d = new double[Rows];
        var a = new double[Cols];
        for (int i = 0; i < Rows; i++) d[i] = i + 1;
        for (int j = 0; j < Cols; j++) a[j] = 1 - j;
        for (int step = 0; step < 3; step++)
        {
            TensorKernels.OuterAdd<double>(grad, d, a);
            TensorKernels.OuterAdd<double>(denseGrad, Rows, Cols, d, a);
            Assert.True(grad.TouchedRows!.All);
            sparseOpt.Step();
            denseOpt.Step();
        }
        Assert.Equal(denseValue, value);
    }

    [Fact]
    public void UseRowSparse_OnAnUnregisteredMatrix_Throws()
    {
        var opt = new Sgd<double>(new[] { (new double[4], new double[4]) }, 0.1);
        Assert.Throws<ArgumentException>(() => opt.UseRowSparse(new Mat<double>(2, 2)));
    }

    [Fact]
    public void WarmRowSparseAdamStep_AllocatesNothing()
    {
        var value = new Mat<float>(1000, 50);
        var grad = new Mat<float>(1000, 50);
        var opt = new Adam<float>(new List<(float[], float[])> { (value.Data, grad.Data) }, 1e-3f);
        opt.UseRowSparse(grad);
        var g = new float[50];
        g.AsSpan().Fill(0.5f);
        void Step()
        {
            for (int r = 0; r < 5; r++) TensorKernels.ScatterAddRow<float>(grad, r * 17, g);
            opt.Step();
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
