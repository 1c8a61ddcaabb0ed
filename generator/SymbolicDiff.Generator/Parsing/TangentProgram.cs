using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Second order for methods with loops, array parameters or branches that must not run untaken: the method's
/// tangent program, a method of its own whose result is the directional derivative ∇f·v and whose gradient,
/// written by the ordinary reverse-mode <c>Emitter</c>, is the Hessian-vector product H·v (reverse over forward).
/// <para>
/// The program is the method's DAG with every node followed by its tangent (forward mode as nodes): each
/// differentiable parameter p gets a direction parameter v_p (an array for an array), a load from an array reads
/// the direction array at the same index, a loop-carried variable gets a carried tangent (a second phi), a branch
/// computes its values' tangents in the branch itself, and every operation's tangent is its operands' tangents
/// times the partial derivatives of the operation table (<see cref="RuleNodes"/>, gated where 0·∞ could arise).
/// Everything else the gradient supports (loop plans, kept values, pooled buffers, branches run lazily) then comes
/// from the reverse-mode emitter unchanged, so the second-order code needs no tape and allocates nothing when warm.
/// </para>
/// </summary>
internal static class TangentProgram
{
    /// <summary>
    /// The tangent program of <paramref name="method"/> (a method with a returned value and no calls left after
    /// inlining: see <see cref="DerivativeGraph.Check"/>), named as its Hessian-vector product.
    /// </summary>
    public static DifferentiableMethod Build(DifferentiableMethod method)
    {
        var nodes = method.Nodes;
        var builder = new GraphBuilder(method.Regions);
        var rules = new RuleNodes(builder, regionSelects: true);
        var active = Active(method);
        var map = new int[nodes.Count];
        var tangent = new int?[nodes.Count];
        var directions = new List<Parameter>();
        var taken = new HashSet<string>(method.Parameters.Select(p => p.Name));
        var parameterOf = method.Parameters.ToDictionary(p => p.Node);
        var phis = new List<Node>();

        foreach (var node in nodes)
        {
            builder.CurrentRegion = node.Region;
            builder.CurrentStatement = node.Statement;
            if (DerivativeFlow.IsOutputStore(node, nodes))
            {
                // An output element receives its derivative along v: the program's outputs are J·v, and their adjoints
                // (the weights d of the second-order pullback) flow back through the tangents.
                map[node.Id] = builder.Store(map[node.Args[0]], map[node.Args[1]], Tangent(node.Args[2], node.Type));
                continue;
            }
            // Operands that come later (a phi's next value, a while loop's condition) are set once the body is built.
            int id = map[node.Id] = node.Op == Op.Constant
                ? builder.Constant(node.Constant, node.Type)
                : builder.Copy(node, node.Args.Select(a => a < node.Id ? map[a] : a).ToArray());
            if (node.Op == Op.Phi)
            {
                phis.Add(node);
            }
            if (!active[node.Id])
            {
                continue;
            }
            var copy = builder[id];
            int? Of(int arg) => tangent[arg];
            switch (node.Op)
            {
                case Op.NewArray:
                    // A local array written in place gets a tangent array beside it, written where it is written.
                    tangent[node.Id] = builder.NewArray(copy.Args[0], node.Type, TangentName(node.Name));
                    break;
                case Op.Store when Of(node.Args[0]) is int tangentArray:
                    builder.Store(tangentArray, copy.Args[1], Tangent(node.Args[2], node.Type));
                    break;
                case Op.Load when Of(node.Args[0]) is int memory && nodes[node.Args[0]].Op == Op.NewArray:
                    tangent[node.Id] = builder.LoadMemory(memory, copy.Args[1]);
                    break;
                case Op.Parameter when parameterOf.TryGetValue(node.Id, out var parameter):
                    string name = Unique("v" + parameter.Name, taken);
                    int direction = builder.Parameter(name, node.Type);
                    directions.Add(new Parameter(name, node.Type, IsDifferentiable: false, direction,
                        parameter.Kind == ParameterKind.Scalar ? ParameterKind.Scalar : ParameterKind.InputArray,
                        parameter.Kind == ParameterKind.Scalar ? null : Emitting.TypeNames.ReadOnlySpan(node.Type.Keyword())));
                    tangent[node.Id] = direction;
                    break;
                case Op.Load:
                    tangent[node.Id] = Of(node.Args[0]) is int array ? builder.Add(Op.Load, node.Type, array, copy.Args[1]) : null;
                    break;
                case Op.Phi:
                    tangent[node.Id] = builder.Phi(map[method.Regions[node.Region].Loop], Tangent(node.Args[0], node.Type), TangentName(node.Name));
                    break;
                case Op.LoopExit:
                    tangent[node.Id] = builder.LoopExit(tangent[node.Args[0]]!.Value, map[method.Regions[nodes[node.Args[0]].Region].Loop]);
                    break;
                case Op.Select:
                    tangent[node.Id] = builder.Select(copy.Args[0], Tangent(node.Args[1], node.Type), Tangent(node.Args[2], node.Type),
                        node.TrueRegion, node.FalseRegion, node.Type);
                    break;
                case Op.Call:
                    // Only a call no derivative flows through is left here (DerivativeGraph.Check rejects the others):
                    // its value decides a condition, so it has no tangent.
                    break;
                case Op.Convert:
                    tangent[node.Id] = Of(node.Args[0]) is int t ? builder.Convert(t, node.Type) : null;
                    break;
                default:
                    int? sum = null;
                    foreach (int k in DerivativeFlow.FlowingOperands(copy, builder.Nodes))
                    {
                        if (Of(node.Args[k]) is int ta && rules.Share(copy, k, builder.Convert(ta, node.Type)) is int share)
                        {
                            sum = sum is int s ? rules.Sum(s, share, node.Type) : share;
                        }
                    }
                    tangent[node.Id] = sum;
                    break;
            }
            if (tangent[node.Id] is int named && node.Name is { } local && node.Op is not (Op.Parameter or Op.Phi or Op.LoopExit))
            {
                builder.NameNode(named, TangentName(local));
            }
        }

        // The tangent of a value as the given type; 0 where it has none (a constant).
        int Tangent(int value, ScalarType type) => tangent[value] is int t ? builder.Convert(t, type) : builder.Constant(0, type);

        // The forward references: a phi's next value (and its tangent's), a while loop's condition.
        foreach (var phi in phis)
        {
            int next = phi.Args[1];
            builder.SetArgs(map[phi.Id], new[] { map[phi.Args[0]], map[next] });
            if (tangent[phi.Id] is int carried)
            {
                builder.SetArgs(carried, new[] { builder[carried].Args[0], Tangent(next, phi.Type) });
            }
        }
        foreach (var loop in nodes.Where(n => n.Op == Op.Loop))
        {
            builder.SetLoopOfRegion(loop.TrueRegion, map[loop.Id]);
            if (loop.LoopCondition >= 0)
            {
                builder.SetLoopCondition(map[loop.Id], map[loop.LoopCondition], loop.ConditionAfterBody);
            }
        }

        int result = method.HasVectorOutput ? -1 : tangent[method.Result] ?? builder.Constant(0, method.ReturnType);
        var parameters = method.Parameters.Select(p => p with { Node = map[p.Node] }).Concat(directions).ToList();
        return method with
        {
            GradientName = method.HessianVectorProductName!,
            TangentName = null,
            JacobianName = null,
            HessianName = null,
            HessianVectorProductName = null,
            Checkpointing = false,   // (the second-order pass keeps full storage, as the Jacobian does)
            LoopMemoryLimit = 0,
            Parameters = parameters.ToEquatableArray(),
            Nodes = builder.Nodes.ToEquatableArray(),
            Regions = builder.Regions.ToEquatableArray(),
            Result = result,
            SecondOrder = new SecondOrder(method.Name, method.HasVectorOutput ? -1 : map[method.Result], directions.Select(d => d.Name).ToEquatableArray()),
        };
    }

