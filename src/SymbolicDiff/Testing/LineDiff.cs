using System;
using System.Collections.Generic;
using System.Text;

namespace SymbolicDiff.Testing;

/// <summary>A readable line diff for snapshot failures: lines removed (-) and added (+), with two lines of context.</summary>
internal static class LineDiff
{
    private const int Context = 2, MaxLines = 60;

    public static string Describe(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        var edits = Edits(a, b);
        var text = new StringBuilder("--- verified\n+++ received\n");
        int written = 0;
        for (int k = 0; k < edits.Count && written < MaxLines; k++)
        {
            if (edits[k].Kind == ' ' && !Near(edits, k))
            {
                continue;
            }
            if (k > 0 && edits[k - 1].Kind == ' ' && !Near(edits, k - 1) && written > 2)
            {
                text.Append("...\n");
            }
            var (kind, line, number) = edits[k];
            text.Append(kind).Append(' ').Append(number.ToString().PadLeft(4)).Append(" | ").Append(line).Append('\n');
            written++;
        }
        if (written >= MaxLines)
        {
            text.Append("... (diff cut; compare the two files)\n");
        }
        return text.ToString();
    }

    private static bool Near(List<(char Kind, string Line, int Number)> edits, int k)
    {
        for (int j = Math.Max(0, k - Context); j <= Math.Min(edits.Count - 1, k + Context); j++)
        {
            if (edits[j].Kind != ' ')
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Longest-common-subsequence edit script; line numbers are the verified file's for -, the received file's otherwise.</summary>
    private static List<(char Kind, string Line, int Number)> Edits(string[] a, string[] b)
    {
        // Snapshots are small; past this size compare only up to the first difference's neighbourhood cheaply.
        if ((long)a.Length * b.Length > 4_000_000)
        {
            int first = 0;
            while (first < a.Length && first < b.Length && a[first] == b[first]) first++;
            var result = new List<(char, string, int)>();
            if (first < a.Length) result.Add(('-', a[first], first + 1));
            if (first < b.Length) result.Add(('+', b[first], first + 1));
            return result;
        }
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var edits = new List<(char, string, int)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                edits.Add((' ', a[x], y + 1));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                edits.Add(('-', a[x], x + 1));
                x++;
            }
            else
            {
                edits.Add(('+', b[y], y + 1));
                y++;
            }
        }
        return edits;
    }
}
