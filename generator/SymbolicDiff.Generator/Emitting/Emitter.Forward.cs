using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The forward pass, with tangents in forward mode: values in node order, branches as if blocks.</summary>
internal sealed partial class Emitter
{
    // ---- Forward pass --------------------------------------------------------------------------

    private void WriteForwardRegion(int region, bool recordLoops)
    {
        foreach (var node in _nodes.Where(n => n.Region == region && (IsLocal(n.Id) || (_reachable[n.Id] && n.Op is Op.Loop or Op.Store or Op.If or Op.NewArray)) && InFilter(n.Id)
            && (_filter is not null || !_deferred.Contains(n.Id))))
        {
            if (node.Op == Op.NewArray)
            {
                if (!_inRecompute)
                {
                    WriteNewArray(node);   // (a loop's reverse must not zero it again: its adjoint is in use)
                }
                continue;
            }
            if (node.Op == Op.Loop)
            {
                WriteLoopForward(node, recordLoops && HasBackwardWork(node));
                continue;
            }
            if (node.Op == Op.Store)
            {
                WriteStoreForward(node);
                continue;
            }
            string type = node.Type.Keyword();
            string name = node.Op == Op.If ? "" : Identifier(_names[node.Id]!);
            if (node.Op is not (Op.Select or Op.If))
            {
                if (_writingBackward && OverwrittenLater(node))
                {
                    _memoryReadsInBackward.Add(node.Id);   // the buffer has changed since: see RecomputedMemoryReads
                }
                Comment(node.Statement, "");
                if (_keptBy.TryGetValue(node.Id, out int keeper) && _recordingAt.TryGetValue(keeper, out string? iteration))
                {
                    string kept = $"{_bufferNames[node.Id]}[{iteration}]";
                    if (_keptOnceIn.TryGetValue(node.Id, out int fused) && _fusedFirst.TryGetValue(fused, out string? first))
                    {
                        // The same in every iteration of the fused loop: computed in its first, read back in the others.
                        Line($"{type} {name} = {first} ? ({kept} = {Render(node).Text}) : {kept};");
                        continue;
                    }
                    Line(_hoisted.Contains(node.Id) ? $"{name} = {Render(node).Text};" : $"{type} {name} = {Render(node).Text};");
                    Line($"{kept} = {name};");
                    continue;
                }
                Line(_hoisted.Contains(node.Id) ? $"{name} = {Render(node).Text};" : $"{type} {name} = {Render(node).Text};");
                if (_tangentMode && _active[node.Id])
                {
                    WriteCallGradient(node);
                    Line($"{type} {AdjointName(node.Id)} = {TangentOf(node).Text};");
                }
                continue;
            }
            var group = BranchGroup(node);
            if (group[0] != node.Id)
            {
                continue;   // written with the first select of its if statement
            }
            Comment(node.Statement, "");
            var condition = Ref(node.Args[0]);
            if (group.Count == 1 && node.Op == Op.Select && !HasLocals(node.TrueRegion) && !HasLocals(node.FalseRegion))
            {
                string value = Code.Condition(condition, Ref(node.Args[1]), Ref(node.Args[2])).Text;
                Line(_hoisted.Contains(node.Id) ? $"{name} = {value};" : $"{type} {name} = {value};");
                if (_tangentMode && _active[node.Id])
                {
                    var zero = Code.Constant(0, node.Type);
                    Line($"{type} {AdjointName(node.Id)} = {Code.Condition(condition, TangentCode(node.Args[1]) ?? zero, TangentCode(node.Args[2]) ?? zero).Text};");
                }
                continue;
            }
            // Values computed in a branch but read by the backward pass (or by the reverse of a loop) are declared outside it (forward mode
            // uses them only inside the branch).
            // So are the carried variables of loops in a branch (the backward pass rewinds them); values inside a loop
            // body are recomputed by the backward pass instead.
            bool InBranch(Node n) => (Encloses(node.TrueRegion, n.Region) || Encloses(node.FalseRegion, n.Region)) && !InLoopBelow(node.Region, n.Region);
            // (A recomputation filters the loop, not its carried variables: they come with it.)
            foreach (var kept in _nodes.Where(n => !_tangentMode
                && ((IsLocal(n.Id) && (_neededByBackward[n.Id] || _readByLoops.Contains(n.Id)) && InBranch(n) && InFilter(n.Id))
                    || (n.Op == Op.Phi && _reachable[n.Id] && InBranch(_nodes[LoopOf(n.Id)]) && InFilter(LoopOf(n.Id))))
                && _hoisted.Add(n.Id)))
            {
                Line($"{kept.Type.Keyword()} {Identifier(_names[kept.Id]!)} = {Code.Constant(0, kept.Type).Text};");
            }
            var values = group.Where(m => _nodes[m].Op == Op.Select).ToList();
            foreach (int member in values.Where(m => !_hoisted.Contains(m)))
            {
                Line($"{_nodes[member].Type.Keyword()} {Identifier(_names[member]!)};");
            }
            foreach (int member in values.Where(m => _tangentMode && _active[m]))
            {
                Line($"{_nodes[member].Type.Keyword()} {AdjointName(member)};");
            }
            Line($"if ({condition.Text})");
            WriteForwardBranch(node.TrueRegion, values, 1, recordLoops);
            if (values.Count > 0 || HasLocals(node.FalseRegion))
            {
                Line("else");
                WriteForwardBranch(node.FalseRegion, values, 2, recordLoops);
            }
        }
    }

