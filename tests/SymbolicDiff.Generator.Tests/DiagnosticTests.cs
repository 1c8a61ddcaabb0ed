using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SymbolicDiff.Generator.Model;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Each bad input reports exactly one diagnostic (id, rendered message, span marked with [| |]), emits no
/// gradient for the bad method, and still emits the gradient of the valid method Good beside it.
/// </summary>
public class DiagnosticTests
{
    private const string S6 = " cannot be differentiated yet; use local declarations, assignments, compound assignments, if/else, for/foreach/while/do loops and return";
    private const string S8 = " cannot be differentiated: SymbolicDiff knows the derivatives of System.Math, System.MathF, double/float (Hypot, ExpM1, LogP1) and SymbolicDiff.Activations functions and of [Differentiable] methods";
    private const string S9 = "; a [Differentiable] method may read its parameters, its locals, constants, static readonly fields of type double, float, int, long or bool, and elements of [NoDiff] static readonly arrays. Pass other values as parameters (mark them [NoDiff] if they are not differentiated).";
    private const string Changes = ", which may change between the forward and the backward pass";

    /// <summary>Name, members (or a whole file when it contains "namespace"), id, message.</summary>
    public static readonly TheoryData<string, string, string, string> Cases = new()
    {
        { "InstanceMethod", "[Differentiable] public double [|Bad|](double x) => x;",
            "SD0001", "[Differentiable] method 'Bad' must be static: gradients are generated for pure static functions of their parameters; write a static method that takes the model's parameters as arguments (or as a double[]), mark it [Differentiable], and call it from the instance method" },
        { "NonPartialType", File("public static class Plain { [Differentiable] public static double [|Bad|](double x) => x; }"),
            "SD0002", "Type 'Plain' must be declared partial so that the gradient of 'Bad' can be generated into it" },
        { "NonPartialOuterType", File("public static class Outer { public static partial class Inner { [Differentiable] public static double [|Bad|](double x) => x; } }"),
            "SD0002", "Type 'Outer' must be declared partial so that the gradient of 'Bad' can be generated into it" },
        { "FileLocalType", File("file partial class Hidden { [Differentiable] public static double [|Bad|](double x) => x; }"),
            "SD0050", "Type 'Hidden' is declared 'file', so the gradient of 'Bad' cannot be generated into it: generated code is a file of its own and cannot add to a file-local type; remove 'file' (an internal or private nested type keeps it hidden)" },
        { "NestedInFileLocalType", File("file partial class Hidden { public static partial class Inner { [Differentiable] public static double [|Bad|](double x) => x; } }"),
            "SD0050", "Type 'Hidden' is declared 'file', so the gradient of 'Bad' cannot be generated into it: generated code is a file of its own and cannot add to a file-local type; remove 'file' (an internal or private nested type keeps it hidden)" },
        { "IntReturnType", "[Differentiable] public static [|int|] Bad(double x) => 1;",
            "SD0003", "[Differentiable] method 'Bad' returns 'int'; only double and float results can be differentiated" },
        { "StringParameter", "[Differentiable] public static double Bad(double x, [|string|] s) => x;",
            "SD0004", "Parameter 's' has type 'string'; parameters must be double, float, int, long or bool, or arrays or spans of double or float" },
        { "RefParameter", "[Differentiable] public static double Bad([|ref|] double x) => x;",
            "SD0005", "Parameter 'x' is declared 'ref'; pass differentiable values by value" },
        { "OutParameter", "[Differentiable] public static double Bad(double x, [|out|] double y) { y = 0; return x; }",
            "SD0005", "Parameter 'y' is declared 'out'; pass differentiable values by value" },
        { "InParameter", "[Differentiable] public static double Bad([|in|] double x) => x;",
            "SD0005", "Parameter 'x' is declared 'in'; pass differentiable values by value" },
        { "GotoInLoop", "[Differentiable] public static double Bad(double x) { double s = 0; for (int i = 0; i < 9; i++) { again: s += x; if (s < 3) [|goto|] again; } return s; }",
            "SD0025", "This loop cannot be differentiated: 'goto' cannot be followed; leave the loop with break (or a flag in its condition) and skip statements with if/else" },
        { "ForeverWithoutBreak", "[Differentiable] public static double Bad(double x) { double s = x; [|for (;;)|] { s *= 2; } }",
            "SD0025", "This loop cannot be differentiated: it has no condition and no break or return, so it runs forever" },
        { "ForWithConstantCondition", "[Differentiable] public static double Bad(double x) { double s = x; [|for (int i = 0; true; i++)|] { s *= 2; } }",
            "SD0025", "This loop cannot be differentiated: its condition is constant, so it runs never or forever" },
        { "CallInForHeader", "[Differentiable] public static double Bad(double x) { double s = x; for (int i = 0; i < 3; i++, [|Console.WriteLine(i)|]) { s *= 2; } return s; }",
            "SD0025", "This loop cannot be differentiated: 'Console.WriteLine(i)' in its header is not an assignment, ++ or --; move it into the body" },
        { "ArrayReadAndWritten", "[Differentiable] public static void Bad(double[] y) { y[0] = [|y[1]|] * 2; }",
            "SD0026", "Array parameter 'y' is both read and written; a [Differentiable] method reads input arrays and writes output arrays, never the same one" },
        { "ArrayCompoundWrite", "[Differentiable] public static void Bad(double x, Span<double> y) { [|y[0] += x|]; }",
            "SD0026", "Array parameter 'y' is both read and written; a [Differentiable] method reads input arrays and writes output arrays, never the same one" },
        { "LocalArrayReadInAnInnerLoopOfAJacobian", "[Differentiable] public static void Bad(double[] x, Span<double> y) { var a = new double[x.Length]; for (int t = 0; t < 2; t++) { for (int j = 0; j < x.Length; j++) { a[j] = Math.Sin([|a[j]|]) + x[j]; } } for (int j = 0; j < y.Length; j++) { y[j] = a[j]; } }",
            "SD0060", "Local array 'a' is read in an inner loop that the backward pass runs again after later writes changed the array (a while loop inside a loop, or an inner loop of a void method, whose Jacobian runs the backward pass once per row); read the elements the inner loop needs into variables in the outer loop's body (double v = a[k];), or write the inner loop as a for loop in a method that returns a value" },
        { "LocalArrayReadInAWhileInsideALoop", "[Differentiable] public static double Bad(double x, int n) { var a = new double[n]; double s = 0; for (int t = 0; t < 3; t++) { int j = 0; while (j < n) { a[j] = Math.Sin([|a[j]|]) + x; j++; } } return a[0]; }",
            "SD0060", "Local array 'a' is read in an inner loop that the backward pass runs again after later writes changed the array (a while loop inside a loop, or an inner loop of a void method, whose Jacobian runs the backward pass once per row); read the elements the inner loop needs into variables in the outer loop's body (double v = a[k];), or write the inner loop as a for loop in a method that returns a value" },
        { "LocalArrayPassedOn", "[Differentiable] public static double Bad(double x) { double[] a = { x, 2 * x }; return [|a|] == null ? 0 : a[0]; }",
            "SD0060", "Local array 'a' is used whole; index it (a[i]), ask for its Length, or pass it to a [Differentiable] method as an argument" },
        { "LocalSpanIndexOutOfRange", "[Differentiable] public static double Bad(double x) { Span<double> a = stackalloc double[2]; [|a[2]|] = x; return a[0]; }",
            "SD0060", "Local array 'a' is indexed at 2, outside its 2 elements; index it within its length" },
        { "RecursiveArrayHelper", "[Differentiable] public static double Bad(double[] x, int n) => n <= 0 ? 0 : x[0] + [|Bad(x, n - 1)|];",
            "SD0008", "Call to 'Demo.Functions.Bad'" + S8 + "; a [Differentiable] method that takes arrays or enums, writes arrays, or is called by a Hessian = true method is inlined, so it cannot call itself; write the recursion as a loop" },
        { "ArrayPassedOn", "[Differentiable] public static double Bad(double[] x) { return [|x|] == null ? 0 : x[0]; }",
            "SD0027", "Array parameter 'x' can only be indexed (x[i]) or asked for its Length here" },
        { "HessianOfATupleMethod", "[Differentiable([|Hessian = true|])] public static (double s, double c) Bad(double x) => (Math.Sin(x), Math.Cos(x));",
            "SD0028", "The Hessian cannot be generated for 'Bad': a method that returns a tuple generates no members of its own, it is inlined where a [Differentiable] method calls it; set Hessian = true on that method, or return void and write the elements to an output array (Span<double>) to get the vector-output members" },
        { "TangentOfATupleMethod", "[Differentiable([|Tangent = true|])] public static (double s, double c) Bad(double x) => (Math.Sin(x), Math.Cos(x));",
            "SD0028", "A tangent cannot be generated for 'Bad': a method that returns a tuple generates no members of its own, it is inlined where a [Differentiable] method calls it; set Tangent = true on that method, or return void and write the elements to an output array (Span<double>) to get the vector-output members" },
        // Reading back an output (a prefix sum) is rejected by the gradient itself, Hessian or not: the error is at the read.
        { "HessianOfAPrefixSumReadingItsOutput", "[Differentiable(Hessian = true)] public static void Bad(double[] x, Span<double> y) { y[0] = x[0]; for (int i = 1; i < x.Length; i++) { y[i] = [|y[i - 1]|] + x[i]; } }",
            "SD0026", "Array parameter 'y' is both read and written; a [Differentiable] method reads input arrays and writes output arrays, never the same one" },
        { "OutputFromValueMethod", "[Differentiable] public static double Bad(double x, Span<double> y) { [|y[0] = x|]; return x; }",
            "SD0028", "A gradient cannot be generated for 'Bad': a method that returns a value cannot also write an output array; return void and write every result, and the generator makes its Jacobian" },
        { "IntegerDivisionByAKnownZero", "[Differentiable] public static double Bad(double x) { int k = 0; int j = [|1 / k|]; return x * j; }",
            "SD0052", "'1 / k' always divides by zero (its operands are constants here); the generated code would not compile or not compute the same value, so write it differently" },
        { "WhileTrue", "[Differentiable] public static double Bad(double x) { double s = x; while ([|true|]) { s *= 2; } return s; }",
            "SD0025", "This loop cannot be differentiated: its condition is constant, so it runs never or forever" },
        { "ForeachOverANewArray", "[Differentiable] public static double Bad(double x) { double s = 0; [|foreach (var v in new[] { 1.0, 2.0 })|] { s += v * x; } return s; }",
            "SD0025", "This loop cannot be differentiated: foreach can run over an array or span parameter, or a local array created with new T[n], into a double or float variable" },
        { "DoWhileTrue", "[Differentiable] public static double Bad(double x) { double s = x; do { s *= 2; } while ([|true|]); return s; }",
            "SD0025", "This loop cannot be differentiated: its condition is constant, so it runs once or forever" },
        { "TryStatement", "[Differentiable] public static double Bad(double x) { double s = x; [|try|] { s = x * 2; } finally { s = 1; } return s; }",
            "SD0006", "A 'try' statement" + S6 },
        { "ThrowStatement", "[Differentiable] public static double Bad(double x) { double s = x; [|throw|] new InvalidOperationException(); }",
            "SD0006", "A 'throw' statement" + S6 },
        { "ExpressionStatementCall", "[Differentiable] public static double Bad(double x) { [|Console|].WriteLine(x); return x; }",
            "SD0006", "The statement 'Console.WriteLine(x);', which is not an assignment," + S6 },
        { "LocalFunction", "public static double Host(double x) { return Local(x); [Differentiable] static double [|Local|](double y) => y * y; }",
            "SD0019", "Local function 'Local' gets no gradient of its own: local functions are differentiated where a [Differentiable] method that encloses them calls them; mark 'Host' [Differentiable] or make 'Local' a static method of a partial type" },
        { "RecursiveLocalFunction", "[Differentiable] public static double Bad(double x) { return Twice(x); double Twice(double y) => y > 10 ? y : [|Twice(2 * y)|]; }",
            "SD0008", "Call to 'Demo.Functions.Twice'" + S8 + "; a recursive local function cannot be inlined, make it a static [Differentiable] method" },
        { "LocalFunctionAssignsCaptured", "[Differentiable] public static double Bad(double x) { double s = x; double r = [|Bump(2)|]; return s + r; double Bump(double y) { s = y; return y; } }",
            "SD0008", "Call to 'Demo.Functions.Bump'" + S8 + "; it assigns 's' of the enclosing method, pass it in and return the new value instead" },
        { "CallToHelper", "static double Helper(double v) => v; [Differentiable] public static double Bad(double x) { return [|Helper(x)|]; }",
            "SD0008", "Call to 'Demo.Functions.Helper'" + S8 },
        { "CallToUnknownMethod", "[Differentiable] public static double Bad(double x) { return [|Undefined(x)|]; }",
            "SD0008", "Call to 'Undefined'" + S8 },
        { "MathRoundWithDigits", "[Differentiable] public static double Bad(double x) { return [|Math.Round(x, 2)|]; }",
            "SD0008", "Call to 'System.Math.Round(double, int)'" + S8 + "; this function or overload has no derivative rule" },
        { "InstanceFieldRead", "double w = 2; [Differentiable] public static double Bad(double x) { return x * [|w|]; }",
            "SD0009", "'w' is an instance field" + Changes + S9 },
        { "StaticFieldRead", "static double s_scale = 2; [Differentiable] public static double Bad(double x) { return x * [|s_scale|]; }",
            "SD0009", "'s_scale' is a static field that is not readonly" + Changes + S9 },
        { "ExpressionBodiedStaticFieldRead", "static double s_scale = 2; [Differentiable] public static double Bad(double x) => x * [|s_scale|];",
            "SD0009", "'s_scale' is a static field that is not readonly" + Changes + S9 },
        { "StaticPropertyRead", "static double Scale => 2; [Differentiable] public static double Bad(double x) { return x * [|Scale|]; }",
            "SD0009", "'Scale' is a static property" + S9 },
        { "AssignmentToField", "static double s_total; [Differentiable] public static double Bad(double x) { [|s_total|] = x; return x; }",
            "SD0010", "Assignment to 's_total' is not supported; a [Differentiable] method may assign only its locals and parameters" },
        { "InstanceArrayFieldRead", "double[] w = { 1 }; [Differentiable] public static double Bad(double x) { return x * [|w|][0]; }",
            "SD0009", "'w' is an instance field" + Changes + S9 },
        { "StaticReadonlyArrayWithoutNoDiff", "static readonly double[] Table = { 1, 2 }; [Differentiable] public static double Bad(double x) { return x * [|Table|][1]; }",
            "SD0009", "'Table' is a static readonly array not marked [NoDiff]; mark the field [NoDiff] to read its elements as constant data" + S9 },
        { "NoDiffArrayReadWhole", "[NoDiff] static readonly double[] Table = { 1, 2 }; [Differentiable] public static double Bad(double x) { return x * ([|Table|] == null ? 0 : 1); }",
            "SD0009", "'Table' is a constant array; index it (Table[i]) or read its Length" + S9 },
        { "StaticReadonlyDecimalField", "static readonly decimal Rate = 2; [Differentiable] public static double Bad(double x) { return x * (double)[|Rate|]; }",
            "SD0009", "'Rate' is a static readonly field of type 'decimal'" + S9 },
        { "SwitchExpressionWithoutDiscard", "[Differentiable] public static double Bad(double x, int k) { return k switch { 0 => x, [|1 => -x|] }; }",
            "SD0007", "The switch expression 'k switch { 0 => x, 1 => -x }' cannot be differentiated; end its arms with a discard arm '_ => …' (without one it throws when nothing matches)" },
        { "SwitchOverDoubleWithVarPattern", "[Differentiable] public static double Bad(double x) => x switch { [|var v|] when v > 1 => v * v, _ => x };",
            "SD0007", "The pattern 'var v' cannot be differentiated; switch cases can test constants (case 1, Kind.Relu), relational patterns (< 0, >= 1.5), _ and their and/or/not combinations" },
        { "SwitchCaseWithTypePattern", "[Differentiable] public static double Bad(double x, int k) { switch (k) { case [|int n|] when n > 2: x = x * n; break; } return x; }",
            "SD0007", "The pattern 'int n' cannot be differentiated; switch cases can test constants (case 1, Kind.Relu), relational patterns (< 0, >= 1.5), _ and their and/or/not combinations" },
        { "BreakInsideSwitchCase", "[Differentiable] public static double Bad(double x, int k) { switch (k) { case 1: if (x > 0) [|break;|] x = -x; break; } return x; }",
            "SD0006", "A 'break' before the end of a switch case (write the case's paths with if/else and end the case with one break)" + S6 },
        { "NestedDeconstruction", "[Differentiable] public static double Bad(double x) { var (a, [|(b, c)|]) = (x, (x, x)); return a * b * c; }",
            "SD0010", "Assignment to '(b, c)' is not supported; deconstruct into double, float, int, long or bool variables, one level of parentheses deep" },
        { "TupleLocalReassigned", "[Differentiable] public static double Bad(double x) { var t = (x, 2.0); [|t|] = (1.0, x); return t.Item1; }",
            "SD0010", "Assignment to 't' is not supported; a tuple local keeps the value it is declared with; declare another one, or deconstruct into scalar locals: var (s, c) = …" },
        { "RecursiveTupleMethod", "[Differentiable] public static (double, double) Bad(double x) { if (x < 1) return (x, x); var (a, b) = [|Bad(x / 2)|]; return (a + b, b); }",
            "SD0008", "Call to 'Demo.Functions.Bad'" + S8 + "; a method that returns a tuple is inlined where it is called, so it cannot call itself" },
        { "TupleHelperNotDifferentiable", "static (double, double) Pair(double x) => (x, x); [Differentiable] public static double Bad(double x) { var (a, b) = [|Pair(x)|]; return a * b; }",
            "SD0008", "Call to 'Demo.Functions.Pair'" + S8 + "; mark it [Differentiable] (a method that returns a tuple is differentiated where it is called)" },
        { "ExternMethod", "[Differentiable] public static extern double [|Bad|](double x);",
            "SD0011", "[Differentiable] method 'Bad' has no body to differentiate" },
        { "GenericMethod", "[Differentiable] public static double [|Bad|]<T>(double x) => x;",
            "SD0012", "[Differentiable] method 'Bad' is generic; write it for double or float" },
        { "DecimalLocal", "[Differentiable] public static double Bad(double x) { decimal [|m|] = 1m; return x; }",
            "SD0013", "Local 'm' has type 'decimal'; locals must be double, float, int, long or bool" },
        { "GradientNameConflict", "[[|Differentiable|]] public static double Bad(double x) => x; public static void BadGradient() { }",
            "SD0015", "Cannot generate gradient 'BadGradient': type 'Functions' already has a member named 'BadGradient'; choose another with [Differentiable(GradientName = \"...\")]" },
        { "InvalidGradientName", "[Differentiable(GradientName = \"1Bad\")] public static double [|Bad|](double x) => x;",
            "SD0021", "'1Bad' is not a valid C# identifier for the generated gradient method" },
        { "NegativeLoopMemoryLimit", "[Differentiable([|LoopMemoryLimit = -4096|])] public static double Bad(double x) => x;",
            "SD0054", "LoopMemoryLimit = -4096 is not a number of bytes; set it to the most bytes each loop may keep for the backward pass, above 0, or leave it out" },
        { "ZeroLoopMemoryLimit", "[Differentiable(Tangent = true, [|LoopMemoryLimit = 0|])] public static double Bad(double x) => x;",
            "SD0054", "LoopMemoryLimit = 0 is not a number of bytes; set it to the most bytes each loop may keep for the backward pass, above 0, or leave it out" },
        { "KeywordGradientName", "[Differentiable(GradientName = \"class\")] public static double [|Bad|](double x) => x;",
            "SD0021", "'class' is not a valid C# identifier for the generated gradient method" },
        { "AssignmentInsideExpression", "[Differentiable] public static double Bad(double x) { double y = 0; double z = ([|y = x|]) * 2; return z + y; }",
            "SD0020", "'y = x' changes a variable inside an expression; write the assignment as its own statement" },
        { "PostIncrementInsideExpression", "[Differentiable] public static double Bad(double x) { double y = x; double z = [|y++|] * 2; return z; }",
            "SD0020", "'y++' changes a variable inside an expression; write the assignment as its own statement" },
        { "PreDecrementInsideExpression", "[Differentiable] public static double Bad(double x) { double y = x; double z = [|--y|] * 2; return z; }",
            "SD0020", "'--y' changes a variable inside an expression; write the assignment as its own statement" },
        { "BitwiseAnd", "[Differentiable] public static double Bad(double x, int a) { int b = a [|&|] 3; return x * b; }",
            "SD0018", "Operator '&' is not supported on 'int' values in a [Differentiable] method" },
        { "BitwiseComplement", "[Differentiable] public static double Bad(double x, int a) { int b = [|~|]a; return x * b; }",
            "SD0018", "Operator '~' is not supported on 'int' values in a [Differentiable] method" },
        { "ShiftLeft", "[Differentiable] public static double Bad(double x, long a) { return x * (a [|<<|] 2); }",
            "SD0018", "Operator '<<' is not supported on 'long' values in a [Differentiable] method" },
        { "DecimalValue", "[Differentiable] public static double Bad(double x) { return (double)[|(decimal)x|]; }",
            "SD0022", "'(decimal)x' has type 'decimal'; values in a [Differentiable] method must be double, float, int, long or bool" },
        { "TensorUnknownCall", "[Differentiable] public static double Bad(SymbolicDiff.Tensors.Vec<double> v) => [|Math.Exp(SymbolicDiff.Tensors.Tensor.Sum(v))|];",
            "SD0030", "'Math.Exp' cannot be differentiated in a method with tensor values; only the SymbolicDiff.Tensors.Tensor functions (and scalar + − × ÷) have derivative rules here" },
        { "TensorMapOfUnknownFunction", "[Differentiable] public static double Bad(SymbolicDiff.Tensors.Vec<double> v) => SymbolicDiff.Tensors.Tensor.Sum(SymbolicDiff.Tensors.Tensor.Map(v, [|Twice|])); public static double Twice(double x) => 2 * x;",
            "SD0030", "'Twice' cannot be differentiated in a method with tensor values; Tensor.Map takes a Math, MathF, double/float or Activations function of one argument that has a derivative rule" },
        { "TensorLocalReassigned", "[Differentiable] public static double Bad(SymbolicDiff.Tensors.Vec<double> v) { var h = SymbolicDiff.Tensors.Tensor.Tanh(v); [|h = SymbolicDiff.Tensors.Tensor.Exp(h)|]; return SymbolicDiff.Tensors.Tensor.Sum(h); }",
            "SD0031", "Tensor variable 'h' is assigned more than once; declare a new local for each tensor value" },
        { "TensorElementWrite", "[Differentiable] public static double Bad(SymbolicDiff.Tensors.Vec<double> v) { [|v[0] = 1|]; return SymbolicDiff.Tensors.Tensor.Sum(v); }",
            "SD0032", "'v[0] = 1' writes into a tensor; tensors in a [Differentiable] method are read-only, compute a new value with the Tensor functions" },
        { "TensorMixedElementTypes", "[Differentiable] public static double Bad(SymbolicDiff.Tensors.Vec<double> v, SymbolicDiff.Tensors.Vec<float> [|w|]) => SymbolicDiff.Tensors.Tensor.Sum(v);",
            "SD0033", "'w' has type 'SymbolicDiff.Tensors.Vec<float>' but the tensor values of 'Bad' use 'double'; a method with tensor values works in one element type" },
        { "HessianNameConflict", "[[|Differentiable(Hessian = true)|]] public static double Bad(double x) => x * x; public static void BadHessianVectorProduct() { }",
            "SD0015", "Cannot generate gradient 'BadHessianVectorProduct': type 'Functions' already has a member named 'BadHessianVectorProduct'; choose another with [Differentiable(GradientName = \"...\")]" },
        { "LambdaLocal", "[Differentiable] public static double Bad(double x) { Func<double, double> f = [|v => v * v|]; return x; }",
            "SD0007", "The lambda 'v => v * v' cannot be differentiated; write it as a local function (inlined where it is called) or a static [Differentiable] method" },
        { "IfInTensorMethod", "[Differentiable] public static double Bad(SymbolicDiff.Tensors.Vec<double> v, double c) { [|if (c > 0) c = 2;|] return SymbolicDiff.Tensors.Tensor.Sum(v) * c; }",
            "SD0030", "'if (c > 0) c = 2;' cannot be differentiated in a method with tensor values; a method with tensor values is straight-line code: local declarations, assignments and a return (write a branch with Tensor.ReLU or Tensor.HardTanh, or move it into a scalar [Differentiable] method)" },
        { "OnPropertyGetter", "public static double Bad { [[|Differentiable|]] get => 2.0; }",
            "SD0014", "[Differentiable] is on the 'get' accessor of 'Bad', which gets no gradient: only static methods of partial types are differentiated; move the computation into a static method and mark that method" },
        { "OnOperator", "[[|Differentiable|]] public static Functions operator +(Functions a, Functions b) => a;",
            "SD0014", "[Differentiable] is on operator '+', which gets no gradient: only static methods of partial types are differentiated; move the computation into a static method and mark that method" },
        { "OnLambda", "public static readonly Func<double, double> Bad = [[|Differentiable|]] (double x) => x * x;",
            "SD0014", "[Differentiable] is on a lambda, which gets no gradient: only static methods of partial types are differentiated; move the computation into a static method and mark that method" },
        { "CallsNestedTooDeeply", "[Differentiable] public static double Bad(double x) => " + string.Concat(Enumerable.Repeat("Math.Sin(", 200)) + "[|"
            + string.Concat(Enumerable.Repeat("Math.Sin(", 5)) + "x" + new string(')', 5) + "|]" + new string(')', 200) + ";",
            "SD0029", "This expression is nested more than 200 levels deep in calls, ?:, element accesses, if statements and loops; assign inner parts to locals so that it nests less (chains of operators such as a + b + c + … may have any length)" },
        // Warnings: the gradient is still generated.
        { "ZeroDerivative", "[Differentiable] public static double Bad(double x, double [|y|]) => x * x;",
            "SD0017", "The result of 'Bad' does not depend on parameter 'y', so its derivative is always zero; mark the parameter [NoDiff] if that is intended" },
        { "ZeroDerivativeThroughFloor", "[Differentiable] public static double Bad(double x, double [|y|]) => x + Math.Floor(y) + (y > 0 ? 1 : 2);",
            "SD0017", "The result of 'Bad' does not depend on parameter 'y', so its derivative is always zero; mark the parameter [NoDiff] if that is intended" },
        { "NoDifferentiableParameters", "[Differentiable] public static double [|Bad|](int n, [NoDiff] double s) => n * s;",
            "SD0016", "[Differentiable] method 'Bad' has no double or float parameter to differentiate; its gradient only returns the value" },
    };

