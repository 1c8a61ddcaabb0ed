using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Threading;

namespace SymbolicDiff.Training;

/// <summary>
/// Splits a minibatch across threads on one machine. Each worker owns what it writes (a workspace and a gradient
/// buffer, made by the caller's factory), computes its contiguous chunk of the batch, and the workers' gradients are
/// then summed in worker order: by the caller (<see cref="GradientReduction"/>), or by the workers themselves, each over
/// its own slice of the parameters, together with the optimizer's update (<see cref="DataParallelStep{TWorker, T}"/>).
/// </summary>
/// <remarks>
/// Determinism: the chunk of worker w is [count·w/T, count·(w+1)/T) for T threads, and losses and gradients are
/// summed in worker order, so a run is reproducible for a given thread count; different thread counts differ only
/// by floating-point summation order. The threads are started once; between phases they poll for up to 1 ms (spinning
/// for 20 µs, then yielding their core between polls) and then block: a training loop's next phase or step comes
/// sooner, so its threads never pay a blocked thread's wake-up, and an idle pool costs no CPU. A warm
/// <see cref="Run(int, Chunk, Part?)"/> allocates nothing (pass cached delegates, not new lambdas each step). Worker 0
/// runs on the calling thread. One <see cref="Run(int, Chunk, Part?)"/> at a time.
/// </remarks>
/// <typeparam name="TWorker">The per-worker state.</typeparam>
public sealed class DataParallel<TWorker> : IDisposable where TWorker : class
{
    /// <summary>Computes examples [start, end) of the batch on one worker and returns their summed loss.</summary>
    /// <param name="worker">The worker's own state.</param>
    /// <param name="start">First example of the chunk.</param>
    /// <param name="end">One past the last example.</param>
    public delegate double Chunk(TWorker worker, int start, int end);

    /// <summary>The second phase of a run, once every chunk is done: worker <paramref name="part"/> of <paramref name="parts"/> does its share (e.g. its slice of the reduction and update).</summary>
    /// <param name="worker">The worker's own state.</param>
    /// <param name="part">The worker's index.</param>
    /// <param name="parts">Number of workers.</param>
    public delegate void Part(TWorker worker, int part, int parts);

    // A waiting thread spins for SpinTicks, then keeps polling but yields its core between polls (on an idle machine
    // the yield returns at once; on a busy one it lets the thread being waited for run), and blocks after YieldTicks:
    // longer than the gap between two phases or two steps of a training loop, so the threads stay awake while it runs,
    // short enough that an idle pool soon stops costing a core.
    private static readonly long SpinTicks = Stopwatch.Frequency / 50_000, YieldTicks = Stopwatch.Frequency / 1_000;

    private readonly TWorker[] _workers;
    private readonly Thread[] _threads;
    private readonly double[] _losses;
    private readonly Exception?[] _errors;
    private readonly object _gate = new();
    private Chunk? _body;
    private Part? _first, _then;
    private int _count;
    private bool _chunks;        // the phase being run: chunks, or the parts after them
    private int _generation;     // bumped (under _gate) to start a phase on the background threads
    private int _finished;       // background threads done with the current phase (incremented under _gate)
    private int _sleepers;       // threads blocked on _gate
    private volatile bool _disposed;

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
        for (int w = 1; w < threads; w++)
        {
            int worker = w;
            _threads[w - 1] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"DataParallel worker {w}" };
            _threads[w - 1].Start();
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
    public double Run(int count, Chunk body) => Run(count, body, null);

    /// <summary>
    /// Runs <paramref name="body"/> on every worker's chunk of [0, <paramref name="count"/>) in parallel, then, once all
    /// chunks are done, <paramref name="then"/> on every worker in parallel; returns the chunks' losses summed in worker order.
    /// </summary>
    /// <param name="count">Examples in the batch.</param>
    /// <param name="body">What a worker does with its chunk.</param>
    /// <param name="then">What each worker does after all chunks (skipped when a chunk failed); null for nothing.</param>
    /// <returns>The summed loss.</returns>
    public double Run(int count, Chunk body, Part? then) => Run(count, null, body, then);

