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
            Assert.Throws<DataFormatException>(() => Idx.ReadImages(Path.Combine(dir, "lbl")));
            Assert.Throws<DataFormatException>(() => Idx.ReadLabels(Path.Combine(dir, "img")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Idx_RejectsMalformedFilesWithOneLine()
    {
        void Rejects(string expected, byte[] bytes, bool labels = false)
        {
            var e = Assert.Throws<DataFormatException>(() => labels ? Idx.ReadLabels(bytes, "f") : Idx.ReadImages(bytes, "f").Pixels);
            Assert.Equal(expected, e.Message);
        }
        const string Images = "an IDX images file: magic number 2051 (unsigned bytes, 3 dimensions), then 3 sizes";
        Rejects($"f: empty file, expected {Images}", []);
        Rejects($"f: truncated header of 2 bytes, expected {Images} (16 bytes)", [0, 0]);
        Rejects("f: truncated header of 8 bytes, expected 16 (3 sizes after the magic number)", BigEndian(2051, 2));
        Rejects($"f: magic number 1347093252 (0x504B0304), expected {Images}", BigEndian(0x504B0304, 1, 1, 1));
        Rejects($"f: an IDX file of 1 dimension (magic number 2049), expected {Images}", BigEndian(2049, 2, 7, 3));
        Rejects("f: truncated: the header gives 2 images of 3×2 = 12 bytes of data, found 11", [.. BigEndian(2051, 2, 3, 2), .. new byte[11]]);
        Rejects("f: 1 bytes after the 12 bytes of data the header gives (2 images of 3×2)", [.. BigEndian(2051, 2, 3, 2), .. new byte[13]]);
        Rejects("f: an IDX file of 3 dimensions (magic number 2051), expected an IDX labels file: magic number 2049 (unsigned bytes, 1 dimension), then 1 size",
            BigEndian(2051, 0, 0, 0), labels: true);
        Rejects("f: truncated: the header gives 5 labels = 5 bytes of data, found 2", [.. BigEndian(2049, 5), 1, 2], labels: true);
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
