using System;
using System.Collections.Generic;
using System.Numerics;
using System.Numerics.Tensors;
using SymbolicDiff.Tensors;

namespace SymbolicDiff.Training;

/// <summary>
/// Base class of first-order optimisers over a fixed list of (parameter, gradient) array pairs.
/// <see cref="Step"/> updates every parameter from its gradient and then zeros the gradient.
/// </summary>
/// <remarks>
/// A matrix gradient registered with <see cref="UseRowSparse"/> (an embedding table's) is updated row-sparsely: a step
/// updates and clears only the rows written since the last step, so its cost is that of the rows looked up, not of
/// the table. For plain SGD and AdaGrad that is exactly the dense update (a zero gradient changes nothing). Momentum
/// and Adam become lazy, like PyTorch's <c>SparseAdam</c>: the state of a row (velocity, moments) decays only in the
/// steps that touch it, while Adam's bias correction uses the global step count. Gradients not registered this way
/// are updated densely, exactly as before.
/// </remarks>
/// <typeparam name="T">Element type.</typeparam>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly (T[] Value, T[] Grad)[] _parameters;
    private readonly (RowSet Rows, int Cols)?[] _rowSparse;

    /// <summary>Registers the parameter/gradient pairs; each pair must have equal lengths.</summary>
    /// <param name="parameters">Pairs of (parameter values, gradient accumulator).</param>
    protected Optimizer(IEnumerable<(T[] Value, T[] Grad)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = new List<(T[] Value, T[] Grad)>();
        foreach (var (value, grad) in parameters)
        {
            ArgumentNullException.ThrowIfNull(value);
            ArgumentNullException.ThrowIfNull(grad);
            if (value.Length != grad.Length)
                throw new ArgumentException($"Parameter {list.Count} has length {value.Length} but its gradient has length {grad.Length}.", nameof(parameters));
            list.Add((value, grad));
        }
        _parameters = list.ToArray();
        _rowSparse = new (RowSet, int)?[_parameters.Length];
    }

    /// <summary>The registered (parameter, gradient) pairs.</summary>
    public IReadOnlyList<(T[] Value, T[] Grad)> Parameters => _parameters;

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// Updates the registered gradient <paramref name="gradient"/> row-sparsely from now on (see the remarks): turns on
    /// its row tracking (<see cref="Mat{T}.TrackTouchedRows"/>), so the generated gradient marks the rows it writes.
    /// </summary>
    /// <param name="gradient">A gradient matrix whose <c>Data</c> was registered as a gradient of this optimiser.</param>
    /// <exception cref="ArgumentException">The matrix's data is not a registered gradient.</exception>
    public void UseRowSparse(Mat<T> gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        int index = Array.FindIndex(_parameters, p => ReferenceEquals(p.Grad, gradient.Data));
        if (index < 0) throw new ArgumentException($"The {gradient.Shape} gradient is not one this optimiser updates.", nameof(gradient));
        _rowSparse[index] = (gradient.TrackTouchedRows().TouchedRows!, gradient.Cols);
    }

    /// <summary>Applies one update to every parameter and zeros every gradient.</summary>
    public void Step()
    {
        BeginStep();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var (value, grad) = _parameters[i];
            if (_rowSparse[i] is not { } sparse || sparse.Rows.All)
            {
                UpdateSlice(i, 0, value.Length);
            }
            else
            {
                foreach (int row in sparse.Rows.Rows) UpdateSlice(i, row * sparse.Cols, sparse.Cols);
            }
            _rowSparse[i]?.Rows.Clear();
        }
    }

    /// <summary>Counts a step whose updates follow (<see cref="UpdateSlice"/>, possibly from several threads).</summary>
    internal void BeginStep() => StepCount++;

    /// <summary>Updates and clears elements [start, start + length) of parameter <paramref name="index"/> (slices on different threads must not overlap).</summary>
    internal void UpdateSlice(int index, int start, int length)
    {
        var (value, grad) = _parameters[index];
        Update(index, start, value.AsSpan(start, length), grad.AsSpan(start, length));
        Array.Clear(grad, start, length);
    }

    /// <summary>Whether gradient <paramref name="index"/> is updated row-sparsely (<see cref="UseRowSparse"/>).</summary>
    internal bool IsRowSparse(int index) => _rowSparse[index] is not null;

    /// <summary>Sets every gradient to zero without updating.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, grad) in _parameters) Array.Clear(grad);
        foreach (var sparse in _rowSparse) sparse?.Rows.Clear();
    }

    /// <summary>Updates a slice of parameter <paramref name="index"/> in place from its gradient. Disjoint slices may be updated on several threads at once (<see cref="DataParallelStep{TWorker, T}"/>): touch only the slice's range of any state.</summary>
    /// <param name="index">Position of the pair in <see cref="Parameters"/> (for per-parameter state).</param>
    /// <param name="offset">Where the slice starts in the parameter (and so in its state arrays): 0 for a dense update, a row's start for a row-sparse one.</param>
    /// <param name="value">Parameter values to update.</param>
    /// <param name="grad">Gradient (not to be zeroed here).</param>
    protected abstract void Update(int index, int offset, Span<T> value, ReadOnlySpan<T> grad);

    /// <summary>Allocates one zeroed state array per parameter.</summary>
    /// <returns>State arrays matching the parameter lengths.</returns>
    protected T[][] NewState()
    {
        var state = new T[_parameters.Length][];
        for (int i = 0; i < state.Length; i++) state[i] = new T[_parameters[i].Value.Length];
        return state;
    }
}

