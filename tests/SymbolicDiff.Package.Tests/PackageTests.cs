using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.Package.Tests;

/// <summary>
/// The package as a user gets it: its contents, then fresh console projects (net10.0 and net8.0) that add it with
/// the README's package line, paste the README's Quick start, build and run. One pack and two consumer builds in all (plus two that must fail fast).
/// </summary>
public sealed class PackageTests : IClassFixture<PackageFixture>
{
    private readonly PackageFixture _fixture;
    private readonly ITestOutputHelper _output;

    public PackageTests(PackageFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public void PackageHoldsRuntimeGeneratorCodeFixesAndMetadata()
    {
        _fixture.AssertPacked();
        using var zip = ZipFile.OpenRead(_fixture.Package);
        var files = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (string expected in new[]
                 {
                     "lib/net8.0/SymbolicDiff.dll", "lib/net8.0/SymbolicDiff.xml",
                     "analyzers/dotnet/cs/SymbolicDiff.Generator.dll", "analyzers/dotnet/cs/SymbolicDiff.CodeFixes.dll",
                     "buildTransitive/SymbolicDiff.targets", "README.md", "LICENSE",
                 })
        {
            Assert.True(files.Contains(expected), $"{expected} missing from the package; it holds:\n  {string.Join("\n  ", files.Order())}");
        }
        // The generator is a compiler plug-in, never a reference of the user's code.
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal) && f.Contains("Generator", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.ChangeExtension(_fixture.Package, ".snupkg")), "no symbol package (.snupkg) next to the package");

