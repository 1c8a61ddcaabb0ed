using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;
using Expr = SymbolicDiff.Generator.Tests.GradientPropertyTests.Expr;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// Random programs of the shapes that once broke the generator (issue 8): output stores inside if/else in and out of
/// loops, Jacobians by rows and by columns after loops that keep carried values, loop bounds at and near the int
/// limits, integer constant arithmetic that overflows. Every program is compiled with its generated code and checked
/// end to end: scalar methods' gradients against central finite differences; vector methods' Jacobians (rows or
/// columns, whichever the output length makes it pick) against finite differences, their pullbacks against dyᵀJ (and
/// dy used up) and their tangents against J·v.
/// <para>
/// One small function per shape, listed in <see cref="Shapes"/>: a new shape is a function and a line there.
/// Long mode: <c>SYMBOLICDIFF_PROPERTY_PROGRAMS=10000</c> (the count) and optionally <c>SYMBOLICDIFF_PROPERTY_SEED=n</c>;
/// both are printed, and the same count and seed give the same programs and points (batch b of 100 programs is drawn
/// from its own generator, so it is the same in a longer run). <c>SYMBOLICDIFF_PROPERTY_LOG=file</c> appends progress.
/// </para>
/// </summary>
public class ShapePropertyTests
{
    private const int DefaultPrograms = 120;
    private const int DefaultSeed = 20261130;
    private const int ProgramsPerCompilation = 100;   // one compilation holds many programs: compiling is most of the time
    private const int ArrayLength = 4;
    private readonly ITestOutputHelper _output;

    public ShapePropertyTests(ITestOutputHelper output) => _output = output;

    /// <summary>A method body; vector programs write y (length <see cref="Outputs"/>), scalar ones return a value.</summary>
    internal sealed record Program(string Shape, string Body, bool IsVector, int N, int Outputs)
    {
        public override string ToString() => $"[{Shape}, n = {N}{(IsVector ? $", y.Length = {Outputs}" : "")}] " + Regex.Replace(Body, @"\s+", " ");
    }

    /// <summary>Every shape the programs are drawn from, equally often.</summary>
    internal static readonly (string Name, Func<Random, Program> Make)[] Shapes =
    {
        ("store in if/else", StoreInIf),
        ("stores in branches of a loop", StoresInLoopBranches),
        ("Jacobian after a kept loop", JacobianAfterKeptLoop),
        ("bounds near the int limits", BoundsNearLimits),
        ("overflowing integer constants", OverflowingConstants),
        ("tuple swaps and deconstruction", TupleSwaps),
        ("switch statements and expressions", Switches),
        ("constant fields", ConstantFields),
        ("local arrays with overwrites", LocalArrays),
        ("array-passing calls", ArrayCalls),
        ("nested loops under a running sum", NestedLoopsUnderARunningSum),
        ("enum arguments and slices", EnumsAndSlices),
        ("void returns and output helpers", OutputHelpers),
        ("long local arrays updated in place", ArraysInMemory),
        ("scratch arrays of each iteration", ScratchArrays),
    };

    // ---- Expressions ----------------------------------------------------------------------------

    private static readonly int[] SmoothUnary = Enumerable.Range(0, 21).ToArray();   // GradientPropertyTests.Unary 0–20 have no kinks
    private static readonly int[] SmoothBinary = { 0, 1, 2, 3, 6 };
    private static readonly double[] Constants = { 0.5, 1.5, 2.0, -0.75, 0.1 };

    private static Expr Leaf(string code) => new(code, code, Array.Empty<string>());

    /// <summary>A smooth random expression over the leaves (so finite differences hold everywhere but at branch conditions).</summary>
    private static Expr E(Random r, int depth, params string[] leaves)
    {
        if (depth == 0 || r.Next(4) == 0)
        {
            int i = r.Next(leaves.Length + Constants.Length);
            return i < leaves.Length ? Leaf(leaves[i]) : Leaf(GradientPropertyTests.Lit(Constants[i - leaves.Length], false));
        }
        return r.Next(2) == 0
            ? GradientPropertyTests.Unary(SmoothUnary[r.Next(SmoothUnary.Length)], E(r, depth - 1, leaves))
            : GradientPropertyTests.Binary(SmoothBinary[r.Next(SmoothBinary.Length)], E(r, depth - 1, leaves), E(r, depth - 1, leaves));
    }

    /// <summary>An update of a carried c that the backward pass must keep per iteration.</summary>
    private static string KeptUpdate(Random r, string c, params string[] leaves) => r.Next(3) switch
    {
        0 => $"{c} = Math.Sin({c}) * {E(r, 1, leaves).D} + {E(r, 1, leaves).D};",
        1 => $"{c} = {c} * Math.Tanh({E(r, 1, leaves).D}) + 0.5;",
        _ => $"{c} = Math.Tanh({c} * {E(r, 1, leaves).D} + {E(r, 1, leaves).D});",
    };

    private static int Outputs(Random r) => r.Next(1, ArrayLength + 5);   // up to 1 + ArrayLength columns: rows; more: columns

    // ---- Shapes ---------------------------------------------------------------------------------

    /// <summary>
    /// Vector output: stores in both branches of an if, one in a nested if, no loop. Every other program writes y[1]
    /// rather than y[y.Length - 1]: all its output indices are constants, so its Jacobian takes both rows in one
    /// backward pass (the rows past them are zero).
    /// </summary>
    private static Program StoreInIf(Random r)
    {
        int outputs = Outputs(r);
        bool constant = outputs >= 2 && r.Next(2) == 0;
        string last = constant ? "1" : "y.Length - 1";
        var body = new StringBuilder();
        body.Append($"double u = {E(r, 2, "x", "a[0]", "a[1]").D};\n");
        body.Append($"if (u > 0.1)\n{{\n    y[0] = {E(r, 2, "u", "x", "a[2]").D};\n");
        body.Append($"    if ({E(r, 1, "x", "a[3]").D} > 0.2) y[{last}] = {E(r, 2, "u", "a[3]").D};\n}}\n");
        body.Append($"else\n{{\n    y[{last}] = {E(r, 2, "u", "x").D};\n}}\n");
        return new Program(constant ? OnePassShape : "store in if/else", body.ToString(), true, 0, outputs);
    }

    private const string OnePassShape = "store in if/else at constant indices";

    /// <summary>Vector output: a loop that keeps c and writes y[i] in if / else if branches (some elements unwritten), maybe an if after it.</summary>
    private static Program StoresInLoopBranches(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double c = {E(r, 2, "x", "a[0]").D};\n");
        body.Append("for (int i = 0; i < y.Length; i++)\n{\n");
        body.Append("    double v = a[i % a.Length];\n");
        body.Append("    ").Append(KeptUpdate(r, "c", "v", "x")).Append('\n');
        body.Append($"    if ({E(r, 1, "c", "v").D} > 0.1) y[i] = {E(r, 2, "c", "x", "v").D};\n");
        body.Append($"    else if (v < 0.3) y[i] = {E(r, 2, "c", "v").D};\n}}\n");
        if (r.Next(2) == 0)
        {
            body.Append($"if (c > 0.2) y[0] = {E(r, 1, "c", "x").D};\nelse y[y.Length - 1] = {E(r, 1, "c", "a[1]").D};\n");
        }
        return new Program("stores in branches of a loop", body.ToString(), true, 0, Outputs(r));
    }

