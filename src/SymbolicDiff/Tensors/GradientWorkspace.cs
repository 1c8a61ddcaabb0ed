using System;
using System.Threading;

namespace SymbolicDiff.Tensors;

/// <summary>
/// The base of every generated <c>&lt;Method&gt;Workspace</c>: the buffers a tensor gradient reuses between calls.
/// A workspace belongs to one call at a time. The generated gradient enters it on start and leaves it on return
/// (or throw); a second call that finds it entered, from another thread, throws instead of silently sharing the
/// buffers and corrupting both gradients. Use one workspace per thread.
/// </summary>
public abstract class GradientWorkspace
{
    private int _inUse;

    /// <summary>
    /// Marks the workspace in use until the returned scope is disposed; throws <see cref="InvalidOperationException"/>
    /// when it is in use already. Generated gradients call this (<c>using var scope = workspace.Enter("FGradient");</c>).
    /// </summary>
    public Scope Enter(string gradient)
    {
        // One interlocked exchange per call: uncontended, it costs a few nanoseconds.
        if (Interlocked.Exchange(ref _inUse, 1) != 0)
        {
            throw new InvalidOperationException(
                $"{GetType().Name} is already in use by another call of {gradient}: a workspace holds one call's buffers, so it "
                + "cannot be shared by calls running at the same time. Use one workspace per thread (for example "
                + "new ThreadLocal<" + GetType().Name + ">(() => new " + GetType().Name + "()) or one per Parallel.For worker).");
        }
        return new Scope(this);
    }

    /// <summary>Leaves the workspace entered by <see cref="Enter"/>, so the next call can use it.</summary>
    public readonly ref struct Scope
    {
        private readonly GradientWorkspace _workspace;

        internal Scope(GradientWorkspace workspace) => _workspace = workspace;

        /// <summary>Marks the workspace free again.</summary>
        public void Dispose() => Volatile.Write(ref _workspace._inUse, 0);
    }
}
