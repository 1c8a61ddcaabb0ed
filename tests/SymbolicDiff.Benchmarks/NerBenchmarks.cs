using System;
using BenchmarkDotNet.Attributes;
using SymbolicDiff.Samples.WindowNer;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Benchmarks;

/// <summary>
/// One window's loss of the WindowNer sample's model (samples/WindowNer/WindowModel.cs, linked in) with the lectures' sizes (vocabulary 10,000, embeddings 50, window 5, hidden 100, 5 tags): the
/// forward pass alone (baseline), the generated gradient, and backprop written by hand with the same kernels.
/// </summary>
[MemoryDiagnoser]
public class NerBenchmarks
{
    private const int Vocabulary = 10_000, Dim = 50, Hidden = 100, Tags = 5, Tag = 2;
    private static readonly int[] Window = { 17, 4_211, 9_998, 3, 512 };

    private readonly Mat<float> _e = new(Vocabulary, Dim), _w = new(Hidden, 5 * Dim), _u = new(Tags, Hidden);
    private readonly Vec<float> _b = new(Hidden), _c = new(Tags);
    private readonly Mat<float> _dE = new(Vocabulary, Dim), _dW = new(Hidden, 5 * Dim), _dU = new(Tags, Hidden);
    private readonly Vec<float> _db = new(Hidden), _dc = new(Tags);
    private readonly float[] _x = new float[5 * Dim], _z = new float[Hidden], _h = new float[Hidden], _s = new float[Tags];
    private readonly float[] _ds = new float[Tags], _dh = new float[Hidden], _dz = new float[Hidden], _dx = new float[5 * Dim], _scratch = new float[Tags];
    private readonly WindowModel.LossWorkspace _workspace = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        foreach (var data in new[] { _e.Data, _w.Data, _u.Data, _b.Data, _c.Data })
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            }
        }
        GeneratedGradient();   // sizes the workspace

        // The two gradients must agree before they are timed.
        foreach (var m in new[] { _dE.Data, _dW.Data, _dU.Data, _db.Data, _dc.Data }) Array.Clear(m);
        GeneratedGradient();
        var generated = (float[])_dW.Data.Clone();
        foreach (var m in new[] { _dE.Data, _dW.Data, _dU.Data, _db.Data, _dc.Data }) Array.Clear(m);
        HandWrittenGradient();
        for (int i = 0; i < generated.Length; i++)
        {
            if (MathF.Abs(generated[i] - _dW.Data[i]) > 1e-6f) throw new InvalidOperationException($"dW[{i}]: generated {generated[i]} vs hand-written {_dW.Data[i]}");
        }
    }

    [Benchmark(Baseline = true)]
    public float Forward() => ForwardPass(_e, _w, _b, _u, _c, Window, Tag, _x, _z, _h, _s);

    /// <summary>The window's loss through the kernels, keeping x, z, h and s for a backward pass.</summary>
    internal static float ForwardPass(Mat<float> e, Mat<float> w, Vec<float> b, Mat<float> u, Vec<float> c, int[] window, int tag,
        float[] x, float[] z, float[] h, float[] s)
    {
        int dim = e.Cols;
        for (int k = 0; k < window.Length; k++)
        {
            TensorKernels.GatherRow<float>(e, window[k], x.AsSpan(k * dim, dim));   // x = [e(w−2); …; e(w+2)]
        }
        TensorKernels.MatVec<float>(w, x, z);
        TensorKernels.AddInPlace<float>(z, b);
        TensorKernels.Tanh<float>(z, h);
        TensorKernels.MatVec<float>(u, h, s);
        TensorKernels.AddInPlace<float>(s, c);
        return TensorKernels.CrossEntropy<float>(s, tag);
    }

    [Benchmark]
    public float GeneratedGradient() =>
        WindowModel.LossGradient(_e, _w, _b, _u, _c, Window[0], Window[1], Window[2], Window[3], Window[4], Tag, _dE, _dW, _db, _dU, _dc, _workspace);

    /// <summary>What the generated gradient spends on its guard against a workspace shared by two threads, alone.</summary>
    [Benchmark]
    public void WorkspaceGuard()
    {
        using var scope = _workspace.Enter(nameof(WindowModel.LossGradient));
    }

    [Benchmark]
    public float HandWrittenGradient()
    {
        float loss = Forward();
        Array.Clear(_ds);
        Array.Clear(_dh);
        Array.Clear(_dz);
        Array.Clear(_dx);
        TensorKernels.CrossEntropyBackward<float>(_s, Tag, 1f, _ds, _scratch);   // δ3 = softmax(s) − onehot
        TensorKernels.AddInPlace<float>(_dc, _ds);
        TensorKernels.OuterAdd<float>(_dU, _ds, _h);                             // ∂U += δ3 hᵀ
        TensorKernels.MatTransposeVecAdd<float>(_u, _ds, _dh);                   // Uᵀ δ3
        HandWrittenKernels.TanhBackward(_h, _dh, _dz);                   // δ2 = (Uᵀ δ3) ∘ (1 − h²)
        TensorKernels.AddInPlace<float>(_db, _dz);
        TensorKernels.OuterAdd<float>(_dW, _dz, _x);                             // ∂W += δ2 xᵀ
        TensorKernels.MatTransposeVecAdd<float>(_w, _dz, _dx);                   // ∂x = Wᵀ δ2
        for (int k = 0; k < 5; k++)
        {
            TensorKernels.ScatterAddRow<float>(_dE, Window[k], _dx.AsSpan(k * Dim, Dim));   // only the window's rows of ∂E
        }
        return loss;
    }
}
