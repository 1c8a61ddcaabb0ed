using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The backward pass: adjoints in reverse node order, routed through branches, skipped where zero meets ∞.</summary>
internal sealed partial class Emitter
{
    // ---- Backward pass -------------------------------------------------------------------------

    private void WriteBackwardPass()
    {
        int result = _method.Result;
        if (result < 0)
        {
            WriteBackwardRegion(0);   // a vector output: the output adjoints seed the pass
            return;
        }
        if (_nodes[result].Op == Op.Parameter && _needsAdjoint[result])
        {
            Line($"{AdjointName(result)} += {Code.Constant(1, _nodes[result].Type).Text};");
            return;
        }
        if (_nodes[result].Name is { } name && _needsAdjoint[result] && _nodes[result].Op != Op.LoopExit)
        {
            // The result is one of the user's locals: seed its adjoint by name, so the chain rule reads df * ….
            _declaredAdjoints.Add(result);
            Comment(_nodes[result].Statement, "adjoint of: ");
            Line($"{_nodes[result].Type.Keyword()} {AdjointName(result)} = {Code.Constant(1, _nodes[result].Type).Text};   // ∂{name}/∂{name}");
        }
        WriteBackwardRegion(0);
    }

    private void WriteBackwardRegion(int region)
    {
        for (int id = _nodes.Count - 1; id >= 0; id--)
        {
            var node = _nodes[id];
            if (node.Region != region || !_reachable[id])
            {
                continue;
            }
            switch (node.Op)
            {
                case Op.Select or Op.If:
                    WriteSelectBackward(node);
                    continue;
                case Op.Loop:
                    WriteLoopBackward(node);
                    continue;
                case Op.Store:
                    WriteStoreBackward(node);
                    continue;
                case Op.Load:
                    WriteLoadBackward(node);
                    continue;
                case Op.NewArray:
                    WriteNewArrayBackward(node);
                    continue;
                case Op.Phi or Op.LoopCounter or Op.LoopExit or Op.Length:
                    continue;   // carried adjoints are handled by their loop
            }
            if (!_needsAdjoint[id] || node.Op == Op.Parameter || !HasAdjoint(id))
            {
                continue;
            }
            Comment(node.Statement, "adjoint of: ");
            var adjoint = Adjoint(id);
            var partials = Partials(node, adjoint).ToList();
            if (!_gated.Contains(id) || Operations.PreservesZero(node.Op) || !(Operations.CanLeaveDomain(node.Op) || _mayBeNonFinite[id] || node.Args.Any(a => _mayBeNonFinite[a])))
            {
                WriteCallGradient(node);
                foreach (var (arg, share, negate) in partials)
                {
                    Contribute(id, arg, share, negate, node.Type);
                }
                continue;
            }
            // This adjoint is zero whenever a branch not taken routed nothing here, and the local derivative may
            // be infinite or NaN there (a Sqrt the branch guarded against, say). Skipping it keeps 0·∞ = NaN out.
            foreach (int arg in partials.Select(p => p.Arg).Distinct().Where(a => _needsAdjoint[a] && !HasAdjoint(a)))
            {
                _declaredAdjoints.Add(arg);
                Line($"{_nodes[arg].Type.Keyword()} {AdjointName(arg)} = {Code.Constant(0, _nodes[arg].Type).Text};");
            }
            string nonZero = Code.Binary(adjoint, "!=", Code.Constant(0, node.Type), Code.Equality).Text;
            if (_lanes > 1 && node.Op == Op.Call)
            {
                // Vector mode: the callee's gradient once, when some row's adjoint is not zero; each row skips on its own below.
                Line($"if ({string.Join(" || ", Enumerable.Range(0, _lanes).Select(lane => InLane(nonZero, lane)))})");
                Line("{");
                _depth++;
                WriteCallGradient(node);
            }
            PerLane(() =>
            {
                Line($"if ({nonZero})");
                Line("{");
                _depth++;
                if (_lanes == 1)
                {
                    WriteCallGradient(node);
                }
                foreach (var (arg, share, negate) in partials)
                {
                    Contribute(id, arg, share, negate, node.Type);
                }
                _depth--;
                Line("}");
            });
            if (_lanes > 1 && node.Op == Op.Call)
            {
                _depth--;
                Line("}");
            }
        }
    }

