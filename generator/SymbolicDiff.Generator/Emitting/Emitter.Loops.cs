using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// Loops and arrays. A loop's trip count is known when it starts, so the backward pass runs the iterations in
/// reverse with no tape: each reverse iteration restores the loop-carried variables the body's derivatives need
/// (kept at the start of every iteration in a buffer sized at entry), recomputes the body's values from them,
/// and runs the body's backward pass. A carried value nothing needs (a sum's running total) is not kept at all.
/// </summary>
internal sealed partial class Emitter
{
    private readonly HashSet<int> _forcedLocals = new();
    private readonly HashSet<int> _nextOfPhi = new();
    private readonly HashSet<int> _initOfPhi = new();
    private readonly Dictionary<int, string> _bufferNames = new();
    private readonly Dictionary<int, int> _exitOf = new();
    private readonly Dictionary<int, string> _tripNames = new();
    private readonly Dictionary<int, bool> _backwardWork = new();

    /// <summary>The next values of running sums (<see cref="LoopPlan.RunningSums"/>): their share back into the sum is left out (see <see cref="AliasRunningSums"/>).</summary>
    private readonly HashSet<int> _runningSums = new();

    /// <summary>
    /// Before a loop body's backward pass: a running sum's next value has the sum's own adjoint (the same in every
    /// iteration), and the share its rule would hand straight back is left out (<see cref="Contribute"/>). Returns those sums.
    /// </summary>
    private List<Node> AliasRunningSums(Node loop)
    {
        var sums = PlanOf(loop).RunningSums.Select(id => _nodes[id]).Where(p => _runningSums.Contains(p.Args[1])).ToList();
        foreach (var phi in sums)
        {
            _aliasedAdjoints[phi.Args[1]] = Code.Name(AdjointName(phi.Id));
        }
        return sums;
    }

    /// <summary>Where an iteration's values sit in the buffers of a loop stacked in the loop around it: above the stack's top.</summary>
    private string OnStack(Node loop, string index) => Code.Plus(Code.Name(_stackTops[loop.Id]), Code.Name(index)).Text;

    /// <summary>Loops being recorded, with the index of the iteration being written (kept values are stored there).</summary>
    private readonly Dictionary<int, string> _recordingAt = new();

    /// <summary>Checkpointed loops (<see cref="LoopPlan.Checkpointed"/>): the buffers of their carried variables' checkpoints, and their schedules.</summary>
    private readonly Dictionary<int, string> _checkpointNames = new();
    private readonly Dictionary<int, string> _scheduleNames = new();

    /// <summary>For loops stacked in the loop around them (<see cref="LoopPlan.StackedInEnclosing"/>): where their next iteration's values go.</summary>
    private readonly Dictionary<int, string> _stackTops = new();

    /// <summary>Values from outside a loop body that its reverse iterations recompute from (so they must be in scope there).</summary>
    private readonly HashSet<int> _readByLoops = new();

    /// <summary>The values the recomputation of a loop body emits; null outside a recomputation.</summary>
    private HashSet<int>? _filter;
    private bool _inRecompute;

    private int Body(Node loop) => loop.TrueRegion;

    private IEnumerable<Node> Phis(Node loop) => _nodes.Where(n => n.Op == Op.Phi && n.Region == Body(loop) && _reachable[n.Id]);

    private Node Counter(Node loop) => _nodes.First(n => n.Op == Op.LoopCounter && n.Args[0] == loop.Id);

    private string CounterName(Node loop) => Identifier(_names[Counter(loop).Id] ?? "i");

    /// <summary>True when the loop's body contributes to some adjoint, so the backward pass must run it in reverse.</summary>
    private bool HasBackwardWork(Node loop)
    {
        if (!_backwardWork.TryGetValue(loop.Id, out bool work))
        {
            work = _nodes.Any(n => _reachable[n.Id] && _needsAdjoint[n.Id] && n.Op is not (Op.Parameter or Op.LoopCounter) && Encloses(Body(loop), n.Region));
            _backwardWork[loop.Id] = work;   // asked by every pass that meets the loop; fixed once Analyse is done
        }
        return work;
    }

    /// <summary>Bounds are read by the loop and its reverse; the next values of several carried variables are assigned together.</summary>
    private void AnalyseLoops()
    {
        foreach (var loop in _nodes.Where(n => n.Op == Op.Loop && _reachable[n.Id]))
        {
            foreach (int bound in loop.Args.Where(a => _nodes[a].Op is not (Op.Constant or Op.Parameter or Op.Length)))
            {
                _forcedLocals.Add(bound);
            }
            var phis = Phis(loop).ToList();
            _nextOfPhi.UnionWith(phis.Select(p => p.Args[1]));
            if (_tangentMode)
            {
                // Next values and their tangents are computed before the carried variables change.
                _forcedLocals.UnionWith(phis.Select(p => p.Args[1]).Where(n => Encloses(Body(loop), _nodes[n].Region) && _nodes[n].Op != Op.Phi));
            }
            _initOfPhi.UnionWith(phis.Where(p => _nodes[p.Args[0]].Region == loop.Region).Select(p => p.Args[0]));
            foreach (var phi in phis.Where(_ => phis.Count > 1))
            {
                _forcedLocals.Add(phi.Args[1]);
            }
        }
        foreach (var exit in _nodes.Where(n => n.Op == Op.LoopExit))
        {
            _exitOf[exit.Args[0]] = exit.Id;
        }
    }

