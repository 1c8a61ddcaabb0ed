using System;
using BenchmarkDotNet.Attributes;
using SymbolicDiff.Samples.FashionMnist;
using SymbolicDiff.Samples.WindowNer;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Benchmarks;

/// <summary>
/// A minibatch of 64 images through the Fashion-MNIST MLP (784-256-10), forward + backward: the per-example generated
/// gradient in a loop (baseline), the batched generated gradient on one thread, the batch split over two workers
/// (<see cref="DataParallel{TWorker}"/>, reduction included, on the calling thread), and the batched gradient with its
/// large matrix products split over two threads (<see cref="Gemm.Threads"/>). <see cref="MlpTrainingStepBenchmarks"/>
/// times whole training steps as the sample takes them.
/// </summary>
[MemoryDiagnoser]
public class MlpMinibatchBenchmarks
{
    private const int Batch = 64;

    private sealed class Worker
    {
        public Mat<float> X = null!, dW1 = new(256, 784), dW2 = new(10, 256);
        public Vec<float> db1 = new(256), db2 = new(10);
        public int[] Labels = null!;
        public Mlp.BatchLossWorkspace Workspace = new();
    }

    private readonly Mat<float> _w1 = new(256, 784), _w2 = new(10, 256), _dW1 = new(256, 784), _dW2 = new(10, 256), _x = new(Batch, 784);
    private readonly Vec<float> _b1 = new(256), _b2 = new(10), _db1 = new(256), _db2 = new(10);
    private readonly Vec<float>[] _examples = new Vec<float>[Batch];
    private readonly int[] _labels = new int[Batch];
    private readonly Mlp.LossWorkspace _one = new();
    private readonly Mlp.BatchLossWorkspace _batched = new();
    private DataParallel<Worker> _parallel = null!;
    private DataParallel<Worker>.Chunk _chunk = null!;

    [GlobalSetup(Targets = [nameof(BatchedGemmTwoThreads)])]
    public void SetupGemmTwoThreads()
    {
        Setup();
        Gemm.Threads = 2;   // each benchmark runs in its own process
        BatchedGemmTwoThreads();
    }

    [GlobalSetup(Targets = [nameof(PerExampleLoop), nameof(Batched), nameof(TwoWorkers)])]
    public void Setup()
    {
        var random = new Random(3);
        foreach (var data in new[] { _w1.Data, _w2.Data, _b1.Data, _b2.Data, _x.Data })
        {
            for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
        }
        for (int i = 0; i < Batch; i++)
        {
            _examples[i] = new Vec<float>(_x.Row(i).ToArray());
            _labels[i] = random.Next(10);
        }
        _parallel = new DataParallel<Worker>(2, w => new Worker
        {
            X = new Mat<float>(Batch / 2, 784, _x.Data.AsSpan(w * Batch / 2 * 784, Batch / 2 * 784).ToArray()),
            Labels = _labels.AsSpan(w * Batch / 2, Batch / 2).ToArray(),
        });
        _chunk = (w, start, end) => Mlp.BatchLossGradient(_w1, _b1, _w2, _b2, w.X, w.Labels, w.dW1, w.db1, w.dW2, w.db2, w.Workspace);
        PerExampleLoop();
        Batched();
        TwoWorkers();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parallel.Dispose();
        Gemm.Threads = 1;
    }

    [Benchmark(Baseline = true)]
    public float PerExampleLoop()
    {
        float loss = 0;
        for (int i = 0; i < Batch; i++) loss += Mlp.LossGradient(_w1, _b1, _w2, _b2, _examples[i], _labels[i], _dW1, _db1, _dW2, _db2, _one);
        return loss;
    }

    [Benchmark]
    public float Batched() => Mlp.BatchLossGradient(_w1, _b1, _w2, _b2, _x, _labels, _dW1, _db1, _dW2, _db2, _batched);

    [Benchmark]
    public float BatchedGemmTwoThreads() => Mlp.BatchLossGradient(_w1, _b1, _w2, _b2, _x, _labels, _dW1, _db1, _dW2, _db2, _batched);

    [Benchmark]
    public double TwoWorkers()
    {
        double loss = _parallel.Run(Batch, _chunk);
        foreach (var w in _parallel.Workers)
        {
            GradientReduction.AddInto(_dW1, w.dW1);
            GradientReduction.AddInto(_db1, w.db1);
            GradientReduction.AddInto(_dW2, w.dW2);
            GradientReduction.AddInto(_db2, w.db2);
        }
        return loss;
    }
}

/// <summary>
/// Training steps of the window NER model at the lectures' sizes (vocabulary 10,000, embeddings 50, hidden 100, 5 tags):
/// one example + an SGD step with a dense update of the 500,000-entry embedding table (baseline, as before) and with
/// the row-sparse update; and a minibatch of 64 windows, forward + backward, per example in a loop and batched.
/// </summary>
[MemoryDiagnoser]
public class NerTrainingBenchmarks
{
    private const int Vocabulary = 10_000, Dim = 50, Hidden = 100, Tags = 5, Batch = 64;

    private sealed class Model
    {
        public readonly Mat<float> E = new(Vocabulary, Dim), W = new(Hidden, 5 * Dim), U = new(Tags, Hidden);
        public readonly Vec<float> b = new(Hidden), c = new(Tags);
        public readonly Mat<float> dE = new(Vocabulary, Dim), dW = new(Hidden, 5 * Dim), dU = new(Tags, Hidden);
        public readonly Vec<float> db = new(Hidden), dc = new(Tags);
        public readonly Sgd<float> Sgd;