    /// <summary>
    /// For a call to another [Differentiable] method: runs its generated gradient into fresh slots, named
    /// d&lt;callee&gt;_d&lt;parameter&gt;, which the shares then scale by this node's adjoint.
    /// </summary>
    private void WriteCallGradient(Node node)
    {
        if (node.Op != Op.Call)
        {
            return;
        }
        var callee = node.Callee!;
        var slots = new List<string>();
        for (int i = 0; i < node.Args.Count; i++)
        {
            if (callee.Differentiable[i])
            {
                var type = _nodes[node.Args[i]].Type;
                Line($"{type.Keyword()} {CallSlot(node, i)} = {Code.Constant(0, type).Text};");
                slots.Add("ref " + CallSlot(node, i));
            }
        }
        var arguments = node.Args.Select(a => Ref(a).Text).Concat(slots);
        Line($"{callee.Gradient}({string.Join(", ", arguments)});");
    }

    private string CallSlot(Node node, int parameter)
    {
        if (_dryRun)
        {
            return "slot";
        }
        if (!_callSlots.TryGetValue(node.Id, out var slots))
        {
            string callee = node.Callee!.Method.Substring(node.Callee.Method.LastIndexOf('.') + 1);
            slots = node.Callee.Parameters.Select(p => _allocator.Unique("d" + callee + "_d" + p)).ToArray();
            _callSlots[node.Id] = slots;
        }
        return slots[parameter];
    }

    /// <summary>The branch taken in the forward pass routes the adjoint, as max does in the lectures' circuits.</summary>
    private void WriteSelectBackward(Node node)
    {
        var group = BranchGroup(node);
        if (group[group.Count - 1] != node.Id)
        {
            return;   // written with the last select of its if statement, which comes first in reverse
        }
        var routed = group.Where(m => _nodes[m].Op == Op.Select && _needsAdjoint[m] && HasAdjoint(m)).ToList();
        bool branchesHaveWork = _nodes.Any(n => _reachable[n.Id] && _needsAdjoint[n.Id] && n.Op != Op.Parameter
            && (Encloses(node.TrueRegion, n.Region) || Encloses(node.FalseRegion, n.Region)));
        bool writesOutputs = group.Any(m => _nodes[m].Op == Op.If);
        if (routed.Count == 0 && !(writesOutputs && branchesHaveWork))
        {
            return;
        }
        Comment(node.Statement, "adjoint of: ");
        var condition = Ref(node.Args[0]);
        if (group.Count == 1 && !branchesHaveWork)
        {
            var adjoint = Adjoint(node.Id);
            var zero = Code.Constant(0, node.Type);
            Contribute(node.Id, node.Args[1], Code.Condition(condition, adjoint, zero), false, node.Type);
            Contribute(node.Id, node.Args[2], Code.Condition(condition, zero, adjoint), false, node.Type);
            return;
        }

        // Adjoints of values outside the branches that either branch adds to must exist before the if.
        var outerOperands = OperandsReceivingFrom(node.TrueRegion, routed.Select(m => _nodes[m].Args[1]))
            .Concat(OperandsReceivingFrom(node.FalseRegion, routed.Select(m => _nodes[m].Args[2])));
        foreach (int outer in outerOperands.Distinct().OrderBy(i => i))
        {
            DeclareAdjointBefore(outer);
        }
        bool trueHasWork = BranchHasWork(node.TrueRegion, routed, 1), falseHasWork = BranchHasWork(node.FalseRegion, routed, 2);
        if (trueHasWork)
        {
            Line($"if ({condition.Text})");
            WriteBackwardBranch(node.TrueRegion, routed, 1);
            if (falseHasWork)
            {
                Line("else");
                WriteBackwardBranch(node.FalseRegion, routed, 2);
            }
        }
        else if (falseHasWork)
        {
            Line($"if ({Code.Prefix("!", condition).Text})");
            WriteBackwardBranch(node.FalseRegion, routed, 2);
        }
    }

    private bool BranchHasWork(int region, List<int> routed, int arg) =>
        routed.Any(m => _needsAdjoint[_nodes[m].Args[arg]])
        || _nodes.Any(n => _reachable[n.Id] && _needsAdjoint[n.Id] && n.Op != Op.Parameter && Encloses(region, n.Region));

    private void WriteBackwardBranch(int region, List<int> routed, int arg)
    {
        Line("{");
        _depth++;
        var declaredOutside = new HashSet<int>(_declaredAdjoints);
        int lastStatement = _lastStatement;
        _branchRegions.Push(region);
        foreach (int member in routed)
        {
            Contribute(member, _nodes[member].Args[arg], Adjoint(member), false, _nodes[member].Type);
        }
        WriteBackwardRegion(region);
        _branchRegions.Pop();
        _declaredAdjoints = declaredOutside;   // adjoints declared in the branch go out of scope with it
        _lastStatement = lastStatement;
        _depth--;
        Line("}");
    }

