using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>Command-line options of the sample.</summary>
public sealed record NerOptions
{
    /// <summary>Train the binary "is the centre word a location" model instead of the multi-class tagger.</summary>
    public bool Binary { get; init; }

    /// <summary>A CoNLL folder to train on instead of the shipped corpus (null: the shipped corpus).</summary>
    public string? ConllFolder { get; init; }

    /// <summary>Epochs (default 12 on the shipped corpus, 3 on CoNLL).</summary>
    public int? Epochs { get; init; }

    /// <summary>Where the training curves are saved.</summary>
    public string OutputFolder { get; init; } = "out";

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Seed of the split, the initialisation and the shuffles.</summary>
    public ulong Seed { get; init; } = 224;

    /// <summary>Parses the arguments; returns null and a message for an unknown or malformed one.</summary>
    public static NerOptions? Parse(string[] args, out string error)
    {
        var options = new NerOptions();
        error = "";
        for (int i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            switch (args[i])
            {
                case "--binary":
                    options = options with { Binary = true };
                    break;
                case "--conll":
                    options = options with { ConllFolder = Value() ?? NerCorpus.DefaultConllFolder() };
                    break;
                case "--epochs" when Value() is { } epochs && int.TryParse(epochs, out int n) && n > 0:
                    options = options with { Epochs = n };
                    break;
                case "--out" when Value() is { } folder:
                    options = options with { OutputFolder = folder };
                    break;
                case "--seed" when Value() is { } seed && ulong.TryParse(seed, out ulong s):
                    options = options with { Seed = s };
                    break;
                default:
                    error = $"unknown or incomplete argument '{args[i]}'";
                    return null;
            }
        }
        return options;
    }

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: dotnet run --project samples/WindowNer [-- options]
          --binary        the binary model: is the centre word a location? (s = uᵀ tanh(Wx + b), logistic loss)
          --conll [dir]   train on a CoNLL corpus (files named *train*, *testa*/*dev*, *testb*/*test*);
                          default dir: ../shared/data/ner relative to the repository root
          --epochs N      epochs (default 12, or 3 with --conll)
          --out DIR       where the training curves are saved (default out)
          --seed N        seed of the split, initialisation and shuffles (default 224)
        """;
}

/// <summary>Precision, recall and F1 of one class.</summary>
public readonly record struct ClassScores(int TruePositives, int Predicted, int Actual)
{
    /// <summary>TP / predicted (0 when nothing was predicted).</summary>
    public double Precision => Predicted == 0 ? 0 : (double)TruePositives / Predicted;

    /// <summary>TP / actual (0 when the class never occurs).</summary>
    public double Recall => Actual == 0 ? 0 : (double)TruePositives / Actual;

    /// <summary>The harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>What a run produced: the per-epoch curves and, for the binary model, the held-out scores of the location class.</summary>
public sealed record NerRunResult(List<double> Loss, List<double> Metric, ClassScores? Location, string PlotPath);

/// <summary>The sample's entry point: data, the multi-class window tagger or the binary location model, training, report.</summary>
public static class WindowNerApp
{
    private const int EmbeddingSize = 24, Hidden = 32;

    /// <summary>Runs the sample; returns the process exit code (2 for bad arguments or missing CoNLL data).</summary>
    public static int Execute(string[] args, TextWriter output) => Run(args, output, out _);

    /// <summary>Runs the sample and hands back what it measured.</summary>
    public static int Run(string[] args, TextWriter output, out NerRunResult? result)
    {
        result = null;
        if (args.Contains("--help") || args.Contains("-h"))
        {
            output.WriteLine(NerOptions.Usage);
            return 0;
        }
        var options = NerOptions.Parse(args, out string error);
        if (options is null)
        {
            output.WriteLine(error);
            output.WriteLine(NerOptions.Usage);
            return 2;
        }
        var rng = new Rng(options.Seed);
        NerCorpus corpus;
        if (options.ConllFolder is { } folder)
        {
            var files = NerCorpus.FindConllFiles(folder, out error);
            if (files is null)
            {
                output.WriteLine(error);
                return 2;
            }
            corpus = NerCorpus.Conll(files);
            output.WriteLine($"CoNLL: train {Path.GetFileName(files.Train)}, dev {(files.Dev is null ? "(none: the test file)" : Path.GetFileName(files.Dev))}, test {Path.GetFileName(files.Test)}");
        }
        else
        {
            corpus = NerCorpus.Tiny(rng);
        }
        int epochs = options.Epochs ?? (options.ConllFolder is null ? 12 : 3);
        result = options.Binary ? TrainBinary(corpus, options, epochs, rng, output) : TrainTagger(corpus, options, epochs, rng, output);
        return 0;
    }

    /// <summary>Word ids of each ±2 window (0 pads, 1 is an unknown word) with the centre word's tag.</summary>
    public static IEnumerable<(int[] Window, string Tag)> Windows(Dictionary<string, int> vocabulary, List<(string Word, string Tag)[]> corpus)
    {
        foreach (var sentence in corpus)
        {
            for (int i = 0; i < sentence.Length; i++)
            {
                var window = new int[5];
                for (int k = -2; k <= 2; k++)
                {
                    int j = i + k;
                    window[k + 2] = j < 0 || j >= sentence.Length ? 0
                        : vocabulary.TryGetValue(sentence[j].Word.ToLowerInvariant(), out int id) ? id : 1;
                }
                yield return (window, sentence[i].Tag);
            }
        }
    }

    /// <summary>Word ids: 0 pads, 1 is an unknown word, then every lower-cased training word.</summary>
    public static Dictionary<string, int> Vocabulary(NerCorpus corpus)
    {
        var vocabulary = new Dictionary<string, int> { ["<pad>"] = 0, ["<unk>"] = 1 };
        foreach (var (word, _) in corpus.Train.SelectMany(s => s))
        {
            vocabulary.TryAdd(word.ToLowerInvariant(), vocabulary.Count);
        }
        return vocabulary;
    }

    // ---- The binary model: is the centre word a location? -------------------------------------------

    private static NerRunResult TrainBinary(NerCorpus corpus, NerOptions options, int epochs, Rng rng, TextWriter output)
    {
        var vocabulary = Vocabulary(corpus);
        var model = new BinaryLocationModel(vocabulary.Count, EmbeddingSize, Hidden, rng);
        var examples = Windows(vocabulary, corpus.Train).Select(w => (w.Window, Label: w.Tag == "LOC" ? 1 : 0)).ToArray();
        var dev = Windows(vocabulary, corpus.Dev).Select(w => (w.Window, Label: w.Tag == "LOC" ? 1 : 0)).ToArray();
        var test = Windows(vocabulary, corpus.Test).Select(w => (w.Window, Label: w.Tag == "LOC" ? 1 : 0)).ToArray();
        output.WriteLine($"Window NER, binary (is the centre word a location?), {corpus.Name}: {corpus.Train.Count} training and {corpus.Test.Count} test sentences, " +
                         $"{vocabulary.Count} words, {examples.Count(e => e.Label == 1)} of {examples.Length} training tokens are locations");

        int steps = (examples.Length + options.BatchSize - 1) / options.BatchSize;
        var (losses, f1s) = TrainingConsole.Train(epochs, steps, examples.Length,
            step: (epoch, k) =>
            {
                if (k == 0)
                {
                    rng.Shuffle<(int[] Window, int Label)>(examples);
                }
                return model.TrainStep(examples.AsSpan(k * options.BatchSize, Math.Min(options.BatchSize, examples.Length - k * options.BatchSize)));
            },
            evaluate: () => model.Evaluate(dev).F1,
            metric: "LOC F1");
        string plot = TrainingConsole.SaveCurves(Path.Combine(options.OutputFolder, options.ConllFolder is null ? "window-ner-binary-training.png" : "window-ner-binary-conll-training.png"),
            "Window NER: is the centre word a location?", losses, f1s, metric: "LOC F1");
        output.WriteLine($"saved {plot}");

        var scores = model.Evaluate(test);
        output.WriteLine();
        output.WriteLine($"location (LOC) tokens in the held-out split: precision {scores.Precision:P1}, recall {scores.Recall:P1}, F1 {scores.F1:P1} " +
                         $"({scores.TruePositives} of {scores.Actual} found, {scores.Predicted} predicted)");
        return new NerRunResult(losses, f1s, scores, plot);
    }

    // ---- The multi-class tagger --------------------------------------------------------------------

    private static NerRunResult TrainTagger(NerCorpus corpus, NerOptions options, int epochs, Rng rng, TextWriter output)
    {
        var vocabulary = Vocabulary(corpus);
        string[] tags = corpus.Tags;
        output.WriteLine($"Window NER, {corpus.Name}: {corpus.Train.Count} training and {corpus.Test.Count} test sentences, {vocabulary.Count} words, tags {string.Join(" ", tags)}");

        // Parameters (Xavier) and their caller-owned gradients, which the generated code accumulates into.
        var E = new Mat<float>(vocabulary.Count, EmbeddingSize);
        var W = new Mat<float>(Hidden, 5 * EmbeddingSize);
        var b = new Vec<float>(Hidden);
        var U = new Mat<float>(tags.Length, Hidden);
        var c = new Vec<float>(tags.Length);
        Init.Gaussian<float>(E.Span, rng, 0, 0.1);
        Init.XavierUniform(W, rng);
        Init.XavierUniform(U, rng);
        var dE = new Mat<float>(E.Rows, E.Cols);
        var dW = new Mat<float>(W.Rows, W.Cols);
        var db = new Vec<float>(b.Length);
        var dU = new Mat<float>(U.Rows, U.Cols);
        var dc = new Vec<float>(c.Length);
        var optimizer = new Adam<float>(new[] { (E.Data, dE.Data), (W.Data, dW.Data), (b.Data, db.Data), (U.Data, dU.Data), (c.Data, dc.Data) }, 0.01f);
        optimizer.UseRowSparse(dE);   // lazy Adam on the embedding table: a step updates only the rows its minibatch looked up
        var workspace = new WindowModel.BatchLossWorkspace();
        var batchWindows = new int[5 * options.BatchSize];
        var batchTags = new int[options.BatchSize];

        var examples = Windows(vocabulary, corpus.Train).Select(w => (w.Window, Tag: Array.IndexOf(tags, w.Tag))).ToArray();
        int steps = (examples.Length + options.BatchSize - 1) / options.BatchSize;
        var (losses, accuracies) = TrainingConsole.Train(epochs, steps, examples.Length,
            step: (epoch, k) =>
            {
                if (k == 0)
                {
                    rng.Shuffle<(int[] Window, int Tag)>(examples);
                }
                // A minibatch: its windows one after another, one matrix product a layer in the batched gradient.
                int start = k * options.BatchSize, count = Math.Min(options.BatchSize, examples.Length - start);
                for (int j = 0; j < count; j++)
                {
                    examples[start + j].Window.AsSpan(0, 5).CopyTo(batchWindows.AsSpan(5 * j));
                    batchTags[j] = examples[start + j].Tag;
                }
                double loss = WindowModel.BatchLossGradient(E, W, b, U, c, batchWindows.AsSpan(0, 5 * count), batchTags.AsSpan(0, count), dE, dW, db, dU, dc, workspace);
                optimizer.Step();   // updates the parameters, then zeros the gradients
                return loss;
            },
            evaluate: () => Evaluate(corpus.Dev).Accuracy);
        string plot = TrainingConsole.SaveCurves(Path.Combine(options.OutputFolder, options.ConllFolder is null ? "window-ner-training.png" : "window-ner-conll-training.png"),
            "Window NER", losses, accuracies);
        output.WriteLine($"saved {plot}");

        var (_, predictions) = Evaluate(corpus.Test);
        Report(corpus.Test, predictions);
        return new NerRunResult(losses, accuracies, null, plot);

        (double Accuracy, List<int[]> Predictions) Evaluate(List<(string Word, string Tag)[]> sentences)
        {
            var predictions = new List<int[]>();
            int correct = 0, total = 0;
            using var windows = Windows(vocabulary, sentences).GetEnumerator();
            foreach (var sentence in sentences)
            {
                var predicted = new int[sentence.Length];
                for (int i = 0; i < sentence.Length; i++)
                {
                    windows.MoveNext();
                    var scores = WindowModel.Scores(E, W, b, U, c, windows.Current.Window);
                    predicted[i] = Enumerable.Range(0, tags.Length).MaxBy(t => scores[t]);
                    correct += tags[predicted[i]] == windows.Current.Tag ? 1 : 0;
                    total++;
                }
                predictions.Add(predicted);
            }
            return ((double)correct / Math.Max(1, total), predictions);
        }

        void Report(List<(string Word, string Tag)[]> sentences, List<int[]> predictions)
        {
            output.WriteLine();
            output.WriteLine("tag    precision  recall   (tokens)");
            for (int t = 0; t < tags.Length; t++)
            {
                if (tags[t] == "O")
                {
                    continue;
                }
                int truePositive = 0, predictedCount = 0, actualCount = 0;
                for (int s = 0; s < sentences.Count; s++)
                {
                    for (int i = 0; i < sentences[s].Length; i++)
                    {
                        bool actual = sentences[s][i].Tag == tags[t], predicted = predictions[s][i] == t;
                        truePositive += actual && predicted ? 1 : 0;
                        predictedCount += predicted ? 1 : 0;
                        actualCount += actual ? 1 : 0;
                    }
                }
                var scores = new ClassScores(truePositive, predictedCount, actualCount);
                output.WriteLine($"{tags[t],-5}  {scores.Precision,9:P1}  {scores.Recall,6:P1}");
            }

            // Entity level: an entity is a maximal run of one non-O tag; it counts only if span and type both match.
            var gold = new HashSet<(int, int, int, string)>();
            var found = new HashSet<(int, int, int, string)>();
            for (int s = 0; s < sentences.Count; s++)
            {
                gold.UnionWith(Entities(s, sentences[s].Select(p => p.Tag).ToArray()));
                found.UnionWith(Entities(s, predictions[s].Select(t => tags[t]).ToArray()));
            }
            var entities = new ClassScores(gold.Intersect(found).Count(), found.Count, gold.Count);
            output.WriteLine($"entity-level precision {entities.Precision:P1}, recall {entities.Recall:P1}, F1 {entities.F1:P1} ({gold.Count} entities in the test split)");
        }
    }

    private static IEnumerable<(int Sentence, int Start, int End, string Type)> Entities(int sentence, string[] tagged)
    {
        for (int i = 0; i < tagged.Length; i++)
        {
            if (tagged[i] == "O")
            {
                continue;
            }
            int start = i;
            while (i + 1 < tagged.Length && tagged[i + 1] == tagged[start])
            {
                i++;
            }
            yield return (sentence, start, i, tagged[start]);
        }
    }
}

/// <summary>The binary location model's parameters, gradients, optimizer and workspace: one Adam step per minibatch.</summary>
public sealed class BinaryLocationModel
{
    private readonly Adam<float> _optimizer;
    private readonly BinaryWindowModel.LossWorkspace _workspace = new();

    /// <summary>Xavier-initialised parameters for a vocabulary of <paramref name="vocabulary"/> words.</summary>
    public BinaryLocationModel(int vocabulary, int embeddingSize, int hidden, Rng rng, float learningRate = 0.01f)
    {
        E = new Mat<float>(vocabulary, embeddingSize);
        W = new Mat<float>(hidden, 5 * embeddingSize);
        b = new Vec<float>(hidden);
        u = new Vec<float>(hidden);
        Init.Gaussian<float>(E.Span, rng, 0, 0.1);
        Init.XavierUniform(W, rng);
        Init.Gaussian<float>(u.Span, rng, 0, 1.0 / Math.Sqrt(hidden));
        dE = new Mat<float>(E.Rows, E.Cols);
        dW = new Mat<float>(W.Rows, W.Cols);
        db = new Vec<float>(hidden);
        du = new Vec<float>(hidden);
        _optimizer = new Adam<float>(new[] { (E.Data, dE.Data), (W.Data, dW.Data), (b.Data, db.Data), (u.Data, du.Data) }, learningRate);
    }

#pragma warning disable CS1591, SA1307 // the lectures' names
    public Mat<float> E { get; }
    public Mat<float> W { get; }
    public Vec<float> b { get; }
    public Vec<float> u { get; }
    public Mat<float> dE { get; }
    public Mat<float> dW { get; }
    public Vec<float> db { get; }
    public Vec<float> du { get; }
#pragma warning restore CS1591, SA1307

    /// <summary>One minibatch: the generated gradient of each example is summed into the gradients, then one Adam step. Returns the summed loss.</summary>
    public double TrainStep(ReadOnlySpan<(int[] Window, int Label)> batch)
    {
        double loss = 0;
        foreach (var (w, label) in batch)
        {
            loss += BinaryWindowModel.LossGradient(E, W, b, u, w[0], w[1], w[2], w[3], w[4], label, dE, dW, db, du, _workspace);
        }
        _optimizer.Step();
        return loss;
    }

    /// <summary>The mean logistic loss over <paramref name="examples"/> (plain forward pass).</summary>
    public double MeanLoss(IReadOnlyList<(int[] Window, int Label)> examples)
    {
        double total = 0;
        foreach (var (w, label) in examples)
        {
            total += Tensor.LogisticLoss(BinaryWindowModel.Score(E, W, b, u, w), label);
        }
        return total / Math.Max(1, examples.Count);
    }

    /// <summary>Precision, recall and F1 of the location class: a window is predicted a location when σ(s) &gt; ½.</summary>
    public ClassScores Evaluate(IEnumerable<(int[] Window, int Label)> examples)
    {
        int truePositive = 0, predicted = 0, actual = 0;
        foreach (var (w, label) in examples)
        {
            bool isLocation = Tensor.Sigmoid(BinaryWindowModel.Score(E, W, b, u, w)) > 0.5f;
            truePositive += isLocation && label == 1 ? 1 : 0;
            predicted += isLocation ? 1 : 0;
            actual += label;
        }
        return new ClassScores(truePositive, predicted, actual);
    }
}
