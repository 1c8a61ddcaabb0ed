using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>The arguments of a call, matched to the callee's parameters.</summary>
internal sealed partial class Parser
{
    /// <summary>One argument of a call: the expression written for the parameter, or (when omitted) its default value.</summary>
    private readonly record struct CallArgument(IParameterSymbol Parameter, ArgumentSyntax? Syntax, double Default);

    /// <summary>
    /// The arguments of a call in the callee's parameter order: named arguments go to their parameters and an omitted
    /// optional parameter gets its default value, a constant as C# passes it. The generated code then passes every
    /// argument by position, so <c>G(x)</c> with <c>G(double a, double b = 2)</c> becomes <c>GGradient(x, 2.0, ref …)</c>.
    /// </summary>
    private CallArgument[] ArgumentsOf(InvocationExpressionSyntax invocation, IMethodSymbol method, string display)
    {
        var location = invocation.GetLocation();
        if (invocation.ArgumentList.Arguments.FirstOrDefault(a => !a.RefKindKeyword.IsKind(SyntaxKind.None)) is { } byReference)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, byReference.GetLocation(), display, "; pass its arguments by value");
        }
        var result = new CallArgument?[method.Parameters.Length];
        if (_model.GetOperation(invocation, _cancellation) is IInvocationOperation operation)
        {
            foreach (var argument in operation.Arguments)
            {
                if (argument.Parameter is not { } parameter || parameter.Ordinal >= result.Length)
                {
                    continue;
                }
                // An explicit argument's syntax is the argument, or its expression without parentheses.
                if (argument.ArgumentKind == ArgumentKind.Explicit
                    && argument.Syntax.AncestorsAndSelf().OfType<ArgumentSyntax>().FirstOrDefault(a => a.Parent == invocation.ArgumentList) is { } syntax)
                {
                    result[parameter.Ordinal] = new CallArgument(parameter, syntax, 0);
                }
                else if (argument.ArgumentKind == ArgumentKind.DefaultValue && ScalarOf(parameter.Type) is not null
                    && argument.Value.ConstantValue is { HasValue: true } constant)
                {
                    result[parameter.Ordinal] = new CallArgument(parameter, null, Convert.ToDouble(constant.Value ?? 0, CultureInfo.InvariantCulture));
                }
                else
                {
                    // A params argument list: the callee takes an array, which calls cannot pass yet.
                    throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; its parameter '" + parameter.Name + "' takes a params array, which a differentiated call cannot pass");
                }
            }
        }
        else if (invocation.ArgumentList.Arguments.Count == method.Parameters.Length && invocation.ArgumentList.Arguments.All(a => a.NameColon is null))
        {
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = new CallArgument(method.Parameters[i], invocation.ArgumentList.Arguments[i], 0);
            }
        }
        if (result.Any(a => a is null))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; write every argument of the call");
        }
        return result.Select(a => a!.Value).ToArray();
    }

    /// <summary>The node of an argument: its expression (converted to the parameter's type), or its default value.</summary>
    private int ParseArgument(CallArgument argument) =>
        argument.Syntax is { } syntax
            ? ParseConverted(syntax.Expression)
            : _graph.Constant(argument.Default, ScalarOf(argument.Parameter.Type)!.Value);
}