/// <summary>Stochastic gradient descent with optional (heavy-ball) momentum: v ← μ·v + g; θ ← θ − η·v.</summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][]? _velocity;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Pairs of (parameter values, gradient accumulator).</param>
    /// <param name="learningRate">Step size η.</param>
    /// <param name="momentum">Momentum μ in [0, 1); 0 gives plain SGD.</param>
    public Sgd(IEnumerable<(T[] Value, T[] Grad)> parameters, T learningRate, T momentum = default) : base(parameters)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        if (momentum != T.Zero) _velocity = NewState();
    }

    /// <summary>Step size η.</summary>
    public T LearningRate { get; set; }

    /// <summary>Momentum μ (fixed at construction).</summary>
    public T Momentum { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<T> value, ReadOnlySpan<T> grad)
    {
        if (_velocity is null)
        {
            TensorPrimitives.MultiplyAdd(grad, -LearningRate, value, value);
            return;
        }
        Span<T> v = _velocity[index].AsSpan(offset, value.Length);
        TensorPrimitives.MultiplyAdd(v, Momentum, grad, v);
        TensorPrimitives.MultiplyAdd(v, -LearningRate, value, value);
    }
}

/// <summary>
/// Adam (Kingma &amp; Ba, 2015): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ);
/// θ ← θ − η·m̂/(√v̂ + ε).
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _m;
    private readonly T[][] _v;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Pairs of (parameter values, gradient accumulator).</param>
    /// <param name="learningRate">Step size η (typically 1e−3).</param>
    /// <param name="beta1">First-moment decay β₁ (default 0.9).</param>
    /// <param name="beta2">Second-moment decay β₂ (default 0.999).</param>
    /// <param name="epsilon">Denominator guard ε (default 1e−8).</param>
    public Adam(IEnumerable<(T[] Value, T[] Grad)> parameters, T learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(parameters)
    {
        LearningRate = learningRate;
        Beta1 = T.CreateChecked(beta1);
        Beta2 = T.CreateChecked(beta2);
        Epsilon = T.CreateChecked(epsilon);
        _m = NewState();
        _v = NewState();
    }

    /// <summary>Step size η.</summary>
    public T LearningRate { get; set; }

    /// <summary>First-moment decay β₁.</summary>
    public T Beta1 { get; }

    /// <summary>Second-moment decay β₂.</summary>
    public T Beta2 { get; }

    /// <summary>Denominator guard ε.</summary>
    public T Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<T> value, ReadOnlySpan<T> grad)
    {
        Span<T> m = _m[index].AsSpan(offset, value.Length);
        Span<T> v = _v[index].AsSpan(offset, value.Length);
        T bc1 = T.One - T.Pow(Beta1, T.CreateChecked(StepCount));
        T bc2 = T.One - T.Pow(Beta2, T.CreateChecked(StepCount));
        T b1 = Beta1, c1 = T.One - Beta1, b2 = Beta2, c2 = T.One - Beta2, eps = Epsilon, rate = -LearningRate / bc1;
        T unbias = T.One / T.Sqrt(bc2);   // √v̂ = √v / √(1−β₂ᵗ): one square root and one division an entry, which bound this loop

        // One pass over the arrays (they stream from memory once, not ten times). Every lane does the same unfused
        // operations in the same order as the scalar tail, so a parameter's update does not depend on where it sits.
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= value.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(grad.Slice(i));
                var mi = g * c1 + new Vector<T>(m.Slice(i)) * b1;                 // m = β₁m + (1−β₁)g
                var vi = g * g * c2 + new Vector<T>(v.Slice(i)) * b2;             // v = β₂v + (1−β₂)g²
                var step = mi / (Vector.SquareRoot(vi) * unbias + new Vector<T>(eps));   // m / (√v̂ + ε)
                (step * rate + new Vector<T>(value.Slice(i))).CopyTo(value.Slice(i));   // θ −= η/(1−β₁ᵗ) · …
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
            }
        }
        for (; i < value.Length; i++)
        {
            T g = grad[i];
            m[i] = g * c1 + m[i] * b1;
            v[i] = g * g * c2 + v[i] * b2;
            value[i] = m[i] / (T.Sqrt(v[i]) * unbias + eps) * rate + value[i];
        }
    }
}

