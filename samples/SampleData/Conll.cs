using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Unicode;

namespace SymbolicDiff.Samples.Data;

/// <summary>A CoNLL file as read: its sentences and what was skipped.</summary>
/// <param name="Name">The file name used in messages.</param>
/// <param name="Sentences">Sentences, each an array of (word, tag) pairs with the tags as written; never an empty sentence.</param>
/// <param name="Columns">Columns per token line (2 for token–tag files, 4 for CoNLL-2003).</param>
/// <param name="Skipped">Malformed lines skipped (only in lenient mode; otherwise the first one throws).</param>
/// <param name="FirstSkipped">The first skipped line's message, or null.</param>
public sealed record ConllFile(string Name, List<(string Word, string Tag)[]> Sentences, int Columns, int Skipped, string? FirstSkipped)
{
    /// <summary>"skipped N malformed lines in FILE (first: …)", or null when nothing was skipped.</summary>
    public string? Warning => Skipped == 0 ? null : $"warning: skipped {Skipped} malformed line{(Skipped == 1 ? "" : "s")} in {Name} (first: {FirstSkipped})";
}

/// <summary>
/// Reader for the CoNLL column format: one token per line, the token in the first column and the tag in the last, a blank
/// line between sentences, <c>-DOCSTART-</c> lines skipped. Columns are tab-separated when the line holds a tab (so a token
/// may contain a space), otherwise separated by runs of spaces. Every token line of a file must have the same number of
/// columns (at least two) and a tag that is <c>O</c>, <c>B-/I-/E-/S-TYPE</c> or a bare <c>TYPE</c>. The text must be UTF-8.
/// </summary>
public static class Conll
{
    /// <summary>Reads a CoNLL file; a malformed line throws a <see cref="DataFormatException"/> naming file and line, or is skipped and counted when <paramref name="lenient"/>.</summary>
    /// <param name="path">File path (used as the name in messages).</param>
    /// <param name="lenient">Skip malformed lines instead of rejecting the file.</param>
    /// <returns>The sentences.</returns>
    public static ConllFile ReadFile(string path, bool lenient = false) => Read(File.ReadAllBytes(path), path, lenient);

