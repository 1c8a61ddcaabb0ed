using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SymbolicDiff.Package.Tests;

/// <summary>The README's Quick start, read the way a user copies it: the package line, Program.cs and what it prints.</summary>
internal sealed record ReadmeProgram(string PackageCommand, string Program, string Output)
{
    /// <summary>The Quick start: its package line, its Program.cs and what it prints.</summary>
    public static ReadmeProgram QuickStart(string repositoryRoot)
    {
        string text = Section(repositoryRoot, "Quick start");
        string packageLine = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("dotnet add package ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("README Quick start has no 'dotnet add package' line");
        return new ReadmeProgram(packageLine, Block(text, "csharp"), Block(text, "text"));
    }

    /// <summary>The Tensors section's complete program (the block after "A complete program"), with the Quick start's package line.</summary>
    public static ReadmeProgram TensorExample(string repositoryRoot)
    {
        string text = Section(repositoryRoot, "Tensors");
        int start = text.IndexOf("A complete program", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException("README Tensors section has no 'A complete program' example");
        }
        return QuickStart(repositoryRoot) with { Program = Block(text[start..], "csharp"), Output = Block(text[start..], "text") };
    }

    private static string Section(string repositoryRoot, string heading)
    {
        string readme = File.ReadAllText(Path.Combine(repositoryRoot, "README.md")).Replace("\r\n", "\n");
        var section = Regex.Match(readme, @"\n## " + Regex.Escape(heading) + @"\n(.*?)(\n## |\z)", RegexOptions.Singleline);
        return section.Success ? section.Groups[1].Value : throw new InvalidOperationException($"README.md has no '## {heading}' section");
    }

    private static string Block(string text, string language)
    {
        var block = Regex.Match(text, "```" + language + @"\n(.*?)```", RegexOptions.Singleline);
        return block.Success ? block.Groups[1].Value
            : throw new InvalidOperationException($"README Quick start has no ```{language} block");
    }
}
