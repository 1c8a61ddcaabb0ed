using System;

namespace SymbolicDiff.Generator.Model;

/// <summary>The scalar types a node of the expression DAG can have.</summary>
internal enum ScalarType
{
    Double,
    Float,
    Int,
    Long,
    Bool,
}

/// <summary>What a DAG node computes. Each operation's spelling and derivative rule is its entry in <see cref="Operations"/>.</summary>
internal enum Op
{
    Parameter,
    Constant,
    Convert,
    Negate,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
    Not,
    /// <summary><c>c ? a : b</c>; args are (c, a, b) and each branch's nodes live in their own <see cref="Region"/>.</summary>
    Select,
    Exp,
    Log,
    Log10,
    Log2,
    Sqrt,
    Cbrt,
    Pow,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Max,
    Min,
    Clamp,
    Sign,
    Floor,
    Ceiling,
    Round,
    Truncate,
    Sigmoid,
    ReLU,
    HardTanh,
    Softplus,
    LeakyReLU,
    Asinh,
    Acosh,
    Atanh,
    FusedMultiplyAdd,
    ScaleB,
    CopySign,
    Hypot,
    ExpM1,
    LogP1,
    Erf,
    Gelu,
    Swish,
    Mish,
    Softsign,
    Elu,
    Selu,
    /// <summary>A call to another [Differentiable] method; its generated gradient gives the partial derivatives.</summary>
    Call,
    /// <summary>
    /// A loop: args (start, end), the counter runs from start by <see cref="Node.Step"/> while <c>i + Offset &lt; end</c>
    /// (or <c>&lt;=</c> when <see cref="Node.Inclusive"/>; <c>&gt;</c> or <c>&gt;=</c> when the step is negative), evaluated as C# does. Its body is the region <see cref="Node.TrueRegion"/>. A
    /// <c>while</c> loop has args (0, 0) and a <see cref="Node.LoopCondition"/> instead.
    /// </summary>
    Loop,
    /// <summary>The counter of the loop whose body holds this node (an int).</summary>
    LoopCounter,
    /// <summary>
    /// A variable the loop body assigns (loop-carried): its value at the start of an iteration. Args (init, next):
    /// init before the first iteration, next (computed by the body) before every later one.
    /// </summary>
    Phi,
    /// <summary>The value of a loop-carried variable after the loop; arg (phi).</summary>
    LoopExit,
    /// <summary>An element of an input array, or of a local array held in memory (<see cref="NewArray"/>): args (array, index).</summary>
    Load,
    /// <summary>The length of an array parameter: args (array parameter).</summary>
    Length,
    /// <summary>Writes an element of an output array, or of a local array held in memory (<see cref="NewArray"/>): args (array, index, value). A statement, not a value.</summary>
    Store,
    /// <summary>
    /// An <c>if</c> statement whose branches write output elements: args (condition), branches TrueRegion and FalseRegion.
    /// A statement, not a value: it makes the emitter write the branches even when no variable leaves them (a select does that otherwise).
    /// </summary>
    If,
    /// <summary>
    /// A long local array held in memory (<c>new double[n]</c>): args (length). Its elements are read with
    /// <see cref="Load"/> and written with <see cref="Store"/> (arg 0 this node) in program order; the generated code keeps
    /// it in a pooled buffer, zeroed where it is created, and its adjoint in another.
    /// </summary>
    NewArray,
}

/// <summary>How a parameter is passed.</summary>
internal enum ParameterKind
{
    Scalar,
    /// <summary>An array or span that is only read (<c>double[]</c>, <c>ReadOnlySpan&lt;double&gt;</c>).</summary>
    InputArray,
    /// <summary>An array or span the method writes (<c>Span&lt;double&gt;</c>, <c>double[]</c>): a vector output.</summary>
    OutputArray,
}

