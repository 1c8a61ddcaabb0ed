using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>Hands out the local names of a generated method, each once: user names first, then t1, dt2, ….</summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _used = new();

    /// <summary>Takes <paramref name="name"/> as it is (a parameter's name, say).</summary>
    public string Claim(string name)
    {
        _used.Add(name);
        return name;
    }

    /// <summary><paramref name="name"/>, or name_2, name_3, … when it is taken.</summary>
    public string Unique(string name)
    {
        string candidate = name;
        for (int suffix = 2; _used.Contains(candidate); suffix++)
        {
            candidate = name + "_" + suffix;
        }
        return Claim(candidate);
    }

    /// <summary>The next free <paramref name="prefix"/>N, counting on from <paramref name="counter"/>.</summary>
    public string Next(string prefix, ref int counter)
    {
        string name;
        do
        {
            name = prefix + ++counter;
        }
        while (_used.Contains(name));
        return Claim(name);
    }

    /// <summary>A name as C# source: keywords get an @.</summary>
    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
