using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>The Jacobian of a method with vector outputs, one row per output element from the generated pullback.</summary>
internal sealed partial class Emitter
{
    /// <summary>
    /// Reverse mode when there are no more outputs than inputs: the forward pass runs once, then one backward pass per
    /// output element, seeded with 1 there, writes that element's partial derivatives (one row) straight into the
    /// caller's span (the adjoints are slices of the row). Otherwise forward mode column by column: a unit direction
    /// gives one column. Buffers come from the pool, so nothing is allocated once it is warm.
    /// </summary>
    private string WriteJacobian()
    {
        _severalBackwardPasses = true;
        PrepareReverseMode();
        var m = _method;
        var outputs = m.Parameters.Where(p => p.Kind == ParameterKind.OutputArray).ToList();
        var inputs = m.Parameters.Where(p => p.IsDifferentiable).ToList();
        // Double when any input or output is double (a float one is widened exactly), else float.
        var elementType = outputs.Concat(inputs).Any(p => p.Type == ScalarType.Double) ? ScalarType.Double : ScalarType.Float;
        string type = elementType.Keyword();
        string jacobian = _allocator.Unique("jacobian"), rows = _allocator.Unique("rows"), columns = _allocator.Unique("columns");
        string row = _allocator.Unique("row"), element = _allocator.Unique("element"), jacobianRow = _allocator.Unique("jacobianRow");
        string column = _allocator.Unique("column");
        string Id(Parameter p) => Identifier(_names[p.Node]!);
        string Adjoint(Parameter p) => Identifier(_adjointNames[p.Node]!);
        var pooled = outputs.ToDictionary(p => p, p => _allocator.Unique(p.Name + "Seed"));
        var pooledDirections = inputs.Where(p => p.Kind != ParameterKind.Scalar).ToDictionary(p => p, p => _allocator.Unique(p.Name + "Direction"));
        // An input of another element type than the Jacobian's gets its own adjoint, copied into the row after each pass.
        var narrow = inputs.Where(p => p.Type != elementType).ToList();
        var pooledAdjoints = narrow.Where(p => p.Kind != ParameterKind.Scalar).ToDictionary(p => p, p => _allocator.Unique(p.Name + "Adjoint"));
        string copy = _allocator.Unique("k");
        string exception = TypeNames.ArgumentException, empty = TypeNames.Array;

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
        Line($"if ({jacobian}.Length != {rows} * {columns}) throw new {exception}(\"{jacobian} must hold one row per output element and one column per input element.\", {TypeNames.Quoted(jacobian)});");
        WriteOverlapChecks();
        // The output adjoints (seeds) live on the stack when small, else in a pooled buffer.
        foreach (var output in outputs)
        {
            string seedType = output.Type.Keyword();
            Line($"{seedType}[] {pooled[output]} = {empty}.Empty<{seedType}>();");
            Line($"if ({Id(output)}.Length > {StackLimit}) {LoopBuffers()}.Ensure(ref {pooled[output]}, {Id(output)}.Length);");
            Line($"{SpanOf(output.Type)} {Adjoint(output)} = {Id(output)}.Length <= {StackLimit} ? stackalloc {seedType}[{Id(output)}.Length] : {TypeNames.MemoryExtensions}.AsSpan({pooled[output]}, 0, {Id(output)}.Length);");
            Line($"{Adjoint(output)}.Clear();");
        }

        Line($"if ({rows} <= {columns})");
        Line("{");
        _depth++;
        Line("// Fewer outputs than inputs: reverse mode, the forward pass once and one backward pass per output element (a row)");
        DeclareBuffers();
        foreach (var input in pooledAdjoints.Keys)
        {
            string inputType = input.Type.Keyword();
            Line($"{inputType}[] {pooledAdjoints[input]} = {empty}.Empty<{inputType}>();");
            Line($"{LoopBuffers()}.Ensure(ref {pooledAdjoints[input]}, {Id(input)}.Length);");
        }
        Line("// Forward pass");
        WriteForwardRegion(0, recordLoops: true);
        Line($"int {row} = 0;");
        foreach (var output in outputs)
        {
            Line($"for (int {element} = 0; {element} < {Id(output)}.Length; {element}++, {row}++)");
            Line("{");
            _depth++;
            Line($"{SpanOf(elementType)} {jacobianRow} = {jacobian}.Slice({row} * {columns}, {columns});");
            Line($"{jacobianRow}.Clear();");
            for (int i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                if (narrow.Contains(input))
                {
                    Line(input.Kind == ParameterKind.Scalar
                        ? $"{input.Type.Keyword()} {Adjoint(input)} = {Code.Constant(0, input.Type).Text};"
                        : $"{SpanOf(input.Type)} {Adjoint(input)} = {TypeNames.MemoryExtensions}.AsSpan({pooledAdjoints[input]}, 0, {Id(input)}.Length);");
                    if (input.Kind != ParameterKind.Scalar)
                    {
                        Line($"{Adjoint(input)}.Clear();");
                    }
                    continue;
                }
                Line(input.Kind == ParameterKind.Scalar
                    ? $"ref {type} {Adjoint(input)} = ref {jacobianRow}[{offsets[i]}];"
                    : $"{SpanOf(input.Type)} {Adjoint(input)} = {jacobianRow}.Slice({offsets[i]}, {Id(input)}.Length);");
            }
            Line($"{Adjoint(output)}[{element}] = {Code.Constant(1, output.Type).Text};");
            Line($"// Backward pass for ∂{output.Name}[{element}]/∂inputs");
            ResetBackwardState();
            _writingBackward = true;
            WriteBackwardPass();
            _writingBackward = false;
            for (int i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                if (narrow.Contains(input))
                {
                    Line(input.Kind == ParameterKind.Scalar
                        ? $"{jacobianRow}[{offsets[i]}] = {Adjoint(input)};"
                        : $"for (int {copy} = 0; {copy} < {Id(input)}.Length; {copy}++) {jacobianRow}[{(offsets[i] == "0" ? copy : $"{offsets[i]} + {copy}")}] = {Adjoint(input)}[{copy}];");
                }
            }
            Line($"{Adjoint(output)}[{element}] = {Code.Constant(0, output.Type).Text};   // also when nothing wrote it");
            _depth--;
            Line("}");
        }
        ReturnBuffers();
        foreach (var pooledAdjoint in pooledAdjoints.Values)
        {
            Line($"{LoopBuffers()}.Return({pooledAdjoint});");
        }
        _depth--;
        Line("}");
        Line("else");
        Line("{");
        _depth++;
        Line("// Fewer inputs than outputs: forward mode, one tangent sweep per input element (a column)");
        foreach (var input in inputs)
        {
            string inputType = input.Type.Keyword();
            if (input.Kind == ParameterKind.Scalar)
            {
                Line($"{inputType} {Adjoint(input)};");
                continue;
            }
            Line($"{inputType}[] {pooledDirections[input]} = {empty}.Empty<{inputType}>();");
            Line($"{LoopBuffers()}.Ensure(ref {pooledDirections[input]}, {Id(input)}.Length);");
            Line($"{SpanOf(input.Type)} {Adjoint(input)} = {TypeNames.MemoryExtensions}.AsSpan({pooledDirections[input]}, 0, {Id(input)}.Length);");
        }
        Line($"for (int {column} = 0; {column} < {columns}; {column}++)");
        Line("{");
        _depth++;
        Line("// the direction is the unit vector of this column");
        for (int i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.Kind == ParameterKind.Scalar)
            {
                Line($"{Adjoint(input)} = {column} == {offsets[i]} ? {Code.Constant(1, input.Type).Text} : {Code.Constant(0, input.Type).Text};");
                continue;
            }
            string index = offsets[i] == "0" ? column : offsets[i].Contains(" ") ? $"{column} - ({offsets[i]})" : $"{column} - {offsets[i]}";
            Line($"{Adjoint(input)}.Clear();");
            Line($"if ({index} >= 0 && {index} < {Id(input)}.Length) {Adjoint(input)}[{index}] = {Code.Constant(1, input.Type).Text};");
        }
        var tangentArguments = m.Parameters.Select(Id).Concat(inputs.Select(Adjoint)).Concat(outputs.Select(Adjoint));
        Line($"{TypePath(m.Namespace, m.ContainingTypes)}.{m.TangentName}({string.Join(", ", tangentArguments)});");
        string outputRow = "0";
        foreach (var output in outputs)
        {
            Line($"for (int {element} = 0; {element} < {Id(output)}.Length; {element}++)");
            Line("{");
            string outputIndex = outputRow == "0" ? element : $"({outputRow} + {element})";
            Line($"    {jacobian}[{outputIndex} * {columns} + {column}] = {Adjoint(output)}[{element}];");
            Line("}");
            outputRow = outputRow == "0" ? Id(output) + ".Length" : outputRow + " + " + Id(output) + ".Length";
        }
        _depth--;
        Line("}");
        foreach (var pooledDirection in pooledDirections.Values)
        {
            Line($"{LoopBuffers()}.Return({pooledDirection});");
        }
        _depth--;
        Line("}");
        foreach (var output in outputs)
        {
            Line($"{LoopBuffers()}.Return({pooled[output]});");
        }

        var summary = new List<string>
        {
            $"Runs <see cref=\"{Cref()}\"/> and writes its Jacobian, row-major: one row per output element (" + string.Join(", then ", outputs.Select(p => p.Name)) + "),",
            "one column per differentiable input element (" + string.Join(", then ", inputs.Select(p => p.Name)) + ").",
            "It picks the cheaper mode at run time: with no more rows than columns, the forward pass once and one backward pass per row;",
            "otherwise one forward (tangent) sweep per column.",
        };
        var parameters = m.Parameters.Select(p => DeclaredType(p) + " " + Id(p)).Append(SpanOf(elementType) + " " + jacobian);
        return MethodText(summary, m.JacobianName!, parameters, body.ToString());
    }

    /// <summary>Output adjoints up to this length are stack-allocated by the Jacobian (1 KiB of doubles).</summary>
    private const int StackLimit = 128;

    /// <summary>Every vector-output method with a differentiable input gets one (a mix of float and double is a double Jacobian).</summary>
    private static bool CanWriteJacobian(DifferentiableMethod m) => m.JacobianName is not null && m.Parameters.Any(p => p.IsDifferentiable);
}
