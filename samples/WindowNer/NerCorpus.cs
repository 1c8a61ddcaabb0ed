using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>Train, dev and test sentences of (word, tag) pairs, tags in IOB2 whatever scheme the files used.</summary>
/// <param name="Name">Where the data came from, for the console.</param>
/// <param name="Train">Training sentences.</param>
/// <param name="Dev">Sentences scored after each epoch to choose the epoch (never the test split).</param>
/// <param name="Test">Held-out sentences, scored once at the end.</param>
/// <param name="Types">The entity types, ordinal order.</param>
/// <param name="Description">What was found: files, sizes, tag scheme and types.</param>
public sealed record NerCorpus(string Name, List<(string Word, string Tag)[]> Train, List<(string Word, string Tag)[]> Dev,
    List<(string Word, string Tag)[]> Test, string[] Types, string Description)
{
    /// <summary>The classes of the tagger: O, then B- and I- of each type.</summary>
    public string[] Tags => ["O", .. Types.SelectMany(t => new[] { "B-" + t, "I-" + t })];

    /// <summary>The shipped tiny corpus, split 70/15/15 into train, dev and test by sentence with a fixed seed.</summary>
    public static NerCorpus Tiny(Rng rng)
    {
        var sentences = NerTiny.Load().Select(ToIob2).ToArray();
        rng.Shuffle<(string Word, string Tag)[]>(sentences);
        int train = sentences.Length * 70 / 100, dev = sentences.Length * 15 / 100;
        var types = ConllTags.Types(sentences.Select(TagsOf));
        return new NerCorpus("the shipped tiny corpus", sentences.Take(train).ToList(), sentences.Skip(train).Take(dev).ToList(),
            sentences.Skip(train + dev).ToList(), types, $"the shipped tiny corpus: {sentences.Length} sentences, IO tags, types {string.Join(" ", types)}");
    }

    /// <summary>
    /// Reads the CoNLL train/dev/test files that <see cref="FindConllFiles"/> found. Without a dev file, the last 10% of the
    /// training sentences become the dev split. Malformed lines throw a <see cref="DataFormatException"/>, or are skipped
    /// with a warning written to <paramref name="log"/> when <paramref name="lenient"/>.
    /// </summary>
    public static NerCorpus Conll(ConllFiles files, bool lenient, TextWriter log)
    {
        var read = new List<string>();
        List<(string Word, string Tag)[]> Load(string path)
        {
            var file = Data.Conll.ReadFile(path, lenient);
            if (file.Warning is { } warning)
            {
                log.WriteLine(warning);
            }
            string scheme = ConllTags.Scheme(file.Sentences.Select(TagsOf));
            read.Add($"{Path.GetFileName(path)} {file.Sentences.Count} sentences, {file.Sentences.Sum(s => s.Length)} tokens, {file.Columns} columns, {scheme}");
            return file.Sentences.Select(ToIob2).ToList();
        }
        var train = Load(files.Train);
        var dev = files.Dev is null ? null : Load(files.Dev);
        var test = Load(files.Test);
        if (dev is null)
        {
            int keep = train.Count - Math.Max(1, train.Count / 10);
            dev = train.Skip(keep).ToList();
            train = train.Take(keep).ToList();
            read.Add($"no dev file: the last {dev.Count} training sentences are the dev split");
        }
        var types = ConllTags.Types(train.Concat(dev).Concat(test).Select(TagsOf));
        return new NerCorpus(files.Folder, train, dev, test, types, $"{files.Folder}: {string.Join("; ", read)}; types {string.Join(" ", types)}");
    }

    /// <summary>
    /// The corpus with the first <paramref name="share"/> of the dev sentences moved to the end of the training split;
    /// the rest stay the dev split that chooses the epoch (at least one sentence stays). WNUT 2017's dev split comes
    /// from other sites than its training tweets, as its test split does, so training on part of it is what lets the
    /// model see the test's kind of text.
    /// </summary>
    public NerCorpus WithDevInTraining(double share)
    {
        int moved = Math.Min(Dev.Count - 1, (int)(Dev.Count * share));
        return moved <= 0 ? this : this with { Train = [.. Train, .. Dev.Take(moved)], Dev = Dev.Skip(moved).ToList() };
    }

    private static string[] TagsOf((string Word, string Tag)[] sentence) => sentence.Select(p => p.Tag).ToArray();

    private static (string Word, string Tag)[] ToIob2((string Word, string Tag)[] sentence)
    {
        string[] tags = ConllTags.ToIob2(TagsOf(sentence));
        return sentence.Select((p, i) => (p.Word, tags[i])).ToArray();
    }

    /// <summary>
    /// The entity type the binary model looks for: <paramref name="requested"/> when given (it must occur), else the
    /// corpus's location type (the first type whose name starts with "loc", ignoring case, or "GPE"). Null, with a message, when there is none.
    /// </summary>
    public string? BinaryType(string? requested, out string error)
    {
        error = "";
        string? type = requested is null
            ? Types.FirstOrDefault(t => t.StartsWith("loc", StringComparison.OrdinalIgnoreCase)) ?? Types.FirstOrDefault(t => t == "GPE")
            : Types.FirstOrDefault(t => t == requested);
        if (type is null)
        {
            error = requested is null
                ? $"--binary: the corpus has no location type; name one of its types: --binary {string.Join("|", Types)}"
                : $"--binary {requested}: not a type of this corpus; its types are {string.Join(", ", Types)}";
        }
        return type;
    }

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
            error = $"CoNLL folder not found: {full} (put files named *train*, *dev* or *testa*, *test* or *testb* there, or pass --data DIR)";
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
            error = $"CoNLL folder {full} is missing {missing}; it holds: {(names.Count == 0 ? "nothing" : string.Join(", ", names))}";
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
