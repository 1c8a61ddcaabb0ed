using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// The Hessian-vector product of a method with tensor values (Pearlmutter's trick): its tangent program, each tensor
/// value followed by its derivative along v written with the same Tensor operations (d(Wx) = Ẇx + Wẋ,
/// d tanh(z) = ż − y⊙(y⊙ż), …), whose result is ∇f·v. The tensor emitter's reverse mode over that program is H·v,
/// with the same kernels and workspace buffers as the gradient: no Hessian is formed, nothing is allocated when warm.
/// Per-example operations only; <see cref="Unsupported"/> names what has no tangent rule here.
/// </summary>
internal static class TensorTangentProgram
{
    /// <summary>The first operation of <paramref name="method"/> without a tangent rule here (with its statement), or null.</summary>
    public static (string Operation, string Statement)? Unsupported(TensorMethod method)
    {
        var active = Active(method);
        foreach (var node in method.Nodes)
        {
            bool supported = node.Op switch
            {
                TensorOp.Parameter or TensorOp.Constant or TensorOp.Add or TensorOp.Subtract or TensorOp.Multiply or TensorOp.Divide or TensorOp.Negate
                    or TensorOp.MatVec or TensorOp.MatTransposeVec or TensorOp.VectorAdd or TensorOp.VectorSubtract or TensorOp.Hadamard or TensorOp.Scale
                    or TensorOp.Dot or TensorOp.Sum or TensorOp.SquaredNorm or TensorOp.Row or TensorOp.Element or TensorOp.LogisticLoss => true,
                TensorOp.Softmax or TensorOp.LogSoftmax or TensorOp.CrossEntropy or TensorOp.MeanCrossEntropy or TensorOp.MatMul or TensorOp.MatMulTransposeB or TensorOp.Windows
                    or TensorOp.AddRowVector or TensorOp.Hinge => true,
                _ when node.ElementWise is not null => true,
                TensorOp.Concat => true,
                _ => !active[node.Id],
            };
            if (!supported)
            {
                string statement = node.Statement >= 0 && node.Statement < method.Statements.Count ? method.Statements[node.Statement].Text : method.Name;
                string what = node.Kind == ValueKind.Matrix || node.Args.Any(a => method.Nodes[a].Kind == ValueKind.Matrix && method.Nodes[a].Op != TensorOp.Parameter)
                    ? node.Op + " over a batch" : node.Op.ToString();
                return (what, statement);
            }
        }
        return null;
    }

