using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using SymbolicDiff.Samples.Data;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.Runtime.Tests;

public class DataTests
{
    private readonly ITestOutputHelper _output;

    public DataTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Conll_Read_ParsesSentences()
    {
        const string text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP ORG\nrejects VBZ B-VP O\nGerman JJ B-NP MISC\n\n\n" +
                            "Peter PER\nBlackburn PER\n  \n-DOCSTART- O\nBRUSSELS LOC\nalone\n";
        var s = Conll.Read(new StringReader(text));
        Assert.Equal(3, s.Count);
        Assert.Equal(new[] { ("EU", "ORG"), ("rejects", "O"), ("German", "MISC") }, s[0]);
        Assert.Equal(new[] { ("Peter", "PER"), ("Blackburn", "PER") }, s[1]);
        Assert.Equal(new[] { ("BRUSSELS", "LOC"), ("alone", "O") }, s[2]);
        Assert.Empty(Conll.Read(new StringReader("")));
        Assert.Single(Conll.Read(new StringReader("a\tO\r\nb\tPER")));
    }

    [Fact]
    public void NerTiny_LoadsEmbeddedCorpus()
    {
        var s = NerTiny.Load();
        Assert.InRange(s.Count, 300, 400);
        var tags = s.SelectMany(x => x).Select(x => x.Tag).ToHashSet();
        Assert.Equal(NerTiny.Tags.OrderBy(t => t), tags.OrderBy(t => t));
        Assert.All(s, sent => Assert.InRange(sent.Length, 3, 30));
        Assert.True(s.SelectMany(x => x).Select(x => x.Word).Distinct().Count() > 200);
    }

    private static byte[] BigEndian(params int[] values) =>
        values.SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    [Fact]
    public void Idx_ReadsImagesAndLabels_PlainAndGzip()
    {
        byte[] pixels = Enumerable.Range(0, 2 * 3 * 2).Select(i => (byte)(i * 20)).ToArray();
        byte[] images = BigEndian(2051, 2, 3, 2).Concat(pixels).ToArray();
        byte[] labels = BigEndian(2049, 2).Concat(new byte[] { 7, 3 }).ToArray();

        string dir = Path.Combine(Path.GetTempPath(), "sdiff-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "img"), images);
            File.WriteAllBytes(Path.Combine(dir, "lbl"), labels);
            using (var gz = new GZipStream(File.Create(Path.Combine(dir, "img.gz")), CompressionLevel.Fastest)) gz.Write(images);
            using (var gz = new GZipStream(File.Create(Path.Combine(dir, "lbl.gz")), CompressionLevel.Fastest)) gz.Write(labels);

            foreach (string suffix in new[] { "", ".gz" })
            {
                IdxImages im = Idx.ReadImages(Path.Combine(dir, "img" + suffix));
                Assert.Equal((2, 3, 2), (im.Count, im.Rows, im.Cols));
                Assert.Equal(pixels, im.Pixels);
                Assert.Equal(pixels.Skip(6).ToArray(), im.Image(1).ToArray());
                var norm = new float[6];
                im.CopyNormalized(1, norm);
                Assert.Equal(120 / 255f, norm[0], 6);
                Assert.Equal(new byte[] { 7, 3 }, Idx.ReadLabels(Path.Combine(dir, "lbl" + suffix)));
            }
            Assert.Throws<InvalidDataException>(() => Idx.ReadImages(Path.Combine(dir, "lbl")));
            Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(Path.Combine(dir, "img")));
            Assert.Throws<EndOfStreamException>(() => Idx.ReadImages(new MemoryStream(images[..^1])));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string FashionMnistDir = "/usr/share/datasets/fashion-mnist";

    [SkippableFact]
    public void FashionMnist_RealFiles_LoadWhenInstalled()
    {
        string images = Path.Combine(FashionMnistDir, "t10k-images-idx3-ubyte.gz");
        string labels = Path.Combine(FashionMnistDir, "t10k-labels-idx1-ubyte.gz");
        Skip.IfNot(File.Exists(images) && File.Exists(labels),
            $"Fashion-MNIST not found under {FashionMnistDir} (install the Debian package dataset-fashion-mnist).");

        IdxImages im = Idx.ReadImages(images);
        byte[] lbl = Idx.ReadLabels(labels);
        Assert.Equal((10000, 28, 28), (im.Count, im.Rows, im.Cols));
        Assert.Equal(10000, lbl.Length);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), lbl.Distinct().OrderBy(b => b));
        Assert.All(Enumerable.Range(0, 10).Select(c => lbl.Count(l => l == c)), n => Assert.Equal(1000, n));
        _output.WriteLine($"Loaded {im.Count} test images {im.Rows}×{im.Cols} from {FashionMnistDir}");

        string trainLabels = Path.Combine(FashionMnistDir, "train-labels-idx1-ubyte.gz");
        if (File.Exists(trainLabels)) Assert.Equal(60000, Idx.ReadLabels(trainLabels).Length);
    }
}
