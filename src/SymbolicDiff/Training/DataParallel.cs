using System;
using System.Collections.Generic;
using System.Threading;

namespace SymbolicDiff.Training;

/// <summary>
/// Splits a minibatch across threads on one machine. Each worker owns what it writes (a workspace and a gradient
/// buffer, made by the caller's factory), computes its contiguous chunk of the batch, and the caller then adds the
/// workers' gradients into the optimizer's in worker order (<see cref="GradientReduction"/>).
/// </summary>
/// <remarks>
/// Determinism: the chunk of worker w is [count·w/T, count·(w+1)/T) for T threads, and losses and gradients are
/// summed in worker order, so a run is reproducible for a given thread count; different thread counts differ only
/// by floating-point summation order. The threads are started once and wait on a barrier between calls, so a warm
/// <see cref="Run"/> allocates nothing (pass a cached delegate, not a new lambda each step). Worker 0 runs on the
/// calling thread.
/// </remarks>
/// <typeparam name="TWorker">The per-worker state.</typeparam>
public sealed class DataParallel<TWorker> : IDisposable where TWorker : class
{
    /// <summary>Computes examples [start, end) of the batch on one worker and returns their summed loss.</summary>
    /// <param name="worker">The worker's own state.</param>
    /// <param name="start">First example of the chunk.</param>
    /// <param name="end">One past the last example.</param>
    public delegate double Chunk(TWorker worker, int start, int end);

    private readonly TWorker[] _workers;
    private readonly Thread[] _threads;
    private readonly Barrier? _start, _done;
    private readonly double[] _losses;
    private readonly Exception?[] _errors;
    private Chunk? _body;
    private int _count;
    private bool _disposed;

    /// <summary>Creates the workers and starts <paramref name="threads"/> − 1 background threads.</summary>
    /// <param name="threads">Number of workers (≥ 1), e.g. <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="createWorker">Makes worker w's state (its workspace and gradient buffers).</param>
    public DataParallel(int threads, Func<int, TWorker> createWorker)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread is needed.");
        ArgumentNullException.ThrowIfNull(createWorker);
        _workers = new TWorker[threads];
        for (int w = 0; w < threads; w++) _workers[w] = createWorker(w);
        _losses = new double[threads];
        _errors = new Exception?[threads];
        _threads = new Thread[threads - 1];
        if (threads > 1)
        {
            _start = new Barrier(threads);
            _done = new Barrier(threads);
            for (int w = 1; w < threads; w++)
            {
                int worker = w;
                _threads[w - 1] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"DataParallel worker {w}" };
                _threads[w - 1].Start();
            }
        }
    }

    /// <summary>The workers, in reduction order.</summary>
    public IReadOnlyList<TWorker> Workers => _workers;

    /// <summary>Number of workers.</summary>
    public int Threads => _workers.Length;

    /// <summary>The chunk of the batch that worker <paramref name="worker"/> computes.</summary>
    /// <param name="count">Examples in the batch.</param>
    /// <param name="worker">Worker index.</param>
    /// <returns>The chunk's start and end.</returns>
    public (int Start, int End) ChunkOf(int count, int worker) =>
        ((int)((long)count * worker / Threads), (int)((long)count * (worker + 1) / Threads));

    /// <summary>Runs <paramref name="body"/> on every worker's chunk of [0, <paramref name="count"/>) in parallel and returns the losses summed in worker order.</summary>
    /// <param name="count">Examples in the batch.</param>
    /// <param name="body">What a worker does with its chunk.</param>
    /// <returns>The summed loss.</returns>
    public double Run(int count, Chunk body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(body);
        _body = body;
        _count = count;
        _start?.SignalAndWait();
        Work(0);
        _done?.SignalAndWait();
        _body = null;
        double loss = 0;
        for (int w = 0; w < _workers.Length; w++)
        {
            if (_errors[w] is { } error)
            {
                Array.Clear(_errors);
                throw new InvalidOperationException($"Worker {w} failed: {error.Message}", error);
            }
            loss += _losses[w];
        }
        return loss;
    }

    private void Work(int w)
    {
        try
        {
            var (start, end) = ChunkOf(_count, w);
            _losses[w] = start < end ? _body!(_workers[w], start, end) : 0;
        }
        catch (Exception ex)
        {
            _errors[w] = ex;
        }
    }

    private void Loop(int w)
    {
        while (true)
        {
            _start!.SignalAndWait();
            if (_disposed) return;
            Work(w);
            _done!.SignalAndWait();
        }
    }

    /// <summary>Stops the background threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_start is not null)
        {
            _start.SignalAndWait();
            foreach (var thread in _threads) thread.Join();
            _start.Dispose();
            _done!.Dispose();
        }
    }
}

/// <summary>Adds a worker's gradient into the total and clears the worker's, touching only the rows it wrote when it tracks rows.</summary>
public static class GradientReduction
{
    /// <summary>total += part; part = 0. Row-sparse when <paramref name="part"/> tracks rows (an embedding gradient).</summary>
    /// <param name="total">The optimizer's gradient.</param>
    /// <param name="part">One worker's gradient, same shape.</param>
    public static void AddInto<T>(Tensors.Mat<T> total, Tensors.Mat<T> part) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(total);
        ArgumentNullException.ThrowIfNull(part);
        if (total.Rows != part.Rows || total.Cols != part.Cols) throw new ArgumentException($"AddInto: total is {total.Shape} but part is {part.Shape}.");
        if (part.TouchedRows is { All: false } rows)
        {
            foreach (int r in rows.Rows)
            {
                Tensors.TensorKernels.ScatterAddRow<T>(total, r, part.Row(r));
                part.Row(r).Clear();
            }
            rows.Clear();
            return;
        }
        Tensors.TensorKernels.AddInPlace<T>(total.Data, part.Data);
        total.TouchedRows?.MarkAll();
        part.Clear();
        part.TouchedRows?.Clear();
    }

    /// <summary>total += part; part = 0.</summary>
    /// <param name="total">The optimizer's gradient.</param>
    /// <param name="part">One worker's gradient, same length.</param>
    public static void AddInto<T>(Tensors.Vec<T> total, Tensors.Vec<T> part) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(total);
        ArgumentNullException.ThrowIfNull(part);
        Tensors.TensorKernels.AddInPlace<T>(total.Data, part.Data);
        part.Clear();
    }
}
