using System.Collections.Generic;

namespace SymbolicDiff.Generator.Model;

/// <summary>Which operands a node's derivative flows into: shared by the parser (SD0017) and the emitter.</summary>
internal static class DerivativeFlow
{
    /// <summary>
    /// The operands that receive a share of the node's adjoint. Comparisons, rounding functions (piecewise constant
    /// in <see cref="Operations"/>) and conversions to integers are piecewise constant, so nothing flows through them; a select routes
    /// the adjoint to its branch values, never to its condition.
    /// </summary>
    public static IEnumerable<int> DifferentiableArgs(Node node, IReadOnlyList<Node> nodes)
    {
        if (!node.Type.IsFloating())
        {
            yield break;
        }
        switch (node.Op)
        {
            case Op.Parameter or Op.Constant:
                yield break;
            case Op.NewArray:
                // A local array held in memory: what is read from it (a load's derivative flows here) is what was written into it.
                foreach (var store in nodes)
                {
                    if (store.Op == Op.Store && store.Args[0] == node.Id)
                    {
                        yield return store.Id;
                    }
                }
                yield break;
            case var op when Operations.PiecewiseConstant(op):
                yield break;
            case Op.Select:
                yield return node.Args[1];
                yield return node.Args[2];
                yield break;
            case Op.Call:
                for (int i = 0; i < node.Args.Count; i++)
                {
                    if (node.Callee!.Differentiable[i])
                    {
                        yield return node.Args[i];
                    }
                }
                yield break;
            default:
                var partials = Operations.Of(node.Op)?.Partials;
                for (int k = 0; k < node.Args.Count; k++)
                {
                    // An operand the table gives no derivative (CopySign's sign source) receives nothing.
                    if (nodes[node.Args[k]].Type.IsFloating() && (partials is not { } p || k >= p.Count || p[k] is not null))
                    {
                        yield return node.Args[k];
                    }
                }
                yield break;
        }
    }

    /// <summary>A write of an output array (a result of the method), not of a local array held in memory.</summary>
    public static bool IsOutputStore(Node node, IReadOnlyList<Node> nodes) => node.Op == Op.Store && nodes[node.Args[0]].Op != Op.NewArray;

    /// <summary>A read or write of a local array held in memory (<see cref="Op.NewArray"/>).</summary>
    public static bool IsMemoryAccess(Node node, IReadOnlyList<Node> nodes) => node.Op is Op.Load or Op.Store && nodes[node.Args[0]].Op == Op.NewArray;

    /// <summary>
    /// The indices of the operands a derivative flows into (<see cref="DifferentiableArgs"/> by position, so x·x gives
    /// both); never a select's condition.
    /// </summary>
    public static IEnumerable<int> FlowingOperands(Node node, IReadOnlyList<Node> nodes)
    {
        var flowing = new HashSet<int>(DifferentiableArgs(node, nodes));
        for (int k = 0; k < node.Args.Count; k++)
        {
            if (flowing.Contains(node.Args[k]) && (node.Op != Op.Select || k > 0))
            {
                yield return k;
            }
        }
    }

    /// <summary>Every node from which a derivative path leads to <paramref name="result"/>.</summary>
    public static HashSet<int> ReachedNodes(IReadOnlyList<Node> nodes, int result) =>
        Reach(result, id => DifferentiableArgs(nodes[id], nodes));

    /// <summary>The nodes reachable from <paramref name="start"/> (itself included) by following <paramref name="next"/>.</summary>
    public static HashSet<int> Reach(int start, System.Func<int, IEnumerable<int>> next)
    {
        var reached = new HashSet<int>();
        var pending = new Stack<int>();
        pending.Push(start);
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (reached.Add(id))
            {
                foreach (int arg in next(id))
                {
                    pending.Push(arg);
                }
            }
        }
        return reached;
    }
}