    /// <summary>The tangent program of <paramref name="method"/> (checked by <see cref="Unsupported"/>), named as its Hessian-vector product.</summary>
    public static TensorMethod Build(TensorMethod method, string productName)
    {
        var nodes = new List<TensorNode>();
        int statement = -1;
        int Add(TensorOp op, ValueKind kind, params int[] args) => Append(op, kind, args, 0, null);
        int Append(TensorOp op, ValueKind kind, int[] args, double constant, string? name, Op? function = null)
        {
            nodes.Add(new TensorNode(nodes.Count, op, kind, args.ToEquatableArray(), constant, name, statement, function));
            return nodes.Count - 1;
        }
        int Constant(double value) => Append(TensorOp.Constant, ValueKind.Scalar, new int[0], value, null);

        var active = Active(method);
        var map = new int[method.Nodes.Count];
        var tangent = new int?[method.Nodes.Count];
        var taken = new HashSet<string>(method.Parameters.Select(p => p.Name));
        var directions = new List<TensorParameter>();
        var parameterOf = method.Parameters.ToDictionary(p => p.Node);

        foreach (var node in method.Nodes)
        {
            statement = node.Statement;
            var a = node.Args.Select(x => map[x]).ToArray();
            int id = map[node.Id] = Append(node.Op, node.Kind, a, node.Constant, node.Name, node.Function);
            if (!active[node.Id])
            {
                continue;
            }
            int? T(int k) => tangent[node.Args[k]];
            // A sum of two optional terms (null: structurally zero).
            int? Plus(int? x, int? y, TensorOp add) => x is int l ? (y is int r ? Add(add, node.Kind, l, r) : l) : y;
            int? t = node.Op switch
            {
                TensorOp.Parameter when parameterOf.TryGetValue(node.Id, out var p) && p.IsDifferentiable => Direction(p),
                TensorOp.Add or TensorOp.Subtract => Plus(T(0), T(1) is int t1 && node.Op == TensorOp.Subtract ? Add(TensorOp.Negate, ValueKind.Scalar, t1) : T(1), TensorOp.Add),
                TensorOp.Negate => Add(TensorOp.Negate, ValueKind.Scalar, T(0)!.Value),
                TensorOp.Multiply => Plus(T(0) is int m0 ? Add(TensorOp.Multiply, ValueKind.Scalar, m0, a[1]) : null,
                    T(1) is int m1 ? Add(TensorOp.Multiply, ValueKind.Scalar, a[0], m1) : null, TensorOp.Add),
                // (ȧ − y·ḃ) / b
                TensorOp.Divide => Add(TensorOp.Divide, ValueKind.Scalar,
                    Plus(T(0), T(1) is int d1 ? Add(TensorOp.Negate, ValueKind.Scalar, Add(TensorOp.Multiply, ValueKind.Scalar, id, d1)) : null, TensorOp.Add)!.Value, a[1]),
                TensorOp.MatVec or TensorOp.MatTransposeVec or TensorOp.Hadamard => Plus(T(0) is int p0 ? Add(node.Op, node.Kind, p0, a[1]) : null,
                    T(1) is int p1 ? Add(node.Op, node.Kind, a[0], p1) : null, TensorOp.VectorAdd),
                TensorOp.VectorAdd => Plus(T(0), T(1), TensorOp.VectorAdd),
                // The batched products: (ȦB + AḂ), (ẊWᵀ + XẆᵀ), a sum of matrices.
                TensorOp.MatMul or TensorOp.MatMulTransposeB => Plus(T(0) is int m0 ? Add(node.Op, node.Kind, m0, a[1]) : null,
                    T(1) is int m1 ? Add(node.Op, node.Kind, a[0], m1) : null, TensorOp.VectorAdd),
                TensorOp.AddRowVector => T(1) is int row ? Add(TensorOp.AddRowVector, node.Kind, T(0) ?? Add(TensorOp.Zeros, node.Kind, a[0]), row) : T(0),
                // log softmax(z)′·ż = ż − (softmax(z)·ż)·1
                TensorOp.LogSoftmax when node.Kind == ValueKind.Vector => Add(TensorOp.AddScalar, node.Kind, T(0)!.Value,
                    Add(TensorOp.Negate, ValueKind.Scalar, Add(TensorOp.Dot, ValueKind.Scalar, Add(TensorOp.Softmax, node.Kind, a[0]), T(0)!.Value))),
                // max(0, 1 − s + s_c)′: its slope times (ṡ_c − ṡ)
                TensorOp.Hinge => Add(TensorOp.Multiply, ValueKind.Scalar, Add(TensorOp.HingeSlope, ValueKind.Scalar, a[0], a[1]),
                    T(1) is int c1 ? (T(0) is int c0 ? Add(TensorOp.Subtract, ValueKind.Scalar, c1, c0) : c1) : Add(TensorOp.Negate, ValueKind.Scalar, T(0)!.Value)),
                TensorOp.Windows => Add(TensorOp.Windows, node.Kind, T(0)!.Value, a[1], a[2]),
                // A batch's Σ_r −log softmax(z_r)[c_r]: Σ_r p_r·ż_r − ż_r[c_r] (the mean: divided by the rows).
                TensorOp.CrossEntropy or TensorOp.MeanCrossEntropy when method.Nodes[node.Args[0]].Kind == ValueKind.Matrix => Mean(node,
                    Add(TensorOp.Subtract, ValueKind.Scalar, Add(TensorOp.Dot, ValueKind.Scalar, Add(TensorOp.Softmax, ValueKind.Matrix, a[0]), T(0)!.Value),
                        Add(TensorOp.PickRows, ValueKind.Scalar, T(0)!.Value, a[1])), a[0]),
                TensorOp.VectorSubtract => T(1) is int s1 ? (T(0) is int s0 ? Add(TensorOp.VectorSubtract, node.Kind, s0, s1) : Add(TensorOp.Scale, node.Kind, s1, Constant(-1))) : T(0),
                TensorOp.Scale => Plus(T(0) is int v0 ? Add(TensorOp.Scale, node.Kind, v0, a[1]) : null,
                    T(1) is int v1 ? Add(TensorOp.Scale, node.Kind, a[0], v1) : null, TensorOp.VectorAdd),
                TensorOp.Dot => Plus(T(0) is int q0 ? Add(TensorOp.Dot, ValueKind.Scalar, q0, a[1]) : null,
                    T(1) is int q1 ? Add(TensorOp.Dot, ValueKind.Scalar, a[0], q1) : null, TensorOp.Add),
                TensorOp.Sum => Add(TensorOp.Sum, ValueKind.Scalar, T(0)!.Value),
                TensorOp.SquaredNorm => Add(TensorOp.Multiply, ValueKind.Scalar, Constant(2), Add(TensorOp.Dot, ValueKind.Scalar, a[0], T(0)!.Value)),
                // An element-wise operation: its rule in the operation table, per element (tanh: ẋ·(1 − y²)).
                _ when node.ElementWise is Op function && Operations.Of(function)!.Partials[0] is not null => Append(TensorOp.Rule, node.Kind, new[] { a[0], id, T(0)!.Value }, 0, null, function),
                // Row by row over a batch: softmax′·ż = p⊙ż − (p·ż)p, log softmax′·ż = ż − (p·ż)·1.
                TensorOp.Softmax when node.Kind == ValueKind.Matrix => Add(TensorOp.VectorSubtract, node.Kind, Add(TensorOp.Hadamard, node.Kind, id, T(0)!.Value),
                    Add(TensorOp.ScaleRows, node.Kind, id, Add(TensorOp.RowDots, ValueKind.Vector, id, T(0)!.Value))),
                TensorOp.LogSoftmax when node.Kind == ValueKind.Matrix => Add(TensorOp.AddToRows, node.Kind, T(0)!.Value,
                    Add(TensorOp.Scale, ValueKind.Vector, Add(TensorOp.RowDots, ValueKind.Vector, Add(TensorOp.Softmax, node.Kind, a[0]), T(0)!.Value), Constant(-1))),
                // softmax′·ż = p⊙ż − (p·ż)p
                TensorOp.Softmax => Add(TensorOp.VectorSubtract, node.Kind, Add(TensorOp.Hadamard, node.Kind, id, T(0)!.Value),
                    Add(TensorOp.Scale, node.Kind, id, Add(TensorOp.Dot, ValueKind.Scalar, id, T(0)!.Value))),
                // −log softmax(z)[c]: p·ż − ż[c]
                TensorOp.CrossEntropy => Add(TensorOp.Subtract, ValueKind.Scalar,
                    Add(TensorOp.Dot, ValueKind.Scalar, Add(TensorOp.Softmax, ValueKind.Vector, a[0]), T(0)!.Value), Add(TensorOp.Element, ValueKind.Scalar, T(0)!.Value, a[1])),
                TensorOp.Row => Add(TensorOp.Row, node.Kind, T(0)!.Value, a[1]),
                TensorOp.Element => Add(TensorOp.Element, ValueKind.Scalar, T(0)!.Value, a[1]),
                TensorOp.Concat => Add(TensorOp.Concat, node.Kind, node.Args.Select((x, k) => tangent[x] ?? Add(TensorOp.Zeros, ValueKind.Vector, a[k])).ToArray()),
                // ∂/∂s log(1 + eˢ) − label·s = σ(s) − label
                TensorOp.LogisticLoss => Add(TensorOp.Multiply, ValueKind.Scalar, T(0)!.Value,
                    Add(TensorOp.Subtract, ValueKind.Scalar, Add(TensorOp.ScalarSigmoid, ValueKind.Scalar, a[0]), a[1])),
                _ => null,
            };
            tangent[node.Id] = t;
        }

        int Mean(TensorNode node, int sum, int matrix) =>
            node.Op == TensorOp.MeanCrossEntropy ? Add(TensorOp.Divide, ValueKind.Scalar, sum, Add(TensorOp.RowCount, ValueKind.Index, matrix)) : sum;

        int Direction(TensorParameter p)
        {
            string name = "v" + p.Name;
            for (int i = 2; !taken.Add(name); i++)
            {
                name = "v" + p.Name + i;
            }
            int id = Append(TensorOp.Parameter, p.Kind, new int[0], 0, name);
            directions.Add(new TensorParameter(name, p.Kind, IsDifferentiable: false, id));
            return id;
        }

        statement = -1;
        int result = tangent[method.Result] ?? Constant(0);
        return method with
        {
            Name = productName,
            GradientName = productName,
            HessianVectorProductName = null,
            Parameters = method.Parameters.Select(p => p with { Node = map[p.Node] }).Concat(directions).ToEquatableArray(),
            Nodes = nodes.ToEquatableArray(),
            Result = result,
            SecondOrder = new SecondOrder(method.Name, map[method.Result], directions.Select(d => d.Name).ToEquatableArray()),
        };
    }

    /// <summary>Which nodes depend on a differentiable parameter.</summary>
    private static bool[] Active(TensorMethod method)
    {
        var active = new bool[method.Nodes.Count];
        foreach (var p in method.Parameters)
        {
            active[p.Node] = p.IsDifferentiable;
        }
        foreach (var node in method.Nodes)
        {
            active[node.Id] |= node.Op != TensorOp.Parameter && node.Kind is not (ValueKind.Index or ValueKind.Indices) && node.Args.Any(a => active[a]);
        }
        return active;
    }
}
