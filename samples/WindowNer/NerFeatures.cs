using System;
using System.Collections.Generic;
using System.Linq;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>
/// What the window model sees of a token: a word id (lower-cased, digits folded to 0; words seen fewer than
/// <see cref="MinCount"/> times in training share <c>&lt;unk&gt;</c>, so that vector is trained on rare words and stands
/// for unseen ones), a shape id (the casing and character class lower-casing removed, and whether the token starts the
/// sentence, since a capital there says less), a casing class (how often the word is written in lower case in
/// training, so that a capitalised "Listen" or "However" is told from a name) and, for the centre word, the ids of its
/// first and last one to four characters (affixes such as "-son", "-ville" or "mc-" hint at a type even for a word never
/// seen in training).
/// </summary>
public sealed class NerFeatures
{
    /// <summary>Window padding (word and shape).</summary>
    public const int Pad = 0;

    /// <summary>The unknown word.</summary>
    public const int Unknown = 1;

    /// <summary>Training words rarer than this are replaced by <c>&lt;unk&gt;</c>.</summary>
    public const int MinCount = 2;

    /// <summary>The window reaches this many tokens to each side of the centre.</summary>
    public const int Reach = 2;

    /// <summary>Tokens in a window.</summary>
    public const int Width = 2 * Reach + 1;

    private enum Shape
    {
        Lower, Capitalized, Upper, Mixed, Digits, Alphanumeric, Punctuation, At, Mention, Hashtag, Url, Other,
    }

    /// <summary>
    /// How a word is written in training: seen fewer than <see cref="MinCount"/> times (or never), or the share of its
    /// occurrences without a capital letter above 90%, 50–90%, 10–50%, below 10%.
    /// </summary>
    public const int CasingClasses = 5;

    /// <summary>Distinct shape ids, padding included.</summary>
    public static int ShapeCount => 1 + 2 * Enum.GetValues<Shape>().Length;

    /// <summary>The longest prefix and suffix of the centre word that gets an affix id.</summary>
    public const int AffixLength = 4;

    /// <summary>Affix ids per window: the centre word's prefixes of 1 to <see cref="AffixLength"/> characters, then its suffixes.</summary>
    public const int Affixes = 2 * AffixLength;

    /// <summary>Ids per window: <see cref="Width"/> words, <see cref="Width"/> shapes, <see cref="Width"/> casing classes, <see cref="Affixes"/> affixes.</summary>
    public const int IdsPerWindow = 3 * Width + Affixes;

    private readonly Dictionary<string, int> _words;
    private readonly Dictionary<string, int> _affixes;
    private readonly Dictionary<string, int> _casing;

    private NerFeatures(Dictionary<string, int> words, Dictionary<string, int> affixes, Dictionary<string, int> casing) =>
        (_words, _affixes, _casing) = (words, affixes, casing);

    /// <summary>
    /// Word and affix ids from the training sentences (0 pads, 1 is <c>&lt;unk&gt;</c>, then each word or affix seen at
    /// least <see cref="MinCount"/> times) and the casing class of each word seen that often.
    /// </summary>
    public static NerFeatures FromTraining(IEnumerable<(string Word, string Tag)[]> train)
    {
        var tokens = train.SelectMany(s => s).Select(p => p.Word).ToList();
        var casing = tokens.GroupBy(Key).Where(g => g.Count() >= MinCount)
            .ToDictionary(g => g.Key, g => CasingClass(g.Count(w => !w.Any(char.IsUpper)) / (double)g.Count()));
        return new NerFeatures(Ids(tokens.Select(Key)), Ids(tokens.SelectMany(AffixKeys)), casing);

        static int CasingClass(double lowerShare) => lowerShare > 0.9 ? 1 : lowerShare > 0.5 ? 2 : lowerShare > 0.1 ? 3 : 4;

        // 0 pads, 1 is unknown, then each key seen at least MinCount times.
        static Dictionary<string, int> Ids(IEnumerable<string> keys)
        {
            var ids = new Dictionary<string, int> { ["<pad>"] = Pad, ["<unk>"] = Unknown };
            foreach (string key in keys.GroupBy(k => k).Where(g => g.Count() >= MinCount).Select(g => g.Key).Order(StringComparer.Ordinal))
            {
                ids.Add(key, ids.Count);
            }
            return ids;
        }
    }

    /// <summary>The first casing id in the feature table (after the shapes).</summary>
    public static int CasingStart => ShapeCount;

    /// <summary>The first affix id in the feature table (after the shapes and the casing classes).</summary>
    public static int AffixStart => ShapeCount + CasingClasses;

