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
            var share = Text(node, negate ? ((Derivative.Apply)partial).Args[0] : partial, d, shared: _needsAdjoint[node.Args[k]]);
            yield return (node.Args[k], share, negate);
        }
    }

    /// <summary>The C# text of a table expression for <paramref name="node"/>, whose incoming adjoint is <paramref name="d"/>.</summary>
    /// <remarks>In vector mode (<paramref name="shared"/>, several rows per backward pass) the parts of the rule that do
    /// not read the adjoint are computed once into a local that every row's share reads.</remarks>
    private Code Text(Node node, Derivative expression, Code d, bool shared = false) =>
        RuleText.Of(expression, node.Type, i => Ref(node.Args[i]), i => node.Args[i], () => Ref(node.Id), d,
            i => Code.Name(CallSlot(node, i)), (op, type) => FunctionName(Operations.Of(op)!, type, MathClass, ActivationsClass),
            (op, operands) => Computed(node, op, operands.Select(i => node.Args[i])) is int value ? Ref(value) : null,
            shared && _lanes > 1 && !_dryRun ? SharedPart : null);

    /// <summary>A part of a rule every row of a vector-mode backward pass reads: declared once here, read by name.</summary>
    private Code SharedPart(Code part)
    {
        if (part.Literal is not null || (part.Precedence == Code.Primary && part.Text.IndexOfAny(new[] { '(', '[' }) < 0))
        {
            return part;   // a name or a number already
        }
        string name = _allocator.Next("t", ref _temporaries);
        Line($"var {name} = {part.Text};");
        return Code.Name(name);
    }

    /// <summary>Function values by operation and operands, for <see cref="Computed"/>.</summary>
    private Dictionary<string, List<int>>? _functionValues;

    /// <summary>
    /// A value the method computes as <paramref name="op"/> of <paramref name="operands"/> wherever <paramref name="node"/>
    /// is computed (in its region or one around it; in forward mode also before it), so a rule of node reads it instead
    /// of calling the function again: the derivative of sin θ reads the method's cos θ. Reading it marks it as read by
    /// the backward pass in the dry run, which keeps it where that pass can read it.
    /// </summary>
    private int? Computed(Node node, Op op, IEnumerable<int> operands)
    {
        _functionValues ??= _nodes.Where(n => _reachable[n.Id] && Operations.Of(n.Op) is { Spelling: not Spelling.Operator })
            .GroupBy(n => FunctionKey(n.Op, n.Args)).ToDictionary(g => g.Key, g => g.Select(n => n.Id).ToList());
        return _functionValues.TryGetValue(FunctionKey(op, operands), out var candidates)
            ? candidates.Where(m => m != node.Id && _nodes[m].Type == node.Type && Encloses(_nodes[m].Region, node.Region) && (!_tangentMode || m < node.Id))
                .Select(m => (int?)m).FirstOrDefault()
            : null;
    }

    private static string FunctionKey(Op op, IEnumerable<int> operands) => op + "(" + string.Join(",", operands) + ")";
}
