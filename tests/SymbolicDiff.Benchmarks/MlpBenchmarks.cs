using System;
using BenchmarkDotNet.Attributes;
using SymbolicDiff.Samples.FashionMnist;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Benchmarks;

/// <summary>
/// One example's loss of the Fashion-MNIST sample's model (samples/FashionMnist/Mlp.cs, linked in): the forward pass alone (baseline, so the generated gradient's ratio is (forward +
/// backward) / forward), the generated gradient, and backprop written by hand with the same kernels.
/// </summary>
[MemoryDiagnoser]
public class MlpBenchmarks
{
    private readonly Mat<float> _w1 = new(256, 784), _w2 = new(10, 256), _dW1 = new(256, 784), _dW2 = new(10, 256);
    private readonly Vec<float> _b1 = new(256), _b2 = new(10), _x = new(784), _db1 = new(256), _db2 = new(10);
    private readonly float[] _z1 = new float[256], _h = new float[256], _s = new float[10], _ds = new float[10], _dh = new float[256], _dz1 = new float[256], _scratch = new float[10];
    private readonly Mlp.LossWorkspace _workspace = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        foreach (var data in new[] { _w1.Data, _w2.Data, _b1.Data, _b2.Data, _x.Data })
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
            }
        }
        Mlp.LossGradient(_w1, _b1, _w2, _b2, _x, 3, _dW1, _db1, _dW2, _db2, _workspace);   // sizes the workspace
    }

    [Benchmark(Baseline = true)]
    public float Forward()
    {
        TensorKernels.MatVec<float>(_w1, _x, _z1);
        TensorKernels.AddInPlace<float>(_z1, _b1);
        TensorKernels.ReLU<float>(_z1, _h);
        TensorKernels.MatVec<float>(_w2, _h, _s);
        TensorKernels.AddInPlace<float>(_s, _b2);
        return TensorKernels.CrossEntropy<float>(_s, 3);
    }

    [Benchmark]
    public float GeneratedGradient() => Mlp.LossGradient(_w1, _b1, _w2, _b2, _x, 3, _dW1, _db1, _dW2, _db2, _workspace);

    [Benchmark]
    public float HandWrittenGradient()
    {
        float loss = Forward();
        Array.Clear(_ds);
        Array.Clear(_dh);
        Array.Clear(_dz1);
        TensorKernels.CrossEntropyBackward<float>(_s, 3, 1f, _ds, _scratch);   // δ2 = softmax(s) − onehot
        TensorKernels.AddInPlace<float>(_db2, _ds);
        TensorKernels.OuterAdd<float>(_dW2, _ds, _h);                            // ∂W2 += δ2 hᵀ
        TensorKernels.MatTransposeVecAdd<float>(_w2, _ds, _dh);                  // W2ᵀ δ2
        HandWrittenKernels.ReLUBackward(_z1, _dh, _dz1);                 // δ1 = (W2ᵀ δ2) ∘ f′(z1)
        TensorKernels.AddInPlace<float>(_db1, _dz1);
        TensorKernels.OuterAdd<float>(_dW1, _dz1, _x);                           // ∂W1 += δ1 xᵀ
        return loss;
    }
}
