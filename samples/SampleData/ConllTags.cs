using System;
using System.Collections.Generic;
using System.Linq;

namespace SymbolicDiff.Samples.Data;

/// <summary>
/// Tag schemes of CoNLL files and entity chunks by conlleval's rules. All schemes are read into IOB2 (B- starts every
/// entity, I- continues it) with one rule: a token starts an entity when its prefix is B- or S-, or when the previous
/// token's type differs. That rule reads IOB1, IOB2, BIOES and bare types (IO) alike.
/// </summary>
public static class ConllTags
{
    /// <summary>The entity type of a tag: <c>B-LOC</c>, <c>I-LOC</c>, <c>E-LOC</c>, <c>S-LOC</c> and <c>LOC</c> → <c>LOC</c>; <c>O</c> → null.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The type, or null for O.</returns>
    public static string? Type(string tag) =>
        tag == "O" ? null : tag.Length > 2 && tag[1] == '-' && "BIES".Contains(tag[0], StringComparison.Ordinal) ? tag[2..] : tag;

    private static char Prefix(string tag) => tag.Length > 2 && tag[1] == '-' ? tag[0] : tag == "O" ? 'O' : ' ';

    /// <summary>The scheme the tags are written in: BIOES (E- or S- occur), IO (no prefixes), IOB1 (some entity starts with I-) or IOB2.</summary>
    /// <param name="sentences">Tag sequences.</param>
    /// <returns>"BIOES", "IO", "IOB1" or "IOB2".</returns>
    public static string Scheme(IEnumerable<IReadOnlyList<string>> sentences)
    {
        bool prefixed = false, iStarts = false;
        foreach (var tags in sentences)
        {
            for (int i = 0; i < tags.Count; i++)
            {
                char p = Prefix(tags[i]);
                if (p is 'E' or 'S')
                {
                    return "BIOES";
                }
                prefixed |= p is 'B' or 'I';
                iStarts |= p == 'I' && (i == 0 || Type(tags[i - 1]) != Type(tags[i]));
            }
        }
        return !prefixed ? "IO" : iStarts ? "IOB1" : "IOB2";
    }

    /// <summary>The tags in IOB2, whatever their scheme.</summary>
    /// <param name="tags">Tags of one sentence.</param>
    /// <returns>O, B-TYPE or I-TYPE per token.</returns>
    public static string[] ToIob2(IReadOnlyList<string> tags)
    {
        var result = new string[tags.Count];
        for (int i = 0; i < tags.Count; i++)
        {
            string? type = Type(tags[i]);
            bool starts = Prefix(tags[i]) is 'B' or 'S' || i == 0 || Type(tags[i - 1]) != type;
            result[i] = type is null ? "O" : (starts ? "B-" : "I-") + type;
        }
        return result;
    }

    /// <summary>
    /// The entities of one sentence by conlleval's chunk rules for IOB tags: an entity ends at O, at B- and where the type
    /// changes; an I- that follows O or another type starts one. The end index is exclusive.
    /// </summary>
    /// <param name="tags">Tags of one sentence (IOB1 or IOB2).</param>
    /// <returns>(start, end, type) per entity.</returns>
    public static List<(int Start, int End, string Type)> Chunks(IReadOnlyList<string> tags)
    {
        var chunks = new List<(int Start, int End, string Type)>();
        int start = -1;
        string? open = null;
        for (int i = 0; i <= tags.Count; i++)
        {
            string tag = i < tags.Count ? tags[i] : "O";
            string? type = Type(tag);
            if (open is not null && (type is null || Prefix(tag) == 'B' || type != open))
            {
                chunks.Add((start, i, open));
                open = null;
            }
            if (type is not null && open is null)
            {
                (start, open) = (i, type);
            }
        }
        return chunks;
    }

    /// <summary>The types found in the tags, in ordinal order.</summary>
    /// <param name="sentences">Tag sequences.</param>
    /// <returns>Distinct entity types.</returns>
    public static string[] Types(IEnumerable<IReadOnlyList<string>> sentences) =>
        sentences.SelectMany(s => s).Select(Type).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
}
