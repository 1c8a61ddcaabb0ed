using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// Turns a [Differentiable] method's syntax and semantic model into a <see cref="DifferentiableMethod"/>
/// (or diagnostics). Nothing from Roslyn leaves this class: the result is plain, value-equatable data.
/// </summary>
internal sealed partial class Parser
{
    public const string DifferentiableAttribute = "SymbolicDiff.DifferentiableAttribute";
    internal const string NoDiffAttribute = "SymbolicDiff.NoDiffAttribute";
    private const string CustomGradientAttribute = "SymbolicDiff.CustomGradientAttribute";

    private SemanticModel _model;   // switched while inlining a method declared in another file
    private readonly CancellationToken _cancellation;
    private readonly GraphBuilder _graph = new();
    /// <summary>Each variable's current value: user locals and parameters (symbols), and the <see cref="Flag"/>s loops with jumps carry.</summary>
    private readonly Dictionary<object, int> _values = new(VariableComparer.Instance);
    private readonly List<SourceStatement> _statements = new();
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly HashSet<int> _differentiableParameters = new();
    private readonly Dictionary<int, IParameterSymbol> _arrays = new();
    private readonly List<IMethodSymbol> _inlining = new();
    /// <summary>With Hessian = true, calls to [Differentiable] methods are inlined, so second derivatives flow through them.</summary>
    private bool _inlineCalls;
    private IMethodSymbol? _method;
    /// <summary>Put before the comment of each statement parsed while it is set (a local array's fill recomputed at a read).</summary>
    private string? _commentPrefix;

    /// <summary>The parser state the body of an inlined function changes, saved when it starts (see <see cref="EnterInlined"/>).</summary>
    private sealed record InlinedState(
        Dictionary<object, int> Values,
        (Synthetic? Running, bool InLoop, Synthetic Returned, Synthetic ReturnValue, ScalarType ReturnType, bool ReturnsVoid, (Synthetic[] Elements, ScalarType[] Types)? TupleReturn) Control,
        SemanticModel Model,
        string? CommentPrefix,
        int Statement);

    /// <summary>
    /// Starts parsing the body of a function inlined where it is called (a local function, a tuple helper, a helper that
    /// takes arrays or enums): its own loops and returns (a return ends the function, not the caller's loop), its
    /// semantic model (it may be declared in another file), and a guard against it calling itself.
    /// </summary>
    private InlinedState EnterInlined(IMethodSymbol function, SemanticModel model, ScalarType returnType, bool returnsVoid)
    {
        var saved = new InlinedState(new Dictionary<object, int>(_values, VariableComparer.Instance),
            (_running, _inLoop, _returned, _returnValue, _returnType, _returnsVoid, _tupleReturn), _model, _commentPrefix, _graph.CurrentStatement);
        _inlining.Add(function);
        _model = model;
        (_running, _inLoop, _returned, _returnValue, _returnType, _returnsVoid, _tupleReturn) = (null, false, new Synthetic("returned"), new Synthetic("result"), returnType, returnsVoid, null);
        return saved;
    }

    /// <summary>
    /// Ends an inlined body: the caller's loops, returns, model and statement come back, and with
    /// <paramref name="restoreVariables"/> its variables (the callee's locals end with it; a local function keeps what it
    /// wrote into the caller's short local arrays, which are the caller's variables).
    /// </summary>
    private void LeaveInlined(InlinedState saved, bool restoreVariables = true)
    {
        if (restoreVariables)
        {
            _values.Clear();
            foreach (var pair in saved.Values)
            {
                _values[pair.Key] = pair.Value;
            }
        }
        (_running, _inLoop, _returned, _returnValue, _returnType, _returnsVoid, _tupleReturn) = saved.Control;
        (_model, _commentPrefix) = (saved.Model, saved.CommentPrefix);
        _inlining.RemoveAt(_inlining.Count - 1);
        _graph.CurrentStatement = saved.Statement;
    }

    private Parser(SemanticModel model, CancellationToken cancellation)
    {
        _model = model;
        _cancellation = cancellation;
    }