/// <summary>
/// One value of the method's expression DAG, in SSA form: nodes are created in evaluation order, so
/// <see cref="Id"/> order is a topological order (forward pass) and its reverse a valid backward order.
/// </summary>
/// <param name="Id">Index in <see cref="DifferentiableMethod.Nodes"/>.</param>
/// <param name="Op">What the node computes.</param>
/// <param name="Type">The C# type of its value.</param>
/// <param name="Args">Operand node ids.</param>
/// <param name="Constant">The value of a <see cref="Op.Constant"/> node.</param>
/// <param name="Name">The user's parameter or local this value was assigned to, if any.</param>
/// <param name="Region">The region (branch of a conditional) where the node is evaluated; 0 is the method body.</param>
/// <param name="Statement">Index of the source statement that created the node (for comments).</param>
/// <param name="TrueRegion">For <see cref="Op.Select"/> and <see cref="Op.If"/>: the region evaluated when the condition holds; for <see cref="Op.Loop"/>: the body; else −1.</param>
/// <param name="FalseRegion">For <see cref="Op.Select"/> and <see cref="Op.If"/>: the region evaluated otherwise; else −1.</param>
/// <param name="Callee">For <see cref="Op.Call"/>: the method called and its gradient.</param>
/// <param name="LoopCondition">For a <c>while</c> loop: the bool node, computed at the start of each iteration in the body, that
/// decides whether the iteration runs (the trip count is recorded as the loop runs); −1 for a <c>for</c> loop.</param>
/// <param name="ConditionAfterBody">For a <c>do</c> loop: the condition is computed at the end of each iteration and decides
/// whether another one runs (so there is at least one).</param>
/// <param name="Inclusive">For a <c>for</c> loop: its condition is <c>i &lt;= end</c> rather than <c>i &lt; end</c>.</param>
/// <param name="Offset">For a <c>for</c> loop: the constant k of a condition <c>i + k &lt; end</c> (0 for <c>i &lt; end</c>).</param>
/// <param name="Step">For a <c>for</c> loop: the constant its counter moves by each iteration (negative counting down; never 0).</param>
internal sealed record Node(
    int Id,
    Op Op,
    ScalarType Type,
    EquatableArray<int> Args,
    double Constant,
    string? Name,
    int Region,
    int Statement,
    int TrueRegion = -1,
    int FalseRegion = -1,
    Callee? Callee = null,
    int LoopCondition = -1,
    bool ConditionAfterBody = false,
    bool Inclusive = false,
    int Offset = 0,
    int Step = 1);

/// <summary>A [Differentiable] method called from another one.</summary>
/// <param name="Method">How the generated code names it, e.g. <c>Loss</c> or <c>global::Ns.Model.Loss</c>.</param>
/// <param name="Gradient">How the generated code names its gradient method.</param>
/// <param name="Parameters">Its parameter names, for naming the partial derivatives.</param>
/// <param name="Differentiable">Which parameters get an adjoint slot in its gradient.</param>
internal sealed record Callee(string Method, string Gradient, EquatableArray<string> Parameters, EquatableArray<bool> Differentiable);

/// <summary>A branch of a conditional or a loop body: nodes in it are evaluated when the branch is taken, or once per iteration.</summary>
/// <param name="Id">Index in <see cref="DifferentiableMethod.Regions"/>.</param>
/// <param name="Parent">The enclosing region (−1 for the method body).</param>
/// <param name="Loop">For a loop body: the <see cref="Op.Loop"/> node; −1 for a branch.</param>
internal sealed record Region(int Id, int Parent, int Loop = -1);

/// <summary>A source statement, kept as text for the comments of the generated code.</summary>
internal sealed record SourceStatement(string Text)
{
    /// <summary>The statement on one line, cut to 120 characters, as a comment shows it.</summary>
    public static SourceStatement FromSource(string source)
    {
        string text = System.Text.RegularExpressions.Regex.Replace(source.Trim(), @"\s+", " ");
        return new SourceStatement(text.Length > 120 ? text.Substring(0, 117) + "..." : text);
    }
}

/// <summary>A parameter of the user's method.</summary>
/// <param name="Name">Its name as written (without a leading @).</param>
/// <param name="Type">Its type.</param>
/// <param name="IsDifferentiable">True when the gradient gets an adjoint slot for it.</param>
/// <param name="Node">The <see cref="Op.Parameter"/> node holding its value (for an array: the array).</param>
/// <param name="Kind">Scalar, or an array read or written element by element.</param>
/// <param name="DeclaredType">For arrays and enums: the type, global::-qualified, e.g. <c>double[]</c>, <c>global::System.ReadOnlySpan&lt;double&gt;</c> or <c>global::Ns.Activation</c>.</param>
internal sealed record Parameter(string Name, ScalarType Type, bool IsDifferentiable, int Node, ParameterKind Kind = ParameterKind.Scalar, string? DeclaredType = null);

