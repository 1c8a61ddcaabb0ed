using System;
using System.Collections.Generic;
using System.IO;

namespace SymbolicDiff.Samples.Data;

/// <summary>Reader for the CoNLL column format (one token per line, blank lines between sentences).</summary>
public static class Conll
{
    /// <summary>
    /// Reads sentences: the token is the first whitespace-separated column and the tag the last; blank lines end a
    /// sentence; <c>-DOCSTART-</c> lines are skipped. A line with a single column gets the tag <c>O</c>.
    /// </summary>
    /// <param name="reader">Source text.</param>
    /// <returns>Sentences, each an array of (word, tag) pairs; never contains an empty sentence.</returns>
    public static List<(string Word, string Tag)[]> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sentences = new List<(string Word, string Tag)[]>();
        var current = new List<(string Word, string Tag)>();
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            string trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                Flush();
                continue;
            }
            string[] cols = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (cols[0] == "-DOCSTART-")
            {
                Flush();
                continue;
            }
            current.Add((cols[0], cols.Length > 1 ? cols[^1] : "O"));
        }
        Flush();
        return sentences;

        void Flush()
        {
            if (current.Count > 0) sentences.Add(current.ToArray());
            current.Clear();
        }
    }

    /// <summary>Reads a CoNLL file from disk.</summary>
    /// <param name="path">File path.</param>
    /// <returns>Sentences of (word, tag) pairs.</returns>
    public static List<(string Word, string Tag)[]> ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader);
    }
}

/// <summary>
/// A tiny English NER corpus written for this project (generated from templates and invented name lists by
/// <c>tools/make_ner_tiny.py</c>; not taken from any dataset). Tags: O, PER, LOC, ORG, MISC.
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
        using var reader = new StreamReader(stream);
        return Conll.Read(reader);
    }
}
