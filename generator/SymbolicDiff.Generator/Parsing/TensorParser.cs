using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Parses a [Differentiable] method that has <c>Vec&lt;T&gt;</c>/<c>Mat&lt;T&gt;</c> values into a <see cref="TensorMethod"/>:
/// straight-line local declarations of <c>Tensor.*</c> calls and scalar arithmetic, then a return. Anything else is an
/// SD diagnostic, never a guessed derivative.
/// </summary>
internal sealed class TensorParser
{
    private const string TensorsNamespace = "SymbolicDiff.Tensors";
    private const string TensorClass = "SymbolicDiff.Tensors.Tensor";

    private readonly SemanticModel _model;
    private readonly CancellationToken _cancellation;
    private readonly List<TensorNode> _nodes = new();
    private readonly Dictionary<ISymbol, int> _values = new(SymbolEqualityComparer.Default);
    private readonly List<SourceStatement> _statements = new();
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly IMethodSymbol _method;
    private ScalarType _element;
    private int _statement;

    private TensorParser(SemanticModel model, IMethodSymbol method, CancellationToken cancellation)
    {
        _model = model;
        _method = method;
        _cancellation = cancellation;
    }

    /// <summary>Whether <paramref name="type"/> is <c>Vec&lt;T&gt;</c> or <c>Mat&lt;T&gt;</c>.</summary>
    public static bool IsTensorType(ITypeSymbol type) => TensorKindOf(type) is not null;

    private static ValueKind? TensorKindOf(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } named && named.ContainingNamespace?.ToDisplayString() == TensorsNamespace
            ? named.Name switch { "Vec" => ValueKind.Vector, "Mat" => ValueKind.Matrix, _ => null }
            : null;