/// <summary>A type that encloses the method; the generated code re-opens it as <c>partial</c>.</summary>
/// <param name="Keyword">class, struct, record, record struct or interface.</param>
/// <param name="Name">Name with type parameters, e.g. <c>Model&lt;T&gt;</c>.</param>
/// <param name="IsStatic">Whether the declaration is <c>static</c>.</param>
internal sealed record ContainingType(string Keyword, string Name, bool IsStatic);

/// <summary>
/// Everything the emitter needs to write one method's gradient. <c>Hiding</c> names the generated members that hide an
/// inherited member (declared <c>new</c>). It holds no Roslyn symbols or syntax,
/// so the incremental pipeline can compare it by value and skip emission when nothing changed.
/// </summary>
internal sealed record DifferentiableMethod(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Name,
    string GradientName,
    string? TangentName,
    string Accessibility,
    ScalarType ReturnType,
    EquatableArray<Parameter> Parameters,
    EquatableArray<Node> Nodes,
    EquatableArray<Region> Regions,
    EquatableArray<SourceStatement> Statements,
    int Result,
    string HintName,
    string? JacobianName = null,
    string? HessianName = null,
    string? HessianVectorProductName = null,
    bool Checkpointing = false,
    long LoopMemoryLimit = 0,
    EquatableArray<string> Hiding = default,
    MethodLocation Location = default,
    SecondOrder? SecondOrder = null)
{
    /// <summary>A void method that writes output arrays (its result is those arrays, not a returned value).</summary>
    public bool HasVectorOutput => Result < 0;
}

/// <summary>
/// Marks the tangent program of a method (built by <c>TangentProgram</c>): its gradient is the method's Hessian-vector
/// product, which returns the method's value rather than the program's result (the derivative along v).
/// </summary>
/// <param name="Function">The method's name, for the generated summary.</param>
/// <param name="Value">The node holding the method's value.</param>
/// <param name="Directions">The direction parameters v, one per differentiable parameter, in order.</param>
internal sealed record SecondOrder(string Function, int Value, EquatableArray<string> Directions);

/// <summary>Where a diagnostic points, without holding a syntax tree.</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter);

/// <summary>
/// Where a method is declared, kept for an internal error met while emitting it. It takes no part in equality: an edit
/// above a method moves it without changing what is generated, and must not re-emit it (so a cached failure may point
/// at the method's previous place; only SD9999 uses it).
/// </summary>
internal readonly struct MethodLocation : IEquatable<MethodLocation>
{
    public MethodLocation(LocationInfo? value) => Value = value;

    public LocationInfo? Value { get; }

    public bool Equals(MethodLocation other) => true;

    public override bool Equals(object? obj) => obj is MethodLocation;

    public override int GetHashCode() => 0;
}

/// <summary>A diagnostic to report, by descriptor id, with its message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs);

/// <summary>The result of parsing one [Differentiable] method: a model, or the reasons there is none.</summary>
internal sealed record ParseResult(DifferentiableMethod? Method, EquatableArray<DiagnosticInfo> Diagnostics, TensorMethod? Tensor = null);

/// <summary>
/// A value read as written: an <see cref="Op.Parameter"/> node that is not one of the method's parameters, whose name
/// is the C# text the generated code writes for it: a static readonly field (<c>global::Ns.Type.Field</c>) or an enum
/// parameter read as its underlying integer (<c>((int)kind)</c>). It has no adjoint.
/// </summary>
internal static class ReadAsWritten
{
    public static bool IsReadAsWritten(this Node node) => node.Op == Op.Parameter && node.Name is { } name && (name.StartsWith("global::", StringComparison.Ordinal) || name.StartsWith("((", StringComparison.Ordinal));
}

internal static class ScalarTypes
{
    public static bool IsFloating(this ScalarType type) => type is ScalarType.Double or ScalarType.Float;

    public static string Keyword(this ScalarType type) => type switch
    {
        ScalarType.Double => "double",
        ScalarType.Float => "float",
        ScalarType.Int => "int",
        ScalarType.Long => "long",
        ScalarType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
