using System.Globalization;
using SymbolicDiff.Generator.Model;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>
/// A C# expression as text plus its precedence, so that composing expressions adds exactly the
/// parentheses C# needs. Grouping is always kept as built (a + (b + c) stays so): floating-point
/// addition is not associative, and the generated code must compute what the DAG says.
/// </summary>
internal readonly struct Code
{
    public const int Conditional = 3;
    public const int LogicalOr = 5;
    public const int LogicalAnd = 6;
    public const int Equality = 10;
    public const int Relational = 11;
    public const int Additive = 13;
    public const int Multiplicative = 14;
    public const int Unary = 15;
    public const int Primary = 16;

    private Code(string text, int precedence, double? literal = null)
    {
        Text = text;
        Precedence = precedence;
        Literal = literal;
    }

    public string Text { get; }

    public int Precedence { get; }

    /// <summary>The value when this is a numeric literal, so that 1·x can be written x.</summary>
    public double? Literal { get; }

    public bool IsLiteral(double value) => Literal == value;

    public override string ToString() => Text;

    public static Code Name(string name) => new(name, Primary);

    public static Code Constant(double value, ScalarType type)
    {
        string text = type switch
        {
            ScalarType.Bool => value != 0 ? "true" : "false",
            ScalarType.Int => ((int)value).ToString(CultureInfo.InvariantCulture),
            ScalarType.Long => ((long)value).ToString(CultureInfo.InvariantCulture) + "L",
            ScalarType.Float => FloatText((float)value),
            _ => DoubleText(value),
        };
        return new Code(text, text.StartsWith("-") ? Unary : Primary, value);
    }

    public static Code Call(string function, params Code[] args) =>
        new(function + "(" + string.Join(", ", System.Array.ConvertAll(args, a => a.Text)) + ")", Primary);

    public static Code Prefix(string op, Code operand)
    {
        if (op == "-" && IsNegation(operand))
        {
            return new Code(operand.Text.Substring(1), Primary, -operand.Literal);   // −(−x) = x
        }
        // "- -x" and "--x" mean something else, so a leading sign gets parentheses.
        bool wrap = operand.Precedence < Unary || (op == "-" && operand.Text.StartsWith("-"));
        return new Code(op + Wrap(operand, wrap), Unary);
    }

    /// <summary>True for "-x", "-(a + b)", "-f(x)" or a negative literal: a unary minus applied to a primary.</summary>
    public static bool IsNegation(Code code) => code.Precedence == Unary && code.Text.StartsWith("-");

    public static Code Cast(ScalarType type, Code operand) => operand.Literal is double value ? Constant(value, type) : new("(" + type.Keyword() + ")" + Wrap(operand, operand.Precedence < Unary), Unary);

    public static Code Binary(Code left, string op, Code right, int precedence) =>
        new(Wrap(left, left.Precedence < precedence) + " " + op + " " + Wrap(right, right.Precedence <= precedence), precedence);

    public static Code Condition(Code condition, Code whenTrue, Code whenFalse) =>
        new(Wrap(condition, condition.Precedence <= Conditional) + " ? " + Wrap(whenTrue, whenTrue.Precedence < Conditional)
            + " : " + Wrap(whenFalse, whenFalse.Precedence < Conditional), Conditional);

    /// <summary>a·b, written as just a or b when the other is the literal 1.</summary>
    public static Code Times(Code left, Code right) =>
        left.IsLiteral(1) ? right : right.IsLiteral(1) ? left : Binary(left, "*", right, Multiplicative);

    public static Code Over(Code left, Code right) => right.IsLiteral(1) ? left : Binary(left, "/", right, Multiplicative);

    /// <summary>The precedence of a binary operator.</summary>
    public static int PrecedenceOf(string op) => op switch
    {
        "||" => LogicalOr,
        "&&" => LogicalAnd,
        "==" or "!=" => Equality,
        "<" or "<=" or ">" or ">=" => Relational,
        "+" or "-" => Additive,
        _ => Multiplicative,
    };

    public static Code Plus(Code left, Code right) => Binary(left, "+", right, Additive);

    public static Code Minus(Code left, Code right) => Binary(left, "-", right, Additive);

    private static string Wrap(Code code, bool wrap) => wrap ? "(" + code.Text + ")" : code.Text;

    private static string DoubleText(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E' }) < 0 ? text + ".0" : text;
    }

    private static string FloatText(float value)
    {
        if (float.IsNaN(value))
        {
            return "float.NaN";
        }
        if (float.IsInfinity(value))
        {
            return value > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        }
        return value.ToString("R", CultureInfo.InvariantCulture) + "f";
    }
}
