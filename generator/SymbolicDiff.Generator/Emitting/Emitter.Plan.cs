using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// The loop plan: once the dry run has marked the values the backward pass reads, and before any text is written,
/// each loop gets a <see cref="LoopPlan"/> saying how its backward pass runs, what it keeps per iteration and what it
/// recomputes. The writing code only follows the plans.
/// </summary>
internal sealed partial class Emitter
{
    private readonly Dictionary<int, LoopPlan> _plans = new();

    /// <summary>Values computed after the backward pass: fused loops and the values after them that depend on them.</summary>
    private readonly HashSet<int> _deferred = new();

    /// <summary>Kept values that are the same in every iteration of a fused loop around them, by that loop.</summary>
    private readonly Dictionary<int, int> _keptOnceIn = new();

    /// <summary>Fused loops being written, with the condition that holds in their first iteration.</summary>
    private readonly Dictionary<int, string> _fusedFirst = new();

    /// <summary>Carried variables a reverse restores iteration by iteration (saved by some loop's plan).</summary>
    private readonly HashSet<int> _rewound = new();

    /// <summary>Kept values, by the loop whose iterations keep them.</summary>
    private readonly Dictionary<int, int> _keptBy = new();

    /// <summary>The plans of a method's gradient, in loop order (for tests and for reading what the generator decided).</summary>
    internal static IReadOnlyList<LoopPlan> PlanLoops(DifferentiableMethod method)
    {
        var emitter = new Emitter(method, tangentMode: false);
        emitter.PrepareReverseMode();
        return emitter._plans.Values.OrderBy(p => p.Loop).ToList();
    }

    private LoopPlan PlanOf(Node loop) => _plans[loop.Id];

    private List<int> SavedPhis(int loop) => _plans.TryGetValue(loop, out var plan) ? plan.SavedPhis.ToList() : new List<int>();

    /// <summary>Plans inner loops first: whether an enclosing loop's reverse must run an inner loop forward depends on the inner plan.</summary>
    private void PlanLoops()
    {
        var users = Users();
        var loops = _nodes.Where(n => n.Op == Op.Loop && _reachable[n.Id]).OrderByDescending(n => Depth(n.Region)).ThenBy(n => n.Id).ToList();
        foreach (var loop in loops)
        {
            var plan = !HasBackwardWork(loop) ? Plan(loop, LoopStrategy.ForwardOnly)
                : TryFuse(loop, users) is { } deferred ? Plan(loop, LoopStrategy.Fused) with { Deferred = new EquatableArray<int>(deferred) }
                : PlanReverse(loop);
            _plans[loop.Id] = plan with { RunningSums = new EquatableArray<int>(Phis(loop).Where(p => _needsAdjoint[p.Id] && IsRunningSum(p, users)).Select(p => p.Id)) };
        }
        foreach (var loop in loops.Where(n => (_method.Checkpointing || _method.LoopMemoryLimit > 0) && !_severalBackwardPasses && n.LoopCondition < 0))
        {
            // Checkpointing = true or a LoopMemoryLimit: loops that keep values per iteration keep their carried
            // variables at checkpoints instead (every ⌈√n⌉ iterations, or as many as fit the limit).
            var plan = _plans[loop.Id];
            // (Not one that reads or writes an array held in memory: running a segment again would see the array as it is later.)
            if (plan.Strategy == LoopStrategy.Reversed && !plan.StackedInEnclosing && plan.SavedPhis.Count + plan.KeptValues.Count > 0 && !TouchesMemory(loop))
            {
                _plans[loop.Id] = plan with { Checkpointed = true };
            }
        }
        FindUpdatesInPlace(users);
        foreach (var fused in _plans.Values.Where(p => p.Strategy == LoopStrategy.Fused).ToList())
        {
            _plans[fused.Loop] = fused with { KeptOnce = new EquatableArray<int>(KeptOnce(_nodes[fused.Loop])) };
        }
        foreach (var plan in _plans.Values.Where(p => p.Strategy == LoopStrategy.Fused))
        {
            _deferred.Add(plan.Loop);
            _deferred.UnionWith(plan.Deferred);
            _readByLoops.UnionWith(LoopInputs(_nodes[plan.Loop]));   // read where the backward pass runs it
        }
        foreach (var plan in _plans.Values)
        {
            _rewound.UnionWith(plan.SavedPhis);
            _runningSums.UnionWith(plan.RunningSums.Select(phi => _nodes[phi].Args[1]).Where(next => _needsAdjoint[next]));
            foreach (int once in plan.KeptOnce)
            {
                _keptOnceIn[once] = plan.Loop;
            }
            foreach (int kept in plan.KeptValues)
            {
                _keptBy[kept] = plan.Loop;
                _forcedLocals.Add(kept);
            }
        }
    }

