using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace SymbolicDiff.Package.Tests;

/// <summary>
/// Packs SymbolicDiff once into a temporary feed and prepares what the consumers share: an isolated NuGet
/// packages folder (so a package left from an earlier run is never used) that falls back to the machine's
/// cache for everything else, and a nuget.config pointing at the feed.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(6), BuildTimeout = TimeSpan.FromMinutes(4),
        CommandTimeout = TimeSpan.FromMinutes(3);

    public PackageFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Version = Regex.Match(File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props")), @"<Version>([^<]+)</Version>").Groups[1].Value;
        Root = Path.Combine(Path.GetTempPath(), "symbolicdiff-package-" + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);

        string machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Variables = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Root, "packages") };
        NuGetConfig = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="symbolicdiff-test-feed" value="{Feed}" />
              </packageSources>
              {(Directory.Exists(machineCache) ? $"<fallbackPackageFolders><add key=\"machine\" value=\"{machineCache}\" /></fallbackPackageFolders>" : "")}
            </configuration>
            """;

        // Release, as a user's package would be built; the repo's own test build is Debug, so nothing collides.
        Pack = Dotnet.Run(RepositoryRoot, new Dictionary<string, string>(), PackTimeout,
            "pack", Path.Combine(RepositoryRoot, "src", "SymbolicDiff", "SymbolicDiff.csproj"), "-c", "Release", "-o", Feed, "-nodeReuse:false");
        Package = Path.Combine(Feed, $"SymbolicDiff.{Version}.nupkg");
    }

    public string RepositoryRoot { get; }

    /// <summary>The version, read from the one place it is set.</summary>
    public string Version { get; }

    public string Root { get; }

    public string Feed { get; }

    public string Package { get; }

    public CommandResult Pack { get; }

    public IReadOnlyDictionary<string, string> Variables { get; }

    public string NuGetConfig { get; }

    /// <summary>Fails the calling test with the pack output unless the package was made.</summary>
    public void AssertPacked() =>
        Assert.True(Pack.ExitCode == 0 && File.Exists(Package), $"dotnet pack did not produce {Package}:\n{Pack}");

    /// <summary>A new folder under the fixture's root holding the nuget.config.</summary>
    public string NewProjectFolder(string name)
    {
        string folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nuget.config"), NuGetConfig);
        return folder;
    }

    public CommandResult Run(string folder, TimeSpan timeout, params string[] arguments) => Dotnet.Run(folder, Variables, timeout, arguments);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SymbolicDiff.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("SymbolicDiff.sln not found above " + AppContext.BaseDirectory);
    }
}