    private bool InFilter(int id) => _filter is null || _filter.Contains(id);

    /// <summary>Writes a branch, then assigns each select of the group its value from this branch (arg 1 or 2).</summary>
    private void WriteForwardBranch(int region, List<int> group, int arg, bool recordLoops)
    {
        Line("{");
        _depth++;
        int lastStatement = _lastStatement;
        WriteForwardRegion(region, recordLoops);
        _lastStatement = lastStatement;
        foreach (int member in group)
        {
            Line($"{Identifier(_names[member]!)} = {Ref(_nodes[member].Args[arg]).Text};");
            if (_tangentMode && _active[member])
            {
                var tangent = TangentCode(_nodes[member].Args[arg]) ?? Code.Constant(0, _nodes[member].Type);
                Line($"{AdjointName(member)} = {tangent.Text};");
            }
        }
        _depth--;
        Line("}");
    }

    /// <summary>
    /// The reachable selects that share this select's branches: an if statement that assigns several variables
    /// makes one select per variable, and its branches are written once for all of them.
    /// An if statement that writes outputs in its branches adds its <see cref="Op.If"/> node, which has no value.
    /// </summary>
    private List<int> BranchGroup(Node select) =>
        _nodes.Where(n => n.Op is Op.Select or Op.If && n.TrueRegion == select.TrueRegion && _reachable[n.Id] && InFilter(n.Id)).Select(n => n.Id).ToList();

    private bool HasLocals(int region) => _nodes.Any(n => (IsLocal(n.Id) || (_reachable[n.Id] && n.Op is Op.Loop or Op.Store or Op.If)) && InFilter(n.Id) && Encloses(region, n.Region));


    // ---- Forward mode ----------------------------------------------------------------------------