    /// <summary>Writes <c>a[i] = a[i] + e</c> (or <c>- e</c>) of arrays held in memory, whose reverse leaves the element's adjoint as it is.</summary>
    private readonly HashSet<int> _updatesInPlace = new();

    /// <summary>The reads of those updates: their adjoint stays in the array's adjoint, so it is never written out.</summary>
    private readonly HashSet<int> _readsForUpdate = new();

    /// <summary>
    /// <c>a[i] = a[i] + e</c>: the reverse of the write moves the element's adjoint into the new value's and zeroes the
    /// element, the sum passes it on to the old value, and the reverse of the read adds it back: the element's adjoint
    /// ends as it began. So when the read is used by the sum only, and the sum by the write only (both in the write's
    /// region, with the same index), the backward pass reads the element's adjoint and leaves it in place.
    /// </summary>
    private void FindUpdatesInPlace(List<int>[] users)
    {
        foreach (var store in _nodes.Where(n => n.Op == Op.Store && _reachable[n.Id] && _needsAdjoint[n.Id] && DerivativeFlow.IsMemoryAccess(n, _nodes)))
        {
            var sum = _nodes[store.Args[2]];
            if (sum.Op is not (Op.Add or Op.Subtract) || sum.Args.Count != 2 || sum.Region != store.Region || sum.Type != store.Type || users[sum.Id].Count != 1)
            {
                continue;
            }
            int old = sum.Op == Op.Subtract || IsElementRead(sum.Args[0], store) ? sum.Args[0] : sum.Args[1];
            if (IsElementRead(old, store) && sum.Args.Count(a => a == old) == 1 && users[old].Count == 1)
            {
                _updatesInPlace.Add(store.Id);
                _readsForUpdate.Add(old);
            }
        }
    }

    private bool IsElementRead(int id, Node store)
    {
        if (id < 0)
        {
            return false;
        }
        var read = _nodes[id];
        return read.Op == Op.Load && read.Args[0] == store.Args[0] && read.Args[1] == store.Args[1] && read.Region == store.Region && read.Type == store.Type;
    }

    private readonly Dictionary<int, bool> _overwrittenLater = new();

    /// <summary>
    /// Whether a read of an array held in memory may see another value than the backward pass would find there: some
    /// write of the array runs after it, one later in the method or one in a loop around both (a later iteration). A
    /// read no write follows (a scratch buffer filled once, then read) can be read again by the backward pass, so it is
    /// not kept.
    /// </summary>
    private bool OverwrittenLater(Node load)
    {
        if (!DerivativeFlow.IsMemoryAccess(load, _nodes))
        {
            return false;
        }
        if (!_overwrittenLater.TryGetValue(load.Id, out bool later))
        {
            bool InCommonLoop(int region)
            {
                for (int r = region; r >= 0; r = _method.Regions[r].Parent)
                {
                    if (_method.Regions[r].Loop >= 0 && Encloses(r, load.Region))
                    {
                        return true;
                    }
                }
                return false;
            }
            later = _nodes.Any(n => n.Op == Op.Store && n.Args[0] == load.Args[0] && _reachable[n.Id] && (n.Id > load.Id || InCommonLoop(n.Region)));
            _overwrittenLater[load.Id] = later;
        }
        return later;
    }

