using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The Jacobian of a method with vector outputs, one row per output element from the generated pullback.</summary>
internal sealed partial class Emitter
{
    /// <summary>
    /// Reverse mode row by row: seeding one output element's adjoint with 1 makes the gradient method write that
    /// element's partial derivatives, which is one row of the Jacobian. Rows are written straight into the caller's
    /// span (the adjoint spans are slices of the row), so nothing is copied or allocated once the pool is warm.
    /// </summary>
    private string WriteJacobian()
    {
        var m = _method;
        var names = new NameAllocator();
        foreach (var parameter in m.Parameters)
        {
            names.Claim(parameter.Name);
        }
        var outputs = m.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).ToList();
        var inputs = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        string type = outputs[0].Type.Keyword();
        string jacobian = names.Unique("jacobian"), rows = names.Unique("rows"), columns = names.Unique("columns"), row = names.Unique("row");
        string element = names.Unique("element"), jacobianRow = names.Unique("jacobianRow");
        string Id(Parameter p) => Identifier(p.Name);
        var seeds = outputs.ToDictionary(p => p, p => names.Unique("d" + p.Name));
        var pooled = outputs.ToDictionary(p => p, p => names.Unique(p.Name + "Seed"));
        string exception = m.QualifyNames ? "global::System.ArgumentException" : "ArgumentException";
        string empty = m.QualifyNames ? "global::System.Array" : "Array";
        _namespacesUsed.Add("System");

        var body = new StringBuilder();
        _text = body;
        _depth = 1 + m.ContainingTypes.Count + (m.Namespace is null ? 0 : 1);
        Line($"int {rows} = {string.Join(" + ", outputs.Select(p => Id(p) + ".Length"))};");
        var offsets = new List<string>();
        string offset = "0";
        foreach (var input in inputs)
        {
            offsets.Add(offset);
            string width = input.Kind == ParameterKind.Scalar ? "1" : Id(input) + ".Length";
            offset = offset == "0" ? width : offset + " + " + width;
        }
        Line($"int {columns} = {offset};");
        Line($"if ({jacobian}.Length != {rows} * {columns}) throw new {exception}(\"{jacobian} must hold one row per output element and one column per input element.\", nameof({jacobian}));");
        foreach (var output in outputs)
        {
            Line($"{type}[] {pooled[output]} = {empty}.Empty<{type}>();");
            Line($"{LoopBuffers()}.Ensure(ref {pooled[output]}, {Id(output)}.Length);");
            Line($"{SpanOf(output.Type)} {seeds[output]} = {pooled[output]}.AsSpan(0, {Id(output)}.Length);");
            Line($"{seeds[output]}.Clear();");
        }
        Line($"int {row} = 0;");
        foreach (var output in outputs)
        {
            Line($"// rows for {output.Name}: ∂{output.Name}[{element}]/∂inputs");
            Line($"for (int {element} = 0; {element} < {Id(output)}.Length; {element}++, {row}++)");
            Line("{");
            _depth++;
            Line($"{SpanOf(output.Type)} {jacobianRow} = {jacobian}.Slice({row} * {columns}, {columns});");
            Line($"{jacobianRow}.Clear();");
            Line($"{seeds[output]}[{element}] = {Code.Constant(1, output.Type).Text};");
            var arguments = m.Parameters.Select(Id)
                .Concat(outputs.Select(p => seeds[p]))
                .Concat(inputs.Select((p, i) => p.Kind == ParameterKind.Scalar
                    ? $"ref {jacobianRow}[{offsets[i]}]"
                    : $"{jacobianRow}.Slice({offsets[i]}, {Id(p)}.Length)"));
            Line($"{m.GradientName}({string.Join(", ", arguments)});");
            Line($"{seeds[output]}[{element}] = {Code.Constant(0, output.Type).Text};");
            _depth--;
            Line("}");
        }
        foreach (var output in outputs)
        {
            Line($"{LoopBuffers()}.Return({pooled[output]});");
        }

        var summary = new List<string>
        {
            $"Runs <see cref=\"{Cref()}\"/> and writes its Jacobian, row-major: one row per output element (" + string.Join(", then ", outputs.Select(p => p.Name)) + "),",
            "one column per differentiable input element (" + string.Join(", then ", inputs.Select(p => p.Name)) + ").",
            "Reverse mode: each row is one backward sweep of the generated gradient, seeded with that output element.",
        };
        var parameters = m.Parameters.Select(p => DeclaredType(p) + " " + Id(p)).Append(SpanOf(outputs[0].Type) + " " + jacobian);
        return MethodText(summary, m.JacobianName!, parameters, body.ToString());
    }

    /// <summary>A Jacobian needs one element type for its outputs and inputs.</summary>
    private static bool CanWriteJacobian(DifferentiableMethod m) =>
        m.JacobianName is not null && m.Parameters.Any(p => p.IsDifferentiable)
        && m.Parameters.Where(p => p.IsDifferentiable || p.Kind == ParameterKind.OutputArray).Select(p => p.Type).Distinct().Count() == 1;
}