    /// <summary>
    /// Forward mode: each value's tangent d&lt;name&gt; (its derivative along the direction given for the
    /// parameters) is computed right after the value, as the sum over its operands of ∂value/∂operand · d&lt;operand&gt;.
    /// </summary>
    private string WriteTangent()
    {
        Analyse();
        _dryRun = true;
        foreach (var node in _nodes.Where(n => _reachable[n.Id] && _active[n.Id] && n.Op is not (Op.Parameter or Op.Select or Op.Loop or Op.Store or Op.NewArray)))
        {
            TangentOf(node);
        }
        foreach (var store in _nodes.Where(n => _reachable[n.Id] && n.Op == Op.Store))
        {
            Ref(store.Args[1]);
        }
        foreach (var select in _nodes.Where(n => _reachable[n.Id] && n.Op is Op.Select or Op.If))
        {
            Ref(select.Args[0]);
        }
        _dryRun = false;
        AssignNames();
        string output = _allocator.Unique("d" + _method.Name);

        var body = new StringBuilder();
        _text = body;
        _depth = 1 + _method.ContainingTypes.Count + (_method.Namespace is null ? 0 : 1);
        WriteLengthChecks();
        foreach (var written in _method.Parameters.Where(p => p.Kind == ParameterKind.OutputArray))
        {
            // An element this call does not write is constant: its derivative is 0.
            Line($"{Identifier(_adjointNames[written.Node]!)}.Clear();");
        }
        DeclareMemoryArrays();
        Line("// Forward pass with tangents: d<name> is the derivative of <name> along the direction (d<parameter>, …)");
        WriteForwardRegion(0, recordLoops: false);
        ReturnBuffers();
        if (!_method.HasVectorOutput)
        {
            Line();
            Line($"{Identifier(output)} = {(TangentCode(_method.Result) ?? Code.Constant(0, _method.ReturnType)).Text};");
            Line("return " + Ref(_method.Result).Text + ";");
        }

        var m = _method;
        var differentiable = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        var outputs = m.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).ToList();
        string direction = string.Join(" + ", differentiable.Select(p => $"∂{m.Name}/∂{p.Name}·{_adjointNames[p.Node]}"));
        var summary = m.HasVectorOutput
            ? new List<string>
            {
                $"Runs <see cref=\"{Cref()}\"/> and writes into " + string.Join(", ", outputs.Select(p => $"<paramref name=\"{_adjointNames[p.Node]}\"/>")),
                "the outputs' directional derivatives (forward mode, a Jacobian-vector product): " + direction + ".",
            }
            : new List<string>
            {
                $"Returns <see cref=\"{Cref()}\"/> and, in <paramref name=\"{output}\"/>, its directional derivative",
                "(forward mode, a Jacobian-vector product): " + direction + ".",
            };
        var parameters = m.Parameters.Select(p => DeclaredType(p) + " " + Identifier(_names[p.Node]!))
            .Concat(differentiable.Select(p => (p.Kind == ParameterKind.Scalar ? p.Type.Keyword() : ReadOnlySpanOf(p.Type)) + " " + Identifier(_adjointNames[p.Node]!)))
            .Concat(outputs.Select(p => SpanOf(p.Type) + " " + Identifier(_adjointNames[p.Node]!)));
        if (!m.HasVectorOutput)
        {
            parameters = parameters.Append("out " + m.ReturnType.Keyword() + " " + Identifier(output));
        }
        return MethodText(summary, m.TangentName!, parameters, body.ToString());
    }

    /// <summary>The tangent of a value, or null when it does not depend on a differentiated parameter.</summary>
    private Code? TangentCode(int id)
    {
        var node = _nodes[id];
        if (!_active[id])
        {
            return null;
        }
        if (node.Op == Op.Parameter || IsLocal(id))
        {
            return Code.Name(AdjointName(id));
        }
        return TangentOf(node);
    }

    /// <summary>Σ ∂node/∂operand · d(operand), from the same rules as the backward pass (with an adjoint of 1).</summary>
    private Code TangentOf(Node node)
    {
        switch (node.Op)
        {
            case Op.Phi:
                return Code.Name(AdjointName(node.Id));   // the carried tangent, updated with its variable
            case Op.LoopExit:
                return TangentCode(node.Args[0]) ?? Code.Constant(0, node.Type);
            case Op.Load:
                return Code.Name($"{AdjointName(node.Args[0])}[{Ref(node.Args[1]).Text}]");   // the direction's element
        }
        Code? sum = null;
        foreach (var (arg, partial, negate) in Partials(node, Code.Constant(1, node.Type)))
        {
            if (TangentCode(arg) is not { } tangent)
            {
                continue;
            }
            if (_nodes[arg].Type != node.Type)
            {
                tangent = Code.Cast(node.Type, tangent);
            }
            var term = Code.Times(partial, tangent);
            sum = sum is null ? (negate ? Code.Prefix("-", term) : term) : negate ? Code.Minus(sum.Value, term) : Code.Plus(sum.Value, term);
        }
        return sum ?? Code.Constant(0, node.Type);
    }
}
