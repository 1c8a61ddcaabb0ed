using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using SymbolicDiff.Testing;
using SymbolicDiff.Tests.Functions;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>
/// <see cref="GeneratedSource"/> reads generated code back from this assembly's PDB. This project also writes the
/// generated files to obj/Generated (EmitCompilerGeneratedFiles), so the compiler's own copy is the oracle.
/// </summary>
public class GeneratedSourceTests
{
    private static string GeneratedFolder([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "obj", "Generated", "SymbolicDiff.Generator", "SymbolicDiff.Generator.DifferentiableGenerator");

    private static string[] WrittenFiles(string prefix) =>
        Directory.GetFiles(GeneratedFolder(), prefix + "*").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void OfAMethodIsTheFileTheCompilerGenerated()
    {
        var written = Assert.Single(WrittenFiles("SymbolicDiff.Tests.Functions.D.NegChain_"));
        string source = GeneratedSource.Of(typeof(D), nameof(D.NegChain));
        Assert.Equal(File.ReadAllText(written).Replace("\r\n", "\n").TrimStart('\uFEFF'), source.Replace("\r\n", "\n"));
        Assert.Contains("NegChainGradient(", source);
    }

    [Fact]
    public void OfATypeHoldsEveryGeneratedFileOfTheType()
    {
        var written = WrittenFiles("SymbolicDiff.Tests.Functions.Hess.");
        Assert.True(written.Length > 1, "expected several generated files for Hess");
        string source = GeneratedSource.Of(typeof(Hess));
        foreach (string file in written)
        {
            Assert.Contains("// Generated file: " + Path.GetFileName(file) + "\n", source);
        }
        Assert.Equal(written.Length, source.Split("// Generated file: ").Length - 1);
    }

    [Fact]
    public void AMethodWithoutGeneratedCodeIsAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GeneratedSource.Of(typeof(D), "NoSuchMethod"));
        Assert.Contains("SymbolicDiff.Tests.Functions.D.NoSuchMethod", error.Message);
    }
}

/// <summary>The received/verified convention of <see cref="SnapshotFile"/>, in a temporary folder.</summary>
public sealed class SnapshotFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "symbolicdiff-snapshots-" + Guid.NewGuid().ToString("N"));

    private string Verified => Path.Combine(_folder, "Case.verified.cs");

    private string Received => Path.Combine(_folder, "Case.received.cs");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void MatchingTextPassesAndRemovesAStaleReceivedFile()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Verified, "a\r\nb\n");
        File.WriteAllText(Received, "old");
        SnapshotFile.Verify("Case", "a\nb\n", _folder, accept: false);
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void AChangeWritesTheReceivedFileAndFailsWithALineDiff()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Verified, "one\ntwo\nthree\nfour\n");
        var error = Assert.Throws<SnapshotMismatchException>(() => SnapshotFile.Verify("Case", "one\nTWO\nthree\nfour\n", _folder, accept: false));
        Assert.Equal("one\nTWO\nthree\nfour\n", File.ReadAllText(Received));
        Assert.Equal("one\ntwo\nthree\nfour\n", File.ReadAllText(Verified));
        Assert.Contains("-    2 | two\n+    2 | TWO\n", error.Message);
        Assert.Contains("     1 | one\n", error.Message);
        Assert.Contains(SnapshotFile.AcceptVariable, error.Message);
    }

    [Fact]
    public void AMissingVerifiedFileFailsAndWritesTheReceivedOne()
    {
        var error = Assert.Throws<SnapshotMismatchException>(() => SnapshotFile.Verify("Case", "new", _folder, accept: false));
        Assert.Contains("has no verified file", error.Message);
        Assert.Equal("new", File.ReadAllText(Received));
        Assert.False(File.Exists(Verified));
    }

    [Fact]
    public void AcceptingWritesTheVerifiedFile()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Verified, "old\n");
        File.WriteAllText(Received, "new\n");
        SnapshotFile.Verify("Case", "new\n", _folder, accept: true);
        Assert.Equal("new\n", File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void AMappedCallerPathIsAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SnapshotFile.Verify("Case", "text", callerFile: "/_/tests/Model/GradientTests.cs"));
        Assert.Contains("ContinuousIntegrationBuild", error.Message);
    }

    [Fact]
    public void TheAcceptSwitchIsIgnoredOnCi()
    {
        string? accept = Environment.GetEnvironmentVariable(SnapshotFile.AcceptVariable), ci = Environment.GetEnvironmentVariable("CI");
        try
        {
            Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, "1");
            Environment.SetEnvironmentVariable("CI", "true");
            Assert.False(SnapshotFile.AcceptRequested);
            Environment.SetEnvironmentVariable("CI", null);
            Assert.True(SnapshotFile.AcceptRequested);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SnapshotFile.AcceptVariable, accept);
            Environment.SetEnvironmentVariable("CI", ci);
        }
    }
}