    /// <summary>Nodes outside <paramref name="region"/> whose adjoints the branch adds to.</summary>
    private IEnumerable<int> OperandsReceivingFrom(int region, IEnumerable<int> values)
    {
        var sources = _nodes.Where(n => _reachable[n.Id] && _needsAdjoint[n.Id] && Encloses(region, n.Region))
            .SelectMany(n => DerivativeFlow.DifferentiableArgs(n, _nodes))
            .Concat(values);
        return sources.Where(a => _needsAdjoint[a] && !Encloses(region, _nodes[a].Region));
    }

    /// <summary>
    /// Declares an adjoint before a branch or loop adds to it, starting from what it already holds (an aliased
    /// share from a later use must not be lost).
    /// </summary>
    private void DeclareAdjointBefore(int id)
    {
        if (_declaredAdjoints.Contains(id) || _isParameterWithAdjoint[id])
        {
            return;
        }
        var start = _aliasedAdjoints.TryGetValue(id, out var alias) ? alias : Code.Constant(0, _nodes[id].Type);
        _aliasedAdjoints.Remove(id);
        _declaredAdjoints.Add(id);
        Line($"{_nodes[id].Type.Keyword()} {AdjointName(id)} = {start.Text};");
    }

    private bool HasAdjoint(int id) =>
        id == _method.Result || _declaredAdjoints.Contains(id) || _aliasedAdjoints.ContainsKey(id) || _isParameterWithAdjoint[id];

    private Code Adjoint(int id) =>
        _aliasedAdjoints.TryGetValue(id, out var alias) ? alias
        : id == _method.Result && !_declaredAdjoints.Contains(id) ? Code.Constant(1, _nodes[id].Type)
        : Code.Name(AdjointName(id));

    /// <summary>
    /// A single arithmetic operation with one operand that takes an adjoint reads its own adjoint once, so that adjoint
    /// can stay an expression written where it is read (<c>dc += dt * a * 1.5</c>) at no extra cost.
    /// </summary>
    private bool AdjointReadOnce(int id)
    {
        var node = _nodes[id];
        return node.Op is Op.Negate or Op.Add or Op.Subtract or Op.Multiply && node.Type.IsFloating()
            && node.Args.Count(a => _needsAdjoint[a]) == 1;
    }

    /// <summary>Adds <paramref name="share"/> (of type <paramref name="shareType"/>) from <paramref name="source"/> to the adjoint of <paramref name="target"/>.</summary>
    private void Contribute(int source, int target, Code share, bool negate, ScalarType shareType)
    {
        if (!_needsAdjoint[target] || (_runningSums.Contains(source) && _nodes[target].Op == Op.Phi) || _readsForUpdate.Contains(target))
        {
            return;   // (a read for an update in place: its adjoint stays in the array's)
        }
        // The target's adjoint may be exactly zero when the share is routed by a condition, flows from an
        // adjoint that may be zero, or comes from inside a branch that need not have been taken.
        if (share.Precedence == Code.Conditional || _gated.Contains(source)
            || (_branchRegions.Count > 0 && !Encloses(_branchRegions.Peek(), _nodes[target].Region)))
        {
            _gated.Add(target);
        }
        var type = _nodes[target].Type;
        if (type != shareType)
        {
            share = Code.Cast(type, share);
        }
        var signed = negate ? Code.Prefix("-", share) : share;
        if (!IsLocal(target) && _useCount[target] == 1 && _nodes[target].Op is not (Op.LoopExit or Op.Phi)
            && !_isParameterWithAdjoint[target] && !_declaredAdjoints.Contains(target)
            && ((signed.Precedence >= Code.Unary && signed.Text.IndexOfAny(new[] { ' ', '(' }) < 0) || AdjointReadOnce(target)))
        {
            // An inline value is used exactly once, so its adjoint is this one share: no variable needed
            // when the share is just a name or a number, or when the value's own rule reads its adjoint once.
            _aliasedAdjoints[target] = signed;
            return;
        }
        string name = AdjointName(target);
        if (_isParameterWithAdjoint[target] || _declaredAdjoints.Contains(target))
        {
            if (Code.IsNegation(share))
            {
                (share, negate) = (Code.Prefix("-", share), !negate);
            }
            Line($"{name} {(negate ? "-=" : "+=")} {share.Text};");
        }
        else
        {
            _declaredAdjoints.Add(target);
            Line($"{type.Keyword()} {name} = {signed.Text};");
        }
    }
}
