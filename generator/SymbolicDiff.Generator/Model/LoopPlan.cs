namespace SymbolicDiff.Generator.Model;

/// <summary>How the gradient differentiates one loop.</summary>
internal enum LoopStrategy
{
    /// <summary>Nothing in the loop reaches an adjoint: it runs in the forward pass only.</summary>
    ForwardOnly,
    /// <summary>
    /// Its carried variables are running sums (<c>s += …</c>, read nowhere else), so their adjoints are the same in every
    /// iteration and each iteration's derivatives are taken as it runs: one pass in the order written, nothing kept.
    /// The values after the loop that depend on it (none of which the backward pass reads) are computed after it.
    /// </summary>
    Fused,
    /// <summary>
    /// The backward pass runs the iterations in reverse: each restores the carried variables and values kept for it and
    /// recomputes the rest of what its derivatives read.
    /// </summary>
    Reversed,
}

/// <summary>
/// The plan for one loop, decided from the DAG before any text is written: what is kept per iteration, what is
/// recomputed, and what moves. Node ids refer to <see cref="DifferentiableMethod.Nodes"/>.
/// </summary>
/// <param name="Loop">The <see cref="Op.Loop"/> node.</param>
/// <param name="Strategy">How its backward pass runs.</param>
/// <param name="SavedPhis">Carried variables kept at the start of every iteration (Reversed).</param>
/// <param name="KeptValues">Values computed in the body and kept per iteration because recomputing them costs more than
/// keeping them: transcendental functions, divisions, the results of inner loops (Reversed).</param>
/// <param name="Recomputed">Body values each reverse iteration computes again from the kept ones (Reversed).</param>
/// <param name="Deferred">Values after the loop that depend on it, computed once the backward pass has run it (Fused).</param>
/// <param name="RunForwardInReverse">For a loop inside another loop's body: whether the enclosing loop's reverse
/// iteration runs it forward again (to record what its own reverse needs, or values it yields); when false only its
/// reverse runs there.</param>
/// <param name="BytesPerIteration">Memory kept per iteration (saved carried variables and kept values).</param>
/// <param name="StackedInEnclosing">For a loop directly in a Reversed loop's body: what it keeps is recorded when the
/// enclosing loop records its own, for every iteration of that loop, one iteration's values after the other (a stack:
/// the enclosing loop's reverse takes them off in reverse order), so that reverse never runs this loop forward again.</param>
/// <param name="Checkpointed">With <c>Checkpointing = true</c>: the loop keeps its carried variables every ⌈√n⌉
/// iterations, and its reverse runs each segment forward again from its checkpoint to keep that segment's values.</param>
/// <param name="RunningSums">Carried variables that are running sums (<c>s += e</c>, <c>s -= e</c>, s read nowhere else in
/// the loop): their adjoint is the same in every iteration, so the backward pass passes it on unchanged.</param>
/// <param name="KeptOnce">For a fused loop: values that loops inside it keep and that are the same in every one of its
/// iterations (they depend on nothing it changes, e.g. exp of a parameter indexed by inner counters): computed in its
/// first iteration only, and read back from their buffers in the others.</param>
/// <param name="Inductions">Carried integers the reverse needs that step by the same amount every iteration
/// (<c>k++</c>, <c>k += d</c> with d set before the loop): each reverse iteration computes its value as the value before the
/// loop + iteration × step (integer arithmetic, exact) instead of keeping it (Reversed).</param>
internal sealed record LoopPlan(
    int Loop,
    LoopStrategy Strategy,
    EquatableArray<int> SavedPhis,
    EquatableArray<int> KeptValues,
    EquatableArray<int> Recomputed,
    EquatableArray<int> Deferred,
    bool RunForwardInReverse,
    int BytesPerIteration,
    bool StackedInEnclosing = false,
    bool Checkpointed = false,
    EquatableArray<int> RunningSums = default,
    EquatableArray<int> KeptOnce = default,
    EquatableArray<int> Inductions = default);