    /// <summary>Vector output after one or two loops over a that keep their carried values (read by every row).</summary>
    private static Program JacobianAfterKeptLoop(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double m = {E(r, 1, "x").D};\n");
        body.Append("for (int i = 0; i < a.Length; i++)\n{\n    ").Append(KeptUpdate(r, "m", "a[i]", "x")).Append("\n}\n");
        string[] leaves = { "m", "a[i % a.Length]", "x" };
        if (r.Next(2) == 0)
        {
            body.Append("double z = 1;\n");
            body.Append($"for (int i = 0; i < a.Length; i++) z = z * Math.Tanh({E(r, 1, "a[i]", "m").D}) + Math.Exp(a[i] - m) * 0.25;\n");
            leaves = leaves.Append("z").ToArray();
        }
        body.Append($"for (int i = 0; i < y.Length; i++) y[i] = {E(r, 2, leaves).D};\n");
        return new Program("Jacobian after a kept loop", body.ToString(), true, 0, Outputs(r));
    }

    /// <summary>A for header written against n, the trip count small whatever wraps; with n near int.MinValue or int.MaxValue.</summary>
    private sealed record Header(string Text, Func<int, int> Start, Func<int, int, bool> Runs, int Step = 1);

    private static readonly Header[] Headers =
    {
        new("for (int i = 0; i < n; i++)", n => 0, (i, n) => i < n),
        new("for (int i = n; i < n + 3; i++)", n => n, (i, n) => i < unchecked(n + 3)),
        new("for (int i = n - 2; i < n; i++)", n => unchecked(n - 2), (i, n) => i < n),
        new("for (int i = n; i <= n + 2; i++)", n => n, (i, n) => i <= unchecked(n + 2)),
        new("for (int i = n - 3; i + 1 < n; i++)", n => unchecked(n - 3), (i, n) => unchecked(i + 1) < n),
        new("for (int i = n; i + 2 <= n + 3; ++i)", n => n, (i, n) => unchecked(i + 2) <= unchecked(n + 3)),
        new("for (int i = int.MinValue; i < int.MinValue + n; i++)", n => int.MinValue, (i, n) => i < unchecked(int.MinValue + n)),
        new("for (int i = int.MaxValue - n; i < int.MaxValue; i++)", n => unchecked(int.MaxValue - n), (i, n) => i < int.MaxValue),
        // Counting down and strided (counted), and != (run as a while loop): bounds that wrap run no iteration, as in C#.
        new("for (int i = n; i > n - 3; i--)", n => n, (i, n) => i > unchecked(n - 3), -1),
        new("for (int i = n + 2; i >= n; i -= 2)", n => unchecked(n + 2), (i, n) => i >= n, -2),
        new("for (int i = n; i < n + 5; i += 2)", n => n, (i, n) => i < unchecked(n + 5), 2),
        new("for (int i = int.MaxValue; i > int.MaxValue - n; i -= 3)", n => int.MaxValue, (i, n) => i > unchecked(int.MaxValue - n), -3),
        new("for (int i = int.MinValue + n; i > int.MinValue; --i)", n => unchecked(int.MinValue + n), (i, n) => i > int.MinValue, -1),
        new("for (int i = n; i != n + 4; i++)", n => n, (i, n) => i != unchecked(n + 4)),
    };

    private static readonly int[] NearLimits =
        { int.MinValue, int.MinValue + 1, int.MinValue + 2, -3, -1, 0, 1, 2, 3, 5, int.MaxValue - 3, int.MaxValue - 2, int.MaxValue - 1, int.MaxValue };

    /// <summary>How many times the header runs for n (as C# runs it), or −1 beyond 8 (such programs are not drawn).</summary>
    private static int Trips(Header header, int n)
    {
        int count = 0;
        for (int i = header.Start(n); header.Runs(i, n); i = unchecked(i + header.Step))
        {
            if (++count > 8) return -1;
        }
        return count;
    }

    /// <summary>Scalar: a loop (kept or summed) with a header at the int limits, its counter read as i % 3.</summary>
    private static Program BoundsNearLimits(Random r)
    {
        Header header;
        int n;
        do
        {
            header = Headers[r.Next(Headers.Length)];
            n = NearLimits[r.Next(NearLimits.Length)];
        }
        while (Trips(header, n) < 0);
        var body = new StringBuilder();
        body.Append($"double s = {E(r, 1, "x", "y").D};\n");
        body.Append(header.Text).Append("\n{\n    ");
        body.Append(r.Next(2) == 0 ? KeptUpdate(r, "s", "x", "a[(i % 4 + 4) % 4]") : $"s += {E(r, 2, "x", "y", "a[(i % 4 + 4) % 4]").D} * (i % 3);");
        body.Append("\n}\n");
        body.Append($"return s * {E(r, 1, "x", "y").D};\n");
        return new Program("bounds near the int limits", body.ToString(), false, n, 0);
    }

    /// <summary>
    /// Scalar: a short stackalloc span filled at computed indices and overwritten in place in a loop (kept per iteration),
    /// and a long scratch buffer filled whole from a, maybe refilled per iteration of an outer loop, read by the updates.
    /// </summary>
    private static Program LocalArrays(Random r)
    {
        int k = r.Next(2, 5);
        var body = new StringBuilder();
        body.Append($"Span<double> h = stackalloc double[{k}];\n");
        body.Append($"for (int j = 0; j < {k}; j++) h[j] = {E(r, 1, "x", "y").D} * (j + 1);\n");
        body.Append("var buf = new double[a.Length];\n");
        bool refill = r.Next(2) == 0;
        if (refill)
        {
            body.Append("for (int t = 0; t < 2; t++)\n{\n");
        }
        body.Append($"for (int j = 0; j < a.Length; j++)\n{{\n    double v = a[j];\n    buf[j] = {E(r, 2, "v", "x", refill ? "t" : "y").D};\n}}\n");
        body.Append("for (int i = 0; i < a.Length; i++)\n{\n    ");
        body.Append(KeptUpdate(r, $"h[i % {k}]", "buf[i]", "x", $"h[(i + 1) % {k}]"));
        body.Append("\n}\n");
        if (refill)
        {
            body.Append("}\n");
        }
        body.Append($"return h[0] + h[{k - 1}] * {E(r, 1, "x", "y").D};\n");
        return new Program("local arrays with overwrites", body.ToString(), false, 0, 0);
    }

