using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>Command-line options of the sample.</summary>
/// <param name="Data">A CoNLL folder, or null for the shipped tiny corpus.</param>
/// <param name="Binary">Train the binary model instead of the tagger.</param>
/// <param name="BinaryType">The binary model's entity type (null: the corpus's location type).</param>
/// <param name="Epochs">The most epochs a run trains.</param>
/// <param name="Patience">Stop after this many epochs without a better dev score.</param>
/// <param name="Seed">The first seed.</param>
/// <param name="Seeds">Runs with seeds Seed, Seed + 1, …; the report averages them.</param>
/// <param name="Threads">Seeds trained at once.</param>
/// <param name="Out">Where plots and predictions go.</param>
/// <param name="Lenient">Skip malformed CoNLL lines with a counted warning instead of rejecting the file.</param>
/// <param name="DevInTraining">The share of the dev sentences the tagger trains on (the rest choose the epoch).</param>
/// <param name="Tagger">Sizes and training settings of the tagger.</param>
public sealed record NerOptions(string? Data, bool Binary, string? BinaryType, int Epochs, int Patience, ulong Seed, int Seeds, int Threads, string Out,
    bool Lenient, double DevInTraining, TaggerSettings Tagger);

/// <summary>One training run of the tagger: its curves, the epoch kept and its test scores.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="Loss">Mean training loss per epoch.</param>
/// <param name="DevF1">Dev entity F1 per epoch.</param>
/// <param name="KeptEpoch">The epoch with the best dev F1, whose parameters were kept.</param>
/// <param name="OutsideBias">The O-bias chosen on dev with the kept epoch.</param>
/// <param name="TypeBiases">The per-type shifts chosen on dev for the kept epoch's model (added to the scores of B-X and I-X).</param>
/// <param name="Test">Entity scores of the kept model on the test split.</param>
/// <param name="Predictions">The kept model's test tags, sentence by sentence.</param>
/// <param name="Seconds">Training and scoring time.</param>
public sealed record SeedRun(ulong Seed, List<double> Loss, List<double> DevF1, int KeptEpoch, float OutsideBias, float[] TypeBiases, EntityScores Test, string[][] Predictions, double Seconds);

/// <summary>What a run produced: each seed's run (tagger) or the location scores (binary model), the look-up baseline and the plot.</summary>
/// <param name="Runs">The tagger's runs, one per seed (empty for the binary model).</param>
/// <param name="Baseline">Test scores of the most-frequent-tag look-up (tagger only).</param>
/// <param name="Loss">Training loss per epoch of the first run.</param>
/// <param name="Metric">Dev score per epoch of the first run.</param>
/// <param name="Location">The binary model's token scores for its type on the test split.</param>
/// <param name="PlotPath">The saved training curves.</param>
public sealed record NerRunResult(IReadOnlyList<SeedRun> Runs, EntityScores? Baseline, List<double> Loss, List<double> Metric, ClassScores? Location, string PlotPath);