    /// <summary>Reads CoNLL text from bytes (UTF-8, an optional BOM, LF or CRLF line ends).</summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="name">The name used in messages.</param>
    /// <param name="lenient">Skip malformed lines instead of rejecting the file.</param>
    /// <returns>The sentences.</returns>
    public static ConllFile Read(ReadOnlySpan<byte> bytes, string name, bool lenient = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        bool empty = bytes.IsEmpty;
        var sentences = new List<(string Word, string Tag)[]>();
        var current = new List<(string Word, string Tag)>();
        int columns = 0, columnsLine = 0, skipped = 0, lineNumber = 0, bareTagLine = 0, prefixedTagLine = 0;
        string? firstSkipped = null;
        while (!bytes.IsEmpty || lineNumber == 0)
        {
            lineNumber++;
            int end = bytes.IndexOf((byte)'\n');
            ReadOnlySpan<byte> raw = end < 0 ? bytes : bytes[..end];
            bytes = end < 0 ? ReadOnlySpan<byte>.Empty : bytes[(end + 1)..];
            if (raw.EndsWith("\r"u8))
            {
                raw = raw[..^1];
            }
            string? problem = ReadLine(raw, out var token);
            if (problem is not null)
            {
                if (!lenient)
                {
                    throw new DataFormatException($"{name}:{lineNumber}: {problem}");
                }
                skipped++;
                firstSkipped ??= $"line {lineNumber}: {problem}";
            }
            else if (token is null)
            {
                Flush();
            }
            else
            {
                current.Add(token.Value);
            }
            if (end < 0)
            {
                break;
            }
        }
        Flush();
        if (sentences.Count == 0)
        {
            throw new DataFormatException(skipped > 0 ? $"{name}: no valid token lines ({skipped} malformed lines skipped; first: {firstSkipped})"
                : $"{name}: no sentences (expected lines of token and tag columns; the file is {(empty ? "empty" : "blank")})");
        }
        return new ConllFile(name, sentences, columns, skipped, firstSkipped);

        // Returns a problem, or null with the token (null for a sentence break).
        string? ReadLine(ReadOnlySpan<byte> raw, out (string Word, string Tag)? token)
        {
            token = null;
            var chars = new char[raw.Length];
            if (Utf8.ToUtf16(raw, chars, out int read, out int written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
            {
                return $"not UTF-8 text (byte 0x{raw[read]:X2} at column {read + 1})";
            }
            string line = new(chars, 0, written);
            foreach (char ch in line)
            {
                if (char.IsControl(ch) && ch != '\t')   // C0, DEL and C1 controls other than tab mark binary data
                {
                    return $"binary data (control character U+{(int)ch:X4})";
                }
            }
            if (line.Trim().Length == 0)
            {
                return null;
            }
            string[] cols = line.Contains('\t') ? line.TrimEnd().Split('\t') : line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cols[0].Trim() == "-DOCSTART-")
            {
                return null;
            }
            if (cols.Length < 2)
            {
                return $"no tag column (expected a token and a tag, found one column '{Shorten(line)}')";
            }
            if (columns == 0)
            {
                columns = cols.Length;
                columnsLine = lineNumber;
            }
            else if (cols.Length != columns)
            {
                return $"expected {columns} columns like line {columnsLine}, found {cols.Length}";
            }
            string tag = cols[^1].Trim();
            if (!IsTag(tag, out bool prefixed))
            {
                return $"'{Shorten(tag)}' is not a tag (expected O, B-/I-/E-/S-TYPE or TYPE)";
            }
            if (tag != "O")
            {
                if (prefixed)
                {
                    prefixedTagLine = prefixedTagLine == 0 ? lineNumber : prefixedTagLine;
                }
                else
                {
                    bareTagLine = bareTagLine == 0 ? lineNumber : bareTagLine;
                }
                int other = prefixed ? bareTagLine : prefixedTagLine;
                if (other != 0)
                {
                    return $"tag '{tag}' mixes schemes: line {other} has a tag {(prefixed ? "without" : "with")} a B-/I- prefix";
                }
            }
            token = (cols[0], tag);
            return null;
        }

        void Flush()
        {
            if (current.Count > 0)
            {
                sentences.Add(current.ToArray());
            }
            current.Clear();
        }
    }

    /// <summary>O, PREFIX-TYPE with a B/I/E/S prefix, or a bare TYPE: a letter, then letters, digits, '_', '-' or '.'.</summary>
    private static bool IsTag(string tag, out bool prefixed)
    {
        prefixed = tag.Length > 2 && tag[1] == '-' && "BIES".Contains(tag[0], StringComparison.Ordinal);
        string type = prefixed ? tag[2..] : tag;
        return type.Length > 0 && char.IsLetter(type[0]) && type.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.');
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}

/// <summary>
/// A tiny English NER corpus written for this project (generated from templates and invented name lists by
/// <c>tools/make_ner_tiny.py</c>; not taken from any dataset). Tags: O, PER, LOC, ORG, MISC (bare types, the IO scheme).
/// </summary>
public static class NerTiny
{
    /// <summary>The five tags, in a fixed order suitable for class indices.</summary>
    public static IReadOnlyList<string> Tags { get; } = ["O", "PER", "LOC", "ORG", "MISC"];

    /// <summary>Loads the embedded corpus.</summary>
    /// <returns>Sentences of (word, tag) pairs.</returns>
    public static List<(string Word, string Tag)[]> Load()
    {
        using Stream stream = typeof(NerTiny).Assembly.GetManifestResourceStream("ner-tiny.conll")
            ?? throw new InvalidOperationException("Embedded resource ner-tiny.conll is missing.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return Conll.Read(memory.ToArray(), "ner-tiny.conll").Sentences;
    }
}