    /// <summary>The local arrays held in memory that the loop's body (inner loops included) writes, or reads where they are written later.</summary>
    private IEnumerable<int> MemoryTouchedBy(Node loop) =>
        _nodes.Where(n => _reachable[n.Id] && DerivativeFlow.IsMemoryAccess(n, _nodes) && (n.Op == Op.Store || OverwrittenLater(n)) && Encloses(Body(loop), n.Region))
            .Select(n => n.Args[0]).Distinct();

    /// <summary>Whether the loop's body (inner loops included) writes a local array held in memory, or reads one that is written later.</summary>
    private bool TouchesMemory(Node loop) => MemoryTouchedBy(loop).Any();

    /// <summary>
    /// As <see cref="TouchesMemory"/>, leaving out the arrays that are scratch of each of the loop's iterations
    /// (<see cref="IsIterationScratch"/>): those pass nothing from one iteration to the next, so a fused loop can run
    /// them in the backward pass.
    /// </summary>
    private bool TouchesMemoryOutsideIterations(Node loop, List<int>[] users) =>
        MemoryTouchedBy(loop).Any(array => !IsIterationScratch(_nodes[array], loop, users));

    /// <summary>
    /// Whether a local array held in memory is scratch of each iteration of <paramref name="loop"/>: it is read and
    /// written in the loop's body only, and every read sees a value written in the same iteration, because the array is
    /// created in the body or the read comes after a loop in the body that fills it whole
    /// (<c>for (int j = 0; j &lt; length; j++) { …; a[j] = e; }</c>, the write not under an if or after a continue).
    /// Then no value passes from one iteration to the next through it, and its adjoint is zero again at the end of
    /// each iteration's backward pass (the reverse of a write zeroes the element, and every element read was written).
    /// </summary>
    private bool IsIterationScratch(Node array, Node loop, List<int>[] users)
    {
        int body = Body(loop);
        var accesses = users[array.Id].Select(u => _nodes[u]).ToList();
        if (accesses.Any(a => a.Op is not (Op.Load or Op.Store) || a.Args[0] != array.Id || !Encloses(body, a.Region)))
        {
            return false;
        }
        if (Encloses(body, array.Region))
        {
            return true;   // created in every iteration: C# zeroes it there
        }
        var fills = accesses.Where(a => a.Op == Op.Store && FillsWhole(a, array)).ToList();
        return accesses.Where(a => a.Op == Op.Load).All(read => fills.Any(write =>
        {
            var fill = _nodes[_method.Regions[write.Region].Loop];
            return write.Id < read.Id && Encloses(body, fill.Region) && Encloses(fill.Region, read.Region) && !Encloses(Body(fill), read.Region);
        }));
    }

    /// <summary>
    /// Whether a write is the last word of a loop <c>for (int j = 0; j &lt; length; j++)</c> over the whole array, writing
    /// a[j] in every iteration (directly in the body: not under an if, nor after a continue, which the parser puts in a branch).
    /// </summary>
    private bool FillsWhole(Node write, Node array)
    {
        int loopId = _method.Regions[write.Region].Loop;
        if (loopId < 0)
        {
            return false;
        }
        var fill = _nodes[loopId];
        var start = _nodes[fill.Args[0]];
        var index = _nodes[write.Args[1]];
        return fill.LoopCondition < 0 && fill.Step == 1 && fill.Offset == 0 && !fill.Inclusive
            && start.Op == Op.Constant && start.Constant == 0 && fill.Args[1] == array.Args[0]
            && index.Op == Op.LoopCounter && index.Args[0] == fill.Id;
    }