    /// <summary>The operations a tangent program is built from: the table's, and the structure of loops, arrays and branches.</summary>
    public static bool Supports(Op op) =>
        Operations.Supports(op) || op is Op.Select or Op.Loop or Op.LoopCounter or Op.Phi or Op.LoopExit or Op.Load or Op.Length or Op.Store or Op.If or Op.NewArray;

    /// <summary>The tangent of a user's variable x is named x_v (its derivative along v).</summary>
    private static string TangentName(string? name) => (name ?? "t") + "_v";

    private static string Unique(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int i = 2; !taken.Add(candidate); i++)
        {
            candidate = name + i;
        }
        return candidate;
    }

    /// <summary>Which nodes depend on a differentiable parameter through a derivative (a phi through its next value too).</summary>
    private static bool[] Active(DifferentiableMethod method)
    {
        var nodes = method.Nodes;
        var active = new bool[nodes.Count];
        foreach (var parameter in method.Parameters.Where(p => p.IsDifferentiable))
        {
            active[parameter.Node] = true;
        }
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var node in nodes.Where(n => !active[n.Id]))
            {
                if (node.Op == Op.Load ? active[node.Args[0]] && node.Type.IsFloating() : DerivativeFlow.DifferentiableArgs(node, nodes).Any(a => active[a]))
                {
                    active[node.Id] = changed = true;
                }
            }
        }
        return active;
    }
}