    private static string File(string extraTypes) => "namespace Demo;\n" + extraTypes;

    private const string GoodMethod = "    [Differentiable]\n    public static double Good(double x) => x * x;\n";

    internal static string Wrap(string members)
    {
        string header = "using System;\nusing SymbolicDiff;\n\n";
        if (members.StartsWith("namespace Demo;\n", StringComparison.Ordinal))
        {
            return header + members + "\n\npublic static partial class Functions\n{\n" + GoodMethod + "}\n";
        }
        return header + "namespace Demo;\n\npublic partial class Functions\n{\n" + GoodMethod + "\n    " + members + "\n}\n";
    }

    /// <summary>Removes the [| |] marker and returns the source with the marked span.</summary>
    internal static (string Source, TextSpan Span) Unmark(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the test source needs one [| |] marker");
        string source = marked.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsDiagnostic(string name, string members, string id, string message)
    {
        var (source, span) = Unmark(Wrap(members));
        var run = GeneratorHarness.Run(source);

        Assert.True(run.GeneratorDiagnostics.Length == 1,
            $"{name}: expected one {id}, got: " + string.Join(" | ", run.GeneratorDiagnostics.Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture) + " @ " + d.Location.GetLineSpan())));
        var diagnostic = run.GeneratorDiagnostics[0];
        Assert.True(id == diagnostic.Id, $"{name}: expected {id}, got {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)} @ {diagnostic.Location.GetLineSpan()}");
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        // The generator keeps locations as plain data and maps them back onto the syntax tree: compare path and spans.
        var expected = SourceText.From(source).Lines.GetLinePositionSpan(span);
        var actual = diagnostic.Location.GetLineSpan();
        Assert.Equal("Test0.cs", actual.Path);
        Assert.Equal(
            $"{source.Substring(span.Start, span.Length)} @ {expected}",
            $"{SafeSubstring(source, diagnostic.Location.SourceSpan)} @ {actual.Span}");
        Assert.Equal(span, diagnostic.Location.SourceSpan);

