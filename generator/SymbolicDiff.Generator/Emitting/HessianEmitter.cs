using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymbolicDiff.Generator.Model;
using SymbolicDiff.Generator.Parsing;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// Writes the second-order methods of a [Differentiable(Hessian = true)] method from a <see cref="DerivativeGraph"/>:
/// <c>FHessianVectorProduct</c> (forward mode over the gradient's DAG) and <c>FHessian</c> (one tangent sweep per
/// parameter, unit directions folded away). Both are straight-line: nodes in id order (a topological order),
/// values used once written inline, everything else a named local.
/// </summary>
internal sealed class HessianEmitter
{
    private const string Indent = "    ";

    private readonly DifferentiableMethod _method;
    private readonly int _depth;

    private HessianEmitter(DifferentiableMethod method)
    {
        _method = method;
        _depth = 1 + method.ContainingTypes.Count + (method.Namespace is null ? 0 : 1);
    }

    /// <summary>The two methods' text (indentation of the body included).</summary>
    public static List<string> Write(DifferentiableMethod method)
    {
        var emitter = new HessianEmitter(method);
        if (DerivativeGraph.IsStraightLine(method))
        {
            return new List<string> { emitter.WriteHessianVectorProduct(), emitter.WriteHessian() };
        }
        // Loops, arrays, branches that must not run untaken: H·v is the gradient of the tangent program, and the
        // Hessian its columns H·e_j.
        var program = TangentProgram.Build(method);
        return new List<string> { Emitter.GradientOf(program), emitter.WriteHessianByColumns() };
    }

    // ---- FHessianVectorProduct ----------------------------------------------------------------------

    private string WriteHessianVectorProduct()
    {
        var m = _method;
        var graph = new DerivativeGraph(m);
        var gradient = graph.Gradient();
        var parameters = graph.Parameters;
        var directions = parameters.Select(p => graph.Builder.Parameter("v" + p.Name, p.Type)).ToList();
        graph.BeginPhase("Hessian-vector product: forward mode over the gradient above; v_<name> = derivative of <name> along v", "tangent of: ");
        var tangents = graph.Tangents(gradient.OfType<int>(), directions.Cast<int?>().ToList(), name => "v_" + name);
        var products = gradient.Select(g => g is int id ? tangents[id] : null).ToArray();

        var writer = new BodyWriter(this, graph, new[] { graph.Result }.Concat(products.OfType<int>()));
        var allocator = writer.ClaimUserNames();
        var vNames = parameters.Select((p, i) => writer.NameParameter(directions[i], allocator.Unique("v" + p.Name))).ToList();
        var outNames = parameters.Select(p => NameAllocator.Identifier(allocator.Unique("hv" + p.Name))).ToList();
        writer.NameTheRest(allocator);

        writer.WriteNodes();
        writer.Line();
        writer.Line("// (H·v)_<parameter> += the tangent of its gradient component");
        for (int i = 0; i < parameters.Count; i++)
        {
            if (products[i] is int product)
            {
                writer.Accumulate(outNames[i], product);
            }
        }
        writer.Line("return " + writer.Ref(graph.Result).Text + ";");

        var summary = new List<string>
        {
            $"Returns <see cref=\"{Cref()}\"/> and adds its Hessian-vector product H·v to the <c>hv</c> arguments",
            "(forward mode over the symbolic gradient; straight-line code, no Hessian is formed):",
        };
        summary.AddRange(parameters.Select((p, i) => $"<paramref name=\"{outNames[i]}\"/> += " +
            string.Join(" + ", parameters.Select((q, j) => $"∂²{m.Name}/∂{p.Name}∂{q.Name}·{vNames[j]}")) + "."));
        summary.Add("The products accumulate, like the gradient's adjoints. Memory: its locals only (no tape, no allocation).");
        var signature = m.Parameters.Select(p => (p.DeclaredType ?? p.Type.Keyword()) + " " + NameAllocator.Identifier(p.Name))
            .Concat(parameters.Select((p, i) => p.Type.Keyword() + " " + vNames[i]))
            .Concat(parameters.Select((p, i) => "ref " + p.Type.Keyword() + " " + outNames[i]));
        return MethodText(summary, m.HessianVectorProductName!, signature, writer.Text);
    }

    // ---- FHessian -----------------------------------------------------------------------------------

