using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using SymbolicDiff.Samples.FashionMnist;
using SymbolicDiff.Samples.WindowNer;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>The samples' command line: --help with defaults, one error line and exit code 2 for bad options or malformed data, and nothing written then.</summary>
public sealed class SampleCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "symbolicdiff-cli-" + Guid.NewGuid().ToString("N"));

    public SampleCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "out");

    [Fact]
    public void EverySampleAnswersHelpWithItsOptionsAndDefaults()
    {
        var output = new StringWriter();
        Assert.Equal(0, WindowNerApp.Execute(["--help"], output, new StringWriter()));
        string help = output.ToString();
        foreach (string option in new[] { "--data", "--binary", "--epochs", "--patience", "--seed", "--seeds", "--threads", "--out", "--lenient", "--dropout", "--word-dropout", "--learning-rate", "--hidden", "--workers" })
        {
            Assert.Contains(option, help);
        }
        Assert.Contains("[default: 224]", help);
        Assert.Contains("[default: out]", help);

        output = new StringWriter();
        Assert.Equal(0, FashionMnistApp.Run(["--help"], output, new StringWriter(), out _));
        help = output.ToString();
        foreach (string option in new[] { "--data", "--epochs", "--batch", "--threads", "--seed", "--out" })
        {
            Assert.Contains(option, help);
        }
        Assert.Contains($"[default: {FashionMnistApp.DefaultFolder}]", help);
        Assert.Contains("[default: 12]", help);
        Assert.Contains("[default: 256]", help);                                          // --batch: two workers pay from 256 rows
        Assert.Contains($"[default: {Math.Min(Environment.ProcessorCount, 4)}]", help);   // --threads: every core, at most 4
    }

    /// <summary>Lectures parses its options in its top-level program, so it is run as a process, as a user runs it.</summary>
    [Fact]
    public void LecturesAnswersHelpAndRejectsABadOption()
    {
        string program = typeof(SymbolicDiff.Samples.Lectures.Functions).Assembly.Location;
        var (code, output, error) = Run(program, "--help");
        Assert.Equal(0, code);
        foreach (string option in new[] { "--steps", "--learning-rate", "--seed", "[default: 600]", "[default: 0.05]", "[default: 7]" })
        {
            Assert.Contains(option, output);
        }
        Assert.Equal("", error);

        (code, output, error) = Run(program, "--steps", "5");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: --steps must be at least 60, not 5", error);

        static (int Code, string Output, string Error) Run(string program, params string[] args)
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(program);
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(60_000), "Lectures did not exit within a minute");
            return (process.ExitCode, output.Result, error.Result);
        }
    }

    [Fact]
    public void BadOptionsGiveOneLinePerProblemAndExitCode2()
    {
        var error = new StringWriter();
        Assert.Equal(2, WindowNerApp.Execute(["--epochs", "zero"], new StringWriter(), error));
        Assert.Equal("error: Cannot parse argument 'zero' for option '--epochs' as expected type 'System.Int32'.\nRun with --help to see the options.\n", error.ToString().Replace("\r", ""));
        error = new StringWriter();
        Assert.Equal(2, FashionMnistApp.Run(["--epochs", "0"], new StringWriter(), error, out _));
        Assert.StartsWith("error: --epochs must be at least 1, not 0.", error.ToString());
    }

    private static byte[] BigEndian(params int[] values) =>
        values.SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    private static void WriteGzip(string path, byte[] bytes)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    private int FashionMnist(out string error)
    {
        var errorWriter = new StringWriter();
        int rc = FashionMnistApp.Run(["--data", _dir, "--epochs", "1", "--out", Out], new StringWriter(), errorWriter, out var result);
        error = errorWriter.ToString().Replace("\r", "");
        Assert.Null(result);
        return rc;
    }

    [Fact]
    public void FashionMnistRejectsMalformedIdxFilesAndWritesNothing()
    {
        string Path_(string name) => Path.Combine(_dir, name);
        byte[] images = [.. BigEndian(2051, 2, 2, 2), .. new byte[8]], labels = [.. BigEndian(2049, 2), 1, 2];
        void Good()
        {
            WriteGzip(Path_("train-images-idx3-ubyte.gz"), images);
            WriteGzip(Path_("train-labels-idx1-ubyte.gz"), labels);
            WriteGzip(Path_("t10k-images-idx3-ubyte.gz"), images);
            WriteGzip(Path_("t10k-labels-idx1-ubyte.gz"), labels);
        }
        void Expect(string message)
        {
            Assert.Equal(2, FashionMnist(out string error));
            Assert.Equal($"error: {message}\n", error);
            Assert.False(Directory.Exists(Out), "nothing may be written for malformed data");
            Good();
        }

        Assert.Equal(2, FashionMnist(out string missing));
        Assert.Equal($"error: Fashion-MNIST not found in {_dir}: no train-images-idx3-ubyte.gz (install it with: apt-get install -y dataset-fashion-mnist, or pass --data DIR)\n", missing);
        Good();

        string trainImages = Path_("train-images-idx3-ubyte.gz");
        byte[] real = File.ReadAllBytes(trainImages);
        File.WriteAllBytes(trainImages, real[..(real.Length / 2)]);   // a truncated download
        Assert.Equal(2, FashionMnist(out string truncated));
        Assert.StartsWith($"error: {trainImages}: ", truncated);
        Assert.False(Directory.Exists(Out));
        Good();

        WriteGzip(trainImages, []);
        Expect($"{trainImages}: empty file, expected an IDX images file: magic number 2051 (unsigned bytes, 3 dimensions), then 3 sizes");
        WriteGzip(trainImages, images[..20]);
        Expect($"{trainImages}: truncated: the header gives 2 images of 2×2 = 8 bytes of data, found 4");
        WriteGzip(trainImages, [.. BigEndian(0x1F8B0800, 2, 2, 2), .. new byte[8]]);
        Expect($"{trainImages}: magic number 529205248 (0x1F8B0800), expected an IDX images file: magic number 2051 (unsigned bytes, 3 dimensions), then 3 sizes");
        WriteGzip(trainImages, [.. BigEndian(2050, 2, 4), .. new byte[8]]);
        Expect($"{trainImages}: an IDX file of 2 dimensions (magic number 2050), expected an IDX images file: magic number 2051 (unsigned bytes, 3 dimensions), then 3 sizes");
        File.WriteAllBytes(trainImages, [0xFF, 0xFE, 0x00]);   // not gzip at all
        Assert.Equal(2, FashionMnist(out string notGzip));
        Assert.StartsWith($"error: {trainImages}: not valid gzip data", notGzip);
        Good();
        string testImages = Path_("t10k-images-idx3-ubyte.gz");
        WriteGzip(testImages, [.. BigEndian(2051, 2, 1, 4), .. new byte[8]]);
        Expect($"{testImages}: images of 1×4, expected 2×2 like the training images");
        string testLabels = Path_("t10k-labels-idx1-ubyte.gz");
        WriteGzip(testLabels, [.. BigEndian(2049, 1), 1]);
        Expect($"{testLabels}: 1 labels, expected 2, one per image in {testImages}");
        WriteGzip(testLabels, [.. BigEndian(2049, 2), 1, 12]);
        Expect($"{testLabels}: label 12 at index 1, expected a class 0–9");
    }

    private string ConllFolder(string train)
    {
        string dir = Path.Combine(_dir, "conll");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "train.txt"), train);
        File.WriteAllText(Path.Combine(dir, "test.txt"), "Rome\tB-LOC\nis\tO\n");
        return dir;
    }

    [Theory]
    [InlineData("EU\tB-ORG\nrejects\n", "train.txt:2: no tag column (expected a token and a tag, found one column 'rejects')")]
    [InlineData("EU\tB-ORG\nrejects\tVBZ\tO\n", "train.txt:2: expected 2 columns like line 1, found 3")]
    [InlineData("\u0089PNG\r\n\u001a\n", "train.txt:1: binary data (control character U+0089)")]
    [InlineData("", "train.txt: no sentences (expected lines of token and tag columns; the file is empty)")]
    public void WindowNerRejectsMalformedConllWithFileAndLineAndWritesNothing(string train, string message)
    {
        string dir = ConllFolder(train);
        var error = new StringWriter();
        Assert.Equal(2, WindowNerApp.Run(["--data", dir, "--out", Out], new StringWriter(), error, out var result));
        Assert.Equal($"error: {Path.Combine(dir, message)}\n", error.ToString().Replace("\r", ""));
        Assert.Null(result);
        Assert.False(Directory.Exists(Out), "nothing may be written for malformed data");
    }

    [Fact]
    public void WindowNerLenientFlagSkipsMalformedLinesWithACountedWarning()
    {
        string dir = ConllFolder("Paris\tB-LOC\nis\tO\nbig\n\nRome\tB-LOC\tx\nis\tO\n");
        var error = new StringWriter();
        var output = new StringWriter();
        int rc = WindowNerApp.Run(["--data", dir, "--lenient", "--epochs", "1", "--seeds", "1", "--out", Out], output, error, out _);
        Assert.True(rc == 0, error.ToString());
        Assert.Equal($"warning: skipped 2 malformed lines in {Path.Combine(dir, "train.txt")} (first: line 3: no tag column (expected a token and a tag, found one column 'big'))\n",
            error.ToString().Replace("\r", ""));
        Assert.Contains("train.txt 2 sentences, 3 tokens, 2 columns, IOB2", output.ToString());
    }
}