    /// <summary>
    /// Scalar or vector: a long local array held in memory, filled (maybe in part, maybe inside an if), then updated in place: a
    /// DP recurrence, a running vector across an outer loop, elements read and then overwritten (under a break, read in a
    /// branch), or a table created
    /// inside a loop; the result reads it back. (Vector programs, whose Jacobian runs the backward pass once per row,
    /// read it in no inner loop: SD0060 says so.)
    /// </summary>
    private static Program ArraysInMemory(Random r)
    {
        bool vector = r.Next(3) == 0;
        string other = vector ? "x" : "y";
        var body = new StringBuilder("double s = 0;\nvar b = new double[a.Length + n];\n");
        string fill = $"for (int j = 0; j < b.Length{(r.Next(2) == 0 ? " - 1" : "")}; j++) b[j] = {E(r, 2, "a[j % a.Length]", "x", other).D};\n";
        body.Append(r.Next(2) == 0 ? $"if ({E(r, 1, "x", other).D} > 0.2)\n{{\n    {fill}}}\nelse\n{{\n    b[0] = {E(r, 1, "x", other).D};\n}}\n" : fill);
        switch (vector ? 2 * r.Next(2) : r.Next(4))
        {
            case 0:
                body.Append($"for (int i = 1; i < b.Length; i++) b[i] = Math.Tanh(b[i - 1] * {E(r, 1, "x", "a[i % a.Length]").D} + {E(r, 1, "b[i]", "x").D});\n");
                break;
            case 1:
                body.Append("for (int t = 0; t < n + 2; t++)\n{\n    for (int j = 0; j < b.Length; j++)\n    {\n");
                body.Append(r.Next(2) == 0
                    ? $"        b[j] += Math.Sin({E(r, 1, "x", "a[j % a.Length]", other).D}) * 0.5;\n"
                    : $"        b[j] = Math.Tanh(b[j] * {E(r, 1, "x", "a[j % a.Length]").D} + {E(r, 1, other, "x").D});\n");
                body.Append("    }\n}\n");
                break;
            case 2:
                // Read, then overwritten; maybe a break before, maybe the sum read in a branch.
                body.Append("for (int i = 0; i < b.Length; i++)\n{\n");
                if (r.Next(2) == 0)
                {
                    body.Append($"    if (s > {GradientPropertyTests.Lit(r.Next(1, 4), false)}) break;\n");
                }
                body.Append($"    double v = b[i];\n    b[i] = Math.Tanh(v * {E(r, 1, "x", "a[i % a.Length]").D});\n");
                body.Append(r.Next(2) == 0
                    ? $"    if ({E(r, 1, "x", "a[i % a.Length]").D} > 0.1) s += {E(r, 2, "b[i]", "x").D};\n    else s += {E(r, 1, "v", "x").D};\n}}\n"
                    : $"    s += {E(r, 2, "v", "b[i]", "x").D};\n}}\n");
                break;
            default:
                body.Append("for (int t = 0; t < 2; t++)\n{\n    var c = new double[a.Length];\n");
                body.Append($"    c[0] = {E(r, 1, "x", "b[t]").D};\n    for (int j = 1; j < c.Length; j++) c[j] = Math.Tanh(c[j - 1] * {E(r, 1, "x", "a[j]").D});\n");
                body.Append($"    s += c[c.Length - 1] * {E(r, 1, "x", other).D};\n}}\n");
                break;
        }
        if (vector)
        {
            body.Append($"for (int i = 0; i < y.Length; i++) y[i] = s + {E(r, 2, "b[i % b.Length]", "x").D};\n");
        }
        else
        {
            body.Append($"for (int j = 0; j < b.Length; j++) s += Math.Sin(b[j]) * {E(r, 1, "x", "y").D};\nreturn s + b[b.Length - 1] * {E(r, 1, "x", "y").D};\n");
        }
        return new Program("long local arrays updated in place", body.ToString(), vector, r.Next(0, 3), vector ? Outputs(r) : 0);
    }

    /// <summary>
    /// Scalar: an outer loop (a running sum, so it may be fused) whose body fills a long array held in memory, updates it in
    /// place (<c>z[j] = z[j] + e</c>, <c>-=</c>, <c>e + z[j]</c>, an update reading another element, one that is not a sum)
    /// and reduces it. The array is created before the loop or in its body; the fill is whole, partial or inside an if, and
    /// maybe an element is read before it: then values pass from one iteration to the next through the array, and the
    /// loop must not be fused.
    /// </summary>
    private static Program ScratchArrays(Random r)
    {
        bool inside = r.Next(2) == 0;
        var body = new StringBuilder("double s = 0;\n");
        if (!inside)
        {
            body.Append("var z = new double[a.Length];\n");
        }
        body.Append("for (int p = 0; p < n + 2; p++)\n{\n");
        if (inside)
        {
            body.Append("    var z = new double[a.Length];\n");
        }
        if (r.Next(4) == 0)
        {
            body.Append($"    s += z[a.Length - 1] * {E(r, 1, "x", "y").D};\n");   // the previous iteration's value, or zero
        }
        string fill = $"for (int j = {(r.Next(4) == 0 ? "1" : "0")}; j < a.Length; j++) z[j] = {E(r, 2, "a[j]", "x", "p").D};";
        body.Append(r.Next(4) == 0 ? $"    if ({E(r, 1, "x", "p").D} > 0.3)\n    {{\n        {fill}\n    }}\n" : $"    {fill}\n");
        body.Append("    for (int i = 0; i < a.Length; i++)\n    {\n        double zi = z[i];\n        for (int j = i + 1; j < a.Length; j++)\n        {\n");
        string e = E(r, 1, "zi", "x", "a[j]").D;
        body.Append(r.Next(5) switch
        {
            0 => $"            z[j] = z[j] + {e};\n",
            1 => $"            z[j] -= {e};\n",
            2 => $"            z[j] = {e} + z[j];\n",
            3 => $"            z[j] += z[(j + i) % a.Length] * {e};\n",
            _ => $"            z[j] = z[j] * Math.Tanh({e});\n",
        });
        body.Append("        }\n    }\n    double q = 0;\n    for (int j = 0; j < a.Length; j++) q += z[j] * z[j];\n");
        body.Append($"    s += Math.Log(1 + q) * {E(r, 1, "x", "y").D};\n}}\nreturn s;\n");
        return new Program("scratch arrays of each iteration", body.ToString(), false, r.Next(0, 3), 0);
    }

