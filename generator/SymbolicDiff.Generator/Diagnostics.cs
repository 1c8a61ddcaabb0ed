using Microsoft.CodeAnalysis;

namespace SymbolicDiff.Generator;

/// <summary>Every diagnostic SymbolicDiff reports, declared once. Keep AnalyzerReleases.*.md in step.</summary>
internal static class Diagnostics
{
    private const string Category = "SymbolicDiff";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MethodMustBeStatic = Error("SD0001",
        "Differentiable method must be static",
        "[Differentiable] method '{0}' must be static: gradients are generated for pure static functions of their parameters; write a static method that takes the model's parameters as arguments (or as a double[]), mark it [Differentiable], and call it from the instance method");

    public static readonly DiagnosticDescriptor TypeMustBePartial = Error("SD0002",
        "Containing type must be partial",
        "Type '{0}' must be declared partial so that the gradient of '{1}' can be generated into it");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error("SD0003",
        "Unsupported return type",
        "[Differentiable] method '{0}' returns '{1}'; only double and float results can be differentiated");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error("SD0004",
        "Unsupported parameter type",
        "Parameter '{0}' has type '{1}'; parameters must be double, float, int, long or bool, or arrays or spans of double or float");

    public static readonly DiagnosticDescriptor UnsupportedParameterModifier = Error("SD0005",
        "Unsupported parameter modifier",
        "Parameter '{0}' is declared '{1}'; pass differentiable values by value");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("SD0006",
        "Unsupported statement",
        "{0} cannot be differentiated yet; use local declarations, assignments, compound assignments, if/else, for/foreach/while/do loops and return");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error("SD0007",
        "Unsupported expression",
        "The {0} '{1}' cannot be differentiated; {2}");

    /// <summary>The advice of SD0007 for most expressions.</summary>
    public const string ExpressionAdvice = "use arithmetic, comparisons, ?: and the supported Math functions";

    /// <summary>The advice of SD0007 for a lambda or anonymous method.</summary>
    public const string LambdaAdvice = "write it as a local function (inlined where it is called) or a static [Differentiable] method";

    public static readonly DiagnosticDescriptor UnsupportedCall = Error("SD0008",
        "Call cannot be differentiated",
        "Call to '{0}' cannot be differentiated: SymbolicDiff knows the derivatives of System.Math, System.MathF, double/float (Hypot, ExpM1, LogP1) and SymbolicDiff.Activations functions and of [Differentiable] methods{1}");

    public static readonly DiagnosticDescriptor UnsupportedMemberAccess = Error("SD0009",
        "State cannot be read",
        "'{0}' is {1}; a [Differentiable] method may read its parameters, its locals, constants, static readonly fields of type double, float, int, long or bool, and elements of [NoDiff] static readonly arrays. Pass other values as parameters (mark them [NoDiff] if they are not differentiated).");

    public static readonly DiagnosticDescriptor UnsupportedAssignmentTarget = Error("SD0010",
        "Unsupported assignment target",
        "Assignment to '{0}' is not supported; {1}");

    /// <summary>The reason of SD0010 for most targets.</summary>
    public const string AssignmentAdvice = "a [Differentiable] method may assign only its locals and parameters";

    public static readonly DiagnosticDescriptor MethodHasNoBody = Error("SD0011",
        "Method has no body",
        "[Differentiable] method '{0}' has no body to differentiate");

    public static readonly DiagnosticDescriptor GenericMethod = Error("SD0012",
        "Generic method",
        "[Differentiable] method '{0}' is generic; write it for double or float");

    public static readonly DiagnosticDescriptor UnsupportedLocalType = Error("SD0013",
        "Unsupported local type",
        "Local '{0}' has type '{1}'; locals must be double, float, int, long or bool");

    public static readonly DiagnosticDescriptor NotAMethod = Error("SD0014",
        "[Differentiable] on something that is not a static method",
        "[Differentiable] is on {0}, which gets no gradient: only static methods of partial types are differentiated; move the computation into a static method and mark that method");

    public static readonly DiagnosticDescriptor GradientNameConflict = Error("SD0015",
        "Gradient name already in use",
        "Cannot generate gradient '{0}': type '{1}' already has a member named '{0}'; choose another with [Differentiable(GradientName = \"...\")]");