    private LoopPlan Plan(Node loop, LoopStrategy strategy) =>
        new(loop.Id, strategy, EquatableArray<int>.Empty, EquatableArray<int>.Empty, EquatableArray<int>.Empty, EquatableArray<int>.Empty, RunForwardInReverse: true, 0);

    private int Depth(int region)
    {
        int depth = 0;
        for (int r = region; r >= 0; r = _method.Regions[r].Parent)
        {
            depth++;
        }
        return depth;
    }

    /// <summary>The reachable nodes that read each node (a while loop reads its condition).</summary>
    private List<int>[] Users()
    {
        var users = _nodes.Select(_ => new List<int>()).ToArray();
        foreach (var node in _nodes.Where(n => _reachable[n.Id]))
        {
            foreach (int arg in node.Args.Where(a => a >= 0))
            {
                users[arg].Add(node.Id);
            }
            if (node.Op == Op.Loop && node.LoopCondition >= 0)
            {
                users[node.LoopCondition].Add(node.Id);
            }
        }
        return users;
    }

    /// <summary>
    /// A loop of the method body whose carried adjoints are the same in every iteration can take each iteration's
    /// derivatives as it runs (see <see cref="LoopStrategy.Fused"/>). That needs every carried variable with an adjoint
    /// to be a running sum (<c>s = s + e</c> or <c>s = s - e</c>, s read nowhere else in the loop), and every value after
    /// the loop that depends on it to be unread by the backward pass (so it can wait until the loop has run there).
    /// Returns those values, or null when the loop cannot be fused.
    /// </summary>
    private List<int>? TryFuse(Node loop, List<int>[] users)
    {
        if (_tangentMode || _severalBackwardPasses || _method.Result < 0 || loop.Region != 0 || loop.LoopCondition >= 0)
        {
            return null;
        }
        var phis = Phis(loop).ToList();
        if (phis.Any(p => _needsAdjoint[p.Id] && !IsRunningSum(p, users)) || TouchesMemoryOutsideIterations(loop, users))
        {
            return null;   // (a fused loop runs in the backward pass, when an array held in memory holds other values)
        }
        var after = new HashSet<int>(phis.Select(p => _exitOf.TryGetValue(p.Id, out int exit) ? exit : -1).Where(e => e >= 0 && _reachable[e]));
        var deferred = new List<int>(after);
        foreach (var node in _nodes.Where(n => n.Region == 0 && n.Id > loop.Id && _reachable[n.Id] && !after.Contains(n.Id)))
        {
            if (node.Args.Any(after.Contains))
            {
                after.Add(node.Id);
                deferred.Add(node.Id);
            }
        }
        foreach (int id in deferred)
        {
            var node = _nodes[id];
            if (_neededByBackward[id] || node.Op is Op.Loop or Op.Store or Op.If or Op.Select or Op.Call or Op.Phi || DerivativeFlow.IsMemoryAccess(node, _nodes) || users[id].Any(u => !after.Contains(u)))
            {
                return null;
            }
        }
        return deferred.OrderBy(id => id).ToList();
    }

