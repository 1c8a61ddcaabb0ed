using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SymbolicDiff.Package.Tests;

/// <summary>
/// Reproducible builds: the package packed from two copies of the sources in different folders, each from a clean
/// obj, must hold byte-identical files (assemblies, PDBs, nuspec, everything), as README's Install section says. The
/// .nupkg files themselves differ only in the zip entries' timestamps, which are the build's file times.
/// </summary>
public sealed class ReproducibleBuildTests
{
    private readonly ITestOutputHelper _output;

    public ReproducibleBuildTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task PackIsReproducible()
    {
        string root = PackageFixture.FindRepositoryRoot();
        string temp = Path.Combine(Path.GetTempPath(), "symbolicdiff-repro-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // Different depths and names, so any absolute path left in an output would show.
            string[] clones = [Path.Combine(temp, "a"), Path.Combine(temp, "clone-b", "nested")];
            foreach (string clone in clones)
            {
                CopySources(root, clone);
            }
            var packs = clones.Select(clone => Task.Run(() => Dotnet.Run(clone, new Dictionary<string, string>(), PackageFixture.PackTimeout,
                "pack", Path.Combine("src", "SymbolicDiff", "SymbolicDiff.csproj"), "-c", "Release", "-o", Path.Combine(clone, "feed"),
                "-p:ContinuousIntegrationBuild=true", "-nodeReuse:false"))).ToArray();
            foreach (var pack in await Task.WhenAll(packs))
            {
                _output.WriteLine($"$ {pack.Command}   ({pack.Elapsed.TotalSeconds:F0} s, exit {pack.ExitCode})");
                Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack);
            }
            foreach (string name in new[] { "nupkg", "snupkg" })
            {
                var first = Entries(Directory.GetFiles(Path.Combine(clones[0], "feed"), "*." + name).Single());
                var second = Entries(Directory.GetFiles(Path.Combine(clones[1], "feed"), "*." + name).Single());
                Assert.Equal(first.Keys.Order(), second.Keys.Order());
                Assert.Contains(first.Keys, k => k.EndsWith(".dll", StringComparison.Ordinal) || k.EndsWith(".pdb", StringComparison.Ordinal));
                foreach (var (entry, bytes) in first)
                {
                    Assert.True(bytes.AsSpan().SequenceEqual(second[entry]), $"{entry} in the .{name} differs between the two clones");
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    /// <summary>What packing needs: the root props, README, LICENSE and the runtime and generator sources, without build outputs.</summary>
    private static void CopySources(string root, string clone)
    {
        foreach (string file in new[] { "Directory.Build.props", "README.md", "LICENSE" })
        {
            Directory.CreateDirectory(clone);
            File.Copy(Path.Combine(root, file), Path.Combine(clone, file));
        }
        foreach (string folder in new[] { "src", "generator" })
        {
            CopyTree(Path.Combine(root, folder), Path.Combine(clone, folder));
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string dir in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    private static Dictionary<string, byte[]> Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }
}