    /// <summary>Scalar: calls to [Differentiable] helpers given the input array and a local array filled from it.</summary>
    private static Program ArrayCalls(Random r)
    {
        var body = new StringBuilder();
        body.Append("var u = new double[a.Length];\n");
        body.Append($"for (int j = 0; j < a.Length; j++)\n{{\n    double v = a[j];\n    u[j] = {E(r, 2, "v", "x", "y").D};\n}}\n");
        string Call() => r.Next(4) switch
        {
            0 => "HDot(u, a)",
            1 => "HDot(a, a)",
            2 => "HDot(u, u)",
            _ => $"HKept(u, a, {E(r, 1, "x", "y").D})",
        };
        body.Append($"double s = {Call()} * {E(r, 1, "x", "y").D};\n");
        body.Append($"return s + {Call()} * 0.5 + {E(r, 1, "x", "y").D};\n");
        return new Program("array-passing calls", body.ToString(), false, 0, 0);
    }

    /// <summary>
    /// Scalar: an outer loop whose running sum takes each iteration's derivatives as it runs (fused), around a loop that
    /// keeps a carried value (its reverse rewinds it, and the sum reads its final value) and sometimes a third loop whose
    /// result is read and whose values the middle loop stacks instead of running it again; the sum is returned or
    /// used after the loop.
    /// </summary>
    private static Program NestedLoopsUnderARunningSum(Random r)
    {
        var body = new StringBuilder("double total = 0;\n");
        body.Append($"for (int i = 0; i < {r.Next(0, 4)}; i++)\n{{\n");
        body.Append($"    double c = {E(r, 1, "x", "a[i % 4]").D};\n    double s = 0;\n");
        body.Append($"    for (int j = 0; j < {r.Next(1, 4)}; j++)\n    {{\n");
        body.Append("        ").Append(KeptUpdate(r, "c", "a[j % 4]", "y")).Append('\n');
        if (r.Next(2) == 0)
        {
            body.Append($"        double q = 0;\n        for (int k = 0; k <= j; k++) q += Math.Exp({E(r, 1, "c", "a[k % 4]", "x").D} * 0.5);\n");
            body.Append($"        s += Math.Exp(-q * q * 0.1) * {E(r, 1, "c", "y").D};\n");
        }
        else
        {
            body.Append($"        s += {E(r, 2, "c", "a[j % 4]", "x").D};\n");
        }
        body.Append("    }\n");
        body.Append(r.Next(2) == 0 ? "    total += Math.Log(1 + c * c) + s;\n" : "    total -= s * c;\n");
        body.Append("}\n");
        body.Append(r.Next(2) == 0 ? "return total;\n" : $"return total * 2 + {E(r, 1, "x", "y").D};\n");
        return new Program("nested loops under a running sum", body.ToString(), false, 0, 0);
    }

    /// <summary>Scalar: an enum passed to a helper (computed from n, constant, chosen by ?:), slices of a passed to a helper in a loop.</summary>
    private static Program EnumsAndSlices(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double s = HAct({E(r, 2, "x", "y").D}, (Mode)(n % 3)) + HAct({E(r, 1, "x", "a[1]").D}, Mode.Tanh);\n");
        body.Append("var mode = x > 0.2 ? Mode.Square : Mode.Sin;\n");
        string slice = r.Next(3) switch
        {
            0 => "HDot(a.Slice(i, 2), a[^2..])",
            1 => "HDot(a[i..(i + 2)], a.Slice(1, 2))",
            _ => "HDot(a.Slice(i).Slice(0, 2), a[..2])",
        };
        body.Append($"for (int i = 0; i + 2 <= a.Length; i++)\n{{\n    s += HAct({slice} * {E(r, 1, "x", "y").D}, mode);\n}}\n");
        body.Append($"return s * {E(r, 1, "x", "y").D};\n");
        return new Program("enum arguments and slices", body.ToString(), false, NearLimits[r.Next(NearLimits.Length)], 0);
    }

    /// <summary>
    /// Vector output: helpers writing slices of y, a short local span and a long local array, then a loop that may leave
    /// the method with return; (under an if or in a switch case, maybe an early return; after it too) and writes y[i]
    /// itself or through a helper given y.Slice(i, 1); some elements are written twice.
    /// </summary>
    private static Program OutputHelpers(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double c = {E(r, 2, "x", "a[0]").D};\n");
        body.Append("int k = y.Length < a.Length ? y.Length : a.Length;\n");
        body.Append(r.Next(2) == 0 ? $"HScale({E(r, 1, "x", "c").D}, a.Slice(0, k), y.Slice(0, k));\n" : $"HFirst(a, {E(r, 1, "x", "c").D}, y[..k]);\n");
        body.Append("Span<double> t = stackalloc double[2];\n");
        body.Append($"HScale({E(r, 1, "c", "x").D}, a[1..3], t);\n");
        body.Append("var u = new double[a.Length];\n");
        body.Append($"HTanh(a, {E(r, 1, "c", "x").D}, u);\n");
        body.Append($"for (int i = {(r.Next(3) == 0 ? "0" : "k")}; i < y.Length; i++)\n{{\n    ");
        body.Append(KeptUpdate(r, "c", "u[i % 4]", "t[i % 2]", "x"));
        body.Append(r.Next(3) switch
        {
            0 => $"\n    if ({E(r, 1, "c", "x").D} > 0.4) return;\n",
            1 => $"\n    switch (i % 3)\n    {{\n        case 1:\n            if ({E(r, 1, "c", "x").D} > 0.3) return;\n            break;\n        case 2:\n            continue;\n    }}\n",
            _ => "\n",
        });
        // The element is written here, or by a helper (which may return early) given the one-element slice y[i..(i + 1)].
        body.Append(r.Next(3) == 0
            ? $"    HFirst(a[(i % 3)..], {E(r, 1, "c", "x").D}, y.Slice(i, 1));\n}}\n"
            : $"    y[i] = {E(r, 2, "c", "x", "u[i % 4]", "t[1]").D};\n}}\n");
        if (r.Next(2) == 0)
        {
            body.Append($"if ({E(r, 1, "c", "t[0]").D} > 0.2) return;\n");
            body.Append($"y[y.Length - 1] = {E(r, 1, "c", "u[3]").D};\n");
        }
        return new Program("void returns and output helpers", body.ToString(), true, 0, Outputs(r));
    }

    private static readonly int[] IntConstants = { int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 65536, -65537, 46341, 3, -1, 7 };