    public static readonly DiagnosticDescriptor NoDifferentiableParameters = Warning("SD0016",
        "Nothing to differentiate",
        "[Differentiable] method '{0}' has no double or float parameter to differentiate; its gradient only returns the value");

    public static readonly DiagnosticDescriptor ZeroDerivative = Warning("SD0017",
        "Derivative is always zero",
        "The result of '{0}' does not depend on parameter '{1}', so its derivative is always zero; mark the parameter [NoDiff] if that is intended");

    public static readonly DiagnosticDescriptor UnsupportedOperator = Error("SD0018",
        "Unsupported operator",
        "Operator '{0}' is not supported on '{1}' values in a [Differentiable] method");

    public static readonly DiagnosticDescriptor LocalFunction = Error("SD0019",
        "Local function outside a differentiable method",
        "Local function '{0}' gets no gradient of its own: local functions are differentiated where a [Differentiable] method that encloses them calls them; mark '{1}' [Differentiable] or make '{0}' a static method of a partial type");

    public static readonly DiagnosticDescriptor SideEffectInExpression = Error("SD0020",
        "Side effect inside an expression",
        "'{0}' changes a variable inside an expression; write the assignment as its own statement");

    public static readonly DiagnosticDescriptor InvalidGradientName = Error("SD0021",
        "Invalid gradient name",
        "'{0}' is not a valid C# identifier for the generated gradient method");

    public static readonly DiagnosticDescriptor UnsupportedValueType = Error("SD0022",
        "Unsupported value type",
        "'{0}' has type '{1}'; values in a [Differentiable] method must be double, float, int, long or bool");

    public static readonly DiagnosticDescriptor DerivativeUnavailable = Error("SD0023",
        "Derivative not available from the callee",
        "'{0}' depends on a differentiated parameter but is passed to parameter '{1}' of '{2}', which is [NoDiff], so its gradient has no slot for it; remove [NoDiff] there or pass a constant");

    public static readonly DiagnosticDescriptor CustomGradientMismatch = Error("SD0024",
        "Custom gradient has the wrong signature",
        "'{0}' has [CustomGradient], but type '{2}' has no method '{1}'; write the hand-written gradient with exactly that signature");

    public static readonly DiagnosticDescriptor UnsupportedLoop = Error("SD0025",
        "Unsupported loop",
        "This loop cannot be differentiated: {0}");

    public static readonly DiagnosticDescriptor ArrayReadAndWritten = Error("SD0026",
        "Array parameter both read and written",
        "Array parameter '{0}' is both read and written; a [Differentiable] method reads input arrays and writes output arrays, never the same one");

    public static readonly DiagnosticDescriptor UnsupportedArrayUse = Error("SD0027",
        "Unsupported use of an array",
        "Array parameter '{0}' can only be indexed ({0}[i]) or asked for its Length here");

    public static readonly DiagnosticDescriptor ModeNotAvailable = Error("SD0028",
        "Derivative mode not available",
        "{0} cannot be generated for '{1}': {2}");

    public static readonly DiagnosticDescriptor NestedTooDeeply = Error("SD0029",
        "Nested too deeply",
        "This {0} is nested more than {1} levels deep in calls, ?:, element accesses, if statements and loops; assign inner parts to locals so that it nests less (chains of operators such as a + b + c + … may have any length)");
    public static readonly DiagnosticDescriptor ConstantIntegerOperation = Error("SD0052",
        "Constant integer operation cannot be generated",
        "'{0}' {1}; the generated code would not compile or not compute the same value, so write it differently");

    public static readonly DiagnosticDescriptor UnsupportedTensorOperation = Error("SD0030",
        "Unsupported tensor operation",
        "'{0}' cannot be differentiated in a method with tensor values{1}");

    public static readonly DiagnosticDescriptor TensorLocalReassigned = Error("SD0031",
        "Tensor local reassigned",
        "Tensor variable '{0}' is assigned more than once; declare a new local for each tensor value");

    public static readonly DiagnosticDescriptor TensorElementWrite = Error("SD0032",
        "Tensor element write",
        "'{0}' writes into a tensor; tensors in a [Differentiable] method are read-only, compute a new value with the Tensor functions");

    public static readonly DiagnosticDescriptor MixedTensorElementTypes = Error("SD0033",
        "Mixed element types in a tensor method",
        "'{0}' has type '{1}' but the tensor values of '{2}' use '{3}'; a method with tensor values works in one element type");