    /// <summary>The transform of the incremental pipeline. Never throws (except for cancellation).</summary>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        try
        {
            return new Parser(context.SemanticModel, cancellation).ParseMethod(context.TargetNode, context.TargetSymbol, context.Attributes);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var diagnostic = Info(Diagnostics.InternalError, LocationOf(context.TargetNode), context.TargetSymbol.Name, ex.GetType().Name + ": " + ex.Message);
            return new ParseResult(null, new[] { diagnostic }.ToEquatableArray());
        }
    }

    private ParseResult Fail() => new(null, _diagnostics.Distinct().ToEquatableArray());   // statements after an if may be parsed on both paths

    private ParseResult ParseMethod(SyntaxNode target, ISymbol symbol, IReadOnlyList<AttributeData> attributes)
    {
        if (target is LocalFunctionStatementSyntax localFunction)
        {
            // A local function is inlined where its enclosing [Differentiable] method calls it; it has no gradient of its own.
            var host = localFunction.Ancestors().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            bool hostIsDifferentiable = host is not null && _model.GetDeclaredSymbol(host, _cancellation) is { } hostSymbol
                && hostSymbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute);
            if (!hostIsDifferentiable)
            {
                Report(Diagnostics.LocalFunction, localFunction.Identifier.GetLocation(), localFunction.Identifier.ValueText, host?.Identifier.ValueText ?? "?");
            }
            return Fail();
        }
        if (target is not MethodDeclarationSyntax syntax || symbol is not IMethodSymbol method)
        {
            ReportNotAMethod(target, symbol, attributes);
            return Fail();
        }
        if (method.PartialImplementationPart is { } implementation)
        {
            // The declaring half of a partial method: the gradient comes from the implementing half, whose body it is
            // (parsed here unless that half carries [Differentiable] itself, which then triggers its own parse).
            if (implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation) is not MethodDeclarationSyntax body
                || HasOwnDifferentiableAttribute(body))
            {
                return Fail();
            }
            var bodyModel = body.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(body.SyntaxTree);
            return new Parser(bodyModel, _cancellation).ParseMethod(body, implementation, attributes);
        }

        _method = method;
        var methodLocation = syntax.Identifier.GetLocation();
        if (IsTuple(method.ReturnType))
        {
            return ParseTupleMethod(syntax, method, methodLocation, attributes);
        }
        // A generated name that is taken is fixed where the attribute names it (GradientName, Tangent, Hessian).
        var attributeLocation = attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(_cancellation).GetLocation() ?? methodLocation;
        string gradientName = GradientNameOf(attributes) ?? method.Name + "Gradient";
        bool tangent = attributes.SelectMany(a => a.NamedArguments).Any(a => a.Key == "Tangent" && a.Value.Value is true);
        // A vector-output method always gets forward mode: its Jacobian uses it when there are fewer inputs than outputs.
        string? tangentName = tangent || method.ReturnsVoid ? method.Name + "Tangent" : null;
        CheckSignature(syntax, method, methodLocation, attributeLocation, gradientName);
        if (tangentName is not null && method.ContainingType.GetMembers(tangentName).Any())
        {
            Report(Diagnostics.GradientNameConflict, attributeLocation, tangentName, method.ContainingType.Name);
        }
        var (hessianName, hessianVectorProductName) = HessianNamesOf(method, attributes, attributeLocation);
        long loopMemoryLimit = LoopMemoryLimitOf(attributes, attributeLocation);
        _inlineCalls = hessianName is not null;
        var hiding = _diagnostics.Count == 0 && attributes.Count > 0 ? CheckGeneratedMembers(method, attributes[0]) : default;
        if (_diagnostics.Count > 0)
        {
            return Fail();
        }
        if (TensorParser.UsesTensors(syntax, method, _model, _cancellation))
        {
            var parsed = TensorParser.Parse(syntax, method, _model, gradientName, hiding, _cancellation);
            if (hessianVectorProductName is not null && parsed.Tensor is { } tensor)
            {
                // Hessian = true on a tensor method: its Hessian-vector product (Pearlmutter), from its tangent program.
                if (TensorTangentProgram.Unsupported(tensor) is { } unsupported)
                {
                    Report(Diagnostics.HessianOfTensorMethod, methodLocation, method.Name, unsupported.Statement, unsupported.Operation);
                    return Fail();
                }
                return parsed with { Tensor = tensor with { HessianVectorProductName = hessianVectorProductName } };
            }
            return parsed;
        }

        var outputs = WrittenArrays(syntax);
        var returnType = ScalarOf(method.ReturnType) ?? ScalarType.Double;
        (_returnType, _returnsVoid) = (returnType, method.ReturnsVoid);
        var parameters = new List<Parameter>();
        foreach (var parameter in method.Parameters)
        {
            if (ArrayElementOf(parameter.Type) is { } element)
            {
                bool isOutput = outputs.Contains(parameter);
                bool differentiableArray = !isOutput && !parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDiffAttribute);
                int array = _graph.Parameter(parameter.Name, element);
                _values[parameter] = array;
                _arrays[array] = parameter;
                if (isOutput)
                {
                    _outputArrays.Add(array);
                }
                if (differentiableArray)
                {
                    _differentiableParameters.Add(array);
                }
                parameters.Add(new Parameter(parameter.Name, element, differentiableArray, array,
                    isOutput ? ParameterKind.OutputArray : ParameterKind.InputArray, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
                continue;
            }
            var type = ScalarOf(parameter.Type)!.Value;
            bool differentiable = type.IsFloating() && !parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDiffAttribute);
            int node = _graph.Parameter(parameter.Name, type);
            _values[parameter] = node;
            if (parameter.Type.TypeKind == TypeKind.Enum)
            {
                // The generated code keeps the enum in its signature and reads it as its underlying integer.
                _values[parameter] = _graph.Parameter("((" + type.Keyword() + ")" + Emitting.NameAllocator.Identifier(parameter.Name) + ")", type);
                parameters.Add(new Parameter(parameter.Name, type, false, node, DeclaredType: parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
                continue;
            }
            if (differentiable)
            {
                _differentiableParameters.Add(node);
            }
            parameters.Add(new Parameter(parameter.Name, type, differentiable, node));
        }

        int? result = null;
        if (syntax.ExpressionBody is { } expressionBody)
        {
            BeginStatement((method.ReturnsVoid ? "" : "return ") + expressionBody.Expression + ";");
            try
            {
                if (method.ReturnsVoid)
                {
                    ParseVoidExpressionBody(expressionBody.Expression);
                }
                else
                {
                    result = ParseTo(expressionBody.Expression, returnType);
                }
            }
            catch (UnsupportedException unsupported)
            {
                _diagnostics.Add(unsupported.Diagnostic);
            }
        }
        else
        {
            result = ParseStatements(Flatten(syntax.Body!));
        }
        bool returnsVoid = method.ReturnsVoid;
        if (_diagnostics.Count > 0 || (result is null && !returnsVoid))
        {
            return Fail();
        }

        WarnAboutZeroDerivatives(method, parameters, result ?? -1);
        var model = new DifferentiableMethod(
            Namespace: method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString(),
            ContainingTypes: ContainingTypesOf(method.ContainingType),
            Name: method.Name,
            GradientName: gradientName,
            TangentName: tangentName,
            Accessibility: AccessibilityOf(method.DeclaredAccessibility),
            ReturnType: returnType,
            Parameters: parameters.ToEquatableArray(),
            Nodes: _graph.Nodes.ToEquatableArray(),
            Regions: _graph.Regions.ToEquatableArray(),
            Statements: _statements.ToEquatableArray(),
            Result: result ?? -1,
            HintName: HintNameOf(method),
            Hiding: hiding,
            Location: new MethodLocation(ToInfo(methodLocation)),
            JacobianName: returnsVoid ? method.Name + "Jacobian" : null,
            HessianName: hessianName,
            HessianVectorProductName: hessianVectorProductName,
            Checkpointing: attributes.SelectMany(a => a.NamedArguments).Any(a => a.Key == "Checkpointing" && a.Value.Value is true),
            LoopMemoryLimit: loopMemoryLimit);
        if (!CheckMemoryReads(model))
        {
            return Fail();
        }
        if (hessianName is not null)
        {
            // Second order supports less than the gradient: what it rejects is reported at the method's name.
            var problems = DerivativeGraph.Check(model);
            foreach (var (id, args) in problems)
            {
                Report(Diagnostics.All.First(d => d.Id == id), methodLocation, new[] { method.Name }.Concat(args).ToArray());
            }
            if (problems.Count > 0)
            {
                return Fail();
            }
        }
        return new ParseResult(model, _diagnostics.Distinct().ToEquatableArray());
    }

    /// <summary>SD0014 for [Differentiable] on what is not a method: a property accessor, an operator, a lambda, ….</summary>
    private void ReportNotAMethod(SyntaxNode target, ISymbol symbol, IReadOnlyList<AttributeData> attributes)
    {
        string what = target switch
        {
            AccessorDeclarationSyntax accessor => $"the '{accessor.Keyword.ValueText}' accessor of '{(symbol as IMethodSymbol)?.AssociatedSymbol?.Name ?? symbol.Name}'",
            OperatorDeclarationSyntax op => $"operator '{op.OperatorToken.ValueText}'",
            ConversionOperatorDeclarationSyntax conversion => $"the conversion operator to '{conversion.Type}'",
            LambdaExpressionSyntax or AnonymousMethodExpressionSyntax => "a lambda",
            ConstructorDeclarationSyntax => $"the constructor of '{symbol.ContainingType?.Name}'",
            DestructorDeclarationSyntax => $"the finalizer of '{symbol.ContainingType?.Name}'",
            _ => $"'{symbol.Name}'",
        };
        var location = attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute)?.ApplicationSyntaxReference?.GetSyntax(_cancellation).GetLocation()
            ?? target.GetLocation();
        Report(Diagnostics.NotAMethod, location, what);
    }

    /// <summary>True when the declaration itself carries [Differentiable] (a partial method's halves share their attributes).</summary>
    private bool HasOwnDifferentiableAttribute(MethodDeclarationSyntax declaration)
    {
        var model = declaration.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(declaration.SyntaxTree);
        return declaration.AttributeLists.SelectMany(l => l.Attributes).Any(a =>
            model.GetSymbolInfo(a, _cancellation).Symbol?.ContainingType?.ToDisplayString() == DifferentiableAttribute);
    }

    /// <summary>With Hessian = true: the names of FHessian and FHessianVectorProduct (reported when taken).</summary>
    private (string?, string?) HessianNamesOf(IMethodSymbol method, IReadOnlyList<AttributeData> attributes, Location location)
    {
        if (!attributes.SelectMany(a => a.NamedArguments).Any(a => a.Key == "Hessian" && a.Value.Value is true))
        {
            return (null, null);
        }
        string hessian = method.Name + "Hessian", product = method.Name + "HessianVectorProduct";
        foreach (string name in new[] { hessian, product }.Where(n => method.ContainingType.GetMembers(n).Any()))
        {
            Report(Diagnostics.GradientNameConflict, location, name, method.ContainingType.Name);
        }
        return (hessian, product);
    }

    // ---- The method's signature ----------------------------------------------------------------

    private void CheckSignature(MethodDeclarationSyntax syntax, IMethodSymbol method, Location location, Location attributeLocation, string gradientName)
    {
        if (!method.IsStatic)
        {
            Report(Diagnostics.MethodMustBeStatic, location, method.Name);
        }
        if (method.IsGenericMethod)
        {
            Report(Diagnostics.GenericMethod, location, method.Name);
        }
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            bool isPartial = type.DeclaringSyntaxReferences.All(r =>
                r.GetSyntax(_cancellation) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!isPartial)
            {
                Report(Diagnostics.TypeMustBePartial, location, type.Name, method.Name);
            }
            else if (type.IsFileLocal)
            {
                Report(Diagnostics.FileLocalType, location, type.Name, method.Name);
            }
        }
        if (method.ReturnsVoid && !WrittenArrays(syntax).Any())
        {
            Report(Diagnostics.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, "void (without writing an output array)");
        }
        else if (!method.ReturnsVoid && ScalarOf(method.ReturnType) is not (ScalarType.Double or ScalarType.Float))
        {
            Report(Diagnostics.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, method.ReturnType.ToDisplayString());
        }
        foreach (var parameter in syntax.ParameterList.Parameters)
        {
            // params is fine: the array is an input like any other (the gradient takes it as a plain array).
            var modifier = parameter.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.RefKeyword) || m.IsKind(SyntaxKind.OutKeyword)
                || m.IsKind(SyntaxKind.InKeyword) || m.IsKind(SyntaxKind.ThisKeyword));
            if (!modifier.IsKind(SyntaxKind.None))
            {
                Report(Diagnostics.UnsupportedParameterModifier, modifier.GetLocation(), parameter.Identifier.ValueText, modifier.ValueText);
            }
            else if (_model.GetDeclaredSymbol(parameter, _cancellation) is { } symbol && ScalarOf(symbol.Type) is null && ArrayElementOf(symbol.Type) is null && !TensorParser.IsTensorType(symbol.Type)
                && !(TensorParser.IsIndicesType(symbol.Type) && method.Parameters.Any(p => TensorParser.IsTensorType(p.Type))))   // int spans: a batch's labels or word indices
            {
                Report(Diagnostics.UnsupportedParameterType, parameter.Type?.GetLocation() ?? parameter.GetLocation(), symbol.Name, symbol.Type.ToDisplayString());
            }
        }
        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            Report(Diagnostics.MethodHasNoBody, location, method.Name);
        }
        if (!SyntaxFacts.IsValidIdentifier(gradientName) || SyntaxFacts.GetKeywordKind(gradientName) != SyntaxKind.None)
        {
            Report(Diagnostics.InvalidGradientName, location, gradientName);
        }
        else if (method.ContainingType.GetMembers(gradientName).Any())
        {
            Report(Diagnostics.GradientNameConflict, attributeLocation, gradientName, method.ContainingType.Name);
        }
    }

    /// <summary>LoopMemoryLimit's bytes (0 when not set); one below 1 is reported where it is set (SD0054).</summary>
    private long LoopMemoryLimitOf(IReadOnlyList<AttributeData> attributes, Location attributeLocation)
    {
        foreach (var attribute in attributes)
        {
            foreach (var argument in attribute.NamedArguments.Where(a => a.Key == "LoopMemoryLimit"))
            {
                long limit = argument.Value.Value is long value ? value : 0;
                if (limit > 0)
                {
                    return limit;
                }
                var location = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellation) is AttributeSyntax syntax
                    && syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "LoopMemoryLimit") is { } set
                    ? set.GetLocation() : attributeLocation;
                Report(Diagnostics.InvalidLoopMemoryLimit, location, limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return 0;
    }

    private static string? GradientNameOf(IReadOnlyList<AttributeData> attributes) =>
        attributes.SelectMany(a => a.NamedArguments).Where(a => a.Key == "GradientName").Select(a => a.Value.Value as string).FirstOrDefault();

    // ---- Statements ----------------------------------------------------------------------------

    /// <summary>
    /// Parses statements in order. Returns the result node when this path of execution returns, or null
    /// when it falls through. An <c>if</c> whose branch returns takes the rest of the list as its other path.
    /// </summary>
    private int? ParseStatements(IReadOnlyList<StatementSyntax> statements)
    {
        for (int i = 0; i < statements.Count; i++)
        {
            _cancellation.ThrowIfCancellationRequested();
            var statement = statements[i];
            try
            {
                switch (statement)
                {
                    case ReturnStatementSyntax { Expression: { } value } ret when _tupleReturn is not null:
                        BeginStatement(ret.ToString());
                        return ReturnTuple(ret, value);
                    case ReturnStatementSyntax { Expression: { } value } ret:
                        BeginStatement(ret.ToString());
                        int returned = ParseConverted(value);
                        return _inLoop ? Jump(ret, returned) : returned;
                    case ReturnStatementSyntax ret when _returnsVoid:
                        // return; ends a void function: in a loop like a return with a value, elsewhere this path simply ends.
                        BeginStatement(ret.ToString());
                        return _inLoop ? Jump(ret, null) : null;
                    case BreakStatementSyntax or ContinueStatementSyntax when _inLoop:
                        BeginStatement(statement.ToString());
                        return Jump(statement, null);
                    case ForStatementSyntax fill when TryParseFill(fill):
                        break;
                    case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                        Nested(statement, () =>
                        {
                            switch (statement)
                            {
                                case ForStatementSyntax forStatement:
                                    ParseFor(forStatement);
                                    break;
                                case ForEachStatementSyntax forEach:
                                    ParseForEach(forEach);
                                    break;
                                case WhileStatementSyntax whileStatement:
                                    ParseWhile(whileStatement);
                                    break;
                                case DoStatementSyntax doStatement:
                                    ParseDo(doStatement);
                                    break;
                            }
                        });
                        if (JumpsOutOf(new[] { statement }).Any(j => j is ReturnStatementSyntax))
                        {
                            return AfterReturningLoop(statements.Skip(i + 1).ToList());
                        }
                        break;
                    case IfStatementSyntax ifStatement:
                        var rest = statements.Skip(i + 1).ToList();
                        var (result, tookRest) = Nested(ifStatement, () => ParseIf(ifStatement, rest));
                        if (tookRest)
                        {
                            return result;
                        }
                        break;
                    case SwitchStatementSyntax switchStatement:
                        var afterSwitch = statements.Skip(i + 1).ToList();
                        var (switchResult, switchTookRest) = Nested(switchStatement, () => ParseSwitch(switchStatement, afterSwitch));
                        if (switchTookRest)
                        {
                            return switchResult;
                        }
                        break;
                    default:
                        ParseStatement(statement);
                        break;
                }
            }
            catch (UnsupportedException unsupported)
            {
                _diagnostics.Add(unsupported.Diagnostic);
                BindFailedLocals(statement);
            }
        }
        return null;
    }

    /// <summary>
    /// An if statement becomes two regions and, for every variable the branches leave different, a select.
    /// When a branch returns, the statements after the if run only on the other path, so they are parsed
    /// there (<paramref name="rest"/>) and the method's result is a select of the two returned values.
    /// </summary>
    private (int? Result, bool TookRest) ParseIf(IfStatementSyntax statement, IReadOnlyList<StatementSyntax> rest)
    {
        BeginStatement("if (" + statement.Condition + ")");
        int condition = ParseConverted(statement.Condition);
        var whenTrue = Flatten(statement.Statement);
        var whenFalse = statement.Else is { } otherwise ? Flatten(otherwise.Statement) : new List<StatementSyntax>();
        // When a branch may return (or, in a loop body, break or continue), the statements after the if run only on
        // the paths that did not, so each branch that can fall through takes its own copy of them: outside loops
        // the if produces the method's result, in a loop body both paths end the iteration.
        bool tookRest = MayJump(whenTrue) || MayJump(whenFalse);
        if (tookRest)
        {
            whenTrue = AlwaysJumps(whenTrue) ? whenTrue : whenTrue.Concat(rest).ToList();
            whenFalse = AlwaysJumps(whenFalse) ? whenFalse : whenFalse.Concat(rest).ToList();
        }
        return Branch(condition, _graph.CurrentStatement, () => ParseStatements(whenTrue), () => ParseStatements(whenFalse), tookRest);
    }

    /// <summary>
    /// Two paths chosen by <paramref name="condition"/> (an if, or a switch section and the sections after it): each
    /// side is parsed in its own region. When <paramref name="tookRest"/>, each side has parsed the statements after
    /// the branch too and the result is a select of the two returned values; otherwise the variables the sides leave
    /// different are joined by selects.
    /// </summary>
    private (int? Result, bool TookRest) Branch(int condition, int statement, Func<int?> whenTrue, Func<int?> whenFalse, bool tookRest)
    {
        if (_graph.IsConstant(condition, out double known))
        {
            return ((known != 0 ? whenTrue : whenFalse)(), tookRest);
        }
        _graph.CurrentStatement = statement;   // the selects that join the branches belong to the if or switch
        return (ParseBranches(condition, whenTrue, whenFalse, selectResults: tookRest && !_inLoop && !_returnsVoid), tookRest);
    }

    /// <summary>
    /// Two regions, one per path. With <paramref name="selectResults"/> both paths return and the result is a select
    /// of their results; otherwise both fall through and every variable they leave different is joined by a select.
    /// </summary>
    private int? ParseBranches(int condition, Func<int?> parseTrue, Func<int?> parseFalse, bool selectResults)
    {
        int ifStatement = _graph.CurrentStatement;
        int outer = _graph.CurrentRegion;
        var before = new Dictionary<object, int>(_values, VariableComparer.Instance);
        int trueRegion = _graph.NewRegion(), falseRegion = _graph.NewRegion();
        int firstInBranches = _graph.Nodes.Count;
        try
        {
            _graph.CurrentRegion = trueRegion;
            int? trueResult = parseTrue();
            var afterTrue = new Dictionary<object, int>(_values, VariableComparer.Instance);
            _values.Clear();
            foreach (var pair in before)
            {
                _values[pair.Key] = pair.Value;
            }
            _graph.CurrentRegion = falseRegion;
            int? falseResult = parseFalse();
            _graph.CurrentRegion = outer;
            _graph.CurrentStatement = ifStatement;   // the selects that join the branches belong to the if

            if (selectResults)
            {
                return trueResult is int t and >= 0 && falseResult is int f and >= 0 ? _graph.Select(condition, t, f, trueRegion, falseRegion, _graph[t].Type) : null;
            }
            // Both paths fall through: merge the variables both paths have a value for (declared before the if,
            // or assigned in both branches); a variable declared inside a branch is a different symbol per branch.
            foreach (var variable in afterTrue.Keys.Where(_values.ContainsKey).ToList())
            {
                int fromTrue = afterTrue[variable], fromFalse = _values[variable];
                if (fromTrue != fromFalse)
                {
                    Bind(variable, _graph.Select(condition, fromTrue, fromFalse, trueRegion, falseRegion, _graph[fromTrue].Type));
                }
            }
            // Output elements written in a branch are written only when it is taken: the if itself is a statement then.
            if (_graph.Nodes.Skip(firstInBranches).Any(n => n.Op == Op.Store))
            {
                _graph.If(condition, trueRegion, falseRegion);
            }
            return null;
        }
        finally
        {
            _graph.CurrentRegion = outer;
        }
    }

    private static List<StatementSyntax> Flatten(StatementSyntax statement) =>
        statement is BlockSyntax block ? block.Statements.SelectMany(Flatten).ToList() : new List<StatementSyntax> { statement };

    /// <summary>Whether the statements may return, or in a loop body also break or continue that loop.</summary>
    private bool MayJump(IReadOnlyList<StatementSyntax> statements) => _inLoop
        ? JumpsOutOf(statements).Any()
        : statements.Any(s => s.DescendantNodesAndSelf().OfType<ReturnStatementSyntax>().Any());

    private bool AlwaysJumps(IReadOnlyList<StatementSyntax> statements) => statements.Any(s => s switch
    {
        ReturnStatementSyntax => true,
        BreakStatementSyntax or ContinueStatementSyntax => _inLoop,
        IfStatementSyntax { Else: { } otherwise } ifStatement => AlwaysJumps(Flatten(ifStatement.Statement)) && AlwaysJumps(Flatten(otherwise.Statement)),
        SwitchStatementSyntax switchStatement => switchStatement.Sections.Any(c => c.Labels.Any(l => l is DefaultSwitchLabelSyntax))
            && switchStatement.Sections.All(c => AlwaysJumps(c.Statements.SelectMany(Flatten).Where(b => !(b is BreakStatementSyntax end && EndsSwitchCase(end))).ToList())),
        _ => false,
    });

    private void ParseStatement(StatementSyntax statement)
    {
        switch (statement)
        {
            case LocalDeclarationStatementSyntax declaration:
                BeginStatement(declaration.ToString());
                foreach (var variable in declaration.Declaration.Variables)
                {
                    DeclareLocal(variable);
                }
                return;

            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: TupleExpressionSyntax or DeclarationExpressionSyntax } deconstruction }:
                BeginStatement(statement.ToString());
                Deconstruct(deconstruction);
                return;

            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax element } write }:
                BeginStatement(statement.ToString());
                StoreElement(element, write);
                return;

            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                BeginStatement(statement.ToString());
                Assign(assignment);
                return;

            case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call } when DifferentiableVoidCallee(call) is { } callee:
                BeginStatement(statement.ToString());
                ParseVoidCall(call, callee);
                return;

            case ExpressionStatementSyntax { Expression: PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax } increment
                when increment.Expression.IsKind(SyntaxKind.PostIncrementExpression) || increment.Expression.IsKind(SyntaxKind.PostDecrementExpression)
                  || increment.Expression.IsKind(SyntaxKind.PreIncrementExpression) || increment.Expression.IsKind(SyntaxKind.PreDecrementExpression):
                BeginStatement(statement.ToString());
                Increment(increment.Expression);
                return;

            case EmptyStatementSyntax or LocalFunctionStatementSyntax:
                return;   // a local function is parsed where it is called

            default:
                throw Unsupported(Diagnostics.UnsupportedStatement, statement.GetFirstToken().GetLocation(), DescribeStatement(statement));
        }
    }

    /// <summary>Gives the locals of a failed declaration a placeholder so later uses do not report again.</summary>
    private void BindFailedLocals(StatementSyntax statement)
    {
        var declared = statement switch
        {
            LocalDeclarationStatementSyntax declaration => declaration.Declaration.Variables.Select(v => _model.GetDeclaredSymbol(v, _cancellation)),
            ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: var left } } => left.DescendantNodesAndSelf().OfType<SingleVariableDesignationSyntax>()
                .Select(v => _model.GetDeclaredSymbol(v, _cancellation)),   // var (a, b) = …
            _ => Enumerable.Empty<ISymbol?>(),
        };
        foreach (var local in declared.OfType<ILocalSymbol>().Where(l => !_values.ContainsKey(l) && !_tuples.ContainsKey(l)))
        {
            if (ScalarOf(local.Type) is { } type)
            {
                _values[local] = _graph.Constant(0, type);
            }
            else if (IsTuple(local.Type) && ElementTypesOf(local.Type) is { } types)
            {
                _tuples[local] = types.Select(t => _graph.Constant(0, t)).ToArray();
            }
        }
    }

    private void DeclareLocal(VariableDeclaratorSyntax variable)
    {
        if (_model.GetDeclaredSymbol(variable, _cancellation) is not ILocalSymbol local)
        {
            throw Unsupported(Diagnostics.UnsupportedStatement, variable.GetLocation(), "This declaration");
        }
        if (local.IsRef)
        {
            throw Unsupported(Diagnostics.UnsupportedStatement, variable.GetLocation(), "A ref local");
        }
        if (variable.Initializer?.Value is AnonymousFunctionExpressionSyntax lambda)
        {
            throw Unsupported(Diagnostics.UnsupportedExpression, lambda.GetLocation(), "lambda", lambda.ToString(), Diagnostics.LambdaAdvice);
        }
        if (IsTuple(local.Type))
        {
            DeclareTupleLocal(local, variable);
            return;
        }
        if (TryDeclareLocalArray(variable, local))
        {
            return;
        }
        var type = ScalarOf(local.Type) ?? throw Unsupported(Diagnostics.UnsupportedLocalType, variable.Identifier.GetLocation(), local.Name, local.Type.ToDisplayString());
        if (variable.Initializer is { } initializer)
        {
            Bind(local, _graph.Convert(ParseConverted(initializer.Value), type));
        }
    }

    private void Assign(AssignmentExpressionSyntax assignment)
    {
        var target = TargetOf(assignment.Left);
        var targetType = ScalarOf(TypeOf(target))!.Value;
        if (assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
        {
            Bind(target, _graph.Convert(ParseConverted(assignment.Right), targetType));
            return;
        }

        var op = assignment.Kind() switch
        {
            SyntaxKind.AddAssignmentExpression => Op.Add,
            SyntaxKind.SubtractAssignmentExpression => Op.Subtract,
            SyntaxKind.MultiplyAssignmentExpression => Op.Multiply,
            SyntaxKind.DivideAssignmentExpression => Op.Divide,
            SyntaxKind.ModuloAssignmentExpression => Op.Remainder,
            _ => throw Unsupported(Diagnostics.UnsupportedOperator, assignment.OperatorToken.GetLocation(), assignment.OperatorToken.ValueText, targetType.Keyword()),
        };
        // x op= e means x = (T)(x op e), where the operator works in the promoted type of x and e.
        var operatorType = (_model.GetSymbolInfo(assignment, _cancellation).Symbol as IMethodSymbol)?.Parameters.FirstOrDefault()?.Type;
        var type = (operatorType is null ? null : ScalarOf(operatorType)) ?? targetType;
        int left = _graph.Convert(Current(target, assignment.Left), type);
        int right = _graph.Convert(ParseExpression(assignment.Right), type);
        Bind(target, _graph.Convert(Arithmetic(assignment, op, type, left, right), targetType));
    }

    private void Increment(ExpressionSyntax expression)
    {
        var (operand, isIncrement) = expression switch
        {
            PostfixUnaryExpressionSyntax post => (post.Operand, post.IsKind(SyntaxKind.PostIncrementExpression)),
            PrefixUnaryExpressionSyntax pre => (pre.Operand, pre.IsKind(SyntaxKind.PreIncrementExpression)),
            _ => throw new InvalidOperationException("not an increment"),
        };
        var target = TargetOf(operand);
        var type = ScalarOf(TypeOf(target))!.Value;
        if (type == ScalarType.Bool)
        {
            throw Unsupported(Diagnostics.UnsupportedOperator, expression.GetLocation(), isIncrement ? "++" : "--", "bool");
        }
        Bind(target, Arithmetic(expression, isIncrement ? Op.Add : Op.Subtract, type, Current(target, operand), _graph.Constant(1, type)));
    }

    /// <summary>The local or parameter an assignment writes.</summary>
    private ISymbol TargetOf(ExpressionSyntax left)
    {
        var symbol = _model.GetSymbolInfo(left, _cancellation).Symbol;
        if (left is IdentifierNameSyntax && symbol is ILocalSymbol or IParameterSymbol && ScalarOf(TypeOf(symbol)) is not null)
        {
            return symbol;
        }
        throw Unsupported(Diagnostics.UnsupportedAssignmentTarget, left.GetLocation(), left.ToString(), symbol is ILocalSymbol local && IsTuple(local.Type)
            ? "a tuple local keeps the value it is declared with; declare another one, or deconstruct into scalar locals: var (s, c) = …"
            : Diagnostics.AssignmentAdvice);
    }

    private static ITypeSymbol TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => throw new InvalidOperationException("not a variable"),
    };

    private void Bind(object variable, int node)
    {
        _graph.NameNode(node, NameOf(variable));
        _values[variable] = node;
    }

    private int Current(ISymbol variable, SyntaxNode use) =>
        _values.TryGetValue(variable, out int node)
            ? node
            : throw Unsupported(Diagnostics.UnsupportedExpression, use.GetLocation(), "use of unassigned variable", variable.Name, "give it a value first");

    private void BeginStatement(string text)
    {
        _graph.CurrentStatement = _statements.Count;
        _statements.Add(SourceStatement.FromSource(_commentPrefix + text));
    }

    private static string DescribeStatement(StatementSyntax statement) => statement switch
    {
        ForStatementSyntax => "A 'for' loop",
        ForEachStatementSyntax => "A 'foreach' loop",
        WhileStatementSyntax => "A 'while' loop",
        DoStatementSyntax => "A 'do' loop",
        SwitchStatementSyntax => "A 'switch' statement",
        TryStatementSyntax => "A 'try' statement",
        ThrowStatementSyntax => "A 'throw' statement",
        UsingStatementSyntax => "A 'using' statement",
        LockStatementSyntax => "A 'lock' statement",
        LocalFunctionStatementSyntax => "A local function",
        ReturnStatementSyntax => "A return without a value",
        ExpressionStatementSyntax expression => $"The statement '{expression}', which is not an assignment,",
        _ => $"The statement '{statement.GetFirstToken().ValueText}'",
    };

    // ---- Expressions ---------------------------------------------------------------------------

    /// <summary>Parses an expression and converts it to the type C# converts it to in its context.</summary>
    private int ParseConverted(ExpressionSyntax expression) => ConvertToContext(expression, ParseExpression(expression));

    private int ParseTo(ExpressionSyntax expression, ScalarType type) => _graph.Convert(ParseConverted(expression), type);

    /// <summary>
    /// Parses an expression. Binary operators, unary operators, casts and parentheses (what long chains such as a
    /// 100,000-term sum are made of) are walked with an explicit stack, so their length costs no call depth; the
    /// other nestings (calls, ?:, element access) recurse, bounded by <see cref="MaxNesting"/>.
    /// </summary>
    private int ParseExpression(ExpressionSyntax root)
    {
        if (IsLongChain(root) && _model.GetOperation(root, _cancellation) is { } operation)
        {
            return ParseChain(operation);
        }
        var work = new Stack<(ExpressionSyntax Expression, Step Step)>();
        var values = new Stack<int>();
        work.Push((root, Step.Enter));
        while (work.Count > 0)
        {
            _cancellation.ThrowIfCancellationRequested();
            var (expression, step) = work.Pop();
            switch (step)
            {
                case Step.Enter:
                    switch (expression)
                    {
                        // A constant operator expression is C#'s value as a whole: -2147483648 is an int although its
                        // operand alone is a uint, and (int)3.7 is 3. Chains longer than LongChain never get here.
                        case PrefixUnaryExpressionSyntax or CastExpressionSyntax or BinaryExpressionSyntax when ConstantOf(expression) is int constant:
                            values.Push(constant);
                            break;
                        case ParenthesizedExpressionSyntax parenthesized:
                            work.Push((parenthesized.Expression, Step.Enter));
                            break;
                        case CastExpressionSyntax cast:
                            work.Push((cast, Step.Combine));
                            work.Push((cast.Expression, Step.Enter));
                            break;
                        case PrefixUnaryExpressionSyntax unary when unary.Kind() is SyntaxKind.UnaryMinusExpression or SyntaxKind.UnaryPlusExpression or SyntaxKind.LogicalNotExpression:
                            work.Push((unary, Step.Combine));
                            work.Push((unary.Operand, Step.Convert));
                            work.Push((unary.Operand, Step.Enter));
                            break;
                        case BinaryExpressionSyntax binary when MayThrow(binary):
                            values.Push(Nested(binary, () => ParseShortCircuit(binary)));
                            break;
                        case BinaryExpressionSyntax binary:
                            // Operands first, left then right: an error inside one (a field read, say) is the one to report,
                            // not the type it leaves. For && and || whose right side cannot throw, evaluating it eagerly
                            // changes nothing.
                            if (OperationOf(binary) is null)
                            {
                                values.Push(ConstantOf(binary) ?? throw UnsupportedBinary(binary));   // 1 << 4 is fine, x << 4 is not
                                break;
                            }
                            work.Push((binary, Step.Combine));
                            work.Push((binary.Right, Step.Convert));
                            work.Push((binary.Right, Step.Enter));
                            work.Push((binary.Left, Step.Convert));
                            work.Push((binary.Left, Step.Enter));
                            break;
                        default:
                            values.Push(ConstantOf(expression) ?? ParseNested(expression));
                            break;
                    }
                    break;
                case Step.Convert:
                    values.Push(ConvertToContext(expression, values.Pop()));
                    break;
                default:
                    values.Push(Combine(expression, values));
                    break;
            }
        }
        return values.Pop();
    }

    /// <summary>Operator chains longer than this are parsed from the semantic model's operation tree (<see cref="ParseChain"/>).</summary>
    private const int LongChain = 64;

    /// <summary>True for a binary expression with more than <see cref="LongChain"/> operators down its left or right spine.</summary>
    private static bool IsLongChain(ExpressionSyntax expression)
    {
        foreach (bool left in new[] { true, false })
        {
            int length = 0;
            for (var e = expression; e is BinaryExpressionSyntax or ParenthesizedExpressionSyntax && length <= LongChain;)
            {
                if (e is ParenthesizedExpressionSyntax parenthesized)
                {
                    e = parenthesized.Expression;
                    continue;
                }
                var binary = (BinaryExpressionSyntax)e;
                e = left ? binary.Left : binary.Right;
                length++;
            }
            if (length > LongChain)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A long chain, from the operation tree the semantic model builds for it in one go. Every question asked of the
    /// semantic model about a node walks up the syntax tree from it, so asking at every link of a 100,000-term chain
    /// would take time proportional to the square of its length; the operation tree already holds each operator's
    /// type, constant value and implicit conversions. What is not a plain operator, conversion, constant, parameter
    /// or local is parsed from its syntax as usual.
    /// </summary>
    private int ParseChain(IOperation root)
    {
        var work = new Stack<(IOperation Operation, bool Combine)>();
        var values = new Stack<int>();
        work.Push((root, false));
        while (work.Count > 0)
        {
            _cancellation.ThrowIfCancellationRequested();
            var (operation, combine) = work.Pop();
            var type = operation.Type is null ? null : ScalarOf(operation.Type);
            if (combine)
            {
                int value = values.Pop();
                values.Push(operation switch
                {
                    IConversionOperation => _graph.Convert(value, type!.Value),
                    IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } => Arithmetic(operation.Syntax, Op.Negate, type!.Value, value),
                    IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } => _graph.Add(Op.Not, type!.Value, value),
                    IUnaryOperation => value,
                    _ => Arithmetic(operation.Syntax, ChainOperationOf((IBinaryOperation)operation)!.Value, type!.Value, values.Pop(), value),
                });
                continue;
            }
            switch (operation)
            {
                case { ConstantValue.HasValue: true } when type is not null && operation.ConstantValue.Value is { } constant and not string and not char and not decimal:
                    values.Push(ConstantNode(constant, type.Value, operation.Syntax));
                    break;
                case IBinaryOperation binary when type is not null && binary.OperatorMethod is null && ChainOperationOf(binary) is not null:
                    work.Push((binary, true));
                    work.Push((binary.RightOperand, false));
                    work.Push((binary.LeftOperand, false));
                    break;
                case IUnaryOperation unary when type is not null && unary.OperatorMethod is null
                    && unary.OperatorKind is UnaryOperatorKind.Minus or UnaryOperatorKind.Plus or UnaryOperatorKind.Not:
                    work.Push((unary, true));
                    work.Push((unary.Operand, false));
                    break;
                case IConversionOperation conversion when type is not null && conversion.OperatorMethod is null
                    && conversion.Operand.Type is { } from && ScalarOf(from) is not null:
                    work.Push((conversion, true));
                    work.Push((conversion.Operand, false));
                    break;
                case IParameterReferenceOperation { Parameter: var parameter } when type is not null && _values.ContainsKey(parameter) && !_arrays.ContainsKey(_values[parameter]):
                    values.Push(_values[parameter]);
                    break;
                case ILocalReferenceOperation { Local: var local } when type is not null && _values.ContainsKey(local):
                    values.Push(_values[local]);
                    break;
                default:
                    values.Push(operation.Syntax is ExpressionSyntax syntax
                        ? Nested(syntax, () => operation is IConversionOperation { IsImplicit: true } ? ParseConverted(syntax) : ParseExpression(syntax))
                        : throw Unsupported(Diagnostics.UnsupportedExpression, operation.Syntax.GetLocation(), "expression", operation.Syntax.ToString(), Diagnostics.ExpressionAdvice));
                    break;
            }
        }
        return values.Pop();
    }

    private static Op? ChainOperationOf(IBinaryOperation binary) => binary.OperatorKind switch
    {
        BinaryOperatorKind.Add => Op.Add,
        BinaryOperatorKind.Subtract => Op.Subtract,
        BinaryOperatorKind.Multiply => Op.Multiply,
        BinaryOperatorKind.Divide => Op.Divide,
        BinaryOperatorKind.Remainder => Op.Remainder,
        BinaryOperatorKind.LessThan => Op.LessThan,
        BinaryOperatorKind.LessThanOrEqual => Op.LessThanOrEqual,
        BinaryOperatorKind.GreaterThan => Op.GreaterThan,
        BinaryOperatorKind.GreaterThanOrEqual => Op.GreaterThanOrEqual,
        BinaryOperatorKind.Equals => Op.Equal,
        BinaryOperatorKind.NotEquals => Op.NotEqual,
        BinaryOperatorKind.ConditionalAnd => Op.And,
        BinaryOperatorKind.ConditionalOr => Op.Or,
        _ => null,
    };

    /// <summary>What the explicit stack of <see cref="ParseExpression"/> does with an expression next.</summary>
    private enum Step
    {
        /// <summary>Parse it: push its operands, or parse it whole when it is not an operator.</summary>
        Enter,
        /// <summary>Convert the value just parsed to the type C# converts the expression to in its context.</summary>
        Convert,
        /// <summary>Its operands are parsed: build the operator's node from them.</summary>
        Combine,
    }

    /// <summary>
    /// How deep calls, ?: and element accesses may nest inside each other. Each level costs a few frames of the
    /// compiler's thread stack; deeper nesting is reported (SD0029) instead of risking a stack overflow that would
    /// take the whole compiler down. The C# compiler's own limit on such nesting is of the same order.
    /// </summary>
    internal const int MaxNesting = 200;

    private int _nesting;

    private int ParseNested(ExpressionSyntax expression) => Nested(expression, () => ParseOther(expression));

    private void Nested(SyntaxNode at, Action parse) => Nested(at, () =>
    {
        parse();
        return 0;
    });

    /// <summary>Runs a parse that recurses (one level of nesting), or reports SD0029 at <paramref name="at"/> when too deep.</summary>
    private T Nested<T>(SyntaxNode at, Func<T> parse)
    {
        if (_nesting >= MaxNesting || !HasStackLeft())
        {
            var location = at is StatementSyntax statement ? statement.GetFirstToken().GetLocation() : at.GetLocation();
            throw Unsupported(Diagnostics.NestedTooDeeply, location, at is StatementSyntax ? "statement" : "expression",
                MaxNesting.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        _nesting++;
        try
        {
            return parse();
        }
        finally
        {
            _nesting--;
        }
    }

    /// <summary>False when the thread's stack is nearly used up (netstandard2.0 has no TryEnsureSufficientExecutionStack).</summary>
    private static bool HasStackLeft()
    {
        try
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            return true;
        }
        catch (InsufficientExecutionStackException)
        {
            return false;
        }
    }

    /// <summary>The node of a compile-time constant expression, or null.</summary>
    private int? ConstantOf(ExpressionSyntax expression)
    {
        var constant = _model.GetConstantValue(expression, _cancellation);
        if (!constant.HasValue || constant.Value is null or string or char or decimal)
        {
            return null;
        }
        var type = RequireScalar(_model.GetTypeInfo(expression, _cancellation).Type, expression);
        return ConstantNode(constant.Value, type, expression);
    }

    /// <summary>A constant's node; a long the generator's double-valued constants cannot hold exactly is reported (SD0052).</summary>
    private int ConstantNode(object value, ScalarType type, SyntaxNode at)
    {
        double number = value is bool b ? (b ? 1 : 0) : Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        if (type == ScalarType.Long && !(Math.Abs(number) <= 1L << 53))
        {
            throw Unsupported(Diagnostics.ConstantIntegerOperation, at.GetLocation(), at.ToString(), "is a long constant beyond ±2^53, which the generator cannot keep exactly");
        }
        return _graph.Constant(number, type);
    }

    private int ConvertToContext(ExpressionSyntax expression, int node)
    {
        var converted = _model.GetTypeInfo(expression, _cancellation).ConvertedType;
        return converted is null ? node : _graph.Convert(node, RequireScalar(converted, expression));
    }

    /// <summary>
    /// The node of an operator whose operands are on top of <paramref name="values"/> (the last one on top). An operator
    /// is a C# constant only when its operands are, so only then is the semantic model asked for its value (asking at
    /// every link of a long chain costs time proportional to the chain each time).
    /// </summary>
    private int Combine(ExpressionSyntax expression, Stack<int> values)
    {
        int operands = expression is BinaryExpressionSyntax ? 2 : 1;
        if (values.Take(operands).All(v => _graph[v].Op == Op.Constant) && ConstantOf(expression) is int constant)
        {
            for (int i = 0; i < operands; i++)
            {
                values.Pop();
            }
            return constant;
        }
        switch (expression)
        {
            case CastExpressionSyntax cast:
                return _graph.Convert(values.Pop(), RequireScalar(_model.GetTypeInfo(cast, _cancellation).Type, cast));
            case PrefixUnaryExpressionSyntax unary:
            {
                var type = RequireScalar(_model.GetTypeInfo(unary, _cancellation).Type, unary);
                int operand = values.Pop();
                return unary.Kind() switch
                {
                    SyntaxKind.UnaryMinusExpression => Arithmetic(unary, Op.Negate, type, operand),
                    SyntaxKind.LogicalNotExpression => _graph.Add(Op.Not, type, operand),
                    _ => operand,
                };
            }
            default:
            {
                var binary = (BinaryExpressionSyntax)expression;
                int right = values.Pop(), left = values.Pop();
                return Arithmetic(binary, OperationOf(binary)!.Value, RequireScalar(_model.GetTypeInfo(binary, _cancellation).Type, binary), left, right);
            }
        }
    }

    /// <summary>The expressions that are not operator chains: names, calls, ?:, element access.</summary>
    private int ParseOther(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax or BaseExpressionSyntax:
                return ParseName(expression);
            case PrefixUnaryExpressionSyntax unary:
                return ParseUnary(unary);
            case ConditionalExpressionSyntax conditional:
                return ParseConditional(conditional);
            case SwitchExpressionSyntax switchExpression:
                return ParseSwitchExpression(switchExpression);
            case InvocationExpressionSyntax invocation:
                return ParseCall(invocation);
            case ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } element when LocalArrayNamed(element.Expression) is { } local:
                return LoadLocalElement(local, element);
            case ElementAccessExpressionSyntax element:
                return LoadElement(element);
            case AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax:
                throw Unsupported(Diagnostics.SideEffectInExpression, expression.GetLocation(), expression.ToString());
            default:
                throw Unsupported(Diagnostics.UnsupportedExpression, expression.GetLocation(), Describe(expression.Kind()), expression.ToString(), AdviceFor(expression));
        }
    }

    private int ParseName(ExpressionSyntax expression)
    {
        // An instance member read from a static method binds to no symbol (CS0120), only to a candidate.
        var info = _model.GetSymbolInfo(expression, _cancellation);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        switch (symbol)
        {
            case null when expression is ThisExpressionSyntax or BaseExpressionSyntax:
            case IParameterSymbol { IsThis: true }:
                throw Unsupported(Diagnostics.UnsupportedMemberAccess, expression.GetLocation(), expression.ToString(), "the instance");
            case IParameterSymbol array when _values.TryGetValue(array, out int node) && _arrays.ContainsKey(node) || _slices.ContainsKey(array):
                throw Unsupported(Diagnostics.UnsupportedArrayUse, expression.GetLocation(), array.Name);
            case ILocalSymbol array when _localArrays.ContainsKey(array):
                throw Unsupported(Diagnostics.LocalArrayUnsupported, expression.GetLocation(), array.Name, "is used whole",
                    "index it (" + array.Name + "[i]), ask for its Length, or pass it to a [Differentiable] method as an argument");
            case ILocalSymbol or IParameterSymbol:
                return Current(symbol, expression);
            case IPropertySymbol { Name: "Length" } when expression is MemberAccessExpressionSyntax access && LocalArrayNamed(access.Expression) is { } localArray:
                return localArray.Length;
            case IPropertySymbol { Name: "Length" } when expression is MemberAccessExpressionSyntax access && SliceNamed(access.Expression) is { } slice:
                return slice.Length;
            case IPropertySymbol { Name: "Length" } when expression is MemberAccessExpressionSyntax access && (ArrayNamed(access.Expression) ?? ConstantArrayNamed(access.Expression)) is int lengthOf:
                return _graph.Add(Op.Length, ScalarType.Int, lengthOf);
            case IFieldSymbol field when field.ContainingType.IsTupleType && expression is MemberAccessExpressionSyntax element:
                return TupleElement(element, field);
            case IFieldSymbol field:
                return ReadField(field, expression);
            case IPropertySymbol property:
                throw Unsupported(Diagnostics.UnsupportedMemberAccess, expression.GetLocation(), expression.ToString(), property.IsStatic ? "a static property" : "an instance property");
            default:
                throw Unsupported(Diagnostics.UnsupportedExpression, expression.GetLocation(), Describe(expression.Kind()), expression.ToString(), AdviceFor(expression));
        }
    }

    /// <summary>The prefix operators that are not walked as part of a chain (-, + and ! are): all are reported.</summary>
    private int ParseUnary(PrefixUnaryExpressionSyntax unary)
    {
        if (unary.Kind() is SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression)
        {
            throw Unsupported(Diagnostics.SideEffectInExpression, unary.GetLocation(), unary.ToString());
        }
        var type = RequireScalar(_model.GetTypeInfo(unary, _cancellation).Type, unary);
        throw Unsupported(Diagnostics.UnsupportedOperator, unary.OperatorToken.GetLocation(), unary.OperatorToken.ValueText, type.Keyword());
    }

    /// <summary>The operation of a binary operator, or null for one without a derivative rule.</summary>
    private static Op? OperationOf(BinaryExpressionSyntax binary) => binary.Kind() switch
        {
            SyntaxKind.AddExpression => Op.Add,
            SyntaxKind.SubtractExpression => Op.Subtract,
            SyntaxKind.MultiplyExpression => Op.Multiply,
            SyntaxKind.DivideExpression => Op.Divide,
            SyntaxKind.ModuloExpression => Op.Remainder,
            SyntaxKind.LessThanExpression => Op.LessThan,
            SyntaxKind.LessThanOrEqualExpression => Op.LessThanOrEqual,
            SyntaxKind.GreaterThanExpression => Op.GreaterThan,
            SyntaxKind.GreaterThanOrEqualExpression => Op.GreaterThanOrEqual,
            SyntaxKind.EqualsExpression => Op.Equal,
            SyntaxKind.NotEqualsExpression => Op.NotEqual,
            SyntaxKind.LogicalAndExpression => Op.And,
            SyntaxKind.LogicalOrExpression => Op.Or,
            _ => null,
        };

    private UnsupportedException UnsupportedBinary(BinaryExpressionSyntax binary) =>
        Unsupported(Diagnostics.UnsupportedOperator, binary.OperatorToken.GetLocation(), binary.OperatorToken.ValueText,
            _model.GetTypeInfo(binary, _cancellation).Type?.ToDisplayString() ?? "these");

    /// <summary>
    /// An operation from the user's code. Integer operations on values the generator knows are folded as C# runs them
    /// (GraphBuilder); one that cannot be folded exactly would be written as a constant expression that does not compile
    /// (1 / 0) or that C# would compute differently, so it is reported at the expression.
    /// </summary>
    private int Arithmetic(SyntaxNode syntax, Op op, ScalarType type, params int[] args)
    {
        int node = _graph.Add(op, type, args);
        if (type is ScalarType.Int or ScalarType.Long && _graph[node].Op == op && args.All(a => _graph.IsConstant(a, out _)))
        {
            var values = args.Select(a => _graph[a].Constant).ToList();
            string why = op is Op.Divide or Op.Remainder && values[1] == 0 ? "always divides by zero (its operands are constants here)"
                : op is Op.Divide or Op.Remainder && values[1] == -1 ? "always overflows (int.MinValue or long.MinValue divided by -1)"
                : "works on long constants beyond ±2^53, which the generator cannot keep exactly";
            throw Unsupported(Diagnostics.ConstantIntegerOperation, syntax.GetLocation(), syntax.ToString(), why);
        }
        return node;
    }

    /// <summary>
    /// <c>a &amp;&amp; b</c> or <c>a || b</c> whose right side may throw (an element read, a call, an integer division): it
    /// is evaluated only when C# evaluates it, as <c>a ? b : false</c> or <c>a ? true : b</c> (<c>i &lt; n &amp;&amp; x[i] &gt; 0</c>).
    /// </summary>
    private static bool MayThrow(BinaryExpressionSyntax binary) =>
        (binary.IsKind(SyntaxKind.LogicalAndExpression) || binary.IsKind(SyntaxKind.LogicalOrExpression))
        && binary.Right.DescendantNodesAndSelf().Any(n => n is ElementAccessExpressionSyntax or InvocationExpressionSyntax
            || n.IsKind(SyntaxKind.DivideExpression) || n.IsKind(SyntaxKind.ModuloExpression));

    private int ParseShortCircuit(BinaryExpressionSyntax binary)
    {
        bool and = binary.IsKind(SyntaxKind.LogicalAndExpression);
        int left = ParseTo(binary.Left, ScalarType.Bool);
        if (_graph.IsConstant(left, out double known))
        {
            return known != 0 == and ? ParseTo(binary.Right, ScalarType.Bool) : left;
        }
        int outer = _graph.CurrentRegion;
        int trueRegion = _graph.NewRegion();
        int falseRegion = _graph.NewRegion();
        try
        {
            _graph.CurrentRegion = and ? trueRegion : falseRegion;
            int right = ParseTo(binary.Right, ScalarType.Bool);
            _graph.CurrentRegion = outer;
            int constant = _graph.Constant(and ? 0 : 1, ScalarType.Bool);
            return _graph.Select(left, and ? right : constant, and ? constant : right, trueRegion, falseRegion, ScalarType.Bool);
        }
        finally
        {
            _graph.CurrentRegion = outer;
        }
    }

    private int ParseConditional(ConditionalExpressionSyntax conditional)
    {
        var type = RequireScalar(_model.GetTypeInfo(conditional, _cancellation).Type, conditional);
        int condition = ParseConverted(conditional.Condition);
        if (_graph.IsConstant(condition, out double known))
        {
            return ParseTo(known != 0 ? conditional.WhenTrue : conditional.WhenFalse, type);
        }
        int outer = _graph.CurrentRegion;
        int trueRegion = _graph.NewRegion();
        int falseRegion = _graph.NewRegion();
        try
        {
            _graph.CurrentRegion = trueRegion;
            int whenTrue = ParseTo(conditional.WhenTrue, type);
            _graph.CurrentRegion = falseRegion;
            int whenFalse = ParseTo(conditional.WhenFalse, type);
            _graph.CurrentRegion = outer;
            return _graph.Select(condition, whenTrue, whenFalse, trueRegion, falseRegion, type);
        }
        finally
        {
            _graph.CurrentRegion = outer;
        }
    }

    private int ParseCall(InvocationExpressionSyntax invocation)
    {
        var method = _model.GetSymbolInfo(invocation, _cancellation).Symbol as IMethodSymbol;
        string container = method?.ContainingType?.ToDisplayString() ?? "";
        string display = method is null ? invocation.Expression.ToString() : container + "." + method.Name;
        var location = invocation.GetLocation();
        if (method is { MethodKind: MethodKind.LocalFunction })
        {
            return InlineLocalFunction(invocation, method, display);
        }
        if (method is not null && method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute))
        {
            return ParseDifferentiableCall(invocation, method, display, gradientName: null);
        }
        if (method?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == CustomGradientAttribute) is { } custom)
        {
            string gradientName = custom.ConstructorArguments.FirstOrDefault().Value as string ?? "";
            CheckCustomGradient(invocation, method, gradientName);
            return ParseDifferentiableCall(invocation, method, display, gradientName);
        }
        Spelling? spelling = Operations.SpellingOf(container);
        if (method is null || spelling is null)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "");
        }
        var arguments = ArgumentsOf(invocation, method, display);
        bool logOfBase = spelling == Spelling.Math && method.Name == "Log" && arguments.Length == 2;
        var op = (logOfBase ? Op.Log : Operations.FunctionOf(spelling.Value, method.Name, arguments.Length))
            ?? throw Unsupported(Diagnostics.UnsupportedCall, location, display + "(" + string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString())) + ")",
                "; this function or overload has no derivative rule");
        var type = RequireScalar(method.ReturnType, invocation);
        var args = arguments.Select(ParseArgument).ToArray();
        if (logOfBase)
        {
            // log_b(a) = ln a / ln b
            return _graph.Add(Op.Divide, type, _graph.Add(Op.Log, type, args[0]), _graph.Add(Op.Log, type, args[1]));
        }
        return _graph.Add(op, type, args);
    }

    /// <summary>
    /// A call to another [Differentiable] method: the forward pass calls it, and the backward pass calls its
    /// generated gradient for the partial derivatives (so recursion works too, at the cost of recomputing).
    /// </summary>
    private int ParseDifferentiableCall(InvocationExpressionSyntax invocation, IMethodSymbol callee, string display, string? gradientName)
    {
        var location = invocation.GetLocation();
        bool takesEnum = callee.Parameters.Any(p => p.Type.TypeKind == TypeKind.Enum);
        if (takesEnum && gradientName is not null)
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, "; a [CustomGradient] method that takes an enum cannot be called from a [Differentiable] method, give it an int parameter and pass (int) of the enum");
        }
        // A callee that takes arrays is inlined (its adjoints flow into the caller's arrays), and so is one that takes an
        // enum (its gradient's enum parameter is not a value of the graph) and any callee of a Hessian = true method: the
        // Hessian then differentiates through its body.
        bool inlinedAnyway = callee.Parameters.Any(p => ArrayElementOf(p.Type) is not null) || takesEnum;
        if (gradientName is null && callee.IsStatic && !callee.IsGenericMethod && ScalarOf(callee.ReturnType) is ScalarType.Double or ScalarType.Float
            && (inlinedAnyway || _inlineCalls) && callee.Parameters.All(p => p.RefKind == RefKind.None))
        {
            // Inlined only for the Hessian, it takes what its gradient call would: a [NoDiff] argument is a constant of the
            // differentiation (SD0023 below otherwise), so differentiating through it inlined is exact.
            return InlineCall(invocation, callee, display, checkNoDiff: !inlinedAnyway)!.Value;
        }
        if (!callee.IsStatic || callee.IsGenericMethod || ScalarOf(callee.ReturnType) is not (ScalarType.Double or ScalarType.Float)
            || callee.Parameters.Any(p => p.RefKind != RefKind.None || ScalarOf(p.Type) is null))
        {
            throw Unsupported(Diagnostics.UnsupportedCall, location, display, callee.Parameters.Any(p => ArrayElementOf(p.Type) is not null)
                ? "; a [Differentiable] method that takes arrays is inlined when it is static, not generic, returns double or float (or void, called as a statement) and takes its parameters by value"
                : "; it has no generated gradient to call (see its own SD diagnostic)");
        }
        var arguments = ArgumentsOf(invocation, callee, display);
        var args = arguments.Select(ParseArgument).ToArray();
        var differentiable = callee.Parameters.Select(p => ScalarOf(p.Type)!.Value.IsFloating()
            && !p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDiffAttribute)).ToArray();
        for (int i = 0; i < args.Length; i++)
        {
            if (!differentiable[i])
            {
                CheckConstantArgument(arguments[i], args[i], callee);
            }
        }
        gradientName ??= GradientNameOf(callee.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute).ToList())
            ?? callee.Name + "Gradient";
        // Within the same type the generated code says Loss(…); elsewhere it names the type in full.
        bool sameType = SymbolEqualityComparer.Default.Equals(callee.ContainingType, _method!.ContainingType);
        string prefix = sameType ? "" : callee.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ".";
        var target = new Callee(prefix + callee.Name, prefix + gradientName,
            callee.Parameters.Select(p => p.Name).ToEquatableArray(), differentiable.ToEquatableArray());
        return _graph.Call(target, ScalarOf(callee.ReturnType)!.Value, args);
    }

    /// <summary>
    /// SD0023 when the value passed to a parameter without a derivative slot in the callee's gradient ([NoDiff], or not
    /// floating) depends on a differentiable parameter of this method.
    /// </summary>
    private void CheckConstantArgument(CallArgument argument, int value, IMethodSymbol callee)
    {
        if (DependsOnDifferentiableParameter(value))
        {
            throw Unsupported(Diagnostics.DerivativeUnavailable, argument.Syntax!.GetLocation(), argument.Syntax!.ToString(), argument.Parameter.Name, callee.Name);
        }
    }

    /// <summary>
    /// A [CustomGradient] must name a static method of the callee's type with the generated gradient's
    /// signature: the callee's parameters, then a ref slot for each double or float parameter not [NoDiff].
    /// </summary>
    private void CheckCustomGradient(InvocationExpressionSyntax invocation, IMethodSymbol callee, string gradientName)
    {
        var slots = callee.Parameters.Where(p => ScalarOf(p.Type)?.IsFloating() == true
            && !p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NoDiffAttribute)).ToList();
        var expectedTypes = callee.Parameters.Select(p => (p.Type, RefKind.None)).Concat(slots.Select(p => (p.Type, RefKind.Ref))).ToList();
        bool matches = callee.ContainingType.GetMembers(gradientName).OfType<IMethodSymbol>().Any(g =>
            g.IsStatic && !g.IsGenericMethod && SymbolEqualityComparer.Default.Equals(g.ReturnType, callee.ReturnType)
            && g.Parameters.Length == expectedTypes.Count
            && g.Parameters.Select((p, i) => SymbolEqualityComparer.Default.Equals(p.Type, expectedTypes[i].Type) && p.RefKind == expectedTypes[i].Item2).All(ok => ok));
        if (!matches)
        {
            string signature = $"static {callee.ReturnType.ToDisplayString()} {gradientName}(" + string.Join(", ",
                callee.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name).Concat(slots.Select(p => "ref " + p.Type.ToDisplayString() + " d" + p.Name))) + ")";
            throw Unsupported(Diagnostics.CustomGradientMismatch, invocation.GetLocation(), callee.Name, signature, callee.ContainingType.Name);
        }
    }

    /// <summary>True when a derivative can flow from a differentiable parameter of this method into the node.</summary>
    private bool DependsOnDifferentiableParameter(int node) =>
        DerivativeFlow.Reach(node, id => DerivativeFlow.DifferentiableArgs(_graph[id], _graph.Nodes)).Overlaps(_differentiableParameters);

    // ---- Analysis after parsing ----------------------------------------------------------------

    /// <summary>Warns about differentiable parameters the result cannot depend on (SD0017).</summary>
    private void WarnAboutZeroDerivatives(IMethodSymbol method, List<Parameter> parameters, int result)
    {
        if (!parameters.Any(p => p.IsDifferentiable))
        {
            Report(Diagnostics.NoDifferentiableParameters, method.Locations.FirstOrDefault(), method.Name);
            return;
        }
        // The result, or for a vector output every element written.
        var reached = new HashSet<int>();
        foreach (var root in _graph.Nodes.Where(n => n.Id == result || n.Op == Op.Store))
        {
            reached.UnionWith(DerivativeFlow.ReachedNodes(_graph.Nodes, root.Id));
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].IsDifferentiable && !reached.Contains(parameters[i].Node))
            {
                Report(Diagnostics.ZeroDerivative, method.Parameters[i].Locations.FirstOrDefault(), method.Name, parameters[i].Name);
            }
        }
    }

    // ---- Helpers -------------------------------------------------------------------------------

    private ScalarType RequireScalar(ITypeSymbol? type, ExpressionSyntax expression) =>
        (type is null ? null : ScalarOf(type))
        ?? throw Unsupported(Diagnostics.UnsupportedValueType, expression.GetLocation(), expression.ToString(), type?.ToDisplayString() ?? "?");

    private static ScalarType? ScalarOf(ITypeSymbol type) => type switch
    {
        INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } => ScalarOf(underlying),   // an enum is its underlying integer
        _ => ScalarOfSpecial(type),
    };

    private static ScalarType? ScalarOfSpecial(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Double => ScalarType.Double,
        SpecialType.System_Single => ScalarType.Float,
        SpecialType.System_Int32 => ScalarType.Int,
        SpecialType.System_Int64 => ScalarType.Long,
        SpecialType.System_Boolean => ScalarType.Bool,
        _ => null,
    };

    internal static EquatableArray<ContainingType> ContainingTypesOf(INamedTypeSymbol type)
    {
        var types = new List<ContainingType>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            string keyword = t switch
            {
                { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
                { IsRecord: true } => "record",
                { TypeKind: TypeKind.Struct } => "struct",
                { TypeKind: TypeKind.Interface } => "interface",
                _ => "class",
            };
            string name = t.TypeParameters.Length == 0 ? t.Name : t.Name + "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">";
            types.Insert(0, new ContainingType(keyword, name, t.IsStatic));
        }
        return types.ToEquatableArray();
    }

    /// <summary>
    /// The file name of a method's generated code. AddSource rejects a name used twice (ignoring case), so the readable
    /// part (type, method, parameter types, with other characters as '_') is followed by a hash of the method's exact
    /// signature: <c>class C&lt;T&gt;</c> and <c>class C_T_</c>, or <c>F</c> and <c>f</c>, differ in the hash.
    /// </summary>
    internal static string HintNameOf(IMethodSymbol method)
    {
        string name = method.ContainingType.ToDisplayString() + "." + method.Name + "_" + string.Join("_", method.Parameters.Select(p => TypeName(p.Type)));
        string signature = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name
            + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ")";
        string readable = Regex.Replace(name, @"[^A-Za-z0-9_.]", "_");
        // A file name may have at most 255 characters where generated files are written out (EmitCompilerGeneratedFiles);
        // the hash keeps a shortened name unique.
        if (readable.Length > MaxReadableHintName)
        {
            readable = readable.Substring(0, MaxReadableHintName);
        }
        return readable + "." + Fnv1a(signature).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
    }

    /// <summary>How much of the readable part a hint name keeps (the method's type, name and parameter types).</summary>
    internal const int MaxReadableHintName = 120;

    /// <summary>32-bit FNV-1a over UTF-16 code units: stable across processes, unlike string.GetHashCode.</summary>
    private static uint Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }
        return hash;
    }

    /// <summary>A parameter type's name for a hint name: Double, DoubleArray, ReadOnlySpanOfDouble.</summary>
    private static string TypeName(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => TypeName(array.ElementType) + "Array",
        INamedTypeSymbol { TypeArguments.Length: > 0 } generic => generic.Name + "Of" + string.Join("And", generic.TypeArguments.Select(TypeName)),
        _ => type.Name,
    };

    internal static string AccessibilityOf(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static string AdviceFor(ExpressionSyntax expression) =>
        expression is AnonymousFunctionExpressionSyntax ? Diagnostics.LambdaAdvice : Diagnostics.ExpressionAdvice;

    private static string Describe(SyntaxKind kind) =>
        Regex.Replace(kind.ToString(), "(?<=[a-z])(?=[A-Z])", " ").ToLowerInvariant();

    private void Report(DiagnosticDescriptor descriptor, Location? location, params string[] args) =>
        _diagnostics.Add(Info(descriptor, location, args));

    private static UnsupportedException Unsupported(DiagnosticDescriptor descriptor, Location location, params string[] args) =>
        new(Info(descriptor, location, args));

    internal static DiagnosticInfo Info(DiagnosticDescriptor descriptor, Location? location, params string[] args) =>
        new(descriptor.Id, ToInfo(location), args.ToEquatableArray());

    private static Location LocationOf(SyntaxNode node) =>
        node is MethodDeclarationSyntax method ? method.Identifier.GetLocation() : node.GetLocation();

    internal static LocationInfo? ToInfo(Location? location)
    {
        if (location is null || !location.IsInSource)
        {
            return null;
        }
        var span = location.GetLineSpan();
        return new LocationInfo(span.Path, location.SourceSpan.Start, location.SourceSpan.Length,
            span.StartLinePosition.Line, span.StartLinePosition.Character, span.EndLinePosition.Line, span.EndLinePosition.Character);
    }

    /// <summary>Stops parsing the current statement with a diagnostic.</summary>
    private sealed class UnsupportedException : Exception
    {
        public UnsupportedException(DiagnosticInfo diagnostic) => Diagnostic = diagnostic;

        public DiagnosticInfo Diagnostic { get; }
    }
}