        using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var nuspec = XDocument.Load(nuspecStream);
        string Meta(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        Assert.Equal("SymbolicDiff", Meta("id"));
        Assert.Equal(_fixture.Version, Meta("version"));
        Assert.Equal("MIT", Meta("license"));
        Assert.Equal("README.md", Meta("readme"));
        Assert.Contains("source generator", Meta("description"), StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual("", Meta("tags"));
        Assert.NotNull(nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == "repository")?.Attribute("url"));
        // Roslyn (the generator's dependency) must not become the consumer's dependency.
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id")).ToList();
        Assert.DoesNotContain(dependencies, d => d!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.Contains("System.Numerics.Tensors", dependencies);
    }

    [Fact]
    public void ReadmeQuickStartBuildsAndPrintsTheGradient()
    {
        _fixture.AssertPacked();
        var quickStart = ReadmeProgram.QuickStart(_fixture.RepositoryRoot);
        string folder = NewConsoleProject("quickstart", "QuickStart", targetFrameworks: null, quickStart);

        var build = Step(folder, PackageFixture.BuildTimeout, "build", "-c", "Release");
        var run = Step(folder, PackageFixture.CommandTimeout, "run", "-c", "Release", "--no-build");
        AssertNeuronGradient(run.Output);
        // The README shows what the program prints; it must be what it really prints.
        Assert.Equal(quickStart.Output.Trim(), run.Output.Replace("\r\n", "\n").Trim());
        Assert.True(!build.Output.Contains(": warning ", StringComparison.Ordinal), "the Quick start builds with warnings:\n" + build);

        // The same project without the generator, and with a compiler too old to load it: a clear error, not CS0117.
        string drop = Path.Combine(folder, "drop-generator.targets");
        File.WriteAllText(drop, """
            <Project>
              <Target Name="DropSymbolicDiffGenerator" AfterTargets="ResolveLockFileAnalyzers">
                <ItemGroup><Analyzer Remove="@(Analyzer)" Condition="'%(Filename)' == 'SymbolicDiff.Generator'" /></ItemGroup>
              </Target>
            </Project>
            """);
        var noGenerator = _fixture.Run(folder, PackageFixture.BuildTimeout, "build", "-c", "Release", "--no-restore", "--no-incremental", "-p:CustomAfterMicrosoftCommonTargets=" + drop);
        Assert.True(noGenerator.ExitCode != 0 && noGenerator.Output.Contains("error SYMDIFF001", StringComparison.Ordinal)
            && !noGenerator.Output.Contains("error CS0117", StringComparison.Ordinal), "expected SYMDIFF001 and no CS0117:\n" + noGenerator);
        var oldCompiler = _fixture.Run(folder, PackageFixture.BuildTimeout, "build", "-c", "Release", "--no-restore", "--no-incremental", "-p:CompilerApiVersion=roslyn4.4");
        Assert.True(oldCompiler.ExitCode != 0 && oldCompiler.Output.Contains("error SYMDIFF002", StringComparison.Ordinal), "expected SYMDIFF002:\n" + oldCompiler);
    }

    /// <summary>
    /// The README's complete tensor program in a project targeting net8.0 and net10.0: both must build; net8.0 runs
    /// where that runtime is installed, net10.0 always, and each run must print what the README shows.
    /// </summary>
    [SkippableFact]
    public void TensorExampleBuildsForNet8AndRuns()
    {
        _fixture.AssertPacked();
        var example = ReadmeProgram.TensorExample(_fixture.RepositoryRoot);
        string folder = NewConsoleProject("tensors", "Tensors", targetFrameworks: "net8.0;net10.0", example);
        Step(folder, PackageFixture.BuildTimeout, "build", "-c", "Release");

        var net10 = Step(folder, PackageFixture.CommandTimeout, "run", "-c", "Release", "--no-build", "-f", "net10.0");
        Assert.Equal(example.Output.Trim(), net10.Output.Replace("\r\n", "\n").Trim());
        Assert.True(File.Exists(Path.Combine(folder, "bin", "Release", "net8.0", "Tensors.dll")), "no net8.0 build output");

        var runtimes = Dotnet.Run(folder, _fixture.Variables, PackageFixture.CommandTimeout, "--list-runtimes");
        Skip.IfNot(runtimes.Output.Contains("Microsoft.NETCore.App 8.", StringComparison.Ordinal),
            "The net8.0 build succeeded and net10.0 ran correctly, but no .NET 8 runtime is installed here (dotnet --list-runtimes), so the net8.0 build was not run.");
        var net8 = Step(folder, PackageFixture.CommandTimeout, "run", "-c", "Release", "--no-build", "-f", "net8.0");
        Assert.Equal(example.Output.Trim(), net8.Output.Replace("\r\n", "\n").Trim());
    }

    /// <summary>`dotnet new console`, the README's package line, the README's Program.cs.</summary>
    private string NewConsoleProject(string folderName, string projectName, string? targetFrameworks, ReadmeProgram program)
    {
        string folder = _fixture.NewProjectFolder(folderName);
        Step(folder, PackageFixture.CommandTimeout, "new", "console", "-n", projectName, "-o", ".", "--no-restore");
        if (targetFrameworks is not null)
        {
            // The .NET 10 SDK's template offers no net8.0, so retarget the project file.
            string project = Path.Combine(folder, projectName + ".csproj");
            string text = File.ReadAllText(project);
            Assert.Contains("<TargetFramework>", text);
            File.WriteAllText(project, System.Text.RegularExpressions.Regex.Replace(text, "<TargetFramework>[^<]+</TargetFramework>", $"<TargetFrameworks>{targetFrameworks}</TargetFrameworks>"));
        }
        Step(folder, PackageFixture.CommandTimeout, program.PackageCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray());
        Assert.Contains($"Include=\"SymbolicDiff\" Version=\"{_fixture.Version}\"", File.ReadAllText(Path.Combine(folder, projectName + ".csproj")));
        File.WriteAllText(Path.Combine(folder, "Program.cs"), program.Program);
        return folder;
    }

    private CommandResult Step(string folder, TimeSpan timeout, params string[] arguments)
    {
        var result = _fixture.Run(folder, timeout, arguments);
        _output.WriteLine($"$ {result.Command}   ({result.Elapsed.TotalSeconds:F0} s, exit {result.ExitCode})");
        Assert.True(result.ExitCode == 0, "command failed:\n" + result);
        return result;
    }

    /// <summary>The Quick start's neuron at w = (2, −3, −3), x = (−1, −2): z = 1, so f = σ(1) and every partial is σ(1)(1 − σ(1)) times the other factor.</summary>
    private static void AssertNeuronGradient(string output)
    {
        double f = 1 / (1 + Math.Exp(-1)), s = f * (1 - f);
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        string text = output.Replace("\r\n", "\n");
        Assert.Contains($"f = {F(f)}", text);
        Assert.Contains($"dw = ({F(-1 * s)}, {F(-2 * s)}, {F(s)})  dx = ({F(2 * s)}, {F(-3 * s)})", text);
        Assert.Contains("gradient check: passed", text);
    }
}