    /// <summary>
    /// The values loops inside a fused loop keep that are the same in every iteration of the fused loop: they depend on
    /// nothing that changes from one of its iterations to the next (its counter, any carried variable inside it), and
    /// the loops that keep them run the same iterations every time (bounds that do not change, no branch or while loop
    /// between), so every iteration writes them to the same places of their buffers. See <see cref="LoopPlan.KeptOnce"/>.
    /// </summary>
    private List<int> KeptOnce(Node fused)
    {
        int body = Body(fused);
        var changes = new bool[_nodes.Count];
        var inside = _nodes.Where(n => _reachable[n.Id] && Encloses(body, n.Region)).ToList();
        // (An array held in memory that the loop writes holds other values in every iteration: reads of it change.)
        var written = new HashSet<int>(inside.Where(n => n.Op == Op.Store && DerivativeFlow.IsMemoryAccess(n, _nodes)).Select(n => n.Args[0]));
        for (bool again = true; again;)   // (a counter's loop node may come after it)
        {
            again = false;
            foreach (var node in inside.Where(n => !changes[n.Id]))
            {
                changes[node.Id] = node.Op == Op.Phi || (node.Op == Op.LoopCounter && node.Args[0] == fused.Id)
                    || node.Args.Any(a => a >= 0 && changes[a]) || (node.Op == Op.Loop && node.LoopCondition >= 0)
                    || (node.Op == Op.Load && written.Contains(node.Args[0]));
                again |= changes[node.Id];
            }
        }
        bool SameEveryTime(int region)
        {
            for (int r = region; r != body; r = _method.Regions[r].Parent)
            {
                if (r < 0 || _method.Regions[r].Loop < 0 || changes[_method.Regions[r].Loop])
                {
                    return false;   // a branch, or a loop whose iterations may differ
                }
            }
            return true;
        }
        return _plans.Values.Where(p => p.Loop != fused.Id && Encloses(body, _nodes[p.Loop].Region))
            .SelectMany(p => p.KeptValues).Where(k => !changes[k] && SameEveryTime(_nodes[k].Region)).OrderBy(k => k).ToList();
    }

    /// <summary>
    /// A carried variable whose next value is <c>s + e</c> or <c>s - e</c> in the loop's body, s read nowhere else in the
    /// loop and that value read by nothing but s: its adjoint is the same in every iteration.
    /// </summary>
    private bool IsRunningSum(Node phi, List<int>[] users)
    {
        var next = _nodes[phi.Args[1]];
        bool sum = next.Region == phi.Region && next.Type.IsFloating()
            && ((next.Op == Op.Add && next.Args.Count(a => a == phi.Id) == 1) || (next.Op == Op.Subtract && next.Args[0] == phi.Id && next.Args[1] != phi.Id));
        return sum && users[phi.Id].All(u => u == next.Id || _nodes[u].Op == Op.LoopExit) && users[next.Id].All(u => u == phi.Id);
    }

    /// <summary>Whether a loop directly in this loop's body keeps its values stacked over this loop's iterations.</summary>
    private bool StacksInside(Node loop) =>
        _nodes.Any(n => n.Op == Op.Loop && n.Region == Body(loop) && _plans.TryGetValue(n.Id, out var inner) && inner.StackedInEnclosing);