        public Model(bool rowSparse)
        {
            var random = new Random(3);
            foreach (var data in new[] { E.Data, W.Data, U.Data, b.Data, c.Data })
            {
                for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            }
            Sgd = new Sgd<float>(new[] { (E.Data, dE.Data), (W.Data, dW.Data), (b.Data, db.Data), (U.Data, dU.Data), (c.Data, dc.Data) }, 1e-3f);
            if (rowSparse) Sgd.UseRowSparse(dE);
        }
    }

    private readonly Model _dense = new(rowSparse: false), _sparse = new(rowSparse: true);
    private readonly WindowModel.LossWorkspace _one = new();
    private readonly WindowModel.BatchLossWorkspace _batched = new();
    private readonly int[] _windows = new int[5 * Batch], _tags = new int[Batch];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        for (int i = 0; i < _windows.Length; i++) _windows[i] = random.Next(Vocabulary);
        for (int i = 0; i < _tags.Length; i++) _tags[i] = random.Next(Tags);
        OneExampleDenseSgd();
        OneExampleRowSparseSgd();
        MinibatchPerExampleLoop();
        MinibatchBatched();
    }

    private float OneExample(Model m) =>
        WindowModel.LossGradient(m.E, m.W, m.b, m.U, m.c, _windows[0], _windows[1], _windows[2], _windows[3], _windows[4], _tags[0], m.dE, m.dW, m.db, m.dU, m.dc, _one);

    [Benchmark(Baseline = true)]
    public float OneExampleDenseSgd()
    {
        float loss = OneExample(_dense);
        _dense.Sgd.Step();
        return loss;
    }

    [Benchmark]
    public float OneExampleRowSparseSgd()
    {
        float loss = OneExample(_sparse);
        _sparse.Sgd.Step();
        return loss;
    }

    [Benchmark]
    public float MinibatchPerExampleLoop()   // gradients accumulate across calls, as in the other gradient benchmarks
    {
        var m = _sparse;
        float loss = 0;
        for (int i = 0; i < Batch; i++)
        {
            loss += WindowModel.LossGradient(m.E, m.W, m.b, m.U, m.c, _windows[5 * i], _windows[5 * i + 1], _windows[5 * i + 2], _windows[5 * i + 3], _windows[5 * i + 4],
                _tags[i], m.dE, m.dW, m.db, m.dU, m.dc, _one);
        }
        return loss;
    }

    [Benchmark]
    public float MinibatchBatched()
    {
        var m = _sparse;
        float loss = WindowModel.BatchLossGradient(m.E, m.W, m.b, m.U, m.c, _windows, _tags, m.dE, m.dW, m.db, m.dU, m.dc, _batched);
        return loss;
    }
}

/// <summary>
/// One training step of the Fashion-MNIST MLP (784-256-10) on a minibatch of 64 or 256 (the sample's default), as the
/// sample trains: batch copy, batched generated gradient, reduction and Adam step, on one worker (baseline) and split
/// across two (<see cref="DataParallelStep{TWorker, T}"/> through <see cref="MlpTrainer"/>).
/// </summary>
[MemoryDiagnoser]
public class MlpTrainingStepBenchmarks
{
    private const int Images = 1024;

    /// <summary>Examples per step.</summary>
    [Params(64, 256)]
    public int Batch { get; set; }

    private readonly Vec<float>[] _images = new Vec<float>[Images];
    private readonly byte[] _labels = new byte[Images];
    private readonly int[] _order = new int[Images];
    private MlpTrainer _trainer = null!;
    private int _step;

    private void Setup(int threads)
    {
        var rng = new Rng(3);
        for (int i = 0; i < Images; i++)
        {
            _images[i] = new Vec<float>(784);
            for (int j = 0; j < 784; j++) _images[i][j] = (float)rng.NextDouble();
            _labels[i] = (byte)(i % 10);
            _order[i] = i;
        }
        Mat<float> w1 = new(256, 784), w2 = new(10, 256), dW1 = new(256, 784), dW2 = new(10, 256);
        Vec<float> b1 = new(256), b2 = new(10), db1 = new(256), db2 = new(10);
        Init.XavierUniform(w1, rng);
        Init.XavierUniform(w2, rng);
        var adam = new Adam<float>(new[] { (w1.Data, dW1.Data), (b1.Data, db1.Data), (w2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);
        _trainer = new MlpTrainer(w1, b1, w2, b2, dW1, db1, dW2, db2, adam, threads);
        for (int i = 0; i < 20; i++) Step();
    }

    [GlobalSetup(Target = nameof(OneWorker))]
    public void SetupOne() => Setup(1);

    [GlobalSetup(Target = nameof(TwoWorkers))]
    public void SetupTwo() => Setup(2);

    [GlobalCleanup]
    public void Cleanup() => _trainer.Dispose();

    private double Step()
    {
        int offset = _step++ % (Images / Batch) * Batch;
        return _trainer.Step(_images, _labels, _order, offset, Batch);
    }

    [Benchmark(Baseline = true)]
    public double OneWorker() => Step();

    [Benchmark]
    public double TwoWorkers() => Step();
}
