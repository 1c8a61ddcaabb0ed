using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>Sentences of (word, tag) pairs with tags reduced to entity types (B-LOC and I-LOC become LOC).</summary>
/// <param name="Name">Where the data came from, for the console.</param>
/// <param name="Train">Training sentences.</param>
/// <param name="Dev">Sentences evaluated after each epoch (the test split when there is no dev split).</param>
/// <param name="Test">Held-out sentences for the final report.</param>
/// <param name="Tags">The tag set, "O" first.</param>
public sealed record NerCorpus(string Name, List<(string Word, string Tag)[]> Train, List<(string Word, string Tag)[]> Dev,
    List<(string Word, string Tag)[]> Test, string[] Tags)
{
    /// <summary>The shipped tiny corpus, split 80/20 by sentence with a fixed seed (evaluated on the 20% after each epoch too).</summary>
    public static NerCorpus Tiny(Rng rng)
    {
        var sentences = NerTiny.Load().ToArray();
        rng.Shuffle<(string Word, string Tag)[]>(sentences);
        int trainCount = sentences.Length * 4 / 5;
        var test = sentences.Skip(trainCount).ToList();
        return new NerCorpus("the shipped tiny corpus", sentences.Take(trainCount).ToList(), test, test, NerTiny.Tags.ToArray());
    }

    /// <summary>Reads the CoNLL train/dev/test files that <see cref="FindConllFiles"/> found.</summary>
    public static NerCorpus Conll(ConllFiles files)
    {
        var train = Normalize(Data.Conll.ReadFile(files.Train));
        var test = Normalize(Data.Conll.ReadFile(files.Test));
        var dev = files.Dev is null ? test : Normalize(Data.Conll.ReadFile(files.Dev));
        var types = train.Concat(dev).Concat(test).SelectMany(s => s).Select(p => p.Tag).Where(t => t != "O").Distinct().Order(StringComparer.Ordinal);
        return new NerCorpus(files.Folder, train, dev, test, new[] { "O" }.Concat(types).ToArray());
    }

    /// <summary>The entity type of a CoNLL tag: <c>B-LOC</c>, <c>I-LOC</c>, <c>E-LOC</c>, <c>S-LOC</c> → <c>LOC</c>.</summary>
    public static string EntityType(string tag) =>
        tag.Length > 2 && tag[1] == '-' && "BIES".Contains(tag[0], StringComparison.Ordinal) ? tag.Substring(2) : tag;

    private static List<(string Word, string Tag)[]> Normalize(List<(string Word, string Tag)[]> sentences) =>
        sentences.Select(s => s.Select(p => (p.Word, EntityType(p.Tag))).ToArray()).ToList();

    /// <summary>
    /// Finds the CoNLL files in a folder by name (case-insensitive): the training file's name contains "train"; the dev file's
    /// "testa", "dev" or "valid" (optional); the test file's "testb", else "test" (but not "testa"). Returns null and an error
    /// message when the folder or a required file is missing.
    /// </summary>
    public static ConllFiles? FindConllFiles(string folder, out string error)
    {
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            error = $"CoNLL folder not found: {full}\nPut the CoNLL-2003 files there (names containing 'train', 'testa' or 'dev', 'testb' or 'test'), or pass --conll <dir>.";
            return null;
        }
        var names = Directory.GetFiles(full).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        string? Pick(Func<string, bool> match) => names.Where(n => match(n.ToLowerInvariant())).OrderBy(n => n.Length).FirstOrDefault();
        string? train = Pick(n => n.Contains("train"));
        string? dev = Pick(n => n.Contains("testa") || n.Contains("dev") || n.Contains("valid"));
        string? test = Pick(n => n.Contains("testb")) ?? Pick(n => n.Contains("test") && !n.Contains("testa") && !n.Contains("train"));
        if (train is null || test is null)
        {
            string missing = train is null && test is null ? "a training file (name containing 'train') and a test file ('testb' or 'test')"
                : train is null ? "a training file (name containing 'train')" : "a test file (name containing 'testb' or 'test')";
            error = $"CoNLL folder {full} is missing {missing}; it holds: {(names.Count == 0 ? "nothing" : string.Join(", ", names))}.";
            return null;
        }
        error = "";
        return new ConllFiles(full, Path.Combine(full, train), dev is null ? null : Path.Combine(full, dev), Path.Combine(full, test));
    }

    /// <summary>The default CoNLL folder: <c>../shared/data/ner</c> relative to the repository root (the folder holding SymbolicDiff.sln).</summary>
    public static string DefaultConllFolder()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SymbolicDiff.sln")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "ner"));
                }
            }
        }
        return Path.GetFullPath(Path.Combine("..", "shared", "data", "ner"));
    }
}

/// <summary>The files of a CoNLL corpus.</summary>
/// <param name="Folder">The folder they are in.</param>
/// <param name="Train">Training file.</param>
/// <param name="Dev">Development file, if any.</param>
/// <param name="Test">Test file.</param>
public sealed record ConllFiles(string Folder, string Train, string? Dev, string Test);
