using System;

namespace SymbolicDiff;

/// <summary>
/// Marks a static method whose derivatives SymbolicDiff generates at compile time.
/// For a method <c>F(double x, double y)</c> in a <c>partial</c> type the generator adds
/// <c>FGradient(double x, double y, ref double dx, ref double dy)</c>, which returns F's value and
/// adds ∂F/∂x to <c>dx</c> and ∂F/∂y to <c>dy</c> (it accumulates, so a minibatch can sum into the same slots).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>
    /// Name of the generated gradient method. Defaults to the method's name followed by <c>Gradient</c>.
    /// </summary>
    public string? GradientName { get; set; }
}

/// <summary>
/// Excludes a parameter of a <see cref="DifferentiableAttribute"/> method from differentiation:
/// it is treated as a constant and gets no adjoint slot in the generated gradient.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoDiffAttribute : Attribute
{
}
