using System;
using System.Linq;
using System.Text;
using SymbolicDiff.Samples.Data;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>The CoNLL reader: the variants it accepts, the tag schemes it reads into IOB2, and the exact message for each malformed input.</summary>
public class ConllReaderTests
{
    private static ConllFile Read(string text, bool lenient = false) => Conll.Read(Encoding.UTF8.GetBytes(text), "f.conll", lenient);

    private static void Rejects(string expected, byte[] bytes)
    {
        var e = Assert.Throws<DataFormatException>(() => Conll.Read(bytes, "f.conll"));
        Assert.Equal(expected, e.Message);
    }

    private static void Rejects(string expected, string text) => Rejects(expected, Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ReadsConll2003FourColumnsWithDocstart()
    {
        var file = Read("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n-DOCSTART- -X- -X- O\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n");
        Assert.Equal(4, file.Columns);
        Assert.Equal(2, file.Sentences.Count);
        Assert.Equal(new[] { ("EU", "B-ORG"), ("rejects", "O"), ("German", "B-MISC") }, file.Sentences[0]);
        Assert.Equal(new[] { ("Peter", "B-PER"), ("Blackburn", "I-PER") }, file.Sentences[1]);
        Assert.Null(file.Warning);
    }

    [Fact]
    public void ReadsTabAndSpaceSeparatedTwoColumnsWithCrlfAndBom()
    {
        var tab = Conll.Read(Encoding.UTF8.GetBytes("\uFEFFNew York\tB-LOC\r\nis\tO\r\n\t\r\nok\tO"), "t.conll");
        Assert.Equal(new[] { ("New York", "B-LOC"), ("is", "O") }, tab.Sentences[0]);   // a tab-separated token may hold a space
        Assert.Equal(new[] { ("ok", "O") }, tab.Sentences[1]);                           // a line holding only a tab ends a sentence
        var space = Read("Paris  B-LOC\n  \nRome B-LOC\n");
        Assert.Equal(2, space.Columns);
        Assert.Equal(new[] { new[] { ("Paris", "B-LOC") }, new[] { ("Rome", "B-LOC") } }, space.Sentences);
    }

    [Theory]
    [InlineData("B-PER I-PER O B-LOC B-LOC", "IOB2", "B-PER I-PER O B-LOC B-LOC")]
    [InlineData("I-PER I-PER O I-LOC B-LOC", "IOB1", "B-PER I-PER O B-LOC B-LOC")]
    [InlineData("B-PER E-PER O S-LOC S-LOC", "BIOES", "B-PER I-PER O B-LOC B-LOC")]
    [InlineData("PER PER O LOC ORG", "IO", "B-PER I-PER O B-LOC B-ORG")]
    public void ReadsEachTagSchemeIntoIob2(string tags, string scheme, string iob2)
    {
        string[] t = tags.Split(' ');
        Assert.Equal(scheme, ConllTags.Scheme([t]));
        Assert.Equal(iob2.Split(' '), ConllTags.ToIob2(t));
    }

    [Fact]
    public void ChunksFollowConllevalRules()
    {
        // conlleval: an entity ends at O, at B- and where the type changes; an I- after O or another type starts one.
        Assert.Equal(new[] { (0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC"), (5, 7, "ORG") },
            ConllTags.Chunks(["B-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG"]));
        Assert.Empty(ConllTags.Chunks(["O", "O"]));
    }

    [Fact]
    public void RejectsMalformedLinesWithFileAndLine()
    {
        Rejects("f.conll: no sentences (expected lines of token and tag columns; the file is empty)", "");
        Rejects("f.conll: no sentences (expected lines of token and tag columns; the file is blank)", "\n \n\t\n");
        Rejects("f.conll:2: no tag column (expected a token and a tag, found one column 'rejects')", "EU\tB-ORG\nrejects\n");
        Rejects("f.conll:3: no tag column (expected a token and a tag, found one column 'Ger')", "EU\tB-ORG\nrejects\tO\nGer");   // truncated mid-line
        Rejects("f.conll:3: expected 2 columns like line 1, found 3", "EU\tB-ORG\n\nrejects\tVBZ\tO\n");
        Rejects("f.conll:2: '42' is not a tag (expected O, B-/I-/E-/S-TYPE or TYPE)", "EU\tB-ORG\nrejects\t42\n");
        Rejects("f.conll:2: tag 'PER' mixes schemes: line 1 has a tag with a B-/I- prefix", "EU\tB-ORG\nPeter\tPER\n");
        Rejects("f.conll:2: binary data (control character U+0000)", "EU\tB-ORG\nx\0y\tO\n");
        Rejects("f.conll:2: not UTF-8 text (byte 0xFF at column 2)", [(byte)'a', (byte)'\t', (byte)'O', (byte)'\n', (byte)'b', 0xFF, (byte)'\t', (byte)'O']);
    }

    [Fact]
    public void LenientModeSkipsAndCountsMalformedLines()
    {
        var file = Read("EU\tB-ORG\nrejects\nGerman\tx\tB-MISC\ncall\tO\n", lenient: true);
        Assert.Equal(new[] { ("EU", "B-ORG"), ("call", "O") }, file.Sentences.Single());
        Assert.Equal(2, file.Skipped);
        Assert.Equal("warning: skipped 2 malformed lines in f.conll (first: line 2: no tag column (expected a token and a tag, found one column 'rejects'))", file.Warning);
        var e = Assert.Throws<DataFormatException>(() => Read("\u0001\u0002\n", lenient: true));
        Assert.Equal("f.conll: no valid token lines (1 malformed lines skipped; first: line 1: binary data (control character U+0001))", e.Message);
    }
}
