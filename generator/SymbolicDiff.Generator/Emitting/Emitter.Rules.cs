using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The derivative rules as text: an interpreter of the operation table's <see cref="Derivative"/> expressions.</summary>
internal sealed partial class Emitter
{
    // ---- Derivative rules ----------------------------------------------------------------------

    /// <summary>
    /// For each differentiable operand: its share of the node's adjoint <paramref name="d"/> (the local
    /// derivative times d, from <see cref="Operations.Partial"/>) and whether that share is subtracted.
    /// </summary>
    private IEnumerable<(int Arg, Code Share, bool Negate)> Partials(Node node, Code d)
    {
        for (int k = 0; k < node.Args.Count; k++)
        {
            if (Operations.Partial(node, k, a => _nodes[a].Op == Op.Constant ? _nodes[a].Constant : null) is not { } partial)
            {
                continue;
            }
            // A leading minus becomes "-=" rather than a negated term.
            bool negate = partial is Derivative.Apply { Op: Op.Negate } minus;
            var share = Text(node, negate ? ((Derivative.Apply)partial).Args[0] : partial, d);
            yield return (node.Args[k], share, negate);
        }
    }

    /// <summary>The C# text of a table expression for <paramref name="node"/>, whose incoming adjoint is <paramref name="d"/>.</summary>
    private Code Text(Node node, Derivative expression, Code d) =>
        RuleText.Of(expression, node.Type, i => Ref(node.Args[i]), i => node.Args[i], () => Ref(node.Id), d,
            i => Code.Name(CallSlot(node, i)), (op, type) => FunctionName(Operations.Of(op)!, type, MathClass, ActivationsClass));
}
