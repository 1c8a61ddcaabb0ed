namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// Every type the generated code names, global::-qualified so that it binds to what it means whatever the user's scope
/// holds: a parameter or local called Math, a type called Array, ArgumentException or Span&lt;T&gt;, a namespace called
/// System. Generated files have no using directives. (A using alias would not do: a parameter, a member or a type in
/// the user's namespace hides it.)
/// </summary>
internal static class TypeNames
{
    public const string Math = "global::System.Math";
    public const string MathF = "global::System.MathF";
    public const string Array = "global::System.Array";
    public const string ArgumentException = "global::System.ArgumentException";
    public const string ArgumentNullException = "global::System.ArgumentNullException";
    public const string MemoryExtensions = "global::System.MemoryExtensions";
    public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";
    public const string MethodImpl = "global::System.Runtime.CompilerServices.MethodImpl";
    public const string AggressiveOptimization = "global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization";
    public const string Activations = "global::SymbolicDiff.Activations";
    public const string LoopBuffers = "global::SymbolicDiff.LoopBuffers";
    public const string CheckpointSchedule = "global::SymbolicDiff.CheckpointSchedule";
    public const string CheckpointStep = "global::SymbolicDiff.CheckpointStep";
    public const string TensorKernels = "global::SymbolicDiff.Tensors.TensorKernels";
    /// <summary>The static class of <see cref="Lanes"/>' operations (comparisons, selects, square roots).</summary>
    public const string Vector = "global::System.Numerics.Vector";

    /// <summary>System.Numerics.Vector&lt;T&gt;: as many elements as one SIMD register holds.</summary>
    public static string Lanes(string element) => "global::System.Numerics.Vector<" + element + ">";

    public static string Span(string element) => "global::System.Span<" + element + ">";

    public static string ReadOnlySpan(string element) => "global::System.ReadOnlySpan<" + element + ">";

    public static string Vec(string element) => "global::SymbolicDiff.Tensors.Vec<" + element + ">";

    public static string Mat(string element) => "global::SymbolicDiff.Tensors.Mat<" + element + ">";

    /// <summary>A name as a C# string literal, for exception messages and parameter names (nameof could bind to a user's method).</summary>
    public static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
