using System;
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
    /// caller's span (the adjoints are slices of the row). When every output index is a constant and 2 to
    /// <see cref="MaxRowsAtOnce"/> rows can be nonzero, one backward pass takes them all (vector mode): each adjoint is a
    /// variable per row, and the forward values, local derivatives, branches and loops are shared. Otherwise forward mode
    /// column by column: a unit direction gives one column. Buffers come from the pool, so nothing is allocated once warm.
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
        var rowsAtOnce = RowsOfOnePass();
        _lanes = rowsAtOnce?.Count ?? 1;   // vector mode: one buffer per row (a lane token)
        var pooledAdjoints = narrow.Where(p => p.Kind != ParameterKind.Scalar).ToDictionary(p => p, p => LaneLocal(p.Name + "Adjoint"));
        string rowOfLane = _lanes > 1 ? LaneVariable("jacobianRow") : "";
        _lanes = 1;
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
        void DeclareSeeds()
        {
            foreach (var output in outputs)
            {
                string seedType = output.Type.Keyword();
                Line($"{seedType}[] {pooled[output]} = {empty}.Empty<{seedType}>();");
                Line($"if ({Id(output)}.Length > {StackLimit}) {LoopBuffers()}.Ensure(ref {pooled[output]}, {Id(output)}.Length);");
                Line($"{SpanOf(output.Type)} {Adjoint(output)} = {Id(output)}.Length <= {StackLimit} ? stackalloc {seedType}[{Id(output)}.Length] : {TypeNames.MemoryExtensions}.AsSpan({pooled[output]}, 0, {Id(output)}.Length);");
                Line($"{Adjoint(output)}.Clear();");
            }
        }
        void ReturnSeeds()
        {
            foreach (var output in outputs)
            {
                Line($"{LoopBuffers()}.Return({pooled[output]});");
            }
        }
        // An input's adjoint in a backward pass: a slice of the Jacobian's row, or its own (narrow inputs).
        void DeclareInputAdjoints(string rowOfPass)
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                if (narrow.Contains(input))
                {
                    Line(input.Kind == ParameterKind.Scalar
                        ? $"{input.Type.Keyword()} {AdjointName(input.Node)} = {Code.Constant(0, input.Type).Text};"
                        : $"{SpanOf(input.Type)} {AdjointName(input.Node)} = {TypeNames.MemoryExtensions}.AsSpan({pooledAdjoints[input]}, 0, {Id(input)}.Length);");
                    if (input.Kind != ParameterKind.Scalar)
                    {
                        Line($"{AdjointName(input.Node)}.Clear();");
                    }
                    continue;
                }
                Line(input.Kind == ParameterKind.Scalar
                    ? $"ref {type} {AdjointName(input.Node)} = ref {rowOfPass}[{offsets[i]}];"
                    : $"{SpanOf(input.Type)} {AdjointName(input.Node)} = {rowOfPass}.Slice({offsets[i]}, {Id(input)}.Length);");
            }
        }
        void CopyNarrowAdjoints(string rowOfPass)
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                var input = inputs[i];
                if (narrow.Contains(input))
                {
                    Line(input.Kind == ParameterKind.Scalar
                        ? $"{rowOfPass}[{offsets[i]}] = {AdjointName(input.Node)};"
                        : $"for (int {copy} = 0; {copy} < {Id(input)}.Length; {copy}++) {rowOfPass}[{(offsets[i] == "0" ? copy : $"{offsets[i]} + {copy}")}] = {AdjointName(input.Node)}[{copy}];");
                }
            }
        }
        void RentNarrowAdjoints()
        {
            foreach (var input in pooledAdjoints.Keys)
            {
                string inputType = input.Type.Keyword();
                Line($"{inputType}[] {pooledAdjoints[input]} = {empty}.Empty<{inputType}>();");
                Line($"{LoopBuffers()}.Ensure(ref {pooledAdjoints[input]}, {Id(input)}.Length);");
            }
        }
        void ReturnNarrowAdjoints()
        {
            foreach (var pooledAdjoint in pooledAdjoints.Values)
            {
                Line($"{LoopBuffers()}.Return({pooledAdjoint});");
            }
        }

        if (rowsAtOnce is null)
        {
            DeclareSeeds();
            Line($"if ({rows} <= {columns})");
            Line("{");
            _depth++;
            Line("// Fewer outputs than inputs: reverse mode, the forward pass once and one backward pass per output element (a row)");
            DeclareBuffers();
            RentNarrowAdjoints();
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
                DeclareInputAdjoints(jacobianRow);
                Line($"{Adjoint(output)}[{element}] = {Code.Constant(1, output.Type).Text};");
                Line($"// Backward pass for ∂{output.Name}[{element}]/∂inputs");
                ResetBackwardState();
                _writingBackward = true;
                WriteBackwardPass();
                _writingBackward = false;
                CopyNarrowAdjoints(jacobianRow);
                Line($"{Adjoint(output)}[{element}] = {Code.Constant(0, output.Type).Text};   // also when nothing wrote it");
                _depth--;
                Line("}");
            }
        }
        else
        {
            int count = rowsAtOnce.Count;
            var written = outputs.Where(p => rowsAtOnce.Any(r => r.Output == p)).ToList();
            string Written(Parameter p) => rowsAtOnce.Count(r => r.Output == p).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var lengths = written.Select(p => $"{Id(p)}.Length >= {Written(p)}");
            Line($"if ({string.Join(" && ", lengths.Prepend($"{count} <= {columns}"))})   // (else an output too short to hold its rows, or more rows than columns)");
            Line("{");
            _depth++;
            string rowList = string.Join(", ", rowsAtOnce.Select(r => $"{r.Output.Name}[{r.Element}]"));
            string perRow = string.Join(", ", Enumerable.Range(0, count).Select(lane => "dx_" + lane));
            Line($"// Reverse mode, all rows in one backward pass: every output index is a constant, so only the rows of {rowList}");
            Line($"// can be nonzero (the others stay zero), and each adjoint is a variable per row ({perRow}). The forward values, the");
            Line($"// local derivatives, branches and loops are shared by the rows. (With more than {MaxRowsAtOnce} such rows, or an output index");
            Line("// computed at run time, the backward pass runs once per row.)");
            DeclareBuffers();
            _lanes = count;
            RentNarrowAdjoints();
            Line("// Forward pass");
            WriteForwardRegion(0, recordLoops: true);
            Line($"{jacobian}.Clear();");
            for (int lane = 0; lane < count; lane++)
            {
                var (output, index) = rowsAtOnce[lane];
                string before = string.Join(" + ", outputs.TakeWhile(p => p != output).Select(p => Id(p) + ".Length"));
                string first = before.Length == 0 ? index.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : index == 0 ? before : $"{before} + {index}";
                string start = first == "0" ? "0" : first == "1" ? columns : first.Contains(" ") ? $"({first}) * {columns}" : $"{first} * {columns}";
                Line($"{SpanOf(elementType)} {InLane(rowOfLane, lane)} = {jacobian}.Slice({start}, {columns});   // ∂{output.Name}[{index}]/∂inputs");
            }
            DeclareInputAdjoints(rowOfLane);
            // (Not stackalloc T[] { … }: unoptimized code allocates to initialize one of three or more elements.)
            foreach (var output in written)
            {
                Line($"{SpanOf(output.Type)} {AdjointName(output.Node)} = stackalloc {output.Type.Keyword()}[{Written(output)}];");
                Line($"{AdjointName(output.Node)}.Clear();");
            }
            for (int lane = 0; lane < count; lane++)
            {
                var (output, index) = rowsAtOnce[lane];
                Line($"{InLane(AdjointName(output.Node), lane)}[{index}] = {Code.Constant(1, output.Type).Text};");
            }
            Line($"// Backward pass for ∂({rowList})/∂inputs");
            ResetBackwardState();
            _writingBackward = true;
            WriteBackwardPass();
            _writingBackward = false;
            CopyNarrowAdjoints(rowOfLane);
        }
        ReturnBuffers();
        ReturnNarrowAdjoints();
        _lanes = 1;
        _depth--;
        Line("}");
        Line("else");
        Line("{");
        _depth++;
        if (rowsAtOnce is not null)
        {
            DeclareSeeds();
        }
        Line(rowsAtOnce is null
            ? "// Fewer inputs than outputs: forward mode, one tangent sweep per input element (a column)"
            : "// Fewer inputs than rows, or an output too short for its rows: forward mode, one tangent sweep per input element (a column)");
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
        if (rowsAtOnce is not null)
        {
            ReturnSeeds();
        }
        _depth--;
        Line("}");
        if (rowsAtOnce is null)
        {
            ReturnSeeds();
        }

        var summary = new List<string>
        {
            $"Runs <see cref=\"{Cref()}\"/> and writes its Jacobian, row-major: one row per output element (" + string.Join(", then ", outputs.Select(p => p.Name)) + "),",
            "one column per differentiable input element (" + string.Join(", then ", inputs.Select(p => p.Name)) + ").",
            rowsAtOnce is null
                ? "It picks the cheaper mode at run time: with no more rows than columns, the forward pass once and one backward pass per row;"
                : $"It picks the cheaper mode at run time: with at least {rowsAtOnce.Count} columns, the forward pass once and one backward pass for all {rowsAtOnce.Count} rows that can be nonzero;",
            "otherwise one forward (tangent) sweep per column.",
        };
        var parameters = m.Parameters.Select(p => DeclaredType(p) + " " + Id(p)).Append(SpanOf(elementType) + " " + jacobian);
        return MethodText(summary, m.JacobianName!, parameters, body.ToString());
    }

    /// <summary>The most rows one backward pass of a Jacobian carries at once (vector mode, see <see cref="RowsOfOnePass"/>).</summary>
    internal const int MaxRowsAtOnce = 4;

    /// <summary>
    /// The rows of the Jacobian that can be nonzero, when one backward pass can carry them all (vector mode): every read and
    /// write of an output has a constant index, so the rows are known here, output by output up to its highest index, and
    /// there are 2 to <see cref="MaxRowsAtOnce"/> of them. Null otherwise (the backward pass then runs once per row), also
    /// when an array held in memory has an adjoint (its buffer would be needed once per row).
    /// </summary>
    private List<(Parameter Output, int Element)>? RowsOfOnePass()
    {
        if (_nodes.Any(n => n.Op == Op.NewArray && _reachable[n.Id] && _needsAdjoint[n.Id]))
        {
            return null;
        }
        var rows = new List<(Parameter Output, int Element)>();
        foreach (var output in _method.Parameters.Where(p => p.Kind == ParameterKind.OutputArray))
        {
            var accesses = _nodes.Where(n => _reachable[n.Id] && n.Op is Op.Store or Op.Load && n.Args[0] == output.Node).ToList();
            if (accesses.Any(n => _nodes[n.Args[1]] is not { Op: Op.Constant, Constant: >= 0 and <= MaxRowsAtOnce }))
            {
                return null;
            }
            int written = accesses.Select(n => (int)_nodes[n.Args[1]].Constant + 1).DefaultIfEmpty(0).Max();
            rows.AddRange(Enumerable.Range(0, written).Select(element => (output, element)));
        }
        return rows.Count is >= 2 and <= MaxRowsAtOnce ? rows : null;
    }

    // ---- Lanes: the rows of a vector-mode backward pass --------------------------------------------

    /// <summary>How many rows the backward pass being written carries (each adjoint is that many variables); 1 outside vector mode.</summary>
    private int _lanes = 1;

    /// <summary>The variables of each lane token, by the token's number.</summary>
    private readonly List<string[]> _laneNames = new();

    /// <summary>The lane token of each node's adjoint in vector mode.</summary>
    private readonly Dictionary<int, string> _laneTokens = new();

    /// <summary>Lines of a block being written once per lane (<see cref="PerLane"/>); null when none is.</summary>
    private List<string>? _laneBlock;

    private const char LaneOpen = '\u0001', LaneClose = '\u0002';

    /// <summary>
    /// A variable with one copy per lane, name_0, name_1, … (each a unique name), as a token that stands for all of
    /// them in the text: a line holding tokens is written once per lane, each with its own copies (<see cref="Line"/>),
    /// so one statement of the backward pass becomes one statement per row, side by side.
    /// </summary>
    private string LaneVariable(string name)
    {
        _laneNames.Add(Enumerable.Range(0, _lanes).Select(lane => _allocator.Unique(name + "_" + lane)).ToArray());
        return LaneOpen + (_laneNames.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + LaneClose;
    }

    /// <summary>A fresh local of the backward pass: one per lane in vector mode.</summary>
    private string LaneLocal(string name) => _lanes > 1 ? LaneVariable(name) : Identifier(_allocator.Unique(name));

    /// <summary><paramref name="text"/> with every lane token replaced by that lane's variable.</summary>
    private string InLane(string text, int lane)
    {
        int open = text.IndexOf(LaneOpen);
        if (open < 0)
        {
            return text;
        }
        var result = new StringBuilder();
        int from = 0;
        for (; open >= 0; open = text.IndexOf(LaneOpen, from))
        {
            int close = text.IndexOf(LaneClose, open);
            result.Append(text, from, open - from).Append(_laneNames[int.Parse(text.Substring(open + 1, close - open - 1), System.Globalization.CultureInfo.InvariantCulture)][lane]);
            from = close + 1;
        }
        return result.Append(text, from, text.Length - from).ToString();
    }

    /// <summary>
    /// Writes what <paramref name="write"/> writes once per lane, as a block (an <c>if</c> testing one row's adjoint and
    /// its statements); in one backward pass per row, just once.
    /// </summary>
    private void PerLane(Action write)
    {
        if (_lanes == 1 || _dryRun)
        {
            write();
            return;
        }
        var block = _laneBlock = new List<string>();
        write();
        _laneBlock = null;
        for (int lane = 0; lane < _lanes; lane++)
        {
            foreach (string line in block)
            {
                _text.AppendLine(InLane(line, lane));
            }
        }
    }

    /// <summary>Output adjoints up to this length are stack-allocated by the Jacobian (1 KiB of doubles).</summary>
    private const int StackLimit = 128;

    /// <summary>Every vector-output method with a differentiable input gets one (a mix of float and double is a double Jacobian).</summary>
    private static bool CanWriteJacobian(DifferentiableMethod m) => m.JacobianName is not null && m.Parameters.Any(p => p.IsDifferentiable);
}
