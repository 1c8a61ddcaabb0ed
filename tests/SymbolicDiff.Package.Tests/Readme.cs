using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SymbolicDiff.Package.Tests;

/// <summary>The README's Quick start, read the way a user copies it: the package line, Program.cs and what it prints.</summary>
internal sealed record QuickStart(string PackageCommand, string Program, string Output)
{
    public static QuickStart FromReadme(string repositoryRoot)
    {
        string readme = File.ReadAllText(Path.Combine(repositoryRoot, "README.md")).Replace("\r\n", "\n");
        var section = Regex.Match(readme, @"\n## Quick start\n(.*?)(\n## |\z)", RegexOptions.Singleline);
        if (!section.Success)
        {
            throw new InvalidOperationException("README.md has no '## Quick start' section");
        }
        string text = section.Groups[1].Value;
        string packageLine = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("dotnet add package ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("README Quick start has no 'dotnet add package' line");
        return new QuickStart(packageLine, Block(text, "csharp"), Block(text, "text"));
    }

    private static string Block(string text, string language)
    {
        var block = Regex.Match(text, "```" + language + @"\n(.*?)```", RegexOptions.Singleline);
        return block.Success ? block.Groups[1].Value
            : throw new InvalidOperationException($"README Quick start has no ```{language} block");
    }
}