    /// <summary>Rows of the feature table: the shape ids, the casing ids, then the affix ids.</summary>
    public int FeatureCount => AffixStart + _affixes.Count;

    /// <summary>The affix keys of a token: "&lt;" + its first 1 to <see cref="AffixLength"/> characters, then its last 1 to <see cref="AffixLength"/> + "&gt;" (the whole key when shorter).</summary>
    public static IEnumerable<string> AffixKeys(string token)
    {
        string key = Key(token);
        for (int n = 1; n <= AffixLength; n++)
        {
            yield return "<" + key[..Math.Min(n, key.Length)];
        }
        for (int n = 1; n <= AffixLength; n++)
        {
            yield return key[Math.Max(0, key.Length - n)..] + ">";
        }
    }

    /// <summary>Rows of the word embedding table.</summary>
    public int WordCount => _words.Count;

    /// <summary>The word id of a token (<see cref="Unknown"/> when not in the vocabulary).</summary>
    public int Word(string token) => _words.TryGetValue(Key(token), out int id) ? id : Unknown;

    /// <summary>The vocabulary key: lower case, every digit 0, web addresses one word.</summary>
    public static string Key(string token) =>
        IsUrl(token) ? "<url>" : string.Create(token.Length, token, (span, t) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = char.IsDigit(t[i]) ? '0' : char.ToLowerInvariant(t[i]);
            }
        });

    /// <summary>The shape id of a token at position <paramref name="index"/> of its sentence (never <see cref="Pad"/>).</summary>
    public static int ShapeId(string token, int index) => 1 + 2 * (int)ShapeOf(token) + (index == 0 ? 1 : 0);

    /// <summary>The casing class of a token's word in training: 0 when seen fewer than <see cref="MinCount"/> times, else 1 (almost always lower case) to 4 (almost always capitalised).</summary>
    public int CasingClass(string token) => _casing.GetValueOrDefault(Key(token));

    private static Shape ShapeOf(string token)
    {
        if (token.Length == 0) return Shape.Other;
        if (IsUrl(token)) return Shape.Url;
        if (token == "@") return Shape.At;
        if (token.Length > 1 && token[0] == '@') return Shape.Mention;
        if (token.Length > 1 && token[0] == '#') return Shape.Hashtag;
        int upper = token.Count(char.IsUpper), lower = token.Count(char.IsLower), digits = token.Count(char.IsDigit);
        int letters = upper + lower;
        if (letters == 0 && digits == 0) return token.All(char.IsPunctuation) || token.All(c => char.IsPunctuation(c) || char.IsSymbol(c)) ? Shape.Punctuation : Shape.Other;
        if (digits > 0) return letters == 0 ? Shape.Digits : Shape.Alphanumeric;
        if (upper == 0) return Shape.Lower;
        if (lower == 0) return upper == 1 ? Shape.Capitalized : Shape.Upper;
        return char.IsUpper(token[0]) && upper == 1 ? Shape.Capitalized : Shape.Mixed;
    }

    private static bool IsUrl(string token) =>
        token.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || token.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || token.StartsWith("www.", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The ids of the window around each token: <see cref="Width"/> word ids, <see cref="Width"/> shape ids and
    /// <see cref="Width"/> casing ids (<see cref="Pad"/> beyond the sentence), then the centre word's <see cref="Affixes"/>
    /// affix ids. Shapes, casing classes and affixes are rows of one feature table (<see cref="CasingStart"/>,
    /// <see cref="AffixStart"/>); an affix seen fewer than <see cref="MinCount"/> times in training is <see cref="AffixStart"/> + <see cref="Unknown"/>.
    /// </summary>
    public int[][] Windows((string Word, string Tag)[] sentence)
    {
        var windows = new int[sentence.Length][];
        for (int i = 0; i < sentence.Length; i++)
        {
            var ids = new int[IdsPerWindow];
            for (int k = -Reach; k <= Reach; k++)
            {
                int j = i + k;
                bool inside = j >= 0 && j < sentence.Length;
                ids[k + Reach] = inside ? Word(sentence[j].Word) : Pad;
                ids[Width + k + Reach] = inside ? ShapeId(sentence[j].Word, j) : Pad;
                ids[2 * Width + k + Reach] = inside ? CasingStart + CasingClass(sentence[j].Word) : Pad;
            }
            int a = 3 * Width;
            foreach (string affix in AffixKeys(sentence[i].Word))
            {
                ids[a++] = AffixStart + (_affixes.TryGetValue(affix, out int id) ? id : Unknown);
            }
            windows[i] = ids;
        }
        return windows;
    }
}