    /// <summary>As <see cref="Run(int, Chunk, Part?)"/>, with <paramref name="first"/> run on every worker (also one with an empty chunk) just before its chunk.</summary>
    internal double Run(int count, Part? first, Chunk body, Part? then)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(body);
        (_first, _body, _then, _count) = (first, body, then, count);
        try
        {
            RunPhase(chunks: true);
            ThrowIfFailed();
            if (then is not null)
            {
                RunPhase(chunks: false);
                ThrowIfFailed();
            }
        }
        finally
        {
            (_first, _body, _then) = (null, null, null);
        }
        double loss = 0;
        for (int w = 0; w < _workers.Length; w++) loss += _losses[w];
        return loss;
    }

    private void RunPhase(bool chunks)
    {
        _chunks = chunks;
        if (_threads.Length > 0)
        {
            lock (_gate)
            {
                _finished = 0;
                _generation++;
                if (_sleepers > 0) Monitor.PulseAll(_gate);
            }
        }
        Work(0);
        if (_threads.Length > 0) WaitWhile(ref _finished, _threads.Length, equal: false);
    }

    private void ThrowIfFailed()
    {
        for (int w = 0; w < _workers.Length; w++)
        {
            if (_errors[w] is { } error)
            {
                Array.Clear(_errors);
                throw new InvalidOperationException($"Worker {w} failed: {error.Message}", error);
            }
        }
    }

    private void Work(int w)
    {
        try
        {
            if (_chunks)
            {
                _first?.Invoke(_workers[w], w, _workers.Length);
                var (start, end) = ChunkOf(_count, w);
                _losses[w] = start < end ? _body!(_workers[w], start, end) : 0;
            }
            else
            {
                _then!(_workers[w], w, _workers.Length);
            }
        }
        catch (Exception ex)
        {
            _errors[w] = ex;
        }
    }

    private void Loop(int w)
    {
        int seen = 0;
        while (true)
        {
            WaitWhile(ref _generation, seen, equal: true);
            seen = Volatile.Read(ref _generation);
            if (_disposed) return;
            Work(w);
            lock (_gate)
            {
                _finished++;
                if (_sleepers > 0) Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Waits while <paramref name="field"/> equals (or, with <paramref name="equal"/> false, differs from) <paramref name="value"/>: spins first, then yields between polls, then blocks on the gate, which every change of the field pulses.</summary>
    private void WaitWhile(ref int field, int value, bool equal)
    {
        long start = Stopwatch.GetTimestamp();
        while ((Volatile.Read(ref field) == value) == equal)
        {
            long waited = Stopwatch.GetTimestamp() - start;
            if (waited < SpinTicks)
            {
                Thread.SpinWait(8);
                continue;
            }
            if (waited < YieldTicks)
            {
                Thread.Yield();
                continue;
            }
            lock (_gate)
            {
                _sleepers++;
                while ((field == value) == equal) Monitor.Wait(_gate);
                _sleepers--;
            }
        }
    }

    /// <summary>Stops the background threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_gate)
        {
            _generation++;
            Monitor.PulseAll(_gate);
        }
        foreach (var thread in _threads) thread.Join();
    }
}

/// <summary>
/// One data-parallel training step: the minibatch split across the workers of a <see cref="DataParallel{TWorker}"/>,
/// then every worker, for its own slice of each parameter, sums the workers' gradients in worker order and applies the
/// optimizer's update (which clears the optimizer's gradients). Each worker clears its own gradient buffers on its own
/// core just before its next chunk, so a step needs two phases (two wake-ups and waits) and no third one for clearing.
/// Reduction and update are thus split across the threads too, and a
/// parameter's result does not depend on which thread updated it or when: runs are reproducible for a given thread
/// count, and differ from one thread only by the summation order of the gradient (each worker sums its own chunk).
/// </summary>
/// <remarks>
/// A worker's gradient array may be the optimizer's own (worker 0's, typically: then one thread trains exactly like
/// <see cref="Optimizer{T}.Step"/>); other workers need their own arrays, which keep the last step's partial sums
/// until the next step clears them (whatever they hold before a step is discarded). Row-sparse gradients
/// (<see cref="Optimizer{T}.UseRowSparse"/>) are not split: reduce them with <see cref="GradientReduction"/> and call
/// <see cref="Optimizer{T}.Step"/>. A warm step allocates nothing.
/// </remarks>
/// <typeparam name="TWorker">The per-worker state.</typeparam>
/// <typeparam name="T">Element type of the parameters.</typeparam>
public sealed class DataParallelStep<TWorker, T> where TWorker : class where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DataParallel<TWorker> _parallel;
    private readonly Optimizer<T> _optimizer;
    private readonly T[][][] _gradients;   // [worker][parameter]
    private readonly DataParallel<TWorker>.Part _clear, _part;

    /// <summary>Ties the workers' gradients to the optimizer's parameters.</summary>
    /// <param name="parallel">The workers.</param>
    /// <param name="optimizer">The optimizer; its gradients receive the sum.</param>
    /// <param name="gradientsOf">A worker's gradient arrays, one per parameter, in the optimizer's order.</param>
    public DataParallelStep(DataParallel<TWorker> parallel, Optimizer<T> optimizer, Func<TWorker, IReadOnlyList<T[]>> gradientsOf)
    {
        ArgumentNullException.ThrowIfNull(parallel);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(gradientsOf);
        var parameters = optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (optimizer.IsRowSparse(i)) throw new ArgumentException($"Gradient {i} is updated row-sparsely, which a data-parallel step does not split; reduce it with GradientReduction.AddInto and call Step().", nameof(optimizer));
        }
        _gradients = new T[parallel.Threads][][];
        var seen = new HashSet<T[]>(ReferenceEqualityComparer.Instance);
        for (int w = 0; w < _gradients.Length; w++)
        {
            var grads = gradientsOf(parallel.Workers[w]);
            if (grads is null || grads.Count != parameters.Count) throw new ArgumentException($"Worker {w} has {grads?.Count ?? 0} gradient arrays; the optimizer has {parameters.Count} parameters.", nameof(gradientsOf));
            _gradients[w] = new T[parameters.Count][];
            for (int i = 0; i < parameters.Count; i++)
            {
                var g = grads[i] ?? throw new ArgumentException($"Worker {w}'s gradient {i} is null.", nameof(gradientsOf));
                if (g.Length != parameters[i].Grad.Length) throw new ArgumentException($"Worker {w}'s gradient {i} has length {g.Length}; the parameter has {parameters[i].Grad.Length}.", nameof(gradientsOf));
                if (!seen.Add(g)) throw new ArgumentException($"Worker {w}'s gradient {i} is shared with another worker; each worker needs its own.", nameof(gradientsOf));
                _gradients[w][i] = g;
            }
        }
        _parallel = parallel;
        _optimizer = optimizer;
        _part = Reduce;
        _clear = Clear;
    }

    /// <summary>Clears every worker's own gradient buffers, runs <paramref name="body"/> on every worker's chunk of [0, <paramref name="count"/>), then reduces and updates (clearing the optimizer's gradients); returns the summed loss.</summary>
    /// <param name="count">Examples in the batch.</param>
    /// <param name="body">Adds a chunk's gradient into the worker's gradient arrays and returns its summed loss.</param>
    /// <returns>The summed loss of the batch.</returns>
    public double Step(int count, DataParallel<TWorker>.Chunk body)
    {
        _optimizer.BeginStep();   // counted first: the updates (the second phase) read the step count
        return _parallel.Run(count, _clear, body, _part);
    }

    private void Reduce(TWorker worker, int part, int parts)
    {
        var parameters = _optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            T[] total = parameters[i].Grad;
            int start = Boundary(total.Length, part, parts), end = Boundary(total.Length, part + 1, parts);
            if (start == end) continue;
            var slice = total.AsSpan(start, end - start);
            foreach (var grads in _gradients)
            {
                if (ReferenceEquals(grads[i], total)) continue;
                var own = grads[i].AsSpan(start, end - start);
                TensorPrimitives.Add(slice, own, slice);
            }
            _optimizer.UpdateSlice(i, start, end - start);
        }
    }

    // Before a worker's chunk, on its own thread: its buffers were last written by its own core and only read by the
    // others' reductions, so clearing them here moves no data between cores (a separate clearing phase would cost a
    // wake-up and a wait; the reducing core clearing them would pull their cache lines over and back).
    private void Clear(TWorker worker, int w, int _)
    {
        var parameters = _optimizer.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (!ReferenceEquals(_gradients[w][i], parameters[i].Grad)) Array.Clear(_gradients[w][i]);   // the optimizer's own are cleared by its update
        }
    }

    // Slices start on multiples of 16 elements, so two threads never write the same cache line.
    private static int Boundary(int length, int part, int parts) => part >= parts ? length : (int)((long)length * part / parts) & ~15;
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