    /// <summary>Scalar: int and long locals the generator folds (wrapping like C#), then used as factors.</summary>
    private static Program OverflowingConstants(Random r)
    {
        string K() => IntConstants[r.Next(IntConstants.Length)].ToString(CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        body.Append($"int k = {K()};\n");
        for (int step = r.Next(1, 5); step > 0; step--)
        {
            body.Append(r.Next(7) switch
            {
                0 => $"k += {K()};\n",
                1 => $"k -= {K()};\n",
                2 => $"k *= {K()};\n",
                3 => "k++;\n",
                4 => "k = -k;\n",
                5 => $"k /= {new[] { 7, -3, 1000, 2 }[r.Next(4)]};\n",
                _ => $"k %= {new[] { 7, -3, 1000, 65536 }[r.Next(4)]};\n",
            });
        }
        long q0 = r.Next(-(1 << 26), 1 << 26), q1 = r.Next(-(1 << 26), 1 << 26);
        body.Append($"long q = {q0}L;\nq *= {q1}L;\nq++;\n");
        body.Append("int j = n + k;\n");   // at run time, wrapping as written
        body.Append($"return {E(r, 1, "x", "y").D} * (k % 1000) + y * (double)k * 1e-9 + x * y * (q % 97) + x * (j % 5);\n");
        return new Program("overflowing integer constants", body.ToString(), false, NearLimits[r.Next(NearLimits.Length)], 0);
    }

    /// <summary>Scalar: swaps in a loop (every right side read before any variable is written), deconstruction of a tuple literal and of a tuple helper (one returns from nested loops).</summary>
    private static Program TupleSwaps(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double p = {E(r, 2, "x", "y").D}, q = {E(r, 2, "x", "a[0]").D};\n");
        body.Append($"for (int i = 0; i < {r.Next(0, 5)}; i++)\n{{\n    (p, q) = (q, {E(r, 2, "p", "q", "a[i % 4]").D});\n}}\n");
        body.Append($"var (u, v) = ({E(r, 1, "p", "q").D}, {E(r, 1, "p", "x").D});\n");
        body.Append(r.Next(3) switch
        {
            0 => $"var (s, c) = Pair({E(r, 1, "u", "y").D}, v);\n",
            1 => $"var (s, c) = PairUntil({E(r, 1, "u", "y").D}, v);\n",   // returns from nested loops and under an if
            _ => $"var t = Pair({E(r, 1, "u", "y").D}, v);\ndouble s = t.s, c = t.Item2;\n",
        });
        body.Append($"(u, _) = (c, u);\n");
        body.Append($"return {E(r, 2, "s", "c", "u", "v").D};\n");
        return new Program("tuple swaps and deconstruction", body.ToString(), false, 0, 0);
    }

    /// <summary>Scalar: a switch statement on n (grouped labels, a when clause, a return in a case, default), a switch expression on a double, maybe a switch in a loop.</summary>
    private static Program Switches(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double s = {E(r, 2, "x", "y").D};\n");
        body.Append("switch (n % 4)\n{\n");
        body.Append($"    case 0:\n        s = {E(r, 2, "s", "x").D};\n        break;\n");
        body.Append($"    case 1:\n    case -1:\n        s += {E(r, 2, "s", "y", "a[1]").D};\n        break;\n");
        body.Append($"    case 2 when x > 0.3:\n        return {E(r, 2, "s", "x", "y").D};\n");
        body.Append($"    default:\n        s = s * {E(r, 1, "x", "a[2]").D};\n        break;\n}}\n");
        body.Append($"double w = (y + n % 3) switch\n{{\n    < -0.5 => {E(r, 2, "s", "x").D},\n    >= 0.5 and < 1.5 => {E(r, 2, "s", "y").D},\n    _ => {E(r, 2, "s", "a[3]").D},\n}};\n");
        if (r.Next(2) == 0)
        {
            // A switch in a loop body: its breaks end cases, not the loop; a continue in a case continues the loop.
            body.Append($"for (int i = 0; i < {r.Next(1, 5)}; i++)\n{{\n    switch (i % 3)\n    {{\n");
            body.Append($"        case 0:\n            w = {E(r, 2, "w", "x", "a[i]").D};\n            break;\n");
            body.Append(r.Next(2) == 0 ? "        case 1:\n            continue;\n" : $"        case 1:\n            s += {E(r, 1, "w", "y").D};\n            break;\n");
            body.Append($"        default:\n            w = w * {E(r, 1, "s", "a[i]").D};\n            break;\n    }}\n");
            body.Append($"    s += 0.25 * {E(r, 1, "w", "x").D};\n}}\n");
        }
        body.Append($"return s * w + {E(r, 1, "x", "y").D};\n");
        return new Program("switch statements and expressions", body.ToString(), false, NearLimits[r.Next(NearLimits.Length)], 0);
    }

    /// <summary>Scalar: const and static readonly fields and a [NoDiff] static readonly array read as constants (see <see cref="Source"/>).</summary>
    private static Program ConstantFields(Random r)
    {
        var body = new StringBuilder();
        body.Append($"double s = {E(r, 2, "x", "Gain", "Offset", "Table[1]").D};\n");
        body.Append($"for (int i = 0; i < Table.Length; i++)\n{{\n    s = s * Math.Tanh({E(r, 1, "Table[i]", "x").D}) + Offset * {E(r, 1, "y", "a[i % 4]").D};\n}}\n");
        body.Append($"return Enabled ? s * Steps + {E(r, 2, "x", "y", "Gain").D} : s;\n");
        return new Program("constant fields", body.ToString(), false, 0, 0);
    }

    // ---- Compilation and checks -----------------------------------------------------------------

    private static string Source(IReadOnlyList<Program> programs)
    {
        var text = new StringBuilder("using System;\nusing SymbolicDiff;\n\nnamespace Random;\n\npublic enum Mode { Sin, Tanh, Square }\n\npublic static partial class Programs\n{\n");
        // What the tuple and constant-field shapes read: a tuple helper, const and static readonly fields, a [NoDiff] array.
        text.Append("    [Differentiable]\n    public static (double s, double c) Pair(double p, double q) => (Math.Sin(p) * q, p + Math.Cos(q));\n\n");
        text.Append("    [Differentiable]\n    public static (double s, double c) PairUntil(double p, double q)\n    {\n        if (q > 1.2) return (q, p);\n"
            + "        for (int i = 0; i < 3; i++)\n        {\n            for (int j = 0; j < 2; j++)\n            {\n                p = Math.Tanh(p * q + 0.3);\n"
            + "                if (p > 0.6) return (p * q, j);\n            }\n            q += 0.25;\n        }\n        return (p, q);\n    }\n\n");
        text.Append("    public const double Gain = 1.25;\n    public static readonly double Offset = 0.75;\n    public static readonly int Steps = 3;\n");
        text.Append("    public static readonly bool Enabled = true;\n    [NoDiff]\n    public static readonly double[] Table = { 0.5, -1.0, 2.0, 0.25 };\n\n");
        // Array helpers the "array-passing calls" programs call (inlined where called).
        text.Append("    [Differentiable]\n    public static double HDot(ReadOnlySpan<double> p, ReadOnlySpan<double> q)\n    {\n        double s = 0;\n        for (int i = 0; i < p.Length; i++) s += p[i] * q[i];\n        return s;\n    }\n\n");
        text.Append("    [Differentiable]\n    public static double HKept(double[] p, ReadOnlySpan<double> q, double c)\n    {\n        for (int i = 0; i < p.Length; i++) c = Math.Tanh(c * p[i] + q[i]);\n        return c;\n    }\n\n");
        // Helpers the "enum arguments and slices" and "void returns and output helpers" programs call.
        text.Append("    [Differentiable]\n    public static double HAct(double z, Mode m) => m switch { Mode.Sin => Math.Sin(z), Mode.Tanh => Math.Tanh(z), Mode.Square => z * z, _ => z };\n\n");
        text.Append("    [Differentiable]\n    public static void HScale(double c, ReadOnlySpan<double> p, Span<double> q)\n    {\n        for (int i = 0; i < p.Length; i++) q[i] = c * p[i] + Math.Sin(p[i]);\n    }\n\n");
        text.Append("    [Differentiable]\n    public static void HTanh(ReadOnlySpan<double> p, double c, Span<double> q)\n    {\n        for (int i = 0; i < q.Length; i++)\n        {\n            double v = p[i];\n            q[i] = Math.Tanh(c * v);\n        }\n    }\n\n");
        text.Append("    [Differentiable]\n    public static void HFirst(ReadOnlySpan<double> p, double c, Span<double> q)\n    {\n        for (int i = 0; i < q.Length; i++)\n        {\n            if (p[i] * c > 1) return;\n            q[i] = p[i] * c;\n        }\n    }\n\n");
        for (int i = 0; i < programs.Count; i++)
        {
            var p = programs[i];
            string body = "        " + p.Body.TrimEnd().Replace("\n", "\n        ") + "\n";
            if (p.IsVector)
            {
                text.Append($"    [Differentiable{(WithHessian(i) ? "(Hessian = true)" : "")}]\n    public static void P{i}(double x, ReadOnlySpan<double> a, int n, Span<double> y)\n    {{\n{body}    }}\n\n");
                text.Append($"    public static void P{i}Value(double[] s, int n, double[] y) => P{i}(s[0], s.AsSpan(1), n, y);\n");
                text.Append($"    public static void P{i}Jac(double[] s, int n, double[] y, double[] j) => P{i}Jacobian(s[0], s.AsSpan(1), n, y, j);\n");
                text.Append($"    public static void P{i}Pullback(double[] s, int n, double[] dy, double[] g)\n    {{\n        double dx = 0;\n" +
                            $"        P{i}Gradient(s[0], s.AsSpan(1), n, new double[dy.Length], dy, ref dx, g.AsSpan(1));\n        g[0] = dx;\n    }}\n");
                text.Append($"    public static void P{i}Push(double[] s, int n, double[] v, double[] t) => P{i}Tangent(s[0], s.AsSpan(1), n, new double[t.Length], v[0], v.AsSpan(1), t);\n\n");
                if (WithHessian(i))
                {
                    // The Hessian of dyᵀ·y over (x, a[0..4)), and the second-order pullback (H·v of dyᵀ·y, J·v written into y).
                    text.Append($"    public static void P{i}Hess(double[] s, int n, double[] dy, double[] h) => P{i}Hessian(s[0], s.AsSpan(1), n, new double[dy.Length], dy, h);\n");
                    text.Append($"    public static void P{i}Hvp(double[] s, int n, double[] y, double[] v, double[] dy, double[] hv)\n    {{\n        double hx = hv[0];\n" +
                                $"        P{i}HessianVectorProduct(s[0], s.AsSpan(1), n, y, v[0], v.AsSpan(1), dy, ref hx, hv.AsSpan(1));\n        hv[0] = hx;\n    }}\n\n");
                }
            }
            else
            {
                text.Append($"    [Differentiable{(WithHessian(i) ? "(Hessian = true)" : "")}]\n    public static double P{i}(double x, double y, ReadOnlySpan<double> a, int n)\n    {{\n{body}    }}\n\n");
                text.Append($"    public static double P{i}Value(double[] s, int n) => P{i}(s[0], s[1], s.AsSpan(2), n);\n");
                if (HasLoop(p))
                {
                    // The same program within a loop memory limit: checkpointed loops must give the same gradient bit for bit.
                    text.Append($"    [Differentiable(LoopMemoryLimit = {MemoryLimit(i)})]\n    public static double P{i}Capped(double x, double y, ReadOnlySpan<double> a, int n)\n    {{\n{body}    }}\n\n");
                    text.Append($"    public static double P{i}CappedGrad(double[] s, int n, double[] g)\n    {{\n        double dx = 0, dy = 0;\n" +
                                $"        double value = P{i}CappedGradient(s[0], s[1], s.AsSpan(2), n, ref dx, ref dy, g.AsSpan(2));\n        g[0] = dx;\n        g[1] = dy;\n        return value;\n    }}\n\n");
                }
                text.Append($"    public static double P{i}Grad(double[] s, int n, double[] g)\n    {{\n        double dx = 0, dy = 0;\n" +
                            $"        double value = P{i}Gradient(s[0], s[1], s.AsSpan(2), n, ref dx, ref dy, g.AsSpan(2));\n        g[0] = dx;\n        g[1] = dy;\n        return value;\n    }}\n\n");
                if (WithHessian(i))
                {
                    // The Hessian over (x, y, a[0..4)) and H·v with v and hv flattened the same way.
                    text.Append($"    public static double P{i}Hess(double[] s, int n, double[] h) => P{i}Hessian(s[0], s[1], s.AsSpan(2), n, h);\n");
                    text.Append($"    public static double P{i}Hvp(double[] s, int n, double[] v, double[] hv)\n    {{\n        double hx = hv[0], hy = hv[1];\n" +
                                $"        double value = P{i}HessianVectorProduct(s[0], s[1], s.AsSpan(2), n, v[0], v[1], v.AsSpan(2), ref hx, ref hy, hv.AsSpan(2));\n" +
                                "        hv[0] = hx;\n        hv[1] = hy;\n        return value;\n    }\n\n");
                }
            }
        }
        return text.Append("}\n").ToString();
    }

    /// <summary>Every other program also gets Hessian = true (a vector one the Hessian of dyᵀ·y).</summary>
    private static bool WithHessian(int i) => i % 2 == 0;

    private static bool HasLoop(Program p) => !p.IsVector && (p.Body.Contains("for (", StringComparison.Ordinal) || p.Body.Contains("while (", StringComparison.Ordinal));

    /// <summary>
    /// Limits so small that loops of a few iterations are cut into segments of one, two or four iterations with one to
    /// four checkpoints: the binomial schedule's restores, stores and runs forward all happen.
    /// </summary>
    private static int MemoryLimit(int i) => new[] { 1, 40, 64, 100, 160 }[i % 5];

    private sealed class Counts
    {
        public int Programs, Compilations, Scalar, Vector, OnePass, Entries, Unreliable, HessianPrograms, HessianEntries, Capped;
        public readonly int[] PerShape = new int[Shapes.Length];
    }

    private static bool Close(double actual, double expected, double tolerance) =>
        Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Max(Math.Abs(actual), Math.Abs(expected)));