    public static readonly DiagnosticDescriptor HessianCall = Error("SD0041",
        "Hessian through a [CustomGradient] call",
        "The Hessian of '{0}' cannot be generated: '{1}' calls '{2}', a [CustomGradient] method, whose second derivative is not known (only its hand-written gradient is); write '{2}' as a [Differentiable] method, which Hessian = true differentiates through, or remove Hessian = true");

    public static readonly DiagnosticDescriptor HessianUnsupportedOperation = Error("SD0042",
        "No second-derivative rule",
        "The Hessian of '{0}' cannot be generated: Hessian = true does not support {1} yet ('{2}'); remove Hessian = true, or write the method without them");

    public static readonly DiagnosticDescriptor HessianOfTensorMethod = Error("SD0043",
        "Hessian of a tensor method",
        "The Hessian-vector product of '{0}' cannot be generated: '{1}' uses {2}, which has no second-order rule for tensors yet; Hessian = true on a method with tensor values supports MatVec, MatTransposeVec, MatMul, MatMulTransposeB, AddRowVector, Windows, +, −, Hadamard, Scale, Dot, Sum, SquaredNorm, the element-wise functions (Tanh, Sigmoid, ReLU, HardTanh, Exp, Log, Tensor.Map), Softmax and LogSoftmax, CrossEntropy and MeanCrossEntropy, Row, Concat, Element, and scalar arithmetic, Sigmoid, LogisticLoss and Hinge; remove Hessian = true, or write the method with those");

    public static readonly DiagnosticDescriptor FileLocalType = Error("SD0050",
        "Containing type is file-local",
        "Type '{0}' is declared 'file', so the gradient of '{1}' cannot be generated into it: generated code is a file of its own and cannot add to a file-local type; remove 'file' (an internal or private nested type keeps it hidden)");

    public static readonly DiagnosticDescriptor GeneratedMemberCollision = Error("SD0051",
        "Generated members collide",
        "'{0}' cannot be generated for '{1}': {2} generates a member with the same name and parameters; give one of them another GradientName, or rename a method");

    public static readonly DiagnosticDescriptor GeneratedMethodTooLarge = Error("SD0053",
        "Generated method too large",
        "The derivatives of '{0}' would need more than {1} local variables in one method, more than the C# compiler handles well (it stops at 65,534); move parts of the computation into [Differentiable] helper methods, or sum the terms in a loop over an array");

    public static readonly DiagnosticDescriptor InvalidLoopMemoryLimit = Error("SD0054",
        "Invalid loop memory limit",
        "LoopMemoryLimit = {0} is not a number of bytes; set it to the most bytes each loop may keep for the backward pass, above 0, or leave it out");

    public static readonly DiagnosticDescriptor LocalArrayUnsupported = Error("SD0060",
        "Unsupported use of a local array",
        "Local array '{0}' {1}; {2}");

    public static readonly DiagnosticDescriptor InternalError = Error("SD9999",
        "Internal generator error",
        "SymbolicDiff failed while generating the gradient of '{0}': {1}. Please report this with the method's source.");

    /// <summary>All descriptors, for lookups by id.</summary>
    public static readonly DiagnosticDescriptor[] All =
    {
        MethodMustBeStatic, TypeMustBePartial, UnsupportedReturnType, UnsupportedParameterType, UnsupportedParameterModifier,
        UnsupportedStatement, UnsupportedExpression, UnsupportedCall, UnsupportedMemberAccess, UnsupportedAssignmentTarget,
        MethodHasNoBody, GenericMethod, UnsupportedLocalType, NotAMethod, GradientNameConflict, NoDifferentiableParameters,
        ZeroDerivative, UnsupportedOperator, LocalFunction, SideEffectInExpression, InvalidGradientName, UnsupportedValueType,
        DerivativeUnavailable, CustomGradientMismatch, UnsupportedLoop, ArrayReadAndWritten, UnsupportedArrayUse, LocalArrayUnsupported, ModeNotAvailable, ConstantIntegerOperation,
        NestedTooDeeply, UnsupportedTensorOperation, TensorLocalReassigned, TensorElementWrite, MixedTensorElementTypes,
        HessianCall, HessianUnsupportedOperation, HessianOfTensorMethod, FileLocalType, GeneratedMemberCollision, GeneratedMethodTooLarge, InvalidLoopMemoryLimit, InternalError,
    };
}
