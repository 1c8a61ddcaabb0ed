using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicDiff.Generator.Emitting;

/// <summary>Hands out the local names of a generated method, each once: user names first, then t1, dt2, ….</summary>
internal sealed class NameAllocator
{
    /// <summary>
    /// The most names one generated method may declare. C# stops at 65,534 locals per method (CS0204), and the
    /// compiler's flow analysis grows with the square of the count: 40,000 locals took it 3.7 GB and minutes.
    /// </summary>
    internal const int MaxNames = 20_000;

    private readonly HashSet<string> _used = new();

    /// <summary>Takes <paramref name="name"/> as it is (a parameter's name, say).</summary>
    public string Claim(string name)
    {
        if (_used.Add(name) && _used.Count > MaxNames)
        {
            throw new GeneratedMethodTooLargeException();
        }
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

/// <summary>A generated method would declare more than <see cref="NameAllocator.MaxNames"/> names; the generator reports SD0053.</summary>
internal sealed class GeneratedMethodTooLargeException : System.Exception
{
}