    /// <summary>
    /// The reverse of a loop: each reverse iteration restores the carried variables its derivatives start from and the
    /// values kept for it, and recomputes the rest of what the derivatives read. Values that cost more to compute than
    /// to keep (see <see cref="Operations.IsCostly"/>, and the results of inner loops) are kept; an inner loop runs
    /// forward again only when its own reverse needs what that run records, or a value it yields is not kept.
    /// </summary>
    private LoopPlan PlanReverse(Node loop)
    {
        int body = Body(loop);
        bool InBody(int id) => Encloses(body, _nodes[id].Region);
        bool InChildLoop(int id) => InLoopBelow(body, _nodes[id].Region);
        var set = new HashSet<int>();
        var kept = new HashSet<int>();
        // Inner loops that keep values keep them for every iteration of this one when it records its own (see StackedInEnclosing).
        // (Not when the backward pass runs several times, for a Jacobian: each would take the stack off again.)
        // (Also one that keeps nothing itself but has such loops stacked inside it: its own loops' stacks then grow across
        // this loop's iterations too, so no level of the nest runs forward again.)
        var stacked = _nodes.Where(n => !_severalBackwardPasses && n.Op == Op.Loop && n.Region == body && n.LoopCondition < 0 && _plans.TryGetValue(n.Id, out var inner)
            && inner.Strategy == LoopStrategy.Reversed && (inner.SavedPhis.Count > 0 || inner.KeptValues.Count > 0 || StacksInside(n))).Select(n => n.Id).ToList();
        foreach (int child in stacked)
        {
            _plans[child] = _plans[child] with { StackedInEnclosing = true };
        }
        var pending = new Stack<int>(_nodes.Where(n => _reachable[n.Id] && InBody(n.Id) && !InChildLoop(n.Id) && _neededByBackward[n.Id]).Select(n => n.Id));
        foreach (var child in _nodes.Where(n => n.Op == Op.Loop && _reachable[n.Id] && n.Region == body && HasBackwardWork(n)))
        {
            if (NeedsForwardRun(child))
            {
                pending.Push(child.Id);
            }
            else
            {
                foreach (int input in LoopInputs(child).Where(InBody))
                {
                    pending.Push(input);
                }
            }
        }
        // A child loop in a branch of the body: its if statement brings it along (as before).
        foreach (var child in _nodes.Where(n => n.Op == Op.Loop && _reachable[n.Id] && n.Region != body && InBody(n.Id) && !InChildLoop(n.Id) && HasBackwardWork(n)))
        {
            pending.Push(child.Id);
        }
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (set.Contains(id) || kept.Contains(id))
            {
                continue;
            }
            var node = _nodes[id];
            if (Keepable(node, body))
            {
                kept.Add(id);
                continue;
            }
            set.Add(id);
            if (node.Op == Op.Phi && node.Region == body)
            {
                continue;   // restored from the buffer
            }
            // A value computed in a branch is recomputed with its if statement, which the branch's selects write.
            for (int r = node.Region; r != body && r >= 0 && _method.Regions[r].Loop < 0; r = _method.Regions[r].Parent)
            {
                foreach (var select in _nodes.Where(n => n.Op is Op.Select or Op.If && _reachable[n.Id] && (n.TrueRegion == r || n.FalseRegion == r) && !set.Contains(n.Id)))
                {
                    pending.Push(select.Id);
                }
            }
            IEnumerable<int> inputs = node.Op switch
            {
                // A child loop runs whole: it needs its bounds, the start values of its carried variables and
                // whatever its body reads from outside it.
                Op.Loop => LoopInputs(node),
                Op.LoopExit => new[] { LoopOf(node.Args[0]) },
                Op.LoopCounter => Enumerable.Empty<int>(),   // its argument names its loop, which writes it
                _ => node.Args,
            };
            foreach (int input in inputs.Where(a => a >= 0 && InBody(a) && !set.Contains(a)))
            {
                pending.Push(input);
            }
            // A value from outside the loop that the recomputation reads must outlive its branch (declared before it),
            // as the values the backward pass reads do: y * y computed in an if that encloses the loop, say.
            foreach (int input in inputs.Where(a => a >= 0 && !InBody(a) && _nodes[a].Region != 0))
            {
                _neededByBackward[input] = true;
            }
        }
        _readByLoops.UnionWith(LoopInputs(loop));
        var inductions = Phis(loop).Where(p => set.Contains(p.Id) && InductionStep(p, body) is not null).Select(p => p.Id).ToList();
        var saved = Phis(loop).Where(p => set.Contains(p.Id) && !inductions.Contains(p.Id)).Select(p => p.Id).ToList();
        foreach (var child in _nodes.Where(n => n.Op == Op.Loop && _reachable[n.Id] && n.Region == body && _plans.ContainsKey(n.Id)))
        {
            // One that runs again all the same (a value it yields is needed and not kept) records there, not stacked.
            bool again = set.Contains(child.Id);
            _plans[child.Id] = _plans[child.Id] with { RunForwardInReverse = again, StackedInEnclosing = _plans[child.Id].StackedInEnclosing && !again };
        }
        var keptValues = kept.OrderBy(id => id).ToList();
        int bytes = saved.Concat(keptValues).Sum(id => Size(_nodes[id].Type));
        return new LoopPlan(loop.Id, LoopStrategy.Reversed, new EquatableArray<int>(saved), new EquatableArray<int>(keptValues),
            new EquatableArray<int>(set.OrderBy(id => id)), EquatableArray<int>.Empty, RunForwardInReverse: true, bytes,
            Inductions: new EquatableArray<int>(inductions));
    }

    /// <summary>
    /// For a carried integer that every iteration steps by the same amount (its next value is x + step, step + x or
    /// x - step in the body itself, not in a branch, with a step set before the loop): the step and whether it is
    /// subtracted (see <see cref="LoopPlan.Inductions"/>); null for any other carried variable.
    /// </summary>
    private (int Step, bool Down)? InductionStep(Node phi, int body)
    {
        if (phi.Type is not (ScalarType.Int or ScalarType.Long) || phi.Args[1] == phi.Id)
        {
            return null;
        }
        var next = _nodes[phi.Args[1]];
        bool Invariant(int id) => _nodes[id].Op == Op.Constant || !Encloses(body, _nodes[id].Region);
        if (next.Region != body || next.Type != phi.Type)
        {
            return null;
        }
        return next.Op switch
        {
            Op.Add when next.Args[0] == phi.Id && next.Args[1] != phi.Id && Invariant(next.Args[1]) => (next.Args[1], false),
            Op.Add when next.Args[1] == phi.Id && next.Args[0] != phi.Id && Invariant(next.Args[0]) => (next.Args[0], false),
            Op.Subtract when next.Args[0] == phi.Id && next.Args[1] != phi.Id && Invariant(next.Args[1]) => (next.Args[1], true),
            _ => null,
        };
    }

    /// <summary>What a loop reads when it runs: its bounds, the start values of its carried variables, and what its body reads from outside it.</summary>
    private IEnumerable<int> LoopInputs(Node loop) =>
        loop.Args.Concat(_nodes.Where(n => _reachable[n.Id] && Encloses(Body(loop), n.Region))
            .SelectMany(n => n.Args).Where(a => a >= 0 && a != loop.Id && !Encloses(Body(loop), _nodes[a].Region)));   // (its counter names the loop)

    /// <summary>
    /// An inner loop must run forward before its reverse when that run records something (carried values, kept values,
    /// the trip count of a while loop, what loops inside it stack), unless what it keeps is stacked by the loop around it.
    /// </summary>
    private bool NeedsForwardRun(Node loop) =>
        loop.LoopCondition >= 0 || !_plans.TryGetValue(loop.Id, out var plan) || plan.Strategy != LoopStrategy.Reversed
        || (!plan.StackedInEnclosing && (plan.SavedPhis.Count > 0 || plan.KeptValues.Count > 0
            || _plans.Values.Any(inner => inner.StackedInEnclosing && _nodes[inner.Loop].Region == Body(loop))));

    private bool Stacked(Node loop) => _plans.TryGetValue(loop.Id, out var plan) && plan.StackedInEnclosing;

    /// <summary>
    /// A value of the body itself (not of a branch or an inner loop) that costs more to recompute than to keep: a costly
    /// operation, or the result of an inner loop; or that cannot be recomputed: a read of a local array held in memory.
    /// </summary>
    private bool Keepable(Node node, int body) =>
        !_tangentMode
        && ((node.Region == body && !_severalBackwardPasses
                && ((Operations.IsCostly(node.Op) && node.Type.IsFloating())
                    || (node.Op == Op.LoopExit && _nodes[LoopOf(node.Args[0])] is var inner && !(HasBackwardWork(inner) && NeedsForwardRun(inner)))))
            // A read of an array held in memory that later writes change, in the body or in a branch of it (recorded when
            // the branch is taken; the reverse reads it back where the branch, recomputed, is taken again).
            || (node.Op == Op.Load && OverwrittenLater(node) && Encloses(body, node.Region) && !InLoopBelow(body, node.Region)));
}