    /// <summary>Whether the type is <c>ReadOnlySpan&lt;int&gt;</c>, <c>Span&lt;int&gt;</c> or <c>int[]</c> (a batch's labels or word indices).</summary>
    public static bool IsIndicesType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Int32 } => true,
        INamedTypeSymbol { Name: "ReadOnlySpan" or "Span", TypeArguments.Length: 1 } named
            => named.TypeArguments[0].SpecialType == SpecialType.System_Int32 && named.ContainingNamespace?.ToDisplayString() == "System",
        _ => false,
    };

    private static ScalarType? ElementOf(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0].SpecialType switch
        {
            SpecialType.System_Double => ScalarType.Double,
            SpecialType.System_Single => ScalarType.Float,
            _ => null,
        } : null;

    /// <summary>Whether the method has tensor parameters, tensor locals or calls into <c>SymbolicDiff.Tensors.Tensor</c>.</summary>
    public static bool UsesTensors(MethodDeclarationSyntax syntax, IMethodSymbol method, SemanticModel model, CancellationToken cancellation)
    {
        if (method.Parameters.Any(p => IsTensorType(p.Type)))
        {
            return true;
        }
        SyntaxNode? body = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;
        if (body is null)
        {
            return false;
        }
        foreach (var node in body.DescendantNodes())
        {
            if (node is InvocationExpressionSyntax invocation
                && model.GetSymbolInfo(invocation, cancellation).Symbol is IMethodSymbol called
                && called.ContainingType?.ToDisplayString() == TensorClass)
            {
                return true;
            }
            if (node is VariableDeclarationSyntax declaration && model.GetTypeInfo(declaration.Type, cancellation).Type is { } type && IsTensorType(type))
            {
                return true;
            }
        }
        return false;
    }

    public static ParseResult Parse(MethodDeclarationSyntax syntax, IMethodSymbol method, SemanticModel model, string gradientName, EquatableArray<string> hiding, CancellationToken cancellation)
    {
        var parser = new TensorParser(model, method, cancellation);
        var tensor = parser.ParseMethod(syntax, gradientName, hiding);
        var diagnostics = parser._diagnostics.Distinct().ToEquatableArray();
        return new ParseResult(null, diagnostics, parser._diagnostics.Any(d => IsError(d.Id)) ? null : tensor);
    }

    private static bool IsError(string id) => Diagnostics.All.First(d => d.Id == id).DefaultSeverity == DiagnosticSeverity.Error;

    private TensorMethod? ParseMethod(MethodDeclarationSyntax syntax, string gradientName, EquatableArray<string> hiding)
    {
        // The element type: that of the first tensor parameter, else the return type.
        _element = _method.Parameters.Where(p => IsTensorType(p.Type)).Select(p => ElementOf(p.Type)).FirstOrDefault()
            ?? (_method.ReturnType.SpecialType == SpecialType.System_Single ? ScalarType.Float : ScalarType.Double);

        var parameters = new List<TensorParameter>();
        foreach (var parameter in _method.Parameters)
        {
            var location = parameter.Locations.FirstOrDefault();
            var kind = KindOf(parameter.Type, parameter.Name, location);
            if (kind is null)
            {
                continue;
            }
            bool differentiable = kind is not (ValueKind.Index or ValueKind.Indices)
                && !parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Parser.NoDiffAttribute);
            int node = Add(TensorOp.Parameter, kind.Value, Array.Empty<int>(), name: parameter.Name);
            _values[parameter] = node;
            parameters.Add(new TensorParameter(parameter.Name, kind.Value, differentiable, node));
        }
        if (KindOf(_method.ReturnType, _method.Name, syntax.ReturnType.GetLocation()) is { } returnKind && returnKind != ValueKind.Scalar)
        {
            Report(Diagnostics.UnsupportedReturnType, syntax.ReturnType.GetLocation(), _method.Name, _method.ReturnType.ToDisplayString());
        }
        if (_diagnostics.Count > 0)
        {
            return null;
        }

        int? result = null;
        if (syntax.ExpressionBody is { } expressionBody)
        {
            Begin("return " + expressionBody.Expression + ";");
            result = Guard(() => Scalar(expressionBody.Expression));
        }
        else
        {
            var statements = syntax.Body!.Statements;
            for (int i = 0; i < statements.Count && result is null; i++)
            {
                var statement = statements[i];
                if (statement is ReturnStatementSyntax { Expression: { } value } ret)
                {
                    Begin(ret.ToString());
                    result = Guard(() => Scalar(value)) ?? -1;
                    if (i != statements.Count - 1)
                    {
                        Report(Diagnostics.UnsupportedStatement, statements[i + 1].GetLocation(), "A statement after the return");
                    }
                }
                else
                {
                    Guard(() => { ParseStatement(statement); return 0; });
                }
            }
        }
        if (result is null && _diagnostics.Count == 0)
        {
            Report(Diagnostics.UnsupportedStatement, syntax.Identifier.GetLocation(), "A method body that does not end in a return");
        }
        if (_diagnostics.Count > 0 || result is null or < 0)
        {
            return null;
        }
        WarnAboutZeroDerivatives(parameters, result.Value);
        return new TensorMethod(
            Namespace: _method.ContainingNamespace.IsGlobalNamespace ? null : _method.ContainingNamespace.ToDisplayString(),
            ContainingTypes: Parser.ContainingTypesOf(_method.ContainingType),
            Name: _method.Name,
            GradientName: gradientName,
            Accessibility: Parser.AccessibilityOf(_method.DeclaredAccessibility),
            Element: _element,
            Parameters: parameters.ToEquatableArray(),
            Nodes: _nodes.ToEquatableArray(),
            Statements: _statements.ToEquatableArray(),
            Result: result.Value,
            HintName: Parser.HintNameOf(_method),
            Hiding: hiding,
            Location: new MethodLocation(Parser.ToInfo(_method.Locations.FirstOrDefault())));
    }

    private int? Guard(Func<int> parse)
    {
        try
        {
            return parse();
        }
        catch (UnsupportedException unsupported)
        {
            _diagnostics.Add(unsupported.Diagnostic);
            return null;
        }
    }

    /// <summary>The kind of a value of this type, or a diagnostic (and null) for a type tensor methods cannot hold.</summary>
    private ValueKind? KindOf(ITypeSymbol type, string what, Location? location)
    {
        if (TensorKindOf(type) is { } tensorKind)
        {
            var element = ElementOf(type);
            if (element != _element)
            {
                Report(Diagnostics.MixedTensorElementTypes, location, what, type.ToDisplayString(), _method.Name, _element.Keyword());
                return null;
            }
            return tensorKind;
        }
        if (IsIndicesType(type))
        {
            return ValueKind.Indices;
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32:
                return ValueKind.Index;
            case SpecialType.System_Double when _element == ScalarType.Double:
            case SpecialType.System_Single when _element == ScalarType.Float:
                return ValueKind.Scalar;
            case SpecialType.System_Double or SpecialType.System_Single:
                Report(Diagnostics.MixedTensorElementTypes, location, what, type.ToDisplayString(), _method.Name, _element.Keyword());
                return null;
            default:
                Report(Diagnostics.UnsupportedValueType, location, what, type.ToDisplayString());
                return null;
        }
    }

    // ---- Statements ----------------------------------------------------------------------------

    private void ParseStatement(StatementSyntax statement)
    {
        _cancellation.ThrowIfCancellationRequested();
        switch (statement)
        {
            case LocalDeclarationStatementSyntax { IsConst: false } declaration:
                Begin(declaration.ToString());
                foreach (var variable in declaration.Declaration.Variables)
                {
                    if (variable.Initializer is null || _model.GetDeclaredSymbol(variable, _cancellation) is not ILocalSymbol local)
                    {
                        throw Unsupported(Diagnostics.UnsupportedStatement, variable.GetLocation(), "A local declared without a value");
                    }
                    var kind = KindOf(local.Type, local.Name, variable.Identifier.GetLocation())
                        ?? throw new UnsupportedException(_diagnostics[_diagnostics.Count - 1], alreadyReported: true);
                    int value = kind switch
                    {
                        ValueKind.Scalar => Scalar(variable.Initializer.Value),
                        ValueKind.Index => Index(variable.Initializer.Value),
                        _ => Expression(variable.Initializer.Value),
                    };
                    Bind(local, value);
                }
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                Begin(statement.ToString());
                if (assignment.Left is ElementAccessExpressionSyntax)
                {
                    throw Unsupported(Diagnostics.TensorElementWrite, assignment.GetLocation(), assignment.ToString());
                }
                var target = _model.GetSymbolInfo(assignment.Left, _cancellation).Symbol;
                var targetType = target switch { ILocalSymbol l => l.Type, IParameterSymbol p => p.Type, _ => null };
                if (targetType is not null && IsTensorType(targetType))
                {
                    throw Unsupported(Diagnostics.TensorLocalReassigned, assignment.GetLocation(), target!.Name);
                }
                if (target is not ILocalSymbol and not IParameterSymbol || assignment.Left is not IdentifierNameSyntax
                    || targetType!.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
                {
                    throw Unsupported(Diagnostics.UnsupportedAssignmentTarget, assignment.Left.GetLocation(), assignment.Left.ToString(), Diagnostics.AssignmentAdvice);
                }
                if (!assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
                {
                    throw Unsupported(Diagnostics.UnsupportedTensorOperation, assignment.GetLocation(), assignment.ToString(),
                        "; write compound assignments out (x = x + e)");
                }
                Bind(target, Scalar(assignment.Right));
                break;
            default:
                // Branches and loops are not in this mode: SD0030 says what the method can contain instead.
                throw Unsupported(Diagnostics.UnsupportedTensorOperation, statement.GetLocation(), Regex.Replace(statement.ToString(), @"\s+", " ") is var text && text.Length > 40
                    ? text.Substring(0, 40) + "…" : text,
                    "; a method with tensor values is straight-line code: local declarations, assignments and a return (write a branch with Tensor.ReLU or Tensor.HardTanh, or move it into a scalar [Differentiable] method)");
        }
    }

    private void Bind(ISymbol symbol, int node)
    {
        var existing = _nodes[node];
        if (existing.Name is null && existing.Op is not (TensorOp.Parameter or TensorOp.Constant))
        {
            _nodes[node] = existing with { Name = symbol.Name };
        }
        _values[symbol] = node;
    }

    private void Begin(string text)
    {
        _statement = _statements.Count;
        _statements.Add(SourceStatement.FromSource(text));
    }

    // ---- Expressions ---------------------------------------------------------------------------

    private int Scalar(ExpressionSyntax expression) => Expect(expression, ValueKind.Scalar);

    private int Index(ExpressionSyntax expression) => Expect(expression, ValueKind.Index);

    private int Expect(ExpressionSyntax expression, ValueKind kind)
    {
        int node = Expression(expression);
        if (_nodes[node].Kind != kind)
        {
            throw Unsupported(Diagnostics.UnsupportedTensorOperation, expression.GetLocation(), expression.ToString(),
                $"; a {Describe(kind)} is needed here but this is a {Describe(_nodes[node].Kind)}");
        }
        return node;
    }

    private static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Scalar => "floating-point scalar",
        ValueKind.Vector => "vector",
        ValueKind.Matrix => "matrix",
        ValueKind.Indices => "span of int indices",
        _ => "int index",
    };

    private int Expression(ExpressionSyntax expression)
    {
        _cancellation.ThrowIfCancellationRequested();
        var constant = _model.GetConstantValue(expression, _cancellation);
        if (constant.HasValue && constant.Value is int or long or double or float or short or byte)
        {
            var converted = _model.GetTypeInfo(expression, _cancellation).ConvertedType;
            var kind = converted?.SpecialType is SpecialType.System_Int32 ? ValueKind.Index : ValueKind.Scalar;
            return Add(TensorOp.Constant, kind, Array.Empty<int>(), Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Expression(parenthesized.Expression);
            case IdentifierNameSyntax:
                var symbol = _model.GetSymbolInfo(expression, _cancellation).Symbol;
                if (symbol is ILocalSymbol or IParameterSymbol && _values.TryGetValue(symbol, out int value))
                {
                    return value;
                }
                throw Unsupported(Diagnostics.UnsupportedExpression, expression.GetLocation(), "name", expression.ToString(), Diagnostics.ExpressionAdvice);
            case CastExpressionSyntax cast:
                int operand = Expression(cast.Expression);
                var castType = _model.GetTypeInfo(cast, _cancellation).Type;
                var operandType = _model.GetTypeInfo(cast.Expression, _cancellation).Type;
                if (castType is not null && SymbolEqualityComparer.Default.Equals(castType, operandType))
                {
                    return operand;
                }
                throw Unsupported(Diagnostics.UnsupportedTensorOperation, cast.GetLocation(), cast.ToString(), "; conversions are not supported in a method with tensor values");
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
                return Add(TensorOp.Negate, ValueKind.Scalar, new[] { Scalar(unary.Operand) });
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return Scalar(unary.Operand);
            case BinaryExpressionSyntax binary:
                TensorOp? op = binary.Kind() switch
                {
                    SyntaxKind.AddExpression => TensorOp.Add,
                    SyntaxKind.SubtractExpression => TensorOp.Subtract,
                    SyntaxKind.MultiplyExpression => TensorOp.Multiply,
                    SyntaxKind.DivideExpression => TensorOp.Divide,
                    _ => null,
                };
                if (op is null)
                {
                    throw Unsupported(Diagnostics.UnsupportedTensorOperation, binary.OperatorToken.GetLocation(), binary.ToString(),
                        "; only + − × ÷ of scalars and the Tensor functions are supported here");
                }
                return Add(op.Value, ValueKind.Scalar, new[] { Scalar(binary.Left), Scalar(binary.Right) });
            case InvocationExpressionSyntax invocation:
                return Call(invocation);
            case ElementAccessExpressionSyntax access:
                throw Unsupported(Diagnostics.UnsupportedTensorOperation, access.GetLocation(), access.ToString(), "; read elements with Tensor.Element(v, i)");
            case AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }:
                throw Unsupported(Diagnostics.SideEffectInExpression, expression.GetLocation(), expression.ToString());
            default:
                throw Unsupported(Diagnostics.UnsupportedTensorOperation, expression.GetLocation(), expression.ToString(), "");
        }
    }

    private int Call(InvocationExpressionSyntax invocation)
    {
        var method = _model.GetSymbolInfo(invocation, _cancellation).Symbol as IMethodSymbol;
        var location = invocation.GetLocation();
        string display = method is null ? invocation.Expression.ToString() : method.ContainingType.Name + "." + method.Name;
        if (method is null || method.ContainingType?.ToDisplayString() != TensorClass)
        {
            throw Unsupported(Diagnostics.UnsupportedTensorOperation, location, display,
                "; only the SymbolicDiff.Tensors.Tensor functions (and scalar + − × ÷) have derivative rules here");
        }
        // Arguments in parameter order: a named argument goes to its parameter (the Tensor functions have no optional ones).
        var arguments = new ExpressionSyntax[method.Parameters.Length];
        for (int i = 0; i < invocation.ArgumentList.Arguments.Count; i++)
        {
            var argument = invocation.ArgumentList.Arguments[i];
            int slot = argument.NameColon is { } name ? method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText)?.Ordinal ?? -1 : i;
            if (slot < 0 || slot >= arguments.Length || !argument.RefKindKeyword.IsKind(SyntaxKind.None))
            {
                throw Unsupported(Diagnostics.UnsupportedTensorOperation, location, display, "; pass each of its parameters one argument, by value");
            }
            arguments[slot] = argument.Expression;
        }
        if (arguments.Any(a => a is null))
        {
            throw Unsupported(Diagnostics.UnsupportedTensorOperation, location, display, "; pass each of its parameters one argument, by value");
        }
        if (method.Name == "Map")
        {
            return Map(arguments);
        }
        var parameterTypes = method.Parameters.Select(p => p.Type).ToList();
        (TensorOp op, ValueKind kind)? rule = method.Name switch
        {
            "MatVec" => (TensorOp.MatVec, ValueKind.Vector),
            "Add" => (TensorOp.VectorAdd, ValueKind.Vector),
            "Subtract" => (TensorOp.VectorSubtract, ValueKind.Vector),
            "Multiply" or "Dropout" => (TensorOp.Hadamard, ValueKind.Vector),
            "Scale" => (TensorOp.Scale, ValueKind.Vector),
            "Dot" => (TensorOp.Dot, ValueKind.Scalar),
            "Sum" => (TensorOp.Sum, ValueKind.Scalar),
            "Tanh" => (TensorOp.Tanh, ValueKind.Vector),
            "Sigmoid" when parameterTypes.Count == 1 && TensorKindOf(parameterTypes[0]) is null => (TensorOp.ScalarSigmoid, ValueKind.Scalar),
            "Sigmoid" => (TensorOp.Sigmoid, ValueKind.Vector),
            "ReLU" => (TensorOp.ReLU, ValueKind.Vector),
            "HardTanh" => (TensorOp.HardTanh, ValueKind.Vector),
            "Exp" => (TensorOp.Exp, ValueKind.Vector),
            "Log" => (TensorOp.Log, ValueKind.Vector),
            "Softmax" => (TensorOp.Softmax, ValueKind.Vector),
            "LogSoftmax" => (TensorOp.LogSoftmax, ValueKind.Vector),
            "CrossEntropy" => (TensorOp.CrossEntropy, ValueKind.Scalar),
            "SquaredNorm" => (TensorOp.SquaredNorm, ValueKind.Scalar),
            "Row" => (TensorOp.Row, ValueKind.Vector),
            "Concat" => (TensorOp.Concat, ValueKind.Vector),
            "Element" => (TensorOp.Element, ValueKind.Scalar),
            "MatTransposeVec" => (TensorOp.MatTransposeVec, ValueKind.Vector),
            "MatMul" => (TensorOp.MatMul, ValueKind.Matrix),
            "LogisticLoss" => (TensorOp.LogisticLoss, ValueKind.Scalar),
            "Hinge" => (TensorOp.Hinge, ValueKind.Scalar),
            "MatMulTransposeB" => (TensorOp.MatMulTransposeB, ValueKind.Matrix),
            "AddRowVector" => (TensorOp.AddRowVector, ValueKind.Matrix),
            "MeanCrossEntropy" => (TensorOp.MeanCrossEntropy, ValueKind.Scalar),
            "Windows" => (TensorOp.Windows, ValueKind.Matrix),
            _ => null,
        };
        if (rule is null)
        {
            throw Unsupported(Diagnostics.UnsupportedTensorOperation, location, display, "; this function has no derivative rule");
        }
        if (method.TypeArguments.Length == 1 && method.TypeArguments[0].SpecialType != (_element == ScalarType.Double ? SpecialType.System_Double : SpecialType.System_Single))
        {
            throw Unsupported(Diagnostics.MixedTensorElementTypes, location, invocation.ToString(), method.TypeArguments[0].ToDisplayString(), _method.Name, _element.Keyword());
        }
        var args = new int[arguments.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var expected = TensorKindOf(parameterTypes[i])
                ?? (IsIndicesType(parameterTypes[i]) ? ValueKind.Indices : parameterTypes[i].SpecialType == SpecialType.System_Int32 ? ValueKind.Index : ValueKind.Scalar);
            args[i] = Expect(arguments[i], expected);
        }
        // The overload decides vector or matrix (Tensor.Tanh(Mat) is element-wise over a batch, Softmax(Mat) row-wise).
        return Add(rule.Value.op, TensorKindOf(method.ReturnType) ?? rule.Value.kind, args);
    }

    /// <summary><c>Tensor.Map(v, f)</c> with f a function of the operation table (Math, MathF, double/float or Activations).</summary>
    private int Map(ExpressionSyntax[] arguments)
    {
        var info = _model.GetSymbolInfo(arguments[1], _cancellation);
        var function = info.Symbol as IMethodSymbol ?? info.CandidateSymbols.OfType<IMethodSymbol>().FirstOrDefault();
        Spelling? spelling = Operations.SpellingOf(function?.ContainingType?.ToDisplayString());
        if (spelling is null || Operations.FunctionOf(spelling.Value, function!.Name, 1) is not Op op)
        {
            throw Unsupported(Diagnostics.UnsupportedTensorOperation, arguments[1].GetLocation(), arguments[1].ToString(),
                "; Tensor.Map takes a Math, MathF, double/float or Activations function of one argument that has a derivative rule");
        }
        int id = Add(TensorOp.Map, ValueKind.Vector, new[] { Expect(arguments[0], ValueKind.Vector) });
        _nodes[id] = _nodes[id] with { Function = op };
        return id;
    }

    private int Add(TensorOp op, ValueKind kind, int[] args, double constant = 0, string? name = null)
    {
        int id = _nodes.Count;
        _nodes.Add(new TensorNode(id, op, kind, args.ToEquatableArray(), constant, name, _statement));
        return id;
    }

    // ---- Analysis and helpers ------------------------------------------------------------------

    private void WarnAboutZeroDerivatives(List<TensorParameter> parameters, int result)
    {
        if (!parameters.Any(p => p.IsDifferentiable))
        {
            Report(Diagnostics.NoDifferentiableParameters, _method.Locations.FirstOrDefault(), _method.Name);
            return;
        }
        var reached = DerivativeFlow.Reach(result, id => _nodes[id].Args);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].IsDifferentiable && !reached.Contains(parameters[i].Node))
            {
                var symbol = _method.Parameters.First(p => p.Name == parameters[i].Name);
                Report(Diagnostics.ZeroDerivative, symbol.Locations.FirstOrDefault(), _method.Name, parameters[i].Name);
            }
        }
    }

    private void Report(DiagnosticDescriptor descriptor, Location? location, params string[] args) =>
        _diagnostics.Add(Parser.Info(descriptor, location, args));

    private static UnsupportedException Unsupported(DiagnosticDescriptor descriptor, Location location, params string[] args) =>
        new(Parser.Info(descriptor, location, args));

    private sealed class UnsupportedException : Exception
    {
        public UnsupportedException(DiagnosticInfo diagnostic, bool alreadyReported = false)
        {
            Diagnostic = diagnostic;
            AlreadyReported = alreadyReported;
        }

        public DiagnosticInfo Diagnostic { get; }

        public bool AlreadyReported { get; }
    }
}
