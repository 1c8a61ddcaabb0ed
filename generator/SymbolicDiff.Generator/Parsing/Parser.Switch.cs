using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Parsing;

/// <summary>
/// <c>switch</c> statements and expressions, lowered to the if/else and ?: machinery: each case (in source order,
/// <c>default</c> last) is a branch whose condition is its patterns, tested on the switch value computed once.
/// Patterns are constants, relational patterns (<c>&lt; 0</c>), <c>_</c>, and their <c>and</c>/<c>or</c>/<c>not</c>
/// combinations, with an optional <c>when</c> clause; at a boundary the derivative is the one of the case taken.
/// </summary>
internal sealed partial class Parser
{
    private (int? Result, bool TookRest) ParseSwitch(SwitchStatementSyntax statement, IReadOnlyList<StatementSyntax> rest)
    {
        BeginStatement("switch (" + statement.Expression + ")");
        int switchStatement = _graph.CurrentStatement;
        int value = ParseSwitchValue(statement.Expression);
        var sections = statement.Sections.Where(s => !s.Labels.Any(l => l is DefaultSwitchLabelSyntax)).ToList();
        var defaultSection = statement.Sections.FirstOrDefault(s => s.Labels.Any(l => l is DefaultSwitchLabelSyntax));
        var bodies = statement.Sections.ToDictionary(s => s, s => SectionBody(statement, s));
        // As for an if: when a case may return (or, in a loop body, break or continue the loop), the statements after the switch belong to each case that falls through.
        bool tookRest = bodies.Values.Any(MayJump);
        List<StatementSyntax> WithRest(List<StatementSyntax> body) => tookRest && !AlwaysJumps(body) ? body.Concat(rest).ToList() : body;

        int? Parse(int k)
        {
            if (k == sections.Count)
            {
                return ParseStatements(WithRest(defaultSection is null ? new List<StatementSyntax>() : bodies[defaultSection]));
            }
            var section = sections[k];
            _graph.CurrentStatement = switchStatement;
            int condition = Any(section.Labels.Select(label => LabelCondition(value, label)));
            var body = WithRest(bodies[section]);
            return Nested(section, () => Branch(condition, switchStatement, () => ParseStatements(body), () => Parse(k + 1), tookRest).Result);
        }

        return (Parse(0), tookRest);
    }

    /// <summary>The statements of a switch section without the <c>break</c> that ends it.</summary>
    private List<StatementSyntax> SectionBody(SwitchStatementSyntax statement, SwitchSectionSyntax section)
    {
        var body = section.Statements.SelectMany(Flatten).ToList();
        if (body.LastOrDefault() is BreakStatementSyntax)
        {
            body.RemoveAt(body.Count - 1);
        }
        // Any other break of this switch (inside an if of the case) would leave the case half-way.
        foreach (var inner in body.SelectMany(s => s.DescendantNodesAndSelf()).OfType<BreakStatementSyntax>())
        {
            if (EndsSwitchCase(inner) && inner.Ancestors().OfType<SwitchStatementSyntax>().First() == statement)
            {
                throw Unsupported(Diagnostics.UnsupportedStatement, inner.GetLocation(),
                    "A 'break' before the end of a switch case (write the case's paths with if/else and end the case with one break)");
            }
        }
        return body;
    }