    /// <summary>True when a loop body lies between <paramref name="outer"/> and <paramref name="inner"/> (inner inside it).</summary>
    private bool InLoopBelow(int outer, int inner)
    {
        for (int r = inner; r >= 0 && r != outer; r = _method.Regions[r].Parent)
        {
            if (_method.Regions[r].Loop >= 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The loop node whose body holds a phi.</summary>
    private int LoopOf(int phi) => _method.Regions[_nodes[phi].Region].Loop;

    private void AssignBufferNames()
    {
        foreach (var loop in _nodes.Where(n => !_tangentMode && n.Op == Op.Loop && _reachable[n.Id] && _plans.TryGetValue(n.Id, out var plan)
            && plan.Strategy == LoopStrategy.Reversed && (n.LoopCondition >= 0 || PlainTripCount(n) is null)))
        {
            _tripNames[loop.Id] = _allocator.Unique("trips");
        }
        foreach (int id in _plans.Values.SelectMany(p => p.SavedPhis.Concat(p.KeptValues)))
        {
            _bufferNames[id] = _allocator.Unique(_names[id] + "Saved");
        }
        foreach (var plan in _plans.Values.Where(p => p.StackedInEnclosing))
        {
            _stackTops[plan.Loop] = _allocator.Unique(CounterName(_nodes[plan.Loop]) + "Top");
        }
        foreach (var plan in _plans.Values.Where(p => p.Checkpointed))
        {
            _scheduleNames[plan.Loop] = _allocator.Unique(CounterName(_nodes[plan.Loop]) + "Schedule");
            foreach (var phi in Phis(_nodes[plan.Loop]))
            {
                _checkpointNames[phi.Id] = _allocator.Unique(_names[phi.Id] + "Checkpoints");
            }
        }
    }

    private string LoopBuffers()
    {
        return TypeNames.LoopBuffers;
    }

    /// <summary>Buffers are declared up front (empty) so both passes see them, whichever branch a loop is in.</summary>
    private void DeclareBuffers()
    {
        foreach (var pair in _tripNames.OrderBy(p => p.Key))
        {
            string how = _nodes[pair.Key].LoopCondition >= 0 ? "counted as it runs" : "computed when it starts";
            Line($"int {pair.Value} = 0;   // iterations of {_method.Statements[_nodes[pair.Key].Statement].Text}, {how}");
        }
        foreach (var pair in _bufferNames.OrderBy(p => p.Key))
        {
            string type = _nodes[pair.Key].Type.Keyword();
            Line($"{type}[] {pair.Value} = {TypeNames.Array}.Empty<{type}>();");
        }
        foreach (var pair in _checkpointNames.OrderBy(p => p.Key))
        {
            string type = _nodes[pair.Key].Type.Keyword();
            Line($"{type}[] {pair.Value} = {TypeNames.Array}.Empty<{type}>();");
        }
        foreach (var pair in _scheduleNames.OrderBy(p => p.Key))
        {
            Line($"{TypeNames.CheckpointSchedule} {pair.Value} = default;   // where {_method.Statements[_nodes[pair.Key].Statement].Text} keeps checkpoints");
        }
        foreach (var pair in _stackTops.OrderBy(p => p.Key))
        {
            Line($"int {pair.Value} = 0;   // the top of the values {_method.Statements[_nodes[pair.Key].Statement].Text} keeps, stacked over the iterations of the loop around it");
        }
        DeclareMemoryArrays();
    }

    /// <summary>The local arrays held in memory (<see cref="Op.NewArray"/>) and their adjoints (tangents in forward mode), reachable ones.</summary>
    private readonly Dictionary<string, string> _memoryBuffers = new();

    private IEnumerable<(Node Array, string Name)> MemoryArrays() =>
        _nodes.Where(n => n.Op == Op.NewArray && _reachable[n.Id])
            .SelectMany(n => new[] { (n, Identifier(_names[n.Id]!)) }.Concat(_adjointNames[n.Id] is { } adjoint ? new[] { (n, Identifier(adjoint)) } : Array.Empty<(Node, string)>()));

    /// <summary>
    /// Declared empty up front, like the loop buffers; rented where the array is created. The code reads and writes it
    /// through a span of exactly its length, so an index past it throws as it does in C# (the pooled buffer may be longer).
    /// </summary>
    private void DeclareMemoryArrays()
    {
        foreach (var (array, name) in MemoryArrays())
        {
            string type = array.Type.Keyword();
            string buffer = _memoryBuffers[name] = Identifier(_allocator.Unique(name.TrimStart('@') + "Buffer"));
            Line($"{type}[] {buffer} = {TypeNames.Array}.Empty<{type}>();");
            Line($"{TypeNames.Span(type)} {name} = default;");
        }
    }

    /// <summary>
    /// <c>var a = new double[n]</c> for an array held in memory: its pooled buffer and its adjoint's, zeroed up to n. The
    /// backward pass never reads the buffer (reads in loops are kept per iteration), so overwritten elements need no restoring.
    /// </summary>
    private void WriteNewArray(Node array)
    {
        Comment(array.Statement, "");
        string name = Identifier(_names[array.Id]!), length = Ref(array.Args[0]).Text, type = array.Type.Keyword();
        string? adjoint = _adjointNames[array.Id] is { } a ? Identifier(a) : null;
        string what = adjoint is null ? "" : _tangentMode ? $", and its tangent {adjoint} in another" : $", and its adjoint {adjoint} in another";
        Line($"// Memory: {name} is held in a pooled buffer of {length} {type}s{what}");
        if (!_tangentMode)
        {
            Line(_nodes.Any(n => n.Op == Op.Load && n.Args[0] == array.Id && _reachable[n.Id] && OverwrittenLater(n))
                ? "// (the loops keep their reads of it that later writes change, so no overwritten element is ever restored)"
                : "// (written before it is read and never after, a scratch buffer: the backward pass reads it again, nothing kept)");
        }
        foreach (string span in adjoint is null ? new[] { name } : new[] { name, adjoint })
        {
            string buffer = _memoryBuffers[span];
            Line($"{LoopBuffers()}.Ensure(ref {buffer}, {length});");
            Line($"{span} = new {TypeNames.Span(type)}({buffer}, 0, {length});");
            Line($"{span}.Clear();");
        }
    }

    /// <summary>
    /// The adjoints of a new array's zeros go nowhere: the adjoint is zeroed for the array created before this one (by an
    /// earlier iteration of a loop around it), or for a Jacobian's next backward pass.
    /// </summary>
    private void WriteNewArrayBackward(Node array)
    {
        if ((array.Region == 0 && !_severalBackwardPasses) || !_needsAdjoint[array.Id])
        {
            return;
        }
        if (!_dryRun)
        {
            Comment(array.Statement, "adjoint of: ");
            Line($"{Identifier(_adjointNames[array.Id]!)}.Clear();   // {(array.Region == 0 ? "for the next backward pass" : "for the array the previous iteration created")}");
        }
    }

    private void ReturnBuffers()
    {
        var arrays = MemoryArrays().ToList();
        if (_bufferNames.Count + _checkpointNames.Count + _scheduleNames.Count + arrays.Count == 0)
        {
            return;
        }
        Line();
        Line(arrays.Count == 0 ? "// The loop buffers go back to the pool for the next call" : "// The buffers go back to the pool for the next call");
        foreach (var pair in _bufferNames.Concat(_checkpointNames).OrderBy(p => p.Key))
        {
            Line($"{LoopBuffers()}.Return({pair.Value});");
        }
        foreach (var (_, name) in arrays)
        {
            Line($"{LoopBuffers()}.Return({_memoryBuffers[name]});");
        }
        foreach (var pair in _scheduleNames.OrderBy(p => p.Key))
        {
            Line($"{pair.Value}.Return();");
        }
    }

    /// <summary>
    /// The trip count as text when it needs no computing: a literal for constant bounds, <c>x.Length</c> for
    /// <c>for (int i = 0; i &lt; x.Length; i++)</c>; null when a trips variable holds it (see <see cref="TripCountCall"/>).
    /// </summary>
    private string? PlainTripCount(Node loop)
    {
        Node start = _nodes[loop.Args[0]], end = _nodes[loop.Args[1]];
        if (start.Op == Op.Constant && end.Op == Op.Constant)
        {
            long first = unchecked((int)start.Constant + loop.Offset);
            long last = (long)end.Constant + (loop.Inclusive ? Math.Sign(loop.Step) : 0);
            long distance = loop.Step > 0 ? last - first : first - last;
            long count = distance <= 0 ? 0 : (distance + Math.Abs((long)loop.Step) - 1) / Math.Abs((long)loop.Step);
            return count <= int.MaxValue ? count.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        }
        return start is { Op: Op.Constant, Constant: 0 } && loop.Offset == 0 && !loop.Inclusive && loop.Step == 1 && end.Op == Op.Length ? Ref(end.Id).Text : null;
    }

    /// <summary>The trip count of a for loop, computed in long as C# runs its header (no wrap-around at the int limits).</summary>
    private string TripCountCall(Node loop)
    {
        var start = Ref(loop.Args[0]);
        var end = Ref(loop.Args[1]);
        string first = loop.Offset > 0 ? $"unchecked({Code.Plus(start, Code.Constant(loop.Offset, ScalarType.Int)).Text})" : start.Text;
        var one = Code.Constant(1, ScalarType.Int);
        string last = !loop.Inclusive ? end.Text
            : _nodes[loop.Args[1]].Op == Op.Constant && loop.Step < 0 ? Code.Constant(_nodes[loop.Args[1]].Constant - 1, ScalarType.Long).Text   // i >= 0: -1L
            : loop.Step > 0 ? Code.Plus(Code.Cast(ScalarType.Long, end), one).Text : Code.Minus(Code.Cast(ScalarType.Long, end), one).Text;
        return loop.Step == 1 ? $"{LoopBuffers()}.TripCount({first}, {last})" : $"{LoopBuffers()}.TripCount({first}, {last}, {loop.Step})";
    }

    /// <summary>The loop's trip count as the backward pass reads it.</summary>
    private string TripCount(Node loop) =>
        (loop.LoopCondition < 0 ? PlainTripCount(loop) : null) ?? (_tripNames.TryGetValue(loop.Id, out var name) ? name : "trips");

    /// <summary>The for header as written: i &lt; end, i &lt;= end or i + k &lt; end; i &gt; end or i &gt;= end counting down.</summary>
    private string ForCondition(Node loop)
    {
        var counter = Code.Name(CounterName(loop));
        var left = loop.Offset > 0 ? Code.Plus(counter, Code.Constant(loop.Offset, ScalarType.Int)) : counter;
        string op = loop.Step > 0 ? (loop.Inclusive ? "<=" : "<") : (loop.Inclusive ? ">=" : ">");
        return Code.Binary(left, op, Ref(loop.Args[1]), Code.Relational).Text;
    }

    /// <summary>The for header's incrementor: i++, i--, i += s or i -= s.</summary>
    private string ForStep(Node loop)
    {
        string counter = CounterName(loop);
        return loop.Step switch
        {
            1 => counter + "++",
            -1 => counter + "--",
            > 0 => $"{counter} += {loop.Step}",
            _ => $"{counter} -= {-loop.Step}",
        };
    }

    private bool StartsAtZero(Node loop) => loop.LoopCondition >= 0 || (_nodes[loop.Args[0]] is { Op: Op.Constant, Constant: 0 } && loop.Step == 1);

    /// <summary>Which iteration the counter's value belongs to (0 for the first): the index of the values it keeps.</summary>
    private string IterationOf(Node loop, string counter)
    {
        var start = Ref(loop.Args[0]);
        return StartsAtZero(loop) ? counter
            : loop.Step == 1 ? Code.Minus(Code.Name(counter), start).Text
            : loop.Step == -1 ? Code.Minus(start, Code.Name(counter)).Text
            : $"(int)(({Code.Minus(Code.Cast(ScalarType.Long, Code.Name(counter)), start).Text}) / {loop.Step})";   // i - start may not fit an int
    }

    /// <summary>The counter's value in iteration <paramref name="iteration"/>, as the forward pass reached it.</summary>
    private string CounterAt(Node loop, string iteration)
    {
        var start = Ref(loop.Args[0]);
        return loop.Step switch
        {
            1 => Code.Plus(start, Code.Name(iteration)).Text,
            -1 => Code.Minus(start, Code.Name(iteration)).Text,
            _ => $"unchecked({Code.Plus(start, Code.Times(Code.Name(iteration), Code.Constant(loop.Step, ScalarType.Int))).Text})",
        };
    }

    /// <summary>A carried integer of <see cref="LoopPlan.Inductions"/> in iteration <paramref name="iteration"/>: its value before the loop + iteration × step.</summary>
    private string InductionAt(Node phi, string iteration)
    {
        var (step, down) = InductionStep(phi, _nodes[phi.Id].Region)!.Value;
        bool one = _nodes[step] is { Op: Op.Constant, Constant: 1 };
        var times = one ? Code.Name(iteration) : Code.Times(Code.Name(iteration), Ref(step));
        var start = Ref(phi.Args[0]);
        string value = (down ? Code.Minus(start, times) : _nodes[phi.Args[0]] is { Op: Op.Constant, Constant: 0 } ? times : Code.Plus(start, times)).Text;
        return one ? value : $"unchecked({value})";   // (a product may wrap around where the steps did)
    }

    // ---- Forward ---------------------------------------------------------------------------------

    /// <summary>
    /// The loop as the user wrote it, with its carried variables declared before it. When
    /// <paramref name="record"/> is set it also keeps, per iteration, the carried values its reverse will need.
    /// </summary>
    private void WriteLoopForward(Node loop, bool record)
    {
        string counter = CounterName(loop);
        string count = TripCount(loop);
        string offset = IterationOf(loop, counter);
        // Recording the loop around it records this one too, on top of what earlier iterations of that loop kept.
        bool stacked = !_tangentMode && Stacked(loop) && _recordingAt.ContainsKey(_method.Regions[loop.Region].Loop);
        record |= stacked;
        if (stacked)
        {
            offset = OnStack(loop, offset);
        }
        var phis = Phis(loop).ToList();
        var saved = record ? SavedPhis(loop.Id) : new List<int>();
        var kept = record && _plans.TryGetValue(loop.Id, out var plan) ? plan.KeptValues.ToList() : new List<int>();
        var buffered = saved.Concat(kept).ToList();
        Comment(loop.Statement, "");
        foreach (var phi in phis)
        {
            string declaration = _hoisted.Contains(phi.Id) ? "" : phi.Type.Keyword() + " ";   // declared before its branch
            Line($"{declaration}{Identifier(_names[phi.Id]!)} = {Ref(phi.Args[0]).Text};");
            if (_tangentMode && _active[phi.Id])
            {
                Line($"{phi.Type.Keyword()} {AdjointName(phi.Id)} = {(TangentCode(phi.Args[0]) ?? Code.Constant(0, phi.Type)).Text};");
            }
        }
        if (record && !stacked && _plans.TryGetValue(loop.Id, out var checkpointed) && checkpointed.Checkpointed)
        {
            WriteCheckpointedForward(loop, phis, buffered);
            return;
        }
        bool isWhile = loop.LoopCondition >= 0;
        if (isWhile)
        {
            if (!record)
            {
                WriteWhileLoop(loop, phis);
                return;
            }
            if (buffered.Count > 0 && WritesMemory(loop))
            {
                WriteWhileLoopRecording(loop, phis, saved, buffered);
                return;
            }
            // The trip count is known only when the loop ends: run it once to count, then again from the same start.
            var starts = new Dictionary<int, string>();
            if (buffered.Count > 0)
            {
                foreach (var phi in phis)
                {
                    starts[phi.Id] = _allocator.Unique(_names[phi.Id] + "Start");
                    Line($"{phi.Type.Keyword()} {starts[phi.Id]} = {Identifier(_names[phi.Id]!)};");
                }
            }
            WriteWhileLoop(loop, phis);
            if (buffered.Count == 0)
            {
                Line("// Memory: none besides the trip count; the backward pass recomputes each iteration from the values set before the loop");
                return;
            }
            Line("// Runs again from the same start, now that the trip count is known, keeping what the backward pass needs");
            foreach (var phi in phis)
            {
                Line($"{Identifier(_names[phi.Id]!)} = {starts[phi.Id]};");
            }
        }
        if (buffered.Count > 0 && loop.LoopCondition < 0 && _tripNames.TryGetValue(loop.Id, out var trips))
        {
            Line($"{trips} = {TripCountCall(loop)};");
        }
        if (buffered.Count > 0)
        {
            int bytes = buffered.Sum(p => Size(_nodes[p].Type));
            bool upToEnd = !isWhile && _nodes[loop.Args[0]] is { Op: Op.Constant, Constant: 0 } && loop.Offset == 0 && !loop.Inclusive && loop.Step == 1;
            string iterations = upToEnd ? Ref(loop.Args[1]).Text : count;   // (n), not (trips), where that is what it is
            var what = new List<string>();
            if (saved.Count > 0)
            {
                what.Add(string.Join(", ", saved.Select(p => _names[p])) + " (at the start of every iteration)");
            }
            var costly = kept.Where(p => !DerivativeFlow.IsMemoryAccess(_nodes[p], _nodes)).ToList();
            var reads = kept.Where(p => DerivativeFlow.IsMemoryAccess(_nodes[p], _nodes)).ToList();
            if (costly.Count > 0)
            {
                what.Add(string.Join(", ", costly.Select(p => _names[p])) + " (costly to compute again)");
            }
            if (reads.Count > 0)
            {
                what.Add(string.Join(", ", reads.Select(p => _names[p])) + $" (read from {string.Join(", ", reads.Select(p => _names[_nodes[p].Args[0]]).Distinct())}, which is written again later)");
            }
            Line($"// Memory: keeps {string.Join(" and ", what)} for the backward pass, {bytes} bytes × ({iterations}) iterations,");
            if (stacked)
            {
                Line("// for every iteration of the loop around it, one after the other (its reverse takes them back in reverse order),");
                Line(_presizedStacks.Contains(loop.Id)
                    ? "// in buffers sized before the loop around it and reused from the calling thread's pool (no allocation once warm)"
                    : "// in buffers grown here and reused from the calling thread's pool (no allocation once warm)");
            }
            else
            {
                Line("// in buffers sized here and reused from the calling thread's pool (no allocation once warm)");
            }
            if (!_presizedStacks.Contains(loop.Id))
            {
                foreach (int id in buffered)
                {
                    Line(stacked
                        ? $"{LoopBuffers()}.Grow(ref {_bufferNames[id]}, {OnStack(loop, count)});"
                        : $"{LoopBuffers()}.Ensure(ref {_bufferNames[id]}, {count});");
                }
            }
        }
        else if (record && HasBackwardWork(loop))
        {
            Line("// Memory: none; the backward pass recomputes each iteration from the counter and the values set before the loop");
        }
        var presized = record && !isWhile ? PresizeStacks(loop, buffered.Count > 0 && _tripNames.TryGetValue(loop.Id, out var known) ? known : TripCountCall(loop)) : new List<int>();
        Line(isWhile
            ? $"for (int {counter} = 0; {counter} < {count}; {counter}++)"
            : $"for (int {counter} = {Ref(loop.Args[0]).Text}; {ForCondition(loop)}; {ForStep(loop)})");
        Line("{");
        _depth++;
        foreach (int phi in saved)
        {
            Line($"{_bufferNames[phi]}[{offset}] = {Identifier(_names[phi]!)};");
        }
        if (record)
        {
            _recordingAt[loop.Id] = offset;   // kept values go to their buffers as they are computed
        }
        WriteLoopBody(loop, phis, checkCondition: false);
        _recordingAt.Remove(loop.Id);
        _presizedStacks.ExceptWith(presized);
        _depth--;
        Line("}");
        if (stacked)
        {
            Line($"{_stackTops[loop.Id]} += {count};");
        }
    }

    /// <summary>Stacked loops whose buffers the loop around them has already sized for all its iterations.</summary>
    private readonly HashSet<int> _presizedStacks = new();

    /// <summary>
    /// Before a recorded loop: the loops directly in its body that stack their values over its iterations and run the
    /// same number of times in every one of them (bounds set before it) get their buffers sized once, here, for all
    /// its iterations, rather than grown at each of their starts. A call to grow inside the loop, even one that never
    /// runs, makes the JIT spill the loop's doubles around it. Returns those loops.
    /// </summary>
    private List<int> PresizeStacks(Node loop, string trips)
    {
        int body = Body(loop);
        var rectangular = _nodes.Where(n => n.Op == Op.Loop && _reachable[n.Id] && n.Region == body && n.LoopCondition < 0 && Stacked(n)
            && !Encloses(body, _nodes[n.Args[0]].Region) && !Encloses(body, _nodes[n.Args[1]].Region)).ToList();
        foreach (var inner in rectangular)
        {
            var buffered = SavedPhis(inner.Id).Concat(_plans[inner.Id].KeptValues).ToList();
            if (buffered.Count == 0)
            {
                continue;
            }
            Line($"// {_method.Statements[inner.Statement].Text}, inside, keeps {string.Join(", ", buffered.Select(id => _names[id]))} in every iteration of this loop: its buffers sized here for all of them");
            foreach (int id in buffered)
            {
                Line($"{LoopBuffers()}.Grow(ref {_bufferNames[id]}, {LoopBuffers()}.StackSize({_stackTops[inner.Id]}, {trips}, {TripCountCall(inner)}));");
            }
            _presizedStacks.Add(inner.Id);
        }
        return rectangular.Select(n => n.Id).ToList();
    }

    /// <summary>A while loop as written (the condition checked at the top of every iteration), counting its trips when the backward pass needs them.</summary>
    /// <summary>Whether the loop's body (inner loops included) writes a local array held in memory.</summary>
    private bool WritesMemory(Node loop) =>
        _nodes.Any(n => _reachable[n.Id] && n.Op == Op.Store && _nodes[n.Args[0]].Op == Op.NewArray && Encloses(Body(loop), n.Region));

    /// <summary>
    /// A while loop that writes an array held in memory cannot run twice (once to count, once to keep): it runs once,
    /// counting its iterations and keeping what its reverse reads in buffers that grow as it runs.
    /// </summary>
    private void WriteWhileLoopRecording(Node loop, List<Node> phis, List<int> saved, List<int> buffered)
    {
        string trips = _tripNames[loop.Id];
        Line($"// Memory: keeps {string.Join(", ", buffered.Select(p => _names[p]))} for the backward pass, {buffered.Sum(p => Size(_nodes[p].Type))} bytes per iteration,");
        Line("// in buffers grown as it runs (it writes an array held in memory, so it runs once) and reused from the calling thread's pool");
        Line($"{trips} = 0;");
        Line("while (true)");
        Line("{");
        _depth++;
        foreach (int id in buffered)
        {
            Line($"{LoopBuffers()}.Grow(ref {_bufferNames[id]}, {trips} + 1);");
        }
        foreach (int phi in saved)
        {
            Line($"{_bufferNames[phi]}[{trips}] = {Identifier(_names[phi]!)};");
        }
        _recordingAt[loop.Id] = trips;
        string? again = WriteLoopBody(loop, phis, checkCondition: true);
        _recordingAt.Remove(loop.Id);
        Line($"{trips}++;");
        if (again is not null)
        {
            Line($"if (!{again}) break;");
        }
        _depth--;
        Line("}");
    }

    private void WriteWhileLoop(Node loop, List<Node> phis)
    {
        bool counts = _tripNames.TryGetValue(loop.Id, out var trips);
        if (counts)
        {
            Line($"{trips} = 0;");
        }
        Line("while (true)");
        Line("{");
        _depth++;
        string? again = WriteLoopBody(loop, phis, checkCondition: true);
        if (counts)
        {
            Line($"{trips}++;");
        }
        if (again is not null)
        {
            Line($"if (!{again}) break;");
        }
        _depth--;
        Line("}");
    }

    /// <summary>
    /// One iteration: the body's values, then the carried variables' next values. With <paramref name="checkCondition"/>
    /// (a while loop as written), the values its condition depends on come first and the loop ends when it is false;
    /// for a do loop the condition is taken before the carried variables change, and its name returned for the caller
    /// to test at the end of the iteration.
    /// </summary>
    private string? WriteLoopBody(Node loop, List<Node> phis, bool checkCondition)
    {
        int condition = checkCondition && !loop.ConditionAfterBody ? loop.LoopCondition : -1;
        var filter = _filter;
        _filter = null;   // a loop runs whole, also inside a recomputation
        _hoisted.RemoveWhere(id => Encloses(Body(loop), _nodes[id].Region));
        if (condition >= 0)
        {
            var body = _nodes.Where(n => Encloses(Body(loop), n.Region)).Select(n => n.Id).ToList();
            _filter = new HashSet<int>(body.Where(id => id <= condition));
            WriteForwardRegion(Body(loop), recordLoops: false);
            Line($"if ({Code.Prefix("!", Ref(condition)).Text}) break;");
            _filter = new HashSet<int>(body.Where(id => id > condition));
        }
        WriteForwardRegion(Body(loop), recordLoops: false);
        _filter = filter;
        string? again = null;
        if (checkCondition && loop.ConditionAfterBody)
        {
            again = _allocator.Unique("again");
            Line($"bool {again} = {Ref(loop.LoopCondition).Text};");
        }
        WriteNextValues(loop, phis);
        return again;
    }

    /// <summary>The carried variables take the values the body computed for the next iteration.</summary>
    private void WriteNextValues(Node loop, List<Node> phis)
    {
        // The next values are computed before any is assigned (x, y = y, x needs the old y).
        var swapped = phis.Where(p => p.Args[1] != p.Id && _nodes[p.Args[1]].Op == Op.Phi && _nodes[p.Args[1]].Region == Body(loop)).ToList();
        var temporaries = new Dictionary<int, string>();
        var tangentTemporaries = new Dictionary<int, string>();
        foreach (var phi in swapped)
        {
            temporaries[phi.Id] = _allocator.Unique(_names[phi.Id] + "Next");
            Line($"{phi.Type.Keyword()} {temporaries[phi.Id]} = {Ref(phi.Args[1]).Text};");
            if (_tangentMode && _active[phi.Id])
            {
                tangentTemporaries[phi.Id] = _allocator.Unique(AdjointName(phi.Id) + "Next");
                Line($"{phi.Type.Keyword()} {tangentTemporaries[phi.Id]} = {(TangentCode(phi.Args[1]) ?? Code.Constant(0, phi.Type)).Text};");
            }
        }
        foreach (var phi in phis.Where(p => p.Args[1] != p.Id))
        {
            string value = temporaries.TryGetValue(phi.Id, out var temporary) ? temporary : Ref(phi.Args[1]).Text;
            Line($"{Identifier(_names[phi.Id]!)} = {value};");
            if (_tangentMode && _active[phi.Id])
            {
                string tangent = tangentTemporaries.TryGetValue(phi.Id, out var t) ? t : (TangentCode(phi.Args[1]) ?? Code.Constant(0, phi.Type)).Text;
                Line($"{AdjointName(phi.Id)} = {tangent};");
            }
        }
    }

    private static int Size(ScalarType type) => type switch
    {
        ScalarType.Double or ScalarType.Long => 8,
        ScalarType.Bool => 1,
        _ => 4,
    };

    private void WriteStoreForward(Node store)
    {
        if (_inRecompute)
        {
            return;   // the outputs were written by the forward pass
        }
        Comment(store.Statement, "");
        Line($"{Ref(store.Args[0]).Text}[{Ref(store.Args[1]).Text}] = {Ref(store.Args[2]).Text};");
        if (_tangentMode && (_nodes[store.Args[0]].Op != Op.NewArray || _active[store.Args[0]]))
        {
            Line($"{AdjointName(store.Args[0])}[{Ref(store.Args[1]).Text}] = {(TangentCode(store.Args[2]) ?? Code.Constant(0, store.Type)).Text};");
        }
    }

    // ---- Backward --------------------------------------------------------------------------------

    /// <summary>
    /// The reverse loop: d&lt;x&gt; for a carried x is ∂result/∂x at the start of the iteration being undone. Each reverse
    /// iteration restores the kept values, recomputes the body, hands d&lt;x&gt; to the value the body assigned to x,
    /// and runs the body's backward pass; after the loop d&lt;x&gt; flows into x's value before the loop.
    /// </summary>
    private void WriteLoopBackward(Node loop)
    {
        if (!HasBackwardWork(loop))
        {
            return;
        }
        if (!_dryRun && PlanOf(loop).Strategy == LoopStrategy.Fused)
        {
            WriteLoopFused(loop);
            return;
        }
        int body = Body(loop);
        Comment(loop.Statement, "adjoint of: ");
        var phis = Phis(loop).Where(p => _needsAdjoint[p.Id]).ToList();
        DeclareLoopAdjoints(body, phis);

        // Iterations run backward by their number from the start, which the trip count bounds: no bound can wrap around.
        bool stacked = !_dryRun && Stacked(loop);
        if (loop.LoopCondition < 0 && PlainTripCount(loop) is null && (_dryRun || stacked || SavedPhis(loop.Id).Count + PlanOf(loop).KeptValues.Count == 0))
        {
            // A loop that keeps nothing, or whose values the loop around it stacked, is not run forward again by the
            // reverse of a loop around it, so its reverse computes its trip count itself (one that keeps values
            // otherwise has it from the run that kept them).
            Line($"{TripCount(loop)} = {TripCountCall(loop)};");
        }
        string counter = CounterName(loop);
        string count = TripCount(loop);
        if (stacked)
        {
            Line($"{_stackTops[loop.Id]} -= {count};   // this iteration's values are the top {count} of the stack");
        }
        string last = int.TryParse(count, out int known) ? (known - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : count + " - 1";
        string lowest = "0";
        var (first, restoreAfter) = !_dryRun && PlanOf(loop).Checkpointed ? WriteCheckpointedReverseSteps(loop) : (null, new List<string>());
        if (first is not null)
        {
            (last, lowest) = (_segmentEnd + " - 1", first);
        }
        string offset = counter;
        if (StartsAtZero(loop))
        {
            Line($"for (int {counter} = {last}; {counter} >= {lowest}; {counter}--)");
            Line("{");
            _depth++;
        }
        else
        {
            offset = _dryRun ? "step" : _allocator.Unique("step");
            Line($"for (int {offset} = {last}; {offset} >= {lowest}; {offset}--)");
            Line("{");
            _depth++;
            Line($"int {counter} = {CounterAt(loop, offset)};");
        }
        var declaredOutside = new HashSet<int>(_declaredAdjoints);
        var renamed = new List<(int Phi, string Name)>();
        var aliasedOutside = new Dictionary<int, Code>(_aliasedAdjoints);
        int lastStatement = _lastStatement;
        if (!_dryRun)
        {
            var plan = PlanOf(loop);
            string at = stacked ? OnStack(loop, offset)
                : first is not null ? Code.Minus(Code.Name(offset), Code.Name(first)).Text : offset;
            foreach (int phi in plan.SavedPhis)
            {
                // (Declared here when the loop did not run forward in this scope: its values were stacked.)
                string declaration = stacked ? _nodes[phi].Type.Keyword() + " " : "";
                Line($"{declaration}{Identifier(_names[phi]!)} = {_bufferNames[phi]}[{at}];");
            }
            foreach (int kept in plan.KeptValues)
            {
                Line($"{_nodes[kept].Type.Keyword()} {Identifier(_names[kept]!)} = {_bufferNames[kept]}[{at}];");
            }
            foreach (int phi in plan.Inductions)
            {
                // Under a name of its own: the forward run of the loop, when there was one in this scope, declared the other.
                string name = _allocator.Unique(_nodes[phi].Name ?? _names[phi]!);
                renamed.Add((phi, _names[phi]!));
                _names[phi] = name;
                Line($"{_nodes[phi].Type.Keyword()} {Identifier(name)} = {InductionAt(_nodes[phi], offset)};   // its value in this iteration, not kept");
            }
            // Recompute the body's values the derivatives read (inner loops record their own buffers here).
            var filter = _filter;
            bool inRecompute = _inRecompute;
            _filter = new HashSet<int>(plan.Recomputed);
            _inRecompute = true;
            _hoisted.RemoveWhere(id => Encloses(body, _nodes[id].Region));
            WriteForwardRegion(body, recordLoops: true);
            _filter = filter;
            _inRecompute = inRecompute;
        }
        _lastStatement = -1;

        var sums = _dryRun ? new List<Node>() : AliasRunningSums(loop);
        // d<x> belongs to the value the body assigned to x; then it starts again from what this iteration adds.
        var handOver = new List<(Node Phi, string Temporary)>();
        foreach (var phi in phis.Where(p => p.Args[1] != p.Id && _needsAdjoint[p.Args[1]] && !sums.Contains(p)))
        {
            int next = phi.Args[1];
            if (Encloses(body, _nodes[next].Region) && _nodes[next].Op != Op.Phi)
            {
                if (HasAdjoint(next))
                {
                    Line($"{AdjointName(next)} += {AdjointName(phi.Id)};");
                }
                else
                {
                    _declaredAdjoints.Add(next);
                    Line($"{_nodes[next].Type.Keyword()} {AdjointName(next)} = {AdjointName(phi.Id)};");
                }
            }
            else
            {
                string temporary = _dryRun ? "d" : LaneLocal(_adjointNames[phi.Id] + "Next");
                handOver.Add((phi, temporary));
                Line($"{phi.Type.Keyword()} {temporary} = {AdjointName(phi.Id)};");
            }
        }
        foreach (var phi in phis.Where(p => p.Args[1] != p.Id && !sums.Contains(p)))
        {
            Line($"{AdjointName(phi.Id)} = {Code.Constant(0, phi.Type).Text};");
        }
        foreach (var (phi, temporary) in handOver)
        {
            Contribute(phi.Id, phi.Args[1], Code.Name(temporary), false, phi.Type);
        }
        WriteBackwardRegion(body);
        _declaredAdjoints = declaredOutside;
        _aliasedAdjoints = aliasedOutside;
        _lastStatement = lastStatement;
        foreach (var (phi, name) in renamed)
        {
            _names[phi] = name;
        }
        _depth--;
        Line("}");
        if (first is not null)
        {
            // (the Reverse step's block and the loop over the steps)
            for (int i = 0; i < 2; i++)
            {
                _depth--;
                Line("}");
            }
            restoreAfter.ForEach(Line);
        }
        foreach (var phi in phis)
        {
            Contribute(phi.Id, phi.Args[0], Code.Name(AdjointName(phi.Id)), false, phi.Type);
        }
    }

    /// <summary>
    /// Before a loop's backward pass: d&lt;x&gt; for each carried x starts from the adjoint of x's value after the loop,
    /// and the adjoints of values from before the loop that the body adds to must exist.
    /// </summary>
    private void DeclareLoopAdjoints(int body, List<Node> phisWithAdjoint)
    {
        foreach (var phi in phisWithAdjoint)
        {
            var start = _exitOf.TryGetValue(phi.Id, out int exit) && _reachable[exit] && _needsAdjoint[exit] && HasAdjoint(exit)
                ? Adjoint(exit) : Code.Constant(0, phi.Type);
            _declaredAdjoints.Add(phi.Id);
            Line($"{phi.Type.Keyword()} {AdjointName(phi.Id)} = {start.Text};");
        }
        foreach (int outer in OperandsReceivingFrom(body, Enumerable.Empty<int>()).Distinct().OrderBy(i => i))
        {
            DeclareAdjointBefore(outer);
        }
    }

    /// <summary>The end (exclusive) of the segment being reversed, while a checkpointed loop's reverse is written.</summary>
    private string _segmentEnd = "";

    /// <summary>
    /// The forward run of a checkpointed loop: as written, keeping the carried variables at the start of the segments
    /// its <see cref="CheckpointSchedule"/> names (every segment's under <c>Checkpointing = true</c>).
    /// </summary>
    private void WriteCheckpointedForward(Node loop, List<Node> phis, List<int> buffered)
    {
        string count = TripCount(loop);
        if (_tripNames.TryGetValue(loop.Id, out var trips))
        {
            Line($"{trips} = {TripCountCall(loop)};");
        }
        string schedule = _scheduleNames[loop.Id];
        int bytes = buffered.Sum(p => Size(_nodes[p].Type)), checkpointBytes = phis.Sum(p => Size(p.Type));
        string carried = string.Join(", ", phis.Select(p => _names[p.Id])), kept = string.Join(", ", buffered.Select(p => _names[p]));
        long limit = _method.LoopMemoryLimit;
        string number = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Line($"{schedule}.Start({count}, {checkpointBytes}, {bytes}, {number});");
        if (limit == 0)
        {
            Line($"// Memory (Checkpointing = true): keeps {carried} at the start of every segment of ⌈√{count}⌉ iterations,");
            Line($"// {checkpointBytes} bytes × ({count} / ⌈√{count}⌉), and the backward pass keeps {kept} for one segment at a time,");
            Line($"// {bytes} bytes × ⌈√{count}⌉: it runs each segment forward again from its checkpoint (this loop runs forward twice)");
        }
        else
        {
            Line($"// Memory (LoopMemoryLimit = {number} bytes): keeps {carried} ({checkpointBytes} bytes) at the start of at most {schedule}.Slots");
            Line($"// segments of {schedule}.SegmentLength iterations, and the backward pass keeps {kept} ({bytes} bytes per iteration)");
            Line($"// for one segment at a time, within {number} bytes. With fewer checkpoints than segments (binomial schedule),");
            Line($"// segments run forward again from the nearest checkpoint: {schedule}.Runs times at most, then once to be reversed");
        }
        foreach (var phi in phis)
        {
            Line($"{LoopBuffers()}.Ensure(ref {_checkpointNames[phi.Id]}, {schedule}.Slots);");
        }
        string untilCheckpoint = _allocator.Unique("untilCheckpoint");
        Line($"int {untilCheckpoint} = 0;");
        Line($"for (int {CounterName(loop)} = {Ref(loop.Args[0]).Text}; {ForCondition(loop)}; {ForStep(loop)})");
        Line("{");
        _depth++;
        Line($"if ({untilCheckpoint} == 0)");
        Line("{");
        _depth++;
        WriteCheckpointCopies(loop, store: true);
        Line($"{untilCheckpoint} = {schedule}.Stored();   // iterations until the next checkpoint");
        _depth--;
        Line("}");
        Line($"{untilCheckpoint}--;");
        WriteLoopBody(loop, phis, checkCondition: false);
        _depth--;
        Line("}");
    }

    /// <summary>Keeps the carried variables in the schedule's checkpoint slot, or sets them from it.</summary>
    private void WriteCheckpointCopies(Node loop, bool store)
    {
        string slot = _scheduleNames[loop.Id] + ".Slot";
        foreach (var phi in Phis(loop))
        {
            string variable = Identifier(_names[phi.Id]!), checkpoint = $"{_checkpointNames[phi.Id]}[{slot}]";
            Line(store ? $"{checkpoint} = {variable};" : $"{variable} = {checkpoint};");
        }
    }

    /// <summary>
    /// Opens the loop over a checkpointed loop's backward steps (<see cref="CheckpointStep"/>) and writes every step but
    /// the last: restore, store, run forward. It then opens the Reverse step, which runs its segment forward from its
    /// checkpoint keeping what the reverse iterations read. Returns the name of the segment's first iteration and the
    /// statements that set the carried variables back to their values after the loop; the caller writes the reverse
    /// iterations of the segment, closes the Reverse step and the loop, then writes those statements.
    /// </summary>
    private (string First, List<string> RestoreAfter) WriteCheckpointedReverseSteps(Node loop)
    {
        var plan = PlanOf(loop);
        string schedule = _scheduleNames[loop.Id];
        var phis = Phis(loop).ToList();
        foreach (int id in plan.SavedPhis.Concat(plan.KeptValues))
        {
            Line($"{LoopBuffers()}.Ensure(ref {_bufferNames[id]}, {schedule}.SegmentLength);");
        }
        // What follows the loop's backward pass may read its carried variables (a running sum, say), which the runs
        // of the segments overwrite: they are set back to their values after the loop once it is reversed.
        var restoreAfter = new List<string>();
        foreach (var phi in phis)
        {
            string variable = Identifier(_names[phi.Id]!), after = _allocator.Unique(_names[phi.Id] + "After");
            Line($"{phi.Type.Keyword()} {after} = {variable};   // (set back after the backward pass: the runs below overwrite it)");
            restoreAfter.Add($"{variable} = {after};");
        }
        string step = _allocator.Unique("checkpointStep"), stepType = TypeNames.CheckpointStep;
        Line($"for (var {step} = {schedule}.Next(); {step} != {stepType}.Done; {step} = {schedule}.Next())");
        Line("{");
        _depth++;
        Line($"if ({step} == {stepType}.Restore)");
        Line("{");
        _depth++;
        WriteCheckpointCopies(loop, store: false);
        _depth--;
        Line("}");
        Line($"else if ({step} == {stepType}.Store)");
        Line("{");
        _depth++;
        WriteCheckpointCopies(loop, store: true);
        _depth--;
        Line("}");
        Line($"else if ({step} == {stepType}.Advance)");
        Line("{");
        _depth++;
        Line("// Runs forward from a checkpoint, keeping nothing, to where the next one goes or the segment to reverse starts");
        WriteSegmentRun(loop, phis, $"{schedule}.First", $"{schedule}.End", keep: false);
        _depth--;
        Line("}");
        Line($"else   // {stepType}.Reverse");
        Line("{");
        _depth++;
        string first = _allocator.Unique("first");
        _segmentEnd = _allocator.Unique("end");
        Line($"int {first} = {schedule}.First;");
        Line($"int {_segmentEnd} = {schedule}.End;");
        Line("// The segment runs forward again from its checkpoint, keeping what its reverse reads");
        WriteSegmentRun(loop, phis, first, _segmentEnd, keep: true);
        return (first, restoreAfter);
    }

    /// <summary>Iterations <paramref name="first"/> up to <paramref name="end"/> of a checkpointed loop, forward, keeping what its reverse reads when <paramref name="keep"/>.</summary>
    private void WriteSegmentRun(Node loop, List<Node> phis, string first, string end, bool keep)
    {
        string counter = CounterName(loop);
        string iteration = StartsAtZero(loop) ? counter : _allocator.Unique("iteration");
        Line($"for (int {iteration} = {first}; {iteration} < {end}; {iteration}++)");
        Line("{");
        _depth++;
        if (iteration != counter)
        {
            Line($"int {counter} = {CounterAt(loop, iteration)};");
        }
        if (keep)
        {
            string at = Code.Minus(Code.Name(iteration), Code.Name(first)).Text;
            foreach (int phi in PlanOf(loop).SavedPhis)
            {
                Line($"{_bufferNames[phi]}[{at}] = {Identifier(_names[phi]!)};");
            }
            _recordingAt[loop.Id] = at;
        }
        _lastStatement = -1;   // (each run says again which statements it computes)
        WriteLoopBody(loop, phis, checkCondition: false);
        _recordingAt.Remove(loop.Id);
        _depth--;
        Line("}");
    }

    /// <summary>
    /// A fused loop (<see cref="LoopStrategy.Fused"/>), written where the backward pass reaches it: the loop as the user
    /// wrote it, each iteration computing its values and then, at once, its derivatives. The carried adjoints start
    /// from those of the values after the loop and come out of every iteration unchanged (running sums pass theirs on).
    /// </summary>
    private void WriteLoopFused(Node loop)
    {
        int body = Body(loop);
        Comment(loop.Statement, "adjoint of: ");
        Line("// Fused: the adjoints of its running sums are the same in every iteration, so each iteration's derivatives");
        Line("// are taken as it runs, in the order written: one pass, nothing kept (the forward pass skipped this loop)");
        var scratch = _nodes.Where(n => n.Op == Op.Store && _reachable[n.Id] && DerivativeFlow.IsMemoryAccess(n, _nodes) && Encloses(body, n.Region))
            .Select(n => Identifier(_names[n.Args[0]]!)).Distinct().ToList();
        if (scratch.Count > 0)
        {
            Line($"// ({string.Join(", ", scratch)}: scratch of each iteration, written before it is read there, so no value passes between iterations through {(scratch.Count == 1 ? "it" : "them")})");
        }
        var phis = Phis(loop).ToList();
        var withAdjoint = phis.Where(p => _needsAdjoint[p.Id]).ToList();
        DeclareLoopAdjoints(body, withAdjoint);
        foreach (var phi in phis)
        {
            Line($"{phi.Type.Keyword()} {Identifier(_names[phi.Id]!)} = {Ref(phi.Args[0]).Text};");
        }
        string counter = CounterName(loop);
        var once = PlanOf(loop).KeptOnce;
        if (once.Count > 0)
        {
            Line($"// {string.Join(", ", once.Select(k => _names[k]))}, kept by the loops inside, do not change from one iteration to the next:");
            Line("// computed in the first iteration only, then read back from their buffers");
            _fusedFirst[loop.Id] = Code.Binary(Code.Name(counter), "==", Ref(loop.Args[0]), Code.Equality).Text;
        }
        Line($"for (int {counter} = {Ref(loop.Args[0]).Text}; {ForCondition(loop)}; {ForStep(loop)})");
        Line("{");
        _depth++;
        var declaredOutside = new HashSet<int>(_declaredAdjoints);
        var aliasedOutside = new Dictionary<int, Code>(_aliasedAdjoints);
        int lastStatement = _lastStatement;
        _hoisted.RemoveWhere(id => Encloses(body, _nodes[id].Region));
        // (The iteration's own values: its reads see what the forward pass would, since the plan fused only a loop
        // whose arrays are its iterations' scratch or are not written after it.)
        bool writingBackward = _writingBackward;
        _writingBackward = false;
        WriteForwardRegion(body, recordLoops: true);
        _writingBackward = writingBackward;
        _fusedFirst.Remove(loop.Id);
        _lastStatement = -1;
        AliasRunningSums(loop);
        WriteBackwardRegion(body);
        _declaredAdjoints = declaredOutside;
        _aliasedAdjoints = aliasedOutside;
        _lastStatement = lastStatement;
        WriteNextValues(loop, phis);
        _depth--;
        Line("}");
        foreach (var phi in withAdjoint)
        {
            Contribute(phi.Id, phi.Args[0], Code.Name(AdjointName(phi.Id)), false, phi.Type);
        }
    }

    /// <summary>
    /// After the backward pass: the values after fused loops that depend on them (the returned value among them), now
    /// that the backward pass has run those loops.
    /// </summary>
    private void WriteDeferred()
    {
        var values = _deferred.Where(id => _nodes[id].Op != Op.Loop && IsLocal(id)).ToList();
        if (values.Count == 0)
        {
            return;
        }
        Line();
        Line("// The values after the fused loops, which the backward pass ran");
        _lastStatement = -1;
        var filter = _filter;
        _filter = new HashSet<int>(values);
        WriteForwardRegion(0, recordLoops: false);
        _filter = filter;
    }

    /// <summary>y[i] = v: v's adjoint is the output's adjoint, which is then used up (an earlier write of y[i] was overwritten by this one).</summary>
    private void WriteStoreBackward(Node store)
    {
        if (!_needsAdjoint[store.Id])
        {
            return;   // a write of an array held in memory that no derivative flows through
        }
        int value = store.Args[2];
        Comment(store.Statement, "adjoint of: ");
        bool inPlace = _updatesInPlace.Contains(store.Id);
        if (inPlace)
        {
            Line("// (an update in place: the element's adjoint passes to its old value unchanged, so it stays where it is)");
        }
        string element = $"{AdjointName(store.Args[0])}[{Ref(store.Args[1]).Text}]";
        if (_needsAdjoint[value] && HasAdjoint(value))
        {
            Line($"{AdjointName(value)} += {element};");
        }
        else if (_needsAdjoint[value])
        {
            _declaredAdjoints.Add(value);
            Line($"{_nodes[value].Type.Keyword()} {AdjointName(value)} = {element};");
        }
        if (!inPlace)
        {
            Line($"{element} = {Code.Constant(0, store.Type).Text};");
        }
    }

    /// <summary>v = x[i]: the element's adjoint gets v's.</summary>
    private void WriteLoadBackward(Node load)
    {
        if (!_needsAdjoint[load.Id] || !HasAdjoint(load.Id))
        {
            return;
        }
        Comment(load.Statement, "adjoint of: ");
        Line($"{AdjointName(load.Args[0])}[{Ref(load.Args[1]).Text}] += {Adjoint(load.Id).Text};");
    }
}