/// <summary>The sample's entry point: options, data, the multi-class window tagger or the binary model, training, report.</summary>
public static class WindowNerApp
{
    private static readonly Option<string?> DataOption = new("--data", "--conll")
    {
        Description = "a CoNLL folder (files named *train*, *dev*/*testa*, *test*/*testb*); with no DIR, ../shared/data/ner (the Broad Twitter Corpus) "
            + "[default: the shipped tiny corpus]",
        HelpName = "DIR", Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> BinaryOption = new("--binary")
    {
        Description = "train the lectures' binary model instead: is the centre word of entity type TYPE? [default TYPE: the corpus's location type]",
        HelpName = "TYPE", Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<int> EpochsOption = SampleCli.Epochs(12, "most epochs per run (training stops earlier when dev F1 stops improving)");

    private static readonly Option<int> PatienceOption = SampleCli.Positive(new Option<int>("--patience")
    {
        Description = "stop after this many epochs without a better dev entity F1 (the best epoch's model is kept)", DefaultValueFactory = _ => 3, HelpName = "N",
    });

    private static readonly Option<ulong> SeedOption = SampleCli.Seed(224, "first seed (initialisation, shuffles, dropout); run k uses seed + k");

    private static readonly Option<int> SeedsOption = SampleCli.Positive(new Option<int>("--seeds")
    {
        Description = "independent runs to average (the report gives mean ± standard deviation and each run's F1)", DefaultValueFactory = _ => 3, HelpName = "N",
    });

    private static readonly Option<int> ThreadsOption = SampleCli.Threads("runs (seeds) trained at the same time");

    private static readonly Option<string> OutOption = SampleCli.Out();

    private static readonly Option<bool> LenientOption = new("--lenient")
    {
        Description = "skip malformed CoNLL lines with a counted warning instead of rejecting the file",
    };

    private static readonly Option<double> TrainDevOption = new("--train-dev")
    {
        Description = "tagger: share of the dev sentences moved into training; the rest choose the epoch and the O-bias", DefaultValueFactory = _ => 0.5, HelpName = "P",
    };

    private static readonly TaggerSettings Defaults = new();

    private static readonly Option<float> DropoutOption = new("--dropout")
    {
        Description = "tagger: dropout probability on the word vectors during training", DefaultValueFactory = _ => Defaults.Dropout, HelpName = "P",
    };

    private static readonly Option<float> WordDropoutOption = new("--word-dropout")
    {
        Description = "tagger: probability of replacing a window word by <unk> during training", DefaultValueFactory = _ => Defaults.WordDropout, HelpName = "P",
    };

    private static readonly Option<float> LearningRateOption = new("--learning-rate")
    {
        Description = "tagger: Adam's step size", DefaultValueFactory = _ => Defaults.LearningRate, HelpName = "R",
    };

    private static readonly Option<int> HiddenOption = SampleCli.Positive(new Option<int>("--hidden")
    {
        Description = "tagger: hidden units", DefaultValueFactory = _ => Defaults.Hidden, HelpName = "N",
    });

    private static readonly Option<int> WorkersOption = SampleCli.Positive(new Option<int>("--workers")
    {
        Description = "tagger: threads each minibatch is split across (data parallelism; results depend on it only through the gradient's summation order)",
        DefaultValueFactory = _ => Defaults.Workers, HelpName = "N",
    });

    /// <summary>The sample's command: its options and help text.</summary>
    public static RootCommand Command()
    {
        var command = new RootCommand("Window NER (CS224n lecture 3): a ±2-word window tagger on word, shape, casing and affix features, trained on generated gradients.");
        foreach (var option in new Option[] { DataOption, BinaryOption, EpochsOption, PatienceOption, SeedOption, SeedsOption, ThreadsOption, OutOption, LenientOption, TrainDevOption, DropoutOption, WordDropoutOption, LearningRateOption, HiddenOption, WorkersOption })
        {
            command.Options.Add(option);
        }
        return command;
    }

    /// <summary>Runs the sample; returns the process exit code (2 for a bad option, missing or malformed data).</summary>
    public static int Execute(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, out _);

    /// <summary>Runs the sample and hands back what it measured.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, out NerRunResult? result)
    {
        NerRunResult? produced = null;
        int code = SampleCli.Invoke(Command(), args, output, error, parsed =>
        {
            var options = new NerOptions(
                parsed.GetResult(DataOption) is null ? null : parsed.GetValue(DataOption) ?? NerCorpus.DefaultConllFolder(),
                parsed.GetResult(BinaryOption) is not null, parsed.GetValue(BinaryOption),
                parsed.GetValue(EpochsOption), parsed.GetValue(PatienceOption), parsed.GetValue(SeedOption), parsed.GetValue(SeedsOption),
                parsed.GetValue(ThreadsOption), parsed.GetValue(OutOption)!, parsed.GetValue(LenientOption), parsed.GetValue(TrainDevOption),
                Defaults with
                {
                    Dropout = parsed.GetValue(DropoutOption), WordDropout = parsed.GetValue(WordDropoutOption),
                    LearningRate = parsed.GetValue(LearningRateOption), Hidden = parsed.GetValue(HiddenOption), Workers = parsed.GetValue(WorkersOption),
                });
            foreach (var (name, p) in new[] { ("--dropout", options.Tagger.Dropout), ("--word-dropout", options.Tagger.WordDropout), ("--train-dev", (float)options.DevInTraining) })
            {
                if (p is < 0 or >= 1)
                {
                    error.WriteLine($"error: {name} must be in [0, 1), not {p}");
                    return SampleCli.UsageError;
                }
            }
            NerCorpus corpus;
            if (options.Data is { } folder)
            {
                var files = NerCorpus.FindConllFiles(folder, out string missing);
                if (files is null)
                {
                    error.WriteLine($"error: {missing}");
                    return SampleCli.UsageError;
                }
                corpus = NerCorpus.Conll(files, options.Lenient, error);
            }
            else
            {
                corpus = NerCorpus.Tiny(new Rng(options.Seed));
            }
            output.WriteLine($"Data: {corpus.Description}");
            if (options.Binary)
            {
                string? type = corpus.BinaryType(options.BinaryType, out string problem);
                if (type is null)
                {
                    error.WriteLine($"error: {problem}");
                    return SampleCli.UsageError;
                }
                produced = TrainBinary(corpus, type, options, output);
            }
            else
            {
                produced = TrainTaggers(corpus, options, output);
            }
            return 0;
        });
        result = produced;
        return code;
    }

    // ---- The multi-class tagger --------------------------------------------------------------------

    private static NerRunResult TrainTaggers(NerCorpus corpus, NerOptions options, TextWriter output)
    {
        corpus = corpus.WithDevInTraining(options.DevInTraining);
        var features = NerFeatures.FromTraining(corpus.Train);
        string[] tags = corpus.Tags;
        var settings = options.Tagger;
        output.WriteLine($"Window tagger: {corpus.Train.Count} training ({100 * options.DevInTraining:F0}% of the dev split among them), {corpus.Dev.Count} dev and {corpus.Test.Count} test sentences; " +
                         $"{features.WordCount} word ids (words seen fewer than {NerFeatures.MinCount} times are <unk>), {NerFeatures.ShapeCount} shape ids, {NerFeatures.CasingClasses} casing classes, {features.FeatureCount - NerFeatures.AffixStart} affix ids; " +
                         $"tags {string.Join(" ", tags)}");
        output.WriteLine($"{options.Seeds} run(s), at most {options.Epochs} epochs each, stopping after {options.Patience} without a better dev entity F1; " +
                         $"{options.Threads} at a time, each minibatch split across {settings.Workers} worker(s)");
        var log = TextWriter.Synchronized(output);
        var runs = new SeedRun[options.Seeds];
        Parallel.For(0, options.Seeds, new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
            k => runs[k] = TrainTagger(corpus, features, settings, options, options.Seed + (ulong)k, log));

        var baseline = LookupBaseline(corpus);
        Report(corpus, runs, baseline, output);

        Directory.CreateDirectory(options.Out);
        string predictions = Path.GetFullPath(Path.Combine(options.Out, "window-ner-test-predictions.conll"));
        WritePredictions(predictions, corpus.Test, runs[0].Predictions);
        output.WriteLine($"saved {predictions} (token, gold tag, predicted tag of the seed-{runs[0].Seed} run)");
        string plot = TrainingConsole.SaveCurves(Path.Combine(options.Out, "window-ner-training.png"), $"Window NER tagger (seed {runs[0].Seed})",
            runs[0].Loss, runs[0].DevF1, "dev entity F1", runs[0].KeptEpoch);
        output.WriteLine($"saved {plot}");
        return new NerRunResult(runs, baseline, runs[0].Loss, runs[0].DevF1, null, plot);
    }

    private static SeedRun TrainTagger(NerCorpus corpus, NerFeatures features, TaggerSettings settings, NerOptions options, ulong seed, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var tagIndex = corpus.Tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        var examples = corpus.Train.SelectMany(s => features.Windows(s).Zip(s, (ids, p) => (ids, tagIndex[p.Tag]))).ToArray();
        using var tagger = new WindowTagger(features.WordCount, features.FeatureCount, corpus.Tags.Length, settings, new Rng(seed));
        var devWindows = corpus.Dev.Select(features.Windows).ToArray();
        var devGold = corpus.Dev.Select(s => s.Select(p => p.Tag).ToArray()).ToArray();
        var losses = new List<double>();
        var devF1 = new List<double>();
        float[][]? best = null;
        int kept = 0;
        float bias = 0;
        double bestF1 = -1;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            losses.Add(tagger.TrainEpoch(examples));
            var devScores = devWindows.Select(tagger.Scores).ToArray();
            // The O-bias is chosen on dev along with the epoch: the entity classes are rare, so plain argmax under-predicts them.
            var (f1, epochBias) = OutsideBiases.Select(β => (EntityScores.Score(devGold, Decode(devScores, β, corpus.Tags)).Overall.F1, β)).MaxBy(p => p.F1);
            devF1.Add(f1);
            bool better = f1 > bestF1;
            if (better)
            {
                (best, kept, bias, bestF1) = (tagger.Snapshot(), epoch, epochBias, f1);
            }
            log.WriteLine($"seed {seed}  epoch {epoch,2}  loss {losses[^1]:F4}  dev entity F1 {100 * f1:F1} (O-bias {epochBias:F1}){(better ? " best so far" : "")}  {epochClock.Elapsed.TotalSeconds:F1} s");
            if (epoch - kept >= options.Patience)
            {
                break;
            }
        }
        tagger.Restore(best!);
        var typeBiases = ChooseTypeBiases(devWindows.Select(tagger.Scores).ToArray(), devGold, bias, corpus.Tags);
        var predictions = Decode(corpus.Test.Select(s => tagger.Scores(features.Windows(s))).ToArray(), bias, corpus.Tags, typeBiases);
        var test = EntityScores.Score(corpus.Test.Select(s => s.Select(p => p.Tag).ToArray()).ToArray(), predictions);
        return new SeedRun(seed, losses, devF1, kept, bias, typeBiases, test, predictions, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The O-biases tried on dev after each epoch.</summary>
    private static readonly float[] OutsideBiases = [0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 4];

    /// <summary>The per-type shifts tried on dev for the kept model.</summary>
    private static readonly float[] TypeShifts = [-1.5f, -1, -0.5f, 0, 0.5f, 1];

    /// <summary>
    /// Per-type shifts of the entity scores, chosen on dev for a trained model: one shared O-bias cannot tell that
    /// the model over-predicts one type (WNUT 2017: person and location) and under-predicts another. Two rounds of
    /// coordinate ascent, one type at a time over <see cref="TypeShifts"/>, each shift kept only if it raises dev entity F1.
    /// </summary>
    public static float[] ChooseTypeBiases(float[][][] devScores, string[][] devGold, float outsideBias, string[] tags)
    {
        var shifts = new float[(tags.Length - 1) / 2];
        double F1() => EntityScores.Score(devGold, Decode(devScores, outsideBias, tags, shifts)).Overall.F1;
        double top = F1();
        for (int round = 0; round < 2; round++)
        {
            for (int k = 0; k < shifts.Length; k++)
            {
                float kept = shifts[k];
                foreach (float shift in TypeShifts)
                {
                    shifts[k] = shift;
                    double f1 = F1();
                    (top, kept) = f1 > top ? (f1, shift) : (top, kept);
                }
                shifts[k] = kept;
            }
        }
        return shifts;
    }

    private static string[][] Decode(float[][][] sentences, float outsideBias, string[] tags, float[]? typeBiases = null) =>
        sentences.Select(scores => WindowTagger.Decode(scores, outsideBias, typeBiases).Select(t => tags[t]).ToArray()).ToArray();

    /// <summary>The look-up baseline: each word (lower-cased) gets its most frequent training tag, an unseen word O.</summary>
    public static EntityScores LookupBaseline(NerCorpus corpus)
    {
        var best = corpus.Train.SelectMany(s => s).GroupBy(p => NerFeatures.Key(p.Word))
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Tag).OrderByDescending(t => t.Count()).ThenBy(t => t.Key, StringComparer.Ordinal).First().Key);
        var predicted = corpus.Test.Select(s => s.Select(p => best.GetValueOrDefault(NerFeatures.Key(p.Word), "O")).ToArray()).ToArray();
        return EntityScores.Score(corpus.Test.Select(s => s.Select(p => p.Tag).ToArray()).ToArray(), predicted);
    }

    private static void Report(NerCorpus corpus, SeedRun[] runs, EntityScores baseline, TextWriter output)
    {
        static string Stat(IEnumerable<double> values)
        {
            double[] v = values.Select(x => 100 * x).ToArray();
            double mean = v.Average(), sd = v.Length < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
            return $"{mean,5:F1} ± {sd,3:F1}";
        }
        string Shifts(float[] shifts) =>
            shifts.Any(b => b != 0) ? string.Join(" ", shifts.Select((b, k) => (b, k)).Where(p => p.b != 0).Select(p => $"{corpus.Types[p.k]} {p.b:+0.0;-0.0}")) : "none";
        output.WriteLine();
        output.WriteLine($"Test split, entity level (conlleval: a found entity matches a gold one in span and type), mean ± standard deviation over {runs.Length} run(s):");
        output.WriteLine($"{"type",-14} {"precision",11}  {"recall",11}  {"F1",11}  {"entities",8}");
        var types = runs[0].Test.ByType.Keys.ToArray();
        foreach (string type in types)
        {
            var scores = runs.Select(r => r.Test.ByType[type]).ToArray();
            output.WriteLine($"{type,-14} {Stat(scores.Select(s => s.Precision))}  {Stat(scores.Select(s => s.Recall))}  {Stat(scores.Select(s => s.F1))}  {scores[0].Actual,8}");
        }
        var overall = runs.Select(r => r.Test.Overall).ToArray();
        output.WriteLine($"{"all",-14} {Stat(overall.Select(s => s.Precision))}  {Stat(overall.Select(s => s.Recall))}  {Stat(overall.Select(s => s.F1))}  {overall[0].Actual,8}");
        double[] f1 = overall.Select(s => 100 * s.F1).ToArray();
        output.WriteLine($"entity F1 per run: {string.Join(", ", runs.Select((r, i) => $"{f1[i]:F1} (seed {r.Seed}, epoch {r.KeptEpoch} kept, O-bias {r.OutsideBias:F1}, type shifts {Shifts(r.TypeBiases)}, {r.Seconds:F0} s)"))}; " +
                         $"spread {f1.Max() - f1.Min():F1}");
        var b = baseline.Overall;
        output.WriteLine($"most-frequent-tag look-up baseline: precision {100 * b.Precision:F1}, recall {100 * b.Recall:F1}, F1 {100 * b.F1:F1}");
    }

    private static void WritePredictions(string path, List<(string Word, string Tag)[]> sentences, string[][] predictions)
    {
        using var writer = new StreamWriter(path);
        for (int s = 0; s < sentences.Count; s++)
        {
            for (int i = 0; i < sentences[s].Length; i++)
            {
                writer.Write($"{sentences[s][i].Word}\t{sentences[s][i].Tag}\t{predictions[s][i]}\n");
            }
            writer.Write('\n');
        }
    }

    // ---- The binary model: is the centre word of one entity type? ------------------------------------

    private const int BinaryEmbedding = 24, BinaryHidden = 32, BinaryBatch = 16;

    private static NerRunResult TrainBinary(NerCorpus corpus, string type, NerOptions options, TextWriter output)
    {
        var rng = new Rng(options.Seed);
        var features = NerFeatures.FromTraining(corpus.Train);
        var model = new BinaryLocationModel(features.WordCount, BinaryEmbedding, BinaryHidden, rng);
        (int[] Window, int Label)[] Examples(List<(string Word, string Tag)[]> sentences) =>
            sentences.SelectMany(s => features.Windows(s).Zip(s, (ids, p) => (ids, ConllTags.Type(p.Tag) == type ? 1 : 0))).ToArray();
        var examples = Examples(corpus.Train);
        var dev = Examples(corpus.Dev);
        var test = Examples(corpus.Test);
        output.WriteLine($"Binary window model (is the centre word {type}?): {features.WordCount} word ids, {examples.Count(e => e.Label == 1)} of {examples.Length} training tokens are {type}");

        int steps = (examples.Length + BinaryBatch - 1) / BinaryBatch;
        float[][]? best = null;
        double bestF1 = -1;
        var (losses, f1s) = TrainingConsole.Train(options.Epochs, steps, examples.Length,
            step: (epoch, k) =>
            {
                if (k == 0)
                {
                    rng.Shuffle<(int[] Window, int Label)>(examples);
                }
                return model.TrainStep(examples.AsSpan(k * BinaryBatch, Math.Min(BinaryBatch, examples.Length - k * BinaryBatch)));
            },
            evaluate: () =>
            {
                double f1 = model.Evaluate(dev).F1;
                if (f1 > bestF1)
                {
                    (best, bestF1) = (model.Snapshot(), f1);
                }
                return f1;
            },
            metric: $"dev {type} token F1");
        int kept = f1s.IndexOf(f1s.Max()) + 1;
        model.Restore(best!);
        string plot = TrainingConsole.SaveCurves(Path.Combine(options.Out, "window-ner-binary-training.png"),
            $"Window NER: is the centre word {type}?", losses, f1s, $"dev {type} token F1", kept);
        output.WriteLine($"saved {plot}");

        var scores = model.Evaluate(test);
        output.WriteLine();
        output.WriteLine($"{type} tokens in the test split (epoch {kept}'s model, the best on dev): precision {scores.Precision:P1}, recall {scores.Recall:P1}, F1 {scores.F1:P1} " +
                         $"({scores.TruePositives} of {scores.Actual} found, {scores.Predicted} predicted)");
        return new NerRunResult([], null, losses, f1s, scores, plot);
    }
}

/// <summary>The binary model's parameters, gradients, optimizer and workspace: one Adam step per minibatch.</summary>
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

    /// <summary>A copy of every parameter (to keep the best epoch's model).</summary>
    public float[][] Snapshot() => [(float[])E.Data.Clone(), (float[])W.Data.Clone(), (float[])b.Data.Clone(), (float[])u.Data.Clone()];

    /// <summary>Puts back the parameters of a <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot)
    {
        snapshot[0].CopyTo(E.Data, 0);
        snapshot[1].CopyTo(W.Data, 0);
        snapshot[2].CopyTo(b.Data, 0);
        snapshot[3].CopyTo(u.Data, 0);
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