    /// <summary>A <c>break</c> that leaves a switch (not a loop): the switch statement is its nearest enclosing breakable statement.</summary>
    private static bool EndsSwitchCase(BreakStatementSyntax statement) =>
        statement.Ancestors().FirstOrDefault(a => a is SwitchStatementSyntax or ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
            is SwitchStatementSyntax;

    /// <summary>The value a switch tests, in its own type (an enum's underlying integer).</summary>
    private int ParseSwitchValue(ExpressionSyntax expression)
    {
        int value = ParseExpression(expression);
        RequireScalar(_model.GetTypeInfo(expression, _cancellation).Type, expression);
        return value;
    }

    private int LabelCondition(int value, SwitchLabelSyntax label) => label switch
    {
        CaseSwitchLabelSyntax constant => Compare(Op.Equal, value, constant.Value),
        CasePatternSwitchLabelSyntax pattern => When(PatternCondition(value, pattern.Pattern), pattern.WhenClause),
        _ => _graph.Constant(1, ScalarType.Bool),
    };

    private int When(int condition, WhenClauseSyntax? when) =>
        when is null ? condition : _graph.Add(Op.And, ScalarType.Bool, condition, ParseTo(when.Condition, ScalarType.Bool));

    /// <summary>The bool node of a pattern tested on <paramref name="value"/>.</summary>
    private int PatternCondition(int value, PatternSyntax pattern)
    {
        switch (pattern)
        {
            case DiscardPatternSyntax:
                return _graph.Constant(1, ScalarType.Bool);
            case ConstantPatternSyntax constant:
                return Compare(Op.Equal, value, constant.Expression);
            case RelationalPatternSyntax relational:
                var op = relational.OperatorToken.Kind() switch
                {
                    SyntaxKind.LessThanToken => Op.LessThan,
                    SyntaxKind.LessThanEqualsToken => Op.LessThanOrEqual,
                    SyntaxKind.GreaterThanToken => Op.GreaterThan,
                    SyntaxKind.GreaterThanEqualsToken => Op.GreaterThanOrEqual,
                    _ => Op.NotEqual,
                };
                return Compare(op, value, relational.Expression);
            case ParenthesizedPatternSyntax parenthesized:
                return PatternCondition(value, parenthesized.Pattern);
            case UnaryPatternSyntax not:
                return _graph.Add(Op.Not, ScalarType.Bool, PatternCondition(value, not.Pattern));
            case BinaryPatternSyntax binary:
                return _graph.Add(binary.IsKind(SyntaxKind.OrPattern) ? Op.Or : Op.And, ScalarType.Bool,
                    PatternCondition(value, binary.Left), PatternCondition(value, binary.Right));
            default:
                throw Unsupported(Diagnostics.UnsupportedExpression, pattern.GetLocation(), "pattern", pattern.ToString(),
                    "switch cases can test constants (case 1, Kind.Relu), relational patterns (< 0, >= 1.5), _ and their and/or/not combinations");
        }
    }

    /// <summary><c>value op constant</c>, the constant converted to the switch value's type as C# converts it.</summary>
    private int Compare(Op op, int value, ExpressionSyntax constant)
    {
        if (ConstantOf(constant) is not int node)
        {
            throw Unsupported(Diagnostics.UnsupportedExpression, constant.GetLocation(), "pattern", constant.ToString(),
                "a switch case must test a constant");
        }
        return _graph.Add(op, ScalarType.Bool, value, _graph.Convert(node, _graph[value].Type));
    }

    private int Any(IEnumerable<int> conditions) =>
        conditions.Aggregate((a, b) => _graph.Add(Op.Or, ScalarType.Bool, a, b));

    /// <summary>
    /// <c>value switch { p1 =&gt; e1, p2 =&gt; e2, _ =&gt; e3 }</c>: nested selects, as <c>?:</c> is, each arm's
    /// expression in its own region. The last arm must be <c>_</c> (without it the expression throws when nothing matches).
    /// </summary>
    private int ParseSwitchExpression(SwitchExpressionSyntax expression)
    {
        var type = RequireScalar(_model.GetTypeInfo(expression, _cancellation).Type, expression);
        return SwitchArms(expression, arm => new[] { ParseTo(arm, type) })[0];
    }

    /// <summary>The element nodes of a switch expression whose arms are tuples: <c>(u, v) = k switch { 0 =&gt; (a, b), _ =&gt; (c, d) }</c>.</summary>
    private int[] ParseTupleSwitch(SwitchExpressionSyntax expression, ScalarType[] types) =>
        SwitchArms(expression, arm => ParseTuple(arm).Select((e, i) => _graph.Convert(e, types[i])).ToArray());

    /// <summary>The arms of a switch expression as nested selects of each of the values an arm gives.</summary>
    private int[] SwitchArms(SwitchExpressionSyntax expression, Func<ExpressionSyntax, int[]> parseArm)
    {
        int value = ParseSwitchValue(expression.GoverningExpression);
        var arms = expression.Arms;
        if (arms.Count == 0 || arms[arms.Count - 1] is not { Pattern: DiscardPatternSyntax, WhenClause: null })
        {
            throw Unsupported(Diagnostics.UnsupportedExpression, arms.Count == 0 ? expression.GetLocation() : arms[arms.Count - 1].GetLocation(),
                "switch expression", expression.ToString(), "end its arms with a discard arm '_ => …' (without one it throws when nothing matches)");
        }

        int[] Parse(int k)
        {
            var arm = arms[k];
            if (k == arms.Count - 1)
            {
                return parseArm(arm.Expression);
            }
            int condition = When(PatternCondition(value, arm.Pattern), arm.WhenClause);
            if (_graph.IsConstant(condition, out double known))
            {
                return known != 0 ? parseArm(arm.Expression) : Parse(k + 1);
            }
            int outer = _graph.CurrentRegion;
            int trueRegion = _graph.NewRegion();
            int falseRegion = _graph.NewRegion();
            try
            {
                _graph.CurrentRegion = trueRegion;
                var whenTrue = parseArm(arm.Expression);
                _graph.CurrentRegion = falseRegion;
                var whenFalse = Nested(arm, () => Parse(k + 1));
                _graph.CurrentRegion = outer;
                return whenTrue.Select((t, i) => _graph.Select(condition, t, whenFalse[i], trueRegion, falseRegion, _graph[t].Type)).ToArray();
            }
            finally
            {
                _graph.CurrentRegion = outer;
            }
        }

        return Parse(0);
    }
}