    /// <summary>Central differences of every output along coordinate j, or null when steps h and 2h disagree (a branch switches nearby).</summary>
    private static double[]? Column(Func<double[], double[]> f, double[] s, int j)
    {
        double[] Diff(double h)
        {
            double[] plus = (double[])s.Clone(), minus = (double[])s.Clone();
            plus[j] += h;
            minus[j] -= h;
            double[] up = f(plus), down = f(minus);
            return up.Select((u, k) => (u - down[k]) / (plus[j] - minus[j])).ToArray();
        }
        double h1 = 1e-6 * Math.Max(1, Math.Abs(s[j]));
        double[] d1 = Diff(h1), d2 = Diff(2 * h1);
        return d1.Zip(d2).All(p => Close(p.First, p.Second, 1e-5)) ? d1 : null;
    }

    private static List<string> Check(Type type, int i, Program p, Random r, Counts counts)
    {
        var failures = new List<string>();
        T Get<T>(string name) where T : Delegate =>
            type.GetMethod(name, typeof(T).GetMethod("Invoke")!.GetParameters().Select(q => q.ParameterType).ToArray())!.CreateDelegate<T>();
        int width = p.IsVector ? 1 + ArrayLength : 2 + ArrayLength;
        var s = Enumerable.Range(0, width).Select(_ => (double)(float)(r.NextDouble() * 3 - 1.5)).ToArray();
        string at = $"at s = [{string.Join(", ", s.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]\n  P{i} {p}";
        if (!p.IsVector)
        {
            var value = Get<Func<double[], int, double>>($"P{i}Value");
            var gradient = Get<Func<double[], int, double[], double>>($"P{i}Grad");
            double v = value(s, p.N);
            var g = new double[width];
            double returned = gradient(s, p.N, g);
            if (!v.Equals(returned)) failures.Add($"the gradient returned {returned:R}, the method {v:R} {at}");
            if (HasLoop(p))
            {
                var capped = new double[width];
                double cappedValue = Get<Func<double[], int, double[], double>>($"P{i}CappedGrad")(s, p.N, capped);
                if (!cappedValue.Equals(returned) || !capped.SequenceEqual(g))
                {
                    failures.Add($"within LoopMemoryLimit = {MemoryLimit(i)}: {cappedValue:R} and [{string.Join(", ", capped.Select(c => c.ToString("R", CultureInfo.InvariantCulture)))}], " +
                                 $"not {returned:R} and [{string.Join(", ", g.Select(c => c.ToString("R", CultureInfo.InvariantCulture)))}] {at}");
                }
                Interlocked.Increment(ref counts.Capped);
            }
            if (!double.IsFinite(v) || Math.Abs(v) > 1e12) return failures;
            for (int j = 0; j < width; j++)
            {
                if (Column(q => new[] { value(q, p.N) }, s, j) is not { } fd)
                {
                    Interlocked.Increment(ref counts.Unreliable);
                    return failures;
                }
                if (!Close(g[j], fd[0], 1e-4)) failures.Add($"∂/∂s[{j}] = {g[j]:R}, finite difference {fd[0]:R} {at}");
            }
            Interlocked.Increment(ref counts.Scalar);
            Interlocked.Add(ref counts.Entries, width);
            if (WithHessian(i))
            {
                var hessian = Get<Func<double[], int, double[], double>>($"P{i}Hess");
                var product = Get<Func<double[], int, double[], double[], double>>($"P{i}Hvp");
                double[] Gradient(double[] q)
                {
                    var gq = new double[width];
                    gradient(q, p.N, gq);
                    return gq;
                }
                int entries = HessianCheck.Check(s, v, Gradient, null, h => hessian(s, p.N, h), (d, hv) => product(s, p.N, d, hv), failures, at, 1e-4);
                if (entries > 0)
                {
                    Interlocked.Increment(ref counts.HessianPrograms);
                    Interlocked.Add(ref counts.HessianEntries, entries);
                }
            }
            return failures;
        }

        int m = p.Outputs;
        var run = Get<Action<double[], int, double[]>>($"P{i}Value");
        var jacobianOf = Get<Action<double[], int, double[], double[]>>($"P{i}Jac");
        var pullback = Get<Action<double[], int, double[], double[]>>($"P{i}Pullback");
        var push = Get<Action<double[], int, double[], double[]>>($"P{i}Push");
        double[] Outputs(double[] q)
        {
            var y = Enumerable.Range(0, m).Select(k => 0.5 + k).ToArray();   // what an unwritten element keeps
            run(q, p.N, y);
            return y;
        }
        var y0 = Outputs(s);
        if (y0.Any(e => !double.IsFinite(e) || Math.Abs(e) > 1e12)) return failures;
        var yj = Enumerable.Range(0, m).Select(k => 0.5 + k).ToArray();
        var jacobian = Enumerable.Repeat(double.NaN, m * width).ToArray();
        jacobianOf(s, p.N, yj, jacobian);
        if (!y0.SequenceEqual(yj)) failures.Add($"the Jacobian wrote y = [{string.Join(", ", yj)}], the method [{string.Join(", ", y0)}] {at}");
        var columns = new double[width][];
        for (int j = 0; j < width; j++)
        {
            if (Column(Outputs, s, j) is not { } fd)
            {
                Interlocked.Increment(ref counts.Unreliable);
                return failures;
            }
            columns[j] = fd;
        }
        for (int row = 0; row < m; row++)
        {
            for (int j = 0; j < width; j++)
            {
                if (!Close(jacobian[row * width + j], columns[j][row], 1e-4))
                {
                    failures.Add($"J[{row}, {j}] = {jacobian[row * width + j]:R}, finite difference {columns[j][row]:R} ({(m <= width ? "rows" : "columns")}) {at}");
                }
            }
        }
        var seed = Enumerable.Range(0, m).Select(k => 0.75 - 0.5 * k).ToArray();
        var dy = (double[])seed.Clone();
        var vjp = new double[width];
        pullback(s, p.N, dy, vjp);
        for (int j = 0; j < width; j++)
        {
            double expected = Enumerable.Range(0, m).Sum(row => seed[row] * jacobian[row * width + j]);
            if (!Close(vjp[j], expected, 1e-9)) failures.Add($"(dyᵀJ)[{j}] = {vjp[j]:R} from the pullback, {expected:R} from the Jacobian {at}");
        }
        if (dy.Any(d => d != 0)) failures.Add($"the pullback left dy = [{string.Join(", ", dy)}] {at}");
        if (WithHessian(i))
        {
            var hessian = Get<Action<double[], int, double[], double[]>>($"P{i}Hess");
            var product = Get<Action<double[], int, double[], double[], double[], double[]>>($"P{i}Hvp");
            double[] Pullback(double[] q)
            {
                var gq = new double[width];
                pullback(q, p.N, (double[])seed.Clone(), gq);
                return gq;
            }
            int entries = HessianCheck.Check(s, null, Pullback, null, h => { hessian(s, p.N, (double[])seed.Clone(), h); return null; },
                (d, hv) =>
                {
                    var weights = (double[])seed.Clone();
                    var jv = Enumerable.Repeat(double.NaN, m).ToArray();
                    product(s, p.N, jv, d, weights, hv);
                    for (int row = 0; row < m; row++)
                    {
                        double expected = Enumerable.Range(0, width).Sum(j => jacobian[row * width + j] * d[j]);
                        if (!Close(jv[row], expected, 1e-9)) failures.Add($"(J·v)[{row}] = {jv[row]:R} written by H·v, {expected:R} from the Jacobian {at}");
                    }
                    if (weights.Any(w => w != 0)) failures.Add($"H·v left dy = [{string.Join(", ", weights)}] {at}");
                    return null;
                }, failures, at, 1e-4);
            if (entries > 0)
            {
                Interlocked.Increment(ref counts.HessianPrograms);
                Interlocked.Add(ref counts.HessianEntries, entries);
            }
        }
        var direction = Enumerable.Range(0, width).Select(k => 1.0 - 0.25 * k).ToArray();
        var tangent = Enumerable.Repeat(double.NaN, m).ToArray();
        push(s, p.N, direction, tangent);
        for (int row = 0; row < m; row++)
        {
            double expected = Enumerable.Range(0, width).Sum(j => jacobian[row * width + j] * direction[j]);
            if (!Close(tangent[row], expected, 1e-9)) failures.Add($"(J·v)[{row}] = {tangent[row]:R} from the tangent, {expected:R} from the Jacobian {at}");
        }
        Interlocked.Increment(ref counts.Vector);
        Interlocked.Add(ref counts.Entries, m * width);
        return failures;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    [Fact]
    public void RandomProgramsOfEveryShapeMatchFiniteDifferences()
    {
        int programs = Setting("SYMBOLICDIFF_PROPERTY_PROGRAMS", DefaultPrograms);
        int seed = Setting("SYMBOLICDIFF_PROPERTY_SEED", DefaultSeed);
        string settings = $"SYMBOLICDIFF_PROPERTY_PROGRAMS={programs} SYMBOLICDIFF_PROPERTY_SEED={seed}";
        _output.WriteLine(settings);
        Console.WriteLine(settings);
        var counts = new Counts();
        var failures = new List<string>();
        int batches = (programs + ProgramsPerCompilation - 1) / ProgramsPerCompilation;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, batch =>
        {
            // Each batch has its own generator, seeded from (seed, batch): any batch can be rerun alone.
            var r = new Random(unchecked(seed * 7919 + batch * 104729));
            int count = Math.Min(ProgramsPerCompilation, programs - batch * ProgramsPerCompilation);
            var shapes = Enumerable.Range(0, count).Select(k => (batch * ProgramsPerCompilation + k) % Shapes.Length).ToArray();
            var list = shapes.Select(k => Shapes[k].Make(r)).ToList();
            var found = CompileAndCheck(list, r, counts, batch);
            lock (failures) failures.AddRange(found);
            Interlocked.Add(ref counts.Programs, count);
            lock (counts.PerShape) foreach (int k in shapes) counts.PerShape[k]++;
            if (Environment.GetEnvironmentVariable("SYMBOLICDIFF_PROPERTY_LOG") is { Length: > 0 } log)
            {
                // Progress of a long run, readable while it goes.
                lock (failures) System.IO.File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss} batch {batch}: {counts.Programs} programs done, {failures.Count} mismatches\n");
            }
        });
        string summary = $"{counts.Programs} programs in {counts.Compilations} compilations ({settings}), {clock.Elapsed.TotalSeconds:F0} s: " +
                         $"{counts.Scalar} scalar and {counts.Vector} vector programs checked ({counts.Entries} derivatives; {counts.OnePass} programs' Jacobians all rows in one backward pass), " +
                         $"{counts.HessianPrograms} Hessians checked ({counts.HessianEntries} Hessian entries), " +
                         $"{counts.Capped} loop programs within a LoopMemoryLimit equal to full storage, " +
                         $"{counts.Unreliable} skipped where a branch switches within a finite-difference step; {failures.Count} mismatches. Per shape: " +
                         string.Join(", ", Shapes.Select((s, k) => $"{s.Name} {counts.PerShape[k]}"));
        _output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches ({settings}):\n" + string.Join("\n", failures.Take(10)));
        Assert.True(counts.Scalar + counts.Vector >= programs * 3 / 4, summary);
        Assert.True(counts.HessianPrograms >= programs / 3, summary);   // about half the programs
    }

    private static List<string> CompileAndCheck(List<Program> programs, Random r, Counts counts, int batch)
    {
        string source = Source(programs);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(source), out var output, out var generatorDiagnostics);
        using var stream = new System.IO.MemoryStream();
        var emit = output.Emit(stream);
        var errors = generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || d.Id == "CS8785")
            .Concat(emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true))).ToList();
        if (errors.Count > 0)
        {
            var culprit = Regex.Match(errors[0].ToString(), @"\.P(\d+)_");
            string detail = culprit.Success ? $"P{culprit.Groups[1].Value} {programs[int.Parse(culprit.Groups[1].Value, CultureInfo.InvariantCulture)]}\n" +
                output.SyntaxTrees.First(t => t.FilePath.Contains($".P{culprit.Groups[1].Value}_", StringComparison.Ordinal)) : source;
            return new List<string> { $"batch {batch}: " + string.Join("\n", errors.Take(5)) + "\n" + detail };
        }
        Interlocked.Increment(ref counts.Compilations);
        stream.Position = 0;
        var context = new System.Runtime.Loader.AssemblyLoadContext("ShapePropertyTest", isCollectible: true);
        using var loaded = new LoadedAssembly(context, context.LoadFromStream(stream));
        var type = loaded.Assembly.GetType("Random.Programs")!;
        var failures = new List<string>();
        for (int i = 0; i < programs.Count; i++)
        {
            if (programs[i].Shape == OnePassShape)
            {
                Interlocked.Increment(ref counts.OnePass);
                string generated = output.SyntaxTrees.First(t => t.FilePath.Contains($".P{i}_", StringComparison.Ordinal)).ToString();
                // (Unless constant conditions folded away every write of y[1]: then only row 0 can be nonzero.)
                if (!generated.Contains("all rows in one backward pass") && generated.Contains("y[1] = "))
                {
                    failures.Add($"batch {batch}: P{i} writes y[0] and y[1] only, but its Jacobian does not take them in one backward pass {programs[i]}");
                }
            }
            try
            {
                failures.AddRange(Check(type, i, programs[i], r, counts).Select(f => $"batch {batch}: {f}"));
            }
            catch (Exception ex)
            {
                failures.Add($"batch {batch}: P{i} threw {(ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex).GetType().Name} {programs[i]}");
            }
        }
        return failures;
    }
}