        // Nothing else is lost: the valid method beside it still gets its gradient.
        var good = run.SourceFor("Functions.Good_Double.");
        Assert.NotNull(good);
        Assert.Contains("GoodGradient(double x, ref double dx)", good);

        var bad = run.Sources.Where(s => s.Key.Contains(".Bad_", StringComparison.Ordinal) || s.Key.Contains(".Local_", StringComparison.Ordinal)).ToList();
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            Assert.Empty(bad);
            Assert.Single(run.Sources);
        }
        else
        {
            // A warning still produces a gradient, and the output compiles.
            Assert.Single(bad);
            Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        }
    }

    private static string SafeSubstring(string text, TextSpan span) =>
        span.End <= text.Length ? text.Substring(span.Start, span.Length) : "<out of range>";

    /// <summary>An enum passed to a [Differentiable] method is fine (the callee is inlined); to a [CustomGradient] one it is reported at the call.</summary>
    [Fact]
    public void AnEnumPassedToACustomGradientMethodIsReportedAtTheCall()
    {
        var (source, span) = Unmark(Wrap("""
            public enum Kind { A, B }

                [CustomGradient(nameof(ScaleGradient))]
                public static double Scale(double x, Kind k) => k == Kind.A ? x : 2 * x;

                public static double ScaleGradient(double x, Kind k, ref double dx) { dx += k == Kind.A ? 1 : 2; return Scale(x, k); }

                [Differentiable]
                public static double Bad(double x, Kind k) => [|Scale(x, k)|];

                [Differentiable]
                public static double Inlined(double x, Kind k) => Scale2(x, k) + Scale2(x, Kind.B);

                [Differentiable]
                public static double Scale2(double x, Kind k) => k == Kind.A ? x : 2 * x;
            """));
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0008", diagnostic.Id);
        Assert.Equal("Call to 'Demo.Functions.Scale'" + S8 + "; a [CustomGradient] method that takes an enum cannot be called from a [Differentiable] method, give it an int parameter and pass (int) of the enum",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.NotNull(run.SourceFor("Functions.Inlined_"));
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    /// <summary>Forms of array arguments to inlined helpers that stay unsupported, each reported at the argument.</summary>
    [Theory]
    [InlineData("double Bad(double x) { var a = new double[20]; for (int j = 0; j < a.Length; j++) { a[j] = x * j; } return Sum([|a[1..]|]); }",
        "SD0008", "Call to 'Demo.Functions.Sum'" + S8 + "; its array parameter 'a' takes a double array or span of this method (a parameter or a local array), or a slice of a parameter (x.Slice(start, length), x[a..b]), not another expression")]
    [InlineData("double Bad(double x) { Span<double> a = stackalloc double[3]; a[0] = x; int k = (int)x; return Sum([|a.Slice(k)|]); }",
        "SD0008", "Call to 'Demo.Functions.Sum'" + S8 + "; its array parameter 'a' takes a double array or span of this method (a parameter or a local array), or a slice of a parameter (x.Slice(start, length), x[a..b]), not another expression")]
    [InlineData("void Bad(double[] x, double[] y) => Scale(2, x, [|y[1..]|]);",
        "SD0008", "Call to 'Demo.Functions.Scale'" + S8 + "; 'y[1..]' is a copy of part of an array, so what it writes into its parameter 'y' would be lost; pass a span of the array instead (y.AsSpan(start, length))")]
    [InlineData("double Bad(double[] x, double[] y) { Scale(2, x, [|y|]); return x[0]; }",
        "SD0028", "A gradient cannot be generated for 'Bad': a method that returns a value cannot also write an output array, and 'Demo.Functions.Scale' writes 'y' into its parameter 'y'; pass a local array, or return void and write every result")]
    [InlineData("void Bad(double[] x, double[] y) { Scale(2, x, y); Scale(2, [|y|], x); }",
        "SD0026", "Array parameter 'y' is both read and written; a [Differentiable] method reads input arrays and writes output arrays, never the same one")]
    public void AnArrayArgumentAnInlinedHelperCannotTakeIsReportedAtIt(string method, string id, string message)
    {
        var (source, span) = Unmark(Wrap("[Differentiable] public static double Sum(ReadOnlySpan<double> a) { double s = 0; foreach (double v in a) s += v; return s; }\n"
            + "    [Differentiable] public static void Scale(double a, ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < x.Length; i++) y[i] = a * x[i]; }\n"
            + "    [Differentiable] public static " + method));
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Location.SourceSpan == span);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.NotNull(run.SourceFor("Functions.Sum_"));
        Assert.NotNull(run.SourceFor("Functions.Scale_"));
        Assert.Null(run.SourceFor("Functions.Bad_"));
    }

    [Fact]
    public void EachUnsupportedStatementIsReportedOnce()
    {
        var (source, _) = Unmark(Wrap("""
            [Differentiable]
                public static double Bad(double x)
                {
                    double s = x;
                    [|try|] { s *= 2; } finally { }
                    lock (this) { s = 1; }
                    double t = s++ * 2;
                    return s + t;
                }
            """));
        var run = GeneratorHarness.Run(source);
        Assert.Equal(new[] { "SD0006", "SD0006", "SD0020" }, run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(new[] { 14, 15, 16 }, run.GeneratorDiagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line));
        Assert.DoesNotContain(run.Sources.Keys, k => k.Contains(".Bad_", StringComparison.Ordinal));
        Assert.Contains(run.Sources.Keys, k => k.Contains(".Good_", StringComparison.Ordinal));
    }

    [Fact]
    public void CoversAtLeastTwentyDistinctInputsAndMostDescriptors()
    {
        var rows = Cases.Select(r => ((string)r[0], (string)r[2])).ToList();
        Assert.True(rows.Count >= 20);
        Assert.Equal(rows.Count, rows.Select(r => r.Item1).Distinct().Count());
        // SD0023, SD0024 and SD0041 need a second method and have their own tests below, SD0051 is reported at both
        // colliding methods (GeneratedMemberTests), SD0053 needs a 4,000-term method (LongChainTests); SD9999 is for generator bugs.
        // SD0042 and SD0043 guard operations added later: every one today has a second-order rule (HessianRejectsAnOperationItDoesNotKnow,
        // HessianRejectsATensorOperationItDoesNotKnow).
        var untested = Diagnostics.All.Select(d => d.Id).Except(rows.Select(r => r.Item2)).ToList();
        Assert.Equal(new[] { "SD0023", "SD0024", "SD0041", "SD0042", "SD0043", "SD0051", "SD0053", "SD9999" }, untested);
    }

    [Fact]
    public void EveryDescriptorIsInAnalyzerReleases()
    {
        string file = Path.Combine(RepositoryRoot(), "generator", "SymbolicDiff.Generator", "AnalyzerReleases.Unshipped.md");
        var rows = System.IO.File.ReadAllLines(file)
            .Select(line => Regex.Match(line, @"^(SD\d{4})\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*(.*?)\s*$"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => (Category: m.Groups[2].Value, Severity: m.Groups[3].Value, Notes: m.Groups[4].Value));
        foreach (var descriptor in Diagnostics.All)
        {
            Assert.True(rows.TryGetValue(descriptor.Id, out var row), $"{descriptor.Id} is missing from AnalyzerReleases.Unshipped.md");
            Assert.Equal(descriptor.Category, row.Category);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), row.Severity);
            Assert.Equal(descriptor.Title.ToString(CultureInfo.InvariantCulture), row.Notes);
        }
        Assert.Equal(Diagnostics.All.Length, Diagnostics.All.Select(d => d.Id).Distinct().Count());
        Assert.Empty(rows.Keys.Except(Diagnostics.All.Select(d => d.Id)));
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <summary>A differentiated value passed to a [NoDiff] parameter of a [Differentiable] callee has no derivative slot.</summary>
    [Fact]
    public void DifferentiatedArgumentToNoDiffParameterOfCallee()
    {
        var (source, span) = Unmark(Wrap(
            "[Differentiable] public static double Scaled(double v, [NoDiff] double s) => v * s;\n" +
            "    [Differentiable] public static double Bad(double x) { return Scaled(1.0, [|x|]); }"));
        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0023", diagnostic.Id);
        Assert.Equal("'x' depends on a differentiated parameter but is passed to parameter 's' of 'Scaled', which is [NoDiff], " +
            "so its gradient has no slot for it; remove [NoDiff] there or pass a constant", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.DoesNotContain(run.Sources, s => s.Key.Contains(".Bad_", StringComparison.Ordinal));
        Assert.Contains(run.Sources, s => s.Key.Contains(".Scaled_", StringComparison.Ordinal));
    }

    /// <summary>A [Differentiable] callee that cannot have a gradient (here: an instance method) is reported at the call too.</summary>
    [Fact]
    public void CallToDifferentiableMethodWithoutGradient()
    {
        var (source, span) = Unmark(Wrap(
            "[Differentiable] public double Inst(double v) => v;\n" +
            "    [Differentiable] public static double Bad(double x) { return [|new Functions().Inst(x)|]; }"));
        var run = GeneratorHarness.Run(source);

        var atCall = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "SD0008");
        Assert.Equal("Call to 'Demo.Functions.Inst'" + S8 + "; it has no generated gradient to call (see its own SD diagnostic)",
            atCall.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(span, atCall.Location.SourceSpan);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SD0001");
    }

    /// <summary>A [CustomGradient] whose method does not have the generated gradient's signature is reported at the call.</summary>
    [Fact]
    public void CustomGradientWithWrongSignature()
    {
        var (source, span) = Unmark(Wrap(
            "[CustomGradient(\"Wrong\")] public static double Other(double x, [NoDiff] int n) => x * n;\n" +
            "    public static double Wrong(double x, int n, double dx) => x;\n" +
            "    [Differentiable] public static double Bad(double x) { return [|Other(x, 3)|]; }"));
        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0024", diagnostic.Id);
        Assert.Equal("'Other' has [CustomGradient], but type 'Functions' has no method 'static double Wrong(double x, int n, ref double dx)'; " +
            "write the hand-written gradient with exactly that signature", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.DoesNotContain(run.Sources, s => s.Key.Contains(".Bad_", StringComparison.Ordinal));
    }

    /// <summary>
    /// A call to a [CustomGradient] method: only its gradient is known, not its second derivative, so Hessian = true (which
    /// differentiates through the bodies of the [Differentiable] methods it calls) is SD0041 at the method, quoting the call.
    /// </summary>
    [Fact]
    public void HessianThroughACustomGradientCall()
    {
        var (source, span) = Unmark(Wrap(
            "[CustomGradient(nameof(SqGradient))] public static double Sq(double v) => v * v;\n" +
            "    public static double SqGradient(double v, ref double dv) { dv += 2 * v; return v * v; }\n" +
            "    [Differentiable(Hessian = true)] public static double [|Bad|](double x) => Sq(x) + x;"));
        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0041", diagnostic.Id);
        Assert.Equal("The Hessian of 'Bad' cannot be generated: 'return Sq(x) + x;' calls 'Sq', a [CustomGradient] method, whose second derivative " +
            "is not known (only its hand-written gradient is); write 'Sq' as a [Differentiable] method, which Hessian = true differentiates through, or remove Hessian = true",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.DoesNotContain(run.Sources, s => s.Key.Contains(".Bad_", StringComparison.Ordinal));
    }

    /// <summary>
    /// Hessian = true inlines a callee with a [NoDiff] parameter (its Hessian is exact: the argument is a constant of the
    /// differentiation), but a differentiated argument there is SD0023 at the argument, as without Hessian = true.
    /// </summary>
    [Theory]
    [InlineData("Differentiable")]
    [InlineData("Differentiable(Hessian = true)")]
    public void DifferentiatedArgumentToNoDiffParameterOfAnInlinedCallee(string attribute)
    {
        var (source, span) = Unmark(Wrap(
            "[Differentiable] public static double Sq(double v, [NoDiff] double k) => k * v * v;\n" +
            $"    [{attribute}] public static double Ok(double x) => Sq(x, 2) + x;\n" +
            $"    [{attribute}] public static double Bad(double x) => Sq(x, [|2 * x|]);"));
        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0023", diagnostic.Id);
        Assert.Equal("'2 * x' depends on a differentiated parameter but is passed to parameter 'k' of 'Sq', which is [NoDiff], " +
            "so its gradient has no slot for it; remove [NoDiff] there or pass a constant", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.DoesNotContain(run.Sources, s => s.Key.Contains(".Bad_", StringComparison.Ordinal));
        Assert.Contains(run.Sources, s => s.Key.Contains(".Ok_", StringComparison.Ordinal));
        Assert.Empty(run.OutputErrorsAndWarnings);
    }

    /// <summary>
    /// A tensor operation without a tangent rule (one added to <see cref="Model.TensorOp"/> later, say) is SD0043 at the
    /// method, naming the operation and its statement: here a model built by hand with an unknown operation.
    /// </summary>
    [Fact]
    public void HessianRejectsATensorOperationItDoesNotKnow()
    {
        var unknown = (Model.TensorOp)1000;
        var nodes = new[]
        {
            new Model.TensorNode(0, Model.TensorOp.Parameter, Model.ValueKind.Vector, Model.EquatableArray<int>.Empty, 0, "v", -1),
            new Model.TensorNode(1, unknown, Model.ValueKind.Scalar, new[] { 0 }.ToEquatableArray(), 0, null, 0),
        };
        var method = new Model.TensorMethod(null, Model.EquatableArray<Model.ContainingType>.Empty, "F", "FGradient", "public", Model.ScalarType.Double,
            new[] { new Model.TensorParameter("v", Model.ValueKind.Vector, true, 0) }.ToEquatableArray(), nodes.ToEquatableArray(),
            new[] { new Model.SourceStatement("return Tensor.Unknown(v);") }.ToEquatableArray(), 1, "F.g.cs");

        var (operation, statement) = Assert.IsType<(string, string)>(Parsing.TensorTangentProgram.Unsupported(method));
        var descriptor = Diagnostics.All.Single(d => d.Id == "SD0043");
        Assert.Equal("The Hessian-vector product of 'F' cannot be generated: 'return Tensor.Unknown(v);' uses 1000, which has no second-order rule for tensors yet; Hessian = true on a method with tensor values supports MatVec, MatTransposeVec, MatMul, MatMulTransposeB, AddRowVector, Windows, +, −, Hadamard, Scale, Dot, Sum, SquaredNorm, the element-wise functions (Tanh, Sigmoid, ReLU, HardTanh, Exp, Log, Tensor.Map), Softmax and LogSoftmax, CrossEntropy and MeanCrossEntropy, Row, Concat, Element, and scalar arithmetic, Sigmoid, LogisticLoss and Hinge; remove Hessian = true, or write the method with those",
            string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), "F", statement, operation));
    }

    /// <summary>
    /// An operation the Hessian mode has no rule for (one added to <see cref="Model.Op"/> later, say) is rejected
    /// by the check, never assumed: here a model built by hand with an unknown operation.
    /// </summary>
    [Fact]
    public void HessianRejectsAnOperationItDoesNotKnow()
    {
        var unknown = (Model.Op)1000;
        var nodes = new[]
        {
            new Model.Node(0, Model.Op.Parameter, Model.ScalarType.Double, Model.EquatableArray<int>.Empty, 0, "x", 0, -1),
            new Model.Node(1, unknown, Model.ScalarType.Double, new[] { 0 }.ToEquatableArray(), 0, null, 0, 0),
        };
        var method = new Model.DifferentiableMethod(null, Model.EquatableArray<Model.ContainingType>.Empty, "F", "FGradient", null, "public",
            Model.ScalarType.Double, new[] { new Model.Parameter("x", Model.ScalarType.Double, true, 0) }.ToEquatableArray(),
            nodes.ToEquatableArray(), new[] { new Model.Region(0, -1) }.ToEquatableArray(),
            new[] { new Model.SourceStatement("return Unknown(x);") }.ToEquatableArray(), 1, "F.g.cs", "FHessian", "FHessianVectorProduct");

        var (id, args) = Assert.Single(Parsing.DerivativeGraph.Check(method));
        Assert.Equal("SD0042", id);
        var descriptor = Diagnostics.All.Single(d => d.Id == id);
        Assert.Equal("The Hessian of 'F' cannot be generated: Hessian = true does not support the operation '1000' yet ('return Unknown(x);'); remove Hessian = true, or write the method without them",
            string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), new object[] { "F" }.Concat(args).ToArray()));
    }
}
