using System;

namespace SymbolicDiff;

/// <summary>
/// Marks a static method whose derivatives SymbolicDiff generates at compile time.
/// For a method <c>F(double x, double y)</c> in a <c>partial</c> type the generator adds
/// <c>FGradient(double x, double y, ref double dx, ref double dy)</c>, which returns F's value and
/// adds ∂F/∂x to <c>dx</c> and ∂F/∂y to <c>dy</c> (it accumulates, so a minibatch can sum into the same slots).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>
    /// Name of the generated gradient method. Defaults to the method's name followed by <c>Gradient</c>.
    /// </summary>
    public string? GradientName { get; set; }

    /// <summary>
    /// Also generate forward mode: for <c>F(double x, double y)</c>, <c>FTangent(double x, double y, double dx, double dy, out double dF)</c>
    /// returns F and its directional derivative dF = ∂F/∂x·dx + ∂F/∂y·dy (a Jacobian-vector product).
    /// </summary>
    public bool Tangent { get; set; }

    /// <summary>
    /// Also generate second order, for straight-line methods: for <c>F(double x, double y)</c>,
    /// <c>FHessianVectorProduct(double x, double y, double vx, double vy, ref double hvx, ref double hvy)</c> returns F and
    /// adds H·v to (hvx, hvy), and <c>FHessian(double x, double y, Span&lt;double&gt; hessian)</c> returns F and adds
    /// ∂²F/∂pᵢ∂pⱼ to <c>hessian[i * n + j]</c> (row-major over the differentiable parameters, symmetric).
    /// Both accumulate, like the gradient. Calls to [Differentiable] methods are inlined; a call to a [CustomGradient] method,
    /// whose second derivative is not known, is rejected (SD0041).
    /// </summary>
    public bool Hessian { get; set; }

    /// <summary>
    /// Bounds the memory of long loops. A loop whose backward pass needs values from every iteration keeps them here
    /// only at checkpoints: its carried variables every ⌈√n⌉ iterations of n. The backward pass runs each segment
    /// forward again from its checkpoint, keeping that segment's values, then reverses it. Memory: about 2√n
    /// iterations' worth instead of n (1,000 × 2 for a million steps), at the cost of running those loops forward
    /// twice. The gradient is bit for bit the one without checkpoints. The generated code states it per loop.
    /// </summary>
    public bool Checkpointing { get; set; }

    /// <summary>
    /// Caps the memory of each loop's backward pass at this many bytes, and checkpoints every loop that keeps values per
    /// iteration (as <see cref="Checkpointing"/> does) within that cap: one segment's values and at most as many
    /// checkpoints as fit, placed by the binomial (Revolve) schedule of <see cref="CheckpointSchedule"/>. When the
    /// checkpoints are fewer than the segments, segments run forward again from the nearest checkpoint: a million steps
    /// of an integrator keeping 16 bytes per step take 14 KB under a cap of 16 KB instead of 16 MB, and run forward 2.7
    /// times on average instead of twice (4.9 times under 1 KB). The gradient is bit for bit the one without checkpoints.
    /// Buffers are rented in powers of two of at least 16 elements, so a cap below 16 iterations' and 16 checkpoints'
    /// worth recomputes more without keeping less; the stacks of loops nested in a checkpointed loop are not counted.
    /// The gradient's loops are capped; a Jacobian, a Hessian and a Hessian-vector product keep full storage, and so do
    /// <c>while</c> loops. The generated code states each loop's memory and its recomputation.
    /// </summary>
    public long LoopMemoryLimit { get; set; }
}

/// <summary>
/// Excludes a parameter of a <see cref="DifferentiableAttribute"/> method from differentiation:
/// it is treated as a constant and gets no adjoint slot in the generated gradient. On a <c>static readonly</c>
/// array field it marks the array as constant data that [Differentiable] methods may index and ask for its Length
/// (keep its elements unchanged while a gradient runs: the backward pass reads them again).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class NoDiffAttribute : Attribute
{
}

/// <summary>
/// Registers a hand-written gradient for a static method the generator cannot see into (a call into a native
/// library, say), so that <see cref="DifferentiableAttribute"/> methods may call it. The gradient method lives in
/// the same type and follows the generated convention: for <c>double F(double x, [NoDiff] double s)</c> it is
/// <c>static double FGradient(double x, double s, ref double dx)</c>, returning F and adding ∂F/∂x to <c>dx</c>.
/// A gradient with another signature is reported (SD0024) where F is called.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CustomGradientAttribute : Attribute
{
    /// <summary>Registers the method named <paramref name="gradientMethod"/> as the gradient.</summary>
    public CustomGradientAttribute(string gradientMethod) => GradientMethod = gradientMethod;

    /// <summary>The name of the hand-written gradient method.</summary>
    public string GradientMethod { get; }
}