    private string WriteHessian()
    {
        var m = _method;
        var graph = new DerivativeGraph(m);
        var gradient = graph.Gradient();
        var parameters = graph.Parameters;
        int n = parameters.Count;
        var entries = new int?[n, n];
        for (int j = 0; j < n; j++)
        {
            // Column j: tangents along the unit direction e_j. The zero directions fold away in the builder, so
            // this costs only the nodes that depend on parameter j; only rows i ≤ j are needed (symmetry).
            string pj = parameters[j].Name;
            graph.BeginPhase($"Column {pj} of the Hessian: <name>_d{pj} = ∂<name>/∂{pj}, by forward mode over the gradient", "tangent of: ");
            var direction = parameters.Select((p, i) => i == j ? graph.Builder.Constant(1, p.Type) : (int?)null).ToList();
            var tangents = graph.Tangents(gradient.Take(j + 1).OfType<int>(), direction, name => name + "_d" + pj);
            for (int i = 0; i <= j; i++)
            {
                entries[i, j] = gradient[i] is int g ? tangents[g] : null;
            }
        }

        var roots = new List<int> { graph.Result };
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i <= j; i++)
            {
                if (entries[i, j] is int entry)
                {
                    roots.Add(entry);
                    if (i != j)
                    {
                        roots.Add(entry);   // written to both halves
                    }
                }
            }
        }
        var writer = new BodyWriter(this, graph, roots);
        var allocator = writer.ClaimUserNames();
        string hessian = NameAllocator.Identifier(allocator.Unique("hessian"));
        writer.NameTheRest(allocator);

        if (n > 0)
        {
            writer.Line($"if ({hessian}.Length < {n * n})");
            writer.Line("{");
            writer.Line($"{Indent}throw new global::System.ArgumentException(\"The Hessian of {m.Name} needs {n * n} elements ({n}×{n}, row-major).\", {TypeNames.Quoted(hessian)});");
            writer.Line("}");
            writer.Line();
        }
        writer.WriteNodes();
        writer.Line();
        writer.Line($"// {hessian}[i * {n} + j] += ∂²{m.Name}/∂pᵢ∂pⱼ, parameters ({string.Join(", ", parameters.Select(p => p.Name))}); each mixed entry is computed once");
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if ((i <= j ? entries[i, j] : entries[j, i]) is int entry)
                {
                    writer.Accumulate($"{hessian}[{i * n + j}]", entry);
                }
            }
        }
        writer.Line("return " + writer.Ref(graph.Result).Text + ";");

        var summary = new List<string>
        {
            $"Returns <see cref=\"{Cref()}\"/> and adds its Hessian to <paramref name=\"{hessian}\"/>, row-major over the",
            $"differentiable parameters ({string.Join(", ", parameters.Select(p => p.Name))}): {hessian}[i * {n} + j] += ∂²{m.Name}/∂pᵢ∂pⱼ.",
            $"The matrix is symmetric (each mixed entry is computed once and written twice). It accumulates, so clear",
            $"{hessian} first for the Hessian alone; it must hold at least {n * n} elements. Memory: its locals only (no tape, no allocation).",
        };
        var signature = m.Parameters.Select(p => (p.DeclaredType ?? p.Type.Keyword()) + " " + NameAllocator.Identifier(p.Name))
            .Append($"{TypeNames.Span(m.ReturnType.Keyword())} {hessian}");
        return MethodText(summary, m.HessianName!, signature, writer.Text);
    }

    // ---- FHessian by columns (methods with loops or arrays) --------------------------------------------

    /// <summary>
    /// FHessian of a method that goes through its tangent program: column j of the Hessian is H·e_j, one call of the
    /// Hessian-vector product per differentiable scalar (array elements included, so n is known when it runs). The
    /// direction and the column live in two pooled buffers of n values, and each hv argument is a slice of the column.
    /// </summary>
    private string WriteHessianByColumns()
    {
        var m = _method;
        var text = new StringBuilder();
        void Line(string line = "") => text.AppendLine(line.Length == 0 ? "" : new string(' ', _depth * Indent.Length) + line);

        var allocator = new NameAllocator();
        foreach (var parameter in m.Parameters)
        {
            allocator.Claim(parameter.Name);
        }
        foreach (string name in new[] { m.Name, m.HessianVectorProductName! })
        {
            allocator.Claim(name);
        }
        string Local(string name) => NameAllocator.Identifier(allocator.Unique(name));
        string hessian = Local("hessian"), n = Local("n"), directionBuffer = Local("directionBuffer"), columnBuffer = Local("columnBuffer");
        string direction = Local("direction"), column = Local("column"), value = Local("value"), i = Local("i"), j = Local("j");
        var outputs = m.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).ToList();
        // Each output's weights in its own type (a float output's are float even in a double Hessian).
        var weights = outputs.Select(o => (Given: Local("d" + o.Name), Buffer: Local("d" + o.Name + "Buffer"), Copy: Local("d" + o.Name + "Copy"), Type: o.Type.Keyword())).ToList();

        // Where each differentiable parameter's entries start in the direction and the column.
        var differentiable = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        var offsets = new List<string>();
        var lengths = new List<string>();
        var arrays = new List<string>();
        int scalars = 0;
        // The arrays' lengths so far plus the scalars so far, e.g. "x.Length + 1".
        string Count() => string.Join(" + ", arrays.Concat(scalars > 0 || arrays.Count == 0 ? new[] { scalars.ToString() } : Array.Empty<string>()));
        foreach (var p in differentiable)
        {
            offsets.Add(Count());
            string name = NameAllocator.Identifier(p.Name);
            if (p.Kind == ParameterKind.Scalar)
            {
                lengths.Add("1");
                scalars++;
            }
            else
            {
                lengths.Add(name + ".Length");
                arrays.Add(name + ".Length");
            }
        }
        string size = Count();
        string type = DerivativeGraph.ElementType(m).Keyword();
        // A parameter of another floating type than the Hessian's (float[] in a double method) gets its direction and
        // product in scratch of its own type, converted from and into the direction and the column around each call.
        var other = differentiable.Select((p, k) => (Parameter: p, Index: k)).Where(e => e.Parameter.Type.Keyword() != type)
            .ToDictionary(e => e.Index, e => (Type: e.Parameter.Type.Keyword(), V: Local("v" + e.Parameter.Name), Hv: Local("hv" + e.Parameter.Name),
                VBuffer: Local("v" + e.Parameter.Name + "Buffer"), HvBuffer: Local("hv" + e.Parameter.Name + "Buffer")));
        var arguments = m.Parameters.Select(p => NameAllocator.Identifier(p.Name))
            .Concat(differentiable.Select((p, k) => other.TryGetValue(k, out var o) ? o.V
                : p.Kind == ParameterKind.Scalar ? $"{direction}[{offsets[k]}]" : $"{direction}.Slice({offsets[k]}, {lengths[k]})"))
            .Concat(weights.Select(w => w.Copy))
            .Concat(differentiable.Select((p, k) => other.TryGetValue(k, out var o) ? (p.Kind == ParameterKind.Scalar ? "ref " + o.Hv : o.Hv)
                : p.Kind == ParameterKind.Scalar ? $"ref {column}[{offsets[k]}]" : $"{column}.Slice({offsets[k]}, {lengths[k]})"));
        string names = string.Join(", ", differentiable.Select((p, k) => p.Kind == ParameterKind.Scalar ? p.Name : $"{p.Name}[0..{lengths[k]})"));

        Line($"int {n} = {size};   // the differentiable scalars: {names}");
        Line($"if ({hessian}.Length < (long){n} * {n})");
        Line("{");
        Line($"{Indent}throw new {TypeNames.ArgumentException}(\"The Hessian of {m.Name} needs n * n elements (n×n, row-major), n = {size}.\", {TypeNames.Quoted(hessian)});");
        Line("}");
        if (scalars == 0 && !m.HasVectorOutput)
        {
            Line($"if ({n} == 0)");
            Line("{");
            Line($"{Indent}return {m.Name}({string.Join(", ", m.Parameters.Select(p => NameAllocator.Identifier(p.Name)))});");
            Line("}");
        }
        Line();
        Line($"{type}[] {directionBuffer} = {TypeNames.Array}.Empty<{type}>(), {columnBuffer} = {TypeNames.Array}.Empty<{type}>();");
        Line($"{TypeNames.LoopBuffers}.Ensure(ref {directionBuffer}, {n});");
        Line($"{TypeNames.LoopBuffers}.Ensure(ref {columnBuffer}, {n});");
        Line($"{TypeNames.Span(type)} {direction} = new {TypeNames.Span(type)}({directionBuffer}, 0, {n}), {column} = new {TypeNames.Span(type)}({columnBuffer}, 0, {n});");
        Line($"{direction}.Clear();");
        foreach (var w in weights)
        {
            // The pullback zeroes its output adjoints, so each column gets a fresh copy of the weights.
            Line($"{w.Type}[] {w.Buffer} = {TypeNames.Array}.Empty<{w.Type}>();");
            Line($"{TypeNames.LoopBuffers}.Ensure(ref {w.Buffer}, {w.Given}.Length);");
            Line($"{TypeNames.Span(w.Type)} {w.Copy} = new {TypeNames.Span(w.Type)}({w.Buffer}, 0, {w.Given}.Length);");
        }
        foreach (var (k, o) in other.Select(e => (e.Key, e.Value)))
        {
            if (differentiable[k].Kind == ParameterKind.Scalar)
            {
                Line($"{o.Type} {o.V}, {o.Hv};");
                continue;
            }
            Line($"{o.Type}[] {o.VBuffer} = {TypeNames.Array}.Empty<{o.Type}>(), {o.HvBuffer} = {TypeNames.Array}.Empty<{o.Type}>();");
            Line($"{TypeNames.LoopBuffers}.Ensure(ref {o.VBuffer}, {lengths[k]});");
            Line($"{TypeNames.LoopBuffers}.Ensure(ref {o.HvBuffer}, {lengths[k]});");
            Line($"{TypeNames.Span(o.Type)} {o.V} = new {TypeNames.Span(o.Type)}({o.VBuffer}, 0, {lengths[k]}), {o.Hv} = new {TypeNames.Span(o.Type)}({o.HvBuffer}, 0, {lengths[k]});");
        }
        if (!m.HasVectorOutput)
        {
            Line($"{type} {value} = 0;");
        }
        Line($"for (int {j} = 0; {j} < {n}; {j}++)");
        Line("{");
        Line($"{Indent}// Column {j}: H·e_{j}, the derivative of the gradient along the unit direction e_{j}");
        Line($"{Indent}{direction}[{j}] = 1;");
        Line($"{Indent}{column}.Clear();");
        foreach (var w in weights)
        {
            Line($"{Indent}{w.Given}.CopyTo({w.Copy});");
        }
        foreach (var (k, o) in other.Select(e => (e.Key, e.Value)))
        {
            Line(differentiable[k].Kind == ParameterKind.Scalar
                ? $"{Indent}{o.V} = ({o.Type}){direction}[{offsets[k]}]; {o.Hv} = 0;"
                : $"{Indent}for (int {i} = 0; {i} < {o.V}.Length; {i}++) {o.V}[{i}] = ({o.Type}){direction}[{offsets[k]} + {i}]; {o.Hv}.Clear();");
        }
        Line($"{Indent}{(m.HasVectorOutput ? "" : value + " = ")}{m.HessianVectorProductName}({string.Join(", ", arguments)});");
        foreach (var (k, o) in other.Select(e => (e.Key, e.Value)))
        {
            Line(differentiable[k].Kind == ParameterKind.Scalar
                ? $"{Indent}{column}[{offsets[k]}] = {o.Hv};"
                : $"{Indent}for (int {i} = 0; {i} < {o.Hv}.Length; {i}++) {column}[{offsets[k]} + {i}] = {o.Hv}[{i}];");
        }
        Line($"{Indent}{direction}[{j}] = 0;");
        Line($"{Indent}// Rows {i} ≤ {j} of the column, written to both halves: each mixed entry is computed once");
        Line($"{Indent}for (int {i} = 0; {i} <= {j}; {i}++)");
        Line($"{Indent}{{");
        Line($"{Indent}{Indent}{hessian}[{i} * {n} + {j}] += {column}[{i}];");
        Line($"{Indent}{Indent}if ({i} != {j})");
        Line($"{Indent}{Indent}{{");
        Line($"{Indent}{Indent}{Indent}{hessian}[{j} * {n} + {i}] += {column}[{i}];");
        Line($"{Indent}{Indent}}}");
        Line($"{Indent}}}");
        Line("}");
        Line($"{TypeNames.LoopBuffers}.Return({directionBuffer});");
        Line($"{TypeNames.LoopBuffers}.Return({columnBuffer});");
        foreach (var o in other.Where(e => differentiable[e.Key].Kind != ParameterKind.Scalar).Select(e => e.Value))
        {
            Line($"{TypeNames.LoopBuffers}.Return({o.VBuffer});");
            Line($"{TypeNames.LoopBuffers}.Return({o.HvBuffer});");
        }
        foreach (var w in weights)
        {
            Line($"{TypeNames.LoopBuffers}.Return({w.Buffer});");
        }
        if (!m.HasVectorOutput)
        {
            Line($"return {value};");
        }

        string weighted = string.Join(" + ", weights.Select((w, k) => $"{w.Given}ᵀ·{outputs[k].Name}"));
        var summary = new List<string>
        {
            m.HasVectorOutput
                ? $"Adds the Hessian of {weighted} (the outputs of <see cref=\"{Cref()}\"/> weighted by {string.Join(", ", weights.Select(w => w.Given))}) to <paramref name=\"{hessian}\"/>, row-major over the"
                : $"Returns <see cref=\"{Cref()}\"/> and adds its Hessian to <paramref name=\"{hessian}\"/>, row-major over the",
            $"n = {size} differentiable scalars ({names}): {hessian}[i * n + j] += ∂²{m.Name}/∂pᵢ∂pⱼ.",
            $"Column j is <see cref=\"{m.HessianVectorProductName}\"/> along the unit direction e_j (n calls); the entries i ≤ j of",
            "each column are written to both halves, so the matrix is exactly symmetric. It accumulates, so clear",
            $"{hessian} first for the Hessian alone; it must hold at least n * n elements. Memory: two pooled buffers of n values",
            $"(the direction and the column) and what {m.HessianVectorProductName} keeps; nothing is allocated when warm.",
        };
        if (m.HasVectorOutput)
        {
            summary[1] = summary[1].Replace($"∂²{m.Name}/", $"∂²({weighted})/");
            summary.Add("The outputs " + string.Join(", ", outputs.Select(o => $"<paramref name=\"{o.Name}\"/>")) + " are scratch: they end holding their derivatives along the last unit direction.");
        }
        var signature = m.Parameters.Select(p => (p.DeclaredType ?? p.Type.Keyword()) + " " + NameAllocator.Identifier(p.Name))
            .Concat(weights.Select(w => $"{TypeNames.ReadOnlySpan(w.Type)} {w.Given}"))
            .Append($"{TypeNames.Span(type)} {hessian}");
        return Emitter.MethodText(m, m.HasVectorOutput ? "void" : type, summary, m.HessianName!, signature, text.ToString());
    }

    // ---- Shared ---------------------------------------------------------------------------------

    private string Cref() => Emitter.CrefOf(_method);

    private string MethodText(List<string> summary, string name, IEnumerable<string> parameters, string body) =>
        Emitter.MethodText(_method, _method.ReturnType.Keyword(), summary, name, parameters, body);

    /// <summary>One method body: which nodes get locals, their names, and the straight-line text.</summary>
    private sealed class BodyWriter
    {
        private readonly HessianEmitter _owner;
        private readonly DerivativeGraph _graph;
        private readonly IReadOnlyList<Node> _nodes;
        private readonly HashSet<int> _reachable = new();
        private readonly Dictionary<int, int> _uses = new();
        private readonly HashSet<int> _deep = new();
        private readonly Dictionary<int, string> _names = new();
        private readonly StringBuilder _text = new();
        private readonly int _result;

        public BodyWriter(HessianEmitter owner, DerivativeGraph graph, IEnumerable<int> roots)
        {
            _owner = owner;
            _graph = graph;
            _nodes = graph.Builder.Nodes;
            _result = graph.Result;
            foreach (int root in roots)
            {
                _uses[root] = Uses(root) + 1;
                _reachable.UnionWith(DerivativeFlow.Reach(root, id => _nodes[id].Args));
            }
            foreach (int id in _reachable)
            {
                foreach (int arg in _nodes[id].Args)
                {
                    _uses[arg] = Uses(arg) + 1;
                }
            }
            // As in the gradient: a value nested deeper than Emitter.MaxInlineNesting gets a local (no deep recursion in Ref).
            var nesting = new int[_nodes.Count];
            foreach (var node in _nodes.Where(n => _reachable.Contains(n.Id) && !IsLocal(n.Id) && n.Op is not (Op.Constant or Op.Parameter)))
            {
                int depth = 1 + node.Args.Select(a => nesting[a]).DefaultIfEmpty(0).Max();
                nesting[node.Id] = depth > Emitter.MaxInlineNesting ? 0 : depth;
                if (depth > Emitter.MaxInlineNesting)
                {
                    _deep.Add(node.Id);
                }
            }
        }

        public string Text => _text.ToString();

        private int Uses(int id) => _uses.TryGetValue(id, out int count) ? count : 0;

        /// <summary>Constants and parameters are written in place; other nodes get a local unless used once.</summary>
        private bool IsLocal(int id)
        {
            var node = _nodes[id];
            return _reachable.Contains(id) && node.Op is not (Op.Constant or Op.Parameter)
                && (node.Name is not null || id == _result || Uses(id) != 1 || _deep.Contains(id));
        }

        /// <summary>The user's parameters and locals keep their names, claimed before any generated name.</summary>
        public NameAllocator ClaimUserNames()
        {
            var allocator = new NameAllocator();
            foreach (var parameter in _owner._method.Parameters)
            {
                _names[_graph.Map(parameter.Node)] = allocator.Claim(parameter.Name);
            }
            foreach (var field in _nodes.Where(n => n.IsReadAsWritten()))
            {
                _names[field.Id] = field.Name!;   // global::Type.Field or ((int)kind), written as it is
            }
            foreach (var node in _nodes.Where(n => IsLocal(n.Id) && n.Name is not null))
            {
                _names[node.Id] = allocator.Unique(node.Name!);
            }
            return allocator;
        }

        public string NameParameter(int node, string name) => _names[node] = NameAllocator.Identifier(name);

        /// <summary>Derivative locals by their hint (dx, z_dy, v_dx, …), the rest t1, t2, ….</summary>
        public void NameTheRest(NameAllocator allocator)
        {
            var locals = _nodes.Where(n => IsLocal(n.Id) && !_names.ContainsKey(n.Id)).ToList();
            foreach (var node in locals.Where(n => _graph.Hints.ContainsKey(n.Id)))
            {
                _names[node.Id] = allocator.Unique(_graph.Hints[node.Id]);
            }
            int temporaries = 0;
            foreach (var node in locals.Where(n => !_names.ContainsKey(n.Id)))
            {
                _names[node.Id] = allocator.Next("t", ref temporaries);
            }
        }

        /// <summary>Every local in node order, with a comment for each phase and each source statement.</summary>
        public void WriteNodes()
        {
            var phases = _graph.Phases;
            int phase = -1, statement = -1;
            foreach (var node in _nodes.Where(n => IsLocal(n.Id)))
            {
                int current = phases.Count - 1;
                while (current > 0 && phases[current].Start > node.Id)
                {
                    current--;
                }
                if (current != phase)
                {
                    if (phase >= 0)
                    {
                        Line();
                    }
                    phase = current;
                    statement = -1;
                    Line("// " + phases[current].Label);
                }
                if (node.Statement >= 0 && node.Statement != statement)
                {
                    statement = node.Statement;
                    Line("// " + phases[current].Prefix + _owner._method.Statements[statement].Text);
                }
                Line($"{node.Type.Keyword()} {NameAllocator.Identifier(_names[node.Id])} = {Render(node).Text};");
            }
        }

        public void Accumulate(string target, int value)
        {
            var code = Ref(value);
            Line(Code.IsNegation(code) ? $"{target} -= {Code.Prefix("-", code).Text};" : $"{target} += {code.Text};");
        }

        public void Line(string text = "")
        {
            if (text.Length == 0)
            {
                _text.AppendLine();
                return;
            }
            for (int i = 0; i < _owner._depth; i++)
            {
                _text.Append(Indent);
            }
            _text.AppendLine(text);
        }

        public Code Ref(int id)
        {
            var node = _nodes[id];
            return node.Op switch
            {
                Op.Constant => Code.Constant(node.Constant, node.Type),
                _ when _names.TryGetValue(id, out var name) => Code.Name(NameAllocator.Identifier(name)),
                _ => Render(node),
            };
        }

        private Code Render(Node node) =>
            Emitter.RenderOperation(node, _nodes, Ref, Emitter.MathClass, Emitter.ActivationsClass);
    }
}