/// <summary>AdaGrad (Duchi et al., 2011): G ← G + g²; θ ← θ − η·g/(√G + ε).</summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class AdaGrad<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _sumSquares;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Pairs of (parameter values, gradient accumulator).</param>
    /// <param name="learningRate">Step size η.</param>
    /// <param name="epsilon">Denominator guard ε (default 1e−8).</param>
    public AdaGrad(IEnumerable<(T[] Value, T[] Grad)> parameters, T learningRate, double epsilon = 1e-8) : base(parameters)
    {
        LearningRate = learningRate;
        Epsilon = T.CreateChecked(epsilon);
        _sumSquares = NewState();
    }

    /// <summary>Step size η.</summary>
    public T LearningRate { get; set; }

    /// <summary>Denominator guard ε.</summary>
    public T Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<T> value, ReadOnlySpan<T> grad)
    {
        Span<T> g2 = _sumSquares[index].AsSpan(offset, value.Length);
        T eps = Epsilon, rate = -LearningRate;
        // One pass and no scratch (slices may be updated on several threads at once); every lane does the same
        // unfused operations in the same order as the scalar tail.
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= value.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(grad.Slice(i));
                var sum = g * g + new Vector<T>(g2.Slice(i));                       // G += g²
                (g / (Vector.SquareRoot(sum) + new Vector<T>(eps)) * rate + new Vector<T>(value.Slice(i))).CopyTo(value.Slice(i));   // θ −= η·g/(√G + ε)
                sum.CopyTo(g2.Slice(i));
            }
        }
        for (; i < value.Length; i++)
        {
            T g = grad[i];
            g2[i] = g * g + g2[i];
            value[i] = g / (T.Sqrt(g2[i]) + eps) * rate + value[i];
        }
    }
}

/// <summary>Gradient clipping.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the global L2 norm of all gradients and, when it exceeds <paramref name="maxNorm"/>, scales every
    /// gradient by maxNorm / norm so the global norm becomes maxNorm.
    /// </summary>
    /// <param name="grads">Gradient arrays.</param>
    /// <param name="maxNorm">Largest allowed global norm (&gt; 0).</param>
    /// <returns>The global norm before clipping.</returns>
    public static T ClipByGlobalNorm<T>(IEnumerable<T[]> grads, T maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(grads);
        if (!(maxNorm > T.Zero)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be positive.");
        var list = grads as IReadOnlyList<T[]> ?? new List<T[]>(grads);
        T sumSq = T.Zero;
        foreach (T[] g in list) sumSq += TensorPrimitives.SumOfSquares<T>(g);
        T norm = T.Sqrt(sumSq);
        if (norm > maxNorm)
        {
            T scale = maxNorm / norm;
            foreach (T[] g in list) TensorPrimitives.Multiply(g, scale, g);
        }
        return norm;
    }

    /// <summary>Clips the gradients registered with <paramref name="optimizer"/> by global norm.</summary>
    /// <param name="optimizer">Optimiser whose gradients to clip.</param>
    /// <param name="maxNorm">Largest allowed global norm (&gt; 0).</param>
    /// <returns>The global norm before clipping.</returns>
    public static T ClipByGlobalNorm<T>(Optimizer<T> optimizer, T maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var grads = new T[optimizer.Parameters.Count][];
        for (int i = 0; i < grads.Length; i++) grads[i] = optimizer.Parameters[i].Grad;
        return ClipByGlobalNorm(grads, maxNorm);
    }
}
