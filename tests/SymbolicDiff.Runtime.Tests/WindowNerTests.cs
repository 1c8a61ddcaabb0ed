using System;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Samples.WindowNer;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>The WindowNer sample: the binary location model trained on generated gradients, and the --conll path end to end.</summary>
public class WindowNerTests
{
    private static (int[] Window, int Label)[] LocationExamples(NerFeatures features, System.Collections.Generic.List<(string Word, string Tag)[]> sentences) =>
        sentences.SelectMany(s => features.Windows(s).Zip(s, (w, p) => (w, p.Tag.EndsWith("LOC", StringComparison.Ordinal) ? 1 : 0))).ToArray();

    [Fact]
    public void BinaryLocationModelLearnsFromGeneratedGradients()
    {
        var rng = new Rng(31);
        var corpus = NerCorpus.Tiny(rng);
        var features = NerFeatures.FromTraining(corpus.Train);
        var train = LocationExamples(features, corpus.Train);
        var test = LocationExamples(features, corpus.Test);
        var model = new BinaryLocationModel(features.WordCount, 8, 12, rng);

        double before = model.MeanLoss(train);
        var initial = model.Evaluate(test);
        const int BatchSize = 16, Steps = 300;
        for (int step = 0; step < Steps; step++)
        {
            int start = step * BatchSize % (train.Length - BatchSize);
            model.TrainStep(train.AsSpan(start, BatchSize));
        }
        double after = model.MeanLoss(train);
        var scores = model.Evaluate(test);

        Assert.True(before > 0.3, $"initial loss {before} should be near ln 2");
        Assert.True(after < 0.05, $"the loss fell only from {before} to {after}");
        Assert.True(scores.F1 > 0.9, $"held-out LOC precision {scores.Precision}, recall {scores.Recall} (before training: F1 {initial.F1})");
        Assert.Equal(test.Count(e => e.Label == 1), scores.Actual);
    }

    [Fact]
    public void BinaryModelGradientPassesASampledGradientCheck()
    {
        var rng = new Rng(5);
        var model = new BinaryLocationModel(11, 3, 7, rng);
        int[] w = { 2, 5, 2, 9, 0 };
        foreach (int label in new[] { 0, 1 })
        {
            var ws = new BinaryWindowModel.LossWorkspace();
            var report = GradientCheck.CheckTensors(
                () => BinaryWindowModel.Loss(model.E, model.W, model.b, model.u, w[0], w[1], w[2], w[3], w[4], label),
                () => BinaryWindowModel.LossGradient(model.E, model.W, model.b, model.u, w[0], w[1], w[2], w[3], w[4], label,
                    model.dE, model.dW, model.db, model.du, ws),
                new[] { GradientCheck.Param("E", model.E, model.dE), GradientCheck.Param("W", model.W, model.dW),
                        GradientCheck.Param("b", model.b, model.db), GradientCheck.Param("u", model.u, model.du) },
                samplesPerTensor: 12, seed: (ulong)label + 1);
            Assert.True(report.Passed(5e-3), report.ToString());
        }
    }

    /// <summary>Two epochs of the tagger on the shipped tiny corpus, each minibatch split across <paramref name="workers"/> threads: the parameters and the epochs' losses.</summary>
    private static (float[][] Parameters, double[] Losses) TrainTagger(int workers)
    {
        var corpus = NerCorpus.Tiny(new Rng(224));
        var features = NerFeatures.FromTraining(corpus.Train);
        var tagIndex = corpus.Tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        var examples = corpus.Train.SelectMany(s => features.Windows(s).Zip(s, (ids, p) => (ids, tagIndex[p.Tag]))).ToArray();
        using var tagger = new WindowTagger(features.WordCount, features.FeatureCount, corpus.Tags.Length, new TaggerSettings(Workers: workers), new Rng(5));
        Assert.Equal(workers, tagger.Workers);
        double[] losses = [tagger.TrainEpoch(examples), tagger.TrainEpoch(examples)];
        return (tagger.Snapshot(), losses);
    }

    // Word dropout and the dropout mask come from each example's own random stream, so splitting a minibatch across
    // workers changes only the order in which the gradient is summed: the same training to float rounding.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TaggerOnSeveralWorkers_TrainsLikeOneWorker_AndIsReproducible(int workers)
    {
        var one = TrainTagger(1);
        var several = TrainTagger(workers);
        var again = TrainTagger(workers);
        Assert.Equal(several.Losses, again.Losses);
        for (int i = 0; i < several.Parameters.Length; i++) Assert.True(several.Parameters[i].AsSpan().SequenceEqual(again.Parameters[i]), $"parameter {i} differs between two runs on {workers} workers");
        Assert.True(one.Losses[1] < one.Losses[0], $"the epochs must train: losses {one.Losses[0]}, {one.Losses[1]}");
        for (int e = 0; e < 2; e++) Assert.True(Math.Abs(one.Losses[e] - several.Losses[e]) <= 1e-5 * one.Losses[e], $"epoch {e + 1}: loss {several.Losses[e]} on {workers} workers, {one.Losses[e]} on one");
        for (int i = 0; i < one.Parameters.Length; i++)
        {
            float largest = one.Parameters[i].Zip(several.Parameters[i], (a, b) => MathF.Abs(a - b)).Max();
            Assert.True(largest < 1e-4f, $"parameter {i} differs by up to {largest} between one and {workers} workers");
        }
    }

    [Fact]
    public void TaggerGradientPassesASampledGradientCheck()
    {
        var rng = new Rng(9);
        var E = new Mat<float>(11, 3);
        var F = new Mat<float>(13, 2);
        var W = new Mat<float>(6, 15);
        var V = new Mat<float>(6, 36);   // 5 shapes, 5 casing classes, 4 prefixes, 4 suffixes of 2 units each
        var b = new Vec<float>(6);
        var U = new Mat<float>(5, 6);
        var c = new Vec<float>(5);
        foreach (var p in new[] { E.Data, F.Data, W.Data, V.Data, b.Data, U.Data, c.Data })
        {
            Init.Gaussian<float>(p, rng, 0, 0.5);
        }
        var dE = new Mat<float>(11, 3);
        var dF = new Mat<float>(13, 2);
        var dW = new Mat<float>(6, 15);
        var dV = new Mat<float>(6, 36);
        var db = new Vec<float>(6);
        var dU = new Mat<float>(5, 6);
        var dc = new Vec<float>(5);
        var mask = new Vec<float>(Enumerable.Range(0, 15).Select(i => i % 3 == 0 ? 0f : 1.5f).ToArray());   // some units dropped
        // Feature rows repeat (shape 3 twice, casing 9 and affix 12 in several slots), so the check covers adjoints added into one row.
        int[] w = { 2, 5, 2, 9, 0, 1, 3, 4, 3, 7, 9, 10, 9, 11, 0, 12, 6, 12, 2, 8, 12, 5, 0 };
        var ws = new TaggerModel.LossWorkspace();
        foreach (int tag in new[] { 0, 3 })
        {
            foreach (var grad in new[] { dE.Data, dF.Data, dW.Data, dV.Data, db.Data, dU.Data, dc.Data })
            {
                Array.Clear(grad);
            }
            var report = GradientCheck.CheckTensors(
                () => TaggerModel.Loss(E, F, W, V, b, U, c, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14],
                    w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22], mask, tag),
                () => TaggerModel.LossGradient(E, F, W, V, b, U, c, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14],
                    w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22], mask, tag, dE, dF, dW, dV, db, dU, dc, ws),
                new[] { GradientCheck.Param("E", E, dE), GradientCheck.Param("F", F, dF), GradientCheck.Param("W", W, dW), GradientCheck.Param("V", V, dV),
                        GradientCheck.Param("b", b, db), GradientCheck.Param("U", U, dU), GradientCheck.Param("c", c, dc) },
                samplesPerTensor: 12, seed: (ulong)tag + 3);
            Assert.True(report.Passed(5e-3), report.ToString());
            Assert.All(Enumerable.Range(0, 6), r => Assert.Equal(0f, dW[r, 0]));   // unit 0 of x was dropped: column 0 of W gets no gradient
        }
    }

    [Fact]
    public void TaggerFeatureRowGradientIsTheSumOverTheSlotsThatLookItUp()
    {
        // Hand-derived: ∂L/∂F[r] = Σ over the slots j that look up row r of (Vᵀ δ)[block j], δ = (1 − h²) ∘ Uᵀ(softmax(s) − onehot(tag)).
        var rng = new Rng(4);
        var E = new Mat<float>(4, 2);
        var F = new Mat<float>(6, 1);
        var W = new Mat<float>(3, 10);
        var V = new Mat<float>(3, 18);
        var b = new Vec<float>(3);
        var U = new Mat<float>(2, 3);
        var c = new Vec<float>(2);
        foreach (var p in new[] { E.Data, F.Data, W.Data, V.Data, b.Data, U.Data, c.Data })
        {
            Init.Gaussian<float>(p, rng, 0, 0.7);
        }
        int[] ids = { 1, 2, 3, 0, 1, 1, 2, 1, 0, 0, 3, 4, 3, 0, 0, 5, 5, 2, 5, 4, 4, 5, 5 };
        var mask = new Vec<float>(Enumerable.Repeat(1f, 10).ToArray());
        var dF = new Mat<float>(6, 1);
        TaggerModel.LossGradient(E, F, W, V, b, U, c, ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[8], ids[9], ids[10], ids[11],
            ids[12], ids[13], ids[14], ids[15], ids[16], ids[17], ids[18], ids[19], ids[20], ids[21], ids[22], mask, 1,
            new Mat<float>(4, 2), dF, new Mat<float>(3, 10), new Mat<float>(3, 18), new Vec<float>(3), new Mat<float>(2, 3), new Vec<float>(2), new TaggerModel.LossWorkspace());

        var scores = TaggerModel.Scores(E, F, W, V, b, U, c, ids);
        double[] x = Enumerable.Range(0, 10).Select(k => (double)E[ids[k / 2], k % 2]).ToArray();
        double[] z = Enumerable.Range(5, 18).Select(k => (double)F[ids[k], 0]).ToArray();
        double[] h = Enumerable.Range(0, 3).Select(r => Math.Tanh(Enumerable.Range(0, 10).Sum(k => W[r, k] * x[k]) + Enumerable.Range(0, 18).Sum(k => V[r, k] * z[k]) + b[r])).ToArray();
        double[] s = Enumerable.Range(0, 2).Select(t => Enumerable.Range(0, 3).Sum(r => U[t, r] * h[r]) + c[t]).ToArray();
        Assert.Equal(s[0], scores[0], 1e-5);
        double[] prob = s.Select(v => Math.Exp(v) / s.Sum(Math.Exp)).ToArray();
        double[] delta = Enumerable.Range(0, 3).Select(r => (1 - h[r] * h[r]) * Enumerable.Range(0, 2).Sum(t => U[t, r] * (prob[t] - (t == 1 ? 1 : 0)))).ToArray();
        for (int row = 0; row < 6; row++)
        {
            double expected = Enumerable.Range(0, 18).Where(j => ids[5 + j] == row).Sum(j => Enumerable.Range(0, 3).Sum(r => V[r, j] * delta[r]));
            Assert.Equal(expected, dF[row, 0], 1e-5);
        }
    }

    [Fact]
    public void FeaturesGiveEachWindowWordsShapesCasingClassesAndTheCentreWordsAffixes()
    {
        (string, string)[] S(params string[] words) => words.Select(w => (w, "O")).ToArray();
        var features = NerFeatures.FromTraining([S("listen", "to", "Paris"), S("Listen", "Paris", "listen"), S("listen", "Paris", "Xq")]);
        // "listen" 3 of 4 times lower case (class 2: 50–90%), "paris" never (class 4: < 10%), "to" and "xq" seen once (class 0).
        Assert.Equal(2, features.CasingClass("Listen"));
        Assert.Equal(4, features.CasingClass("paris"));
        Assert.Equal(0, features.CasingClass("to"));
        Assert.Equal(0, features.CasingClass("Nowhere"));
        Assert.Equal(["<l", "<li", "<lis", "<list", "n>", "en>", "ten>", "sten>"], NerFeatures.AffixKeys("Listen"));
        Assert.Equal(["<0", "<0a", "<0a", "<0a", "a>", "0a>", "0a>", "0a>"], NerFeatures.AffixKeys("7A"));   // shorter than 4: the whole key

        var windows = features.Windows(S("Listen", "Paris"));
        Assert.Equal(2, windows.Length);
        Assert.All(windows, w => Assert.Equal(NerFeatures.IdsPerWindow, w.Length));
        int[] first = windows[0];
        int pad = NerFeatures.Pad;
        Assert.Equal([pad, pad, features.Word("listen"), features.Word("paris"), pad], first[..5]);
        Assert.Equal([pad, pad, NerFeatures.ShapeId("Listen", 0), NerFeatures.ShapeId("Paris", 1), pad], first[5..10]);
        Assert.Equal([pad, pad, NerFeatures.CasingStart + 2, NerFeatures.CasingStart + 4, pad], first[10..15]);
        Assert.NotEqual(NerFeatures.ShapeId("Listen", 0), NerFeatures.ShapeId("Listen", 1));   // a capital at the start says less
        // The centre word's eight affixes were each seen 4 times in training: eight distinct known ids; "xq"'s were seen once.
        int[] affixes = first[15..];
        Assert.Equal(NerFeatures.Affixes, affixes.Length);
        Assert.All(affixes, id => Assert.InRange(id, NerFeatures.AffixStart + 2, features.FeatureCount - 1));
        Assert.Equal(affixes.Length, affixes.Distinct().Count());
        int[] unseen = features.Windows(S("Qz"))[0][15..];
        Assert.All(unseen, id => Assert.Equal(NerFeatures.AffixStart + NerFeatures.Unknown, id));
        Assert.Equal(features.Windows(S("xq"))[0][15], features.Windows(S("Qz"))[0][15]);   // "<x" seen once: <unk> like an unseen affix
    }

    [Fact]
    public void DecodeFindsTheBestSequenceInWhichIFollowsItsOwnType()
    {
        // Tags: 0 O, 1 B-A, 2 I-A, 3 B-B, 4 I-B. Brute force over all valid sequences of random scores.
        var rng = new Rng(17);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = 1 + trial % 4;
            float bias = trial % 3 * 0.75f;
            var scores = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 5).Select(_ => (float)(3 * rng.NextDouble() - 1.5)).ToArray()).ToArray();
            double LogP(int i, int t)
            {
                double[] s = scores[i].Select((v, k) => k == 0 ? v - (double)bias : v).ToArray();
                return s[t] - Math.Log(s.Sum(Math.Exp));
            }
            int[]? best = null;
            double top = double.NegativeInfinity;
            for (int code = 0; code < (int)Math.Pow(5, n); code++)
            {
                int[] tags = Enumerable.Range(0, n).Select(i => code / (int)Math.Pow(5, i) % 5).ToArray();
                bool valid = Enumerable.Range(0, n).All(i => tags[i] % 2 == 1 || tags[i] == 0 || (i > 0 && tags[i - 1] != 0 && (tags[i - 1] + 1) / 2 == tags[i] / 2));
                double score = valid ? Enumerable.Range(0, n).Sum(i => LogP(i, tags[i])) : double.NegativeInfinity;
                (best, top) = score > top ? (tags, score) : (best, top);
            }
            Assert.Equal(best, WindowTagger.Decode(scores, bias));
        }
        // An I- that the window scores alone would give after O or after the other type becomes a valid tag.
        float[][] broken = [[0, 5, 0, 0, 0], [0, 0, 2, 0, 6], [4, 0, 3.5f, 0, 0]];
        Assert.Equal([1, 2, 0], WindowTagger.Decode(broken, 0));
        Assert.Equal([0, 3], WindowTagger.Decode([[3, 0, 2, 0, 0], [0, 0, 0, 1, 0]], 0));
        Assert.Empty(WindowTagger.Decode([], 1));
        Assert.True(WindowTagger.Follows(1, 2) && WindowTagger.Follows(2, 2) && !WindowTagger.Follows(0, 2) && !WindowTagger.Follows(3, 2) && WindowTagger.Follows(4, 3));
    }

    [Fact]
    public void TypeBiasesShiftDecodingAndAreChosenOnDevWhereTheyRaiseF1()
    {
        // Tags: 0 O, 1 B-A, 2 I-A, 3 B-B, 4 I-B.
        float[][] one = [[1, 0.8f, 0, 0.5f, 0]];
        Assert.Equal([0], WindowTagger.Decode(one, 0));
        Assert.Equal([1], WindowTagger.Decode(one, 0, [0.5f, 0]));
        Assert.Equal([3], WindowTagger.Decode(one, 0, [0, 1]));
        Assert.Equal(WindowTagger.Decode(one, 0.4f), WindowTagger.Decode(one, 0, [0.4f, 0.4f]));   // raising every type = lowering O

        // Type A is over-predicted on dev (two false B-A, one right); B is right. Shifting A down by 1.5 leaves only the right one.
        string[] tags = ["O", "B-A", "I-A", "B-B", "I-B"];
        float[][][] dev = [[[0, 1, 0, 0, 0]], [[0, 1, 0, 0, 0]], [[0, 2, 0, 0, 0]], [[0, 0, 0, 1, 0]]];
        string[][] gold = [["O"], ["O"], ["B-A"], ["B-B"]];
        Assert.Equal(new ClassScores(2, 4, 2), EntityScores.Score(gold, dev.Select(s => WindowTagger.Decode(s, 0).Select(t => tags[t]).ToArray()).ToArray()).Overall);
        Assert.Equal([-1.5f, 0f], WindowNerApp.ChooseTypeBiases(dev, gold, 0, tags));
        Assert.Equal([0f, 0f], WindowNerApp.ChooseTypeBiases(dev, [["B-A"], ["B-A"], ["B-A"], ["B-B"]], 0, tags));   // nothing to gain: no shift
    }

    [Fact]
    public void DevInTrainingMovesTheFirstShareOfTheDevSentences()
    {
        (string, string)[] S(string word) => [(word, "O")];
        var corpus = new NerCorpus("t", [S("a"), S("b")], [S("c"), S("d"), S("e"), S("f")], [S("g")], ["X"], "");
        var moved = corpus.WithDevInTraining(0.5);
        Assert.Equal(["a", "b", "c", "d"], moved.Train.Select(s => s[0].Word));
        Assert.Equal(["e", "f"], moved.Dev.Select(s => s[0].Word));
        Assert.Same(corpus.Test, moved.Test);
        Assert.Same(corpus, corpus.WithDevInTraining(0));
        Assert.Single(corpus.WithDevInTraining(0.99).Dev);   // one dev sentence always stays to choose the epoch
    }

    [Fact]
    public void EntityScoresCountConllevalChunksPerType()
    {
        // gold: PER [0,2), LOC [3,4), LOC [4,5); predicted: PER [0,2) right, LOC [3,5) one merged span (wrong), ORG [5,6) spurious.
        string[][] gold = [["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "O"]];
        string[][] predicted = [["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-ORG"]];
        var scores = EntityScores.Score(gold, predicted);
        Assert.Equal(new ClassScores(1, 3, 3), scores.Overall);
        Assert.Equal(new ClassScores(1, 1, 1), scores.ByType["PER"]);
        Assert.Equal(new ClassScores(0, 1, 2), scores.ByType["LOC"]);
        Assert.Equal(new ClassScores(0, 1, 0), scores.ByType["ORG"]);
        Assert.Equal(1.0 / 3, scores.Overall.F1, 12);
    }

    [SkippableTheory]
    [InlineData("", 6338, 99933, 4376, "LOC ORG PER")]
    [InlineData("wnut17", 3394, 62730, 1079, "corporation creative-work group location person product")]
    public void RealCorporaLoadWithTheirPublishedSizes(string subfolder, int trainSentences, int trainTokens, int testEntities, string types)
    {
        string folder = Path.Combine(NerCorpus.DefaultConllFolder(), subfolder);
        Skip.IfNot(Directory.Exists(folder), $"NER corpora not found at {folder} (they live in ../shared/data/ner next to the repository)");
        var corpus = NerCorpus.Conll(NerCorpus.FindConllFiles(folder, out string error) ?? throw new InvalidOperationException(error), lenient: false, TextWriter.Null);
        Assert.Equal(trainSentences, corpus.Train.Count);
        Assert.Equal(trainTokens, corpus.Train.Sum(s => s.Length));
        Assert.Equal(types, string.Join(" ", corpus.Types));
        Assert.Contains(", IOB2;", corpus.Description);
        // conlleval counts (the data README's "entities" column): scoring gold against itself finds every one.
        var gold = corpus.Test.Select(s => s.Select(p => p.Tag).ToArray()).ToArray();
        Assert.Equal(new ClassScores(testEntities, testEntities, testEntities), EntityScores.Score(gold, gold).Overall);
        Assert.InRange(WindowNerApp.LookupBaseline(corpus).Overall.F1, 0.05, 0.6);
    }

    private static string TinyConllFolder(bool withTest = true)
    {
        string dir = Path.Combine(Path.GetTempPath(), "symbolicdiff-conll-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string[] places = { "Paris", "Quito", "Lima", "Oslo", "Rome" };
        string[] people = { "Maria", "John", "Ana", "Li" };
        string Sentences(int count, int offset)
        {
            var text = new System.Text.StringBuilder("-DOCSTART- -X- -X- O\n\n");
            for (int i = 0; i < count; i++)
            {
                string person = people[(i + offset) % people.Length], place = places[(i * 3 + offset) % places.Length];
                text.Append($"{person} NNP B-NP B-PER\nlives VBZ B-VP O\nin IN B-PP O\n{place} NNP B-NP B-LOC\n. . O O\n\n");
                text.Append($"New NNP B-NP B-LOC\n{place} NNP I-NP I-LOC\nwelcomes VBZ B-VP O\n{person} NNP B-NP B-PER\n. . O O\n\n");
            }
            return text.ToString();
        }
        File.WriteAllText(Path.Combine(dir, "eng.train"), Sentences(12, 0));
        File.WriteAllText(Path.Combine(dir, "eng.testa"), Sentences(3, 1));
        if (withTest)
        {
            File.WriteAllText(Path.Combine(dir, "eng.testb"), Sentences(3, 2));
        }
        return dir;
    }

    [Fact]
    public void ConllFlagTrainsBothModelsEndToEndFromAFolder()
    {
        string dir = TinyConllFolder();
        string outDir = Path.Combine(dir, "plots");
        try
        {
            var output = new StringWriter();
            int rc = WindowNerApp.Run(new[] { "--conll", dir, "--binary", "--epochs", "3", "--out", outDir }, output, new StringWriter(), out var result);
            Assert.True(rc == 0, output.ToString());
            Assert.Contains("eng.train 24 sentences, 120 tokens, 4 columns, IOB2; eng.testa 6 sentences, 30 tokens, 4 columns, IOB2; eng.testb", output.ToString());
            Assert.Contains("LOC tokens in the test split", output.ToString());
            Assert.NotNull(result);
            Assert.Equal(3, result!.Loss.Count);
            Assert.True(result.Loss[^1] < result.Loss[0], $"loss {string.Join(", ", result.Loss)}");
            Assert.Equal(3 * (1 + 2), result.Location!.Value.Actual);   // the test file: 3 sentence pairs with 1 + 2 LOC tokens
            Assert.True(File.Exists(result.PlotPath), result.PlotPath);

            output = new StringWriter();
            rc = WindowNerApp.Run(new[] { "--data", dir, "--epochs", "2", "--seeds", "2", "--workers", "2", "--out", outDir }, output, new StringWriter(), out result);
            Assert.True(rc == 0, output.ToString());
            Assert.Contains("tags O B-LOC I-LOC B-PER I-PER", output.ToString());
            Assert.Contains("each minibatch split across 2 worker(s)", output.ToString());
            Assert.Contains("entity F1 per run: ", output.ToString());
            Assert.Null(result!.Location);
            Assert.Equal(new ulong[] { 224, 225 }, result.Runs.Select(r => r.Seed));
            Assert.All(result.Runs, r => Assert.Equal(3 * 2 * 2, r.Test.Overall.Actual));   // 3 sentence pairs, 2 entities each
            Assert.True(File.Exists(Path.Combine(outDir, "window-ner-test-predictions.conll")));
            Assert.True(File.Exists(Path.Combine(outDir, "window-ner-training.png")));

            output = new StringWriter();
            var error = new StringWriter();
            Assert.Equal(2, WindowNerApp.Run(new[] { "--data", dir, "--binary", "MISC" }, output, error, out _));
            Assert.Equal("error: --binary MISC: not a type of this corpus; its types are LOC, PER\n", error.ToString().Replace("\r", ""));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ConllFlagExitsNonZeroWithAMessageWhenDataIsMissing()
    {
        var output = new StringWriter();
        string missing = Path.Combine(Path.GetTempPath(), "symbolicdiff-no-such-folder-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(2, WindowNerApp.Run(new[] { "--conll", missing }, new StringWriter(), output, out var result));
        Assert.Contains("error: CoNLL folder not found: " + missing, output.ToString());
        Assert.Null(result);

        string dir = TinyConllFolder(withTest: false);
        try
        {
            output = new StringWriter();
            Assert.Equal(2, WindowNerApp.Run(new[] { "--binary", "--conll", dir }, new StringWriter(), output, out _));
            Assert.Contains("is missing a test file", output.ToString());
            Assert.Contains("eng.testa, eng.train", output.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

    }

    [Fact]
    public void ConllFilesAreFoundByNameAndTagsReducedToTypes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "symbolicdiff-names-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var name in new[] { "train.txt", "dev.txt", "test.txt", "README" })
            {
                File.WriteAllText(Path.Combine(dir, name), "");
            }
            var files = NerCorpus.FindConllFiles(dir, out string error);
            Assert.True(files is not null, error);
            Assert.Equal("train.txt", Path.GetFileName(files!.Train));
            Assert.Equal("dev.txt", Path.GetFileName(files.Dev));
            Assert.Equal("test.txt", Path.GetFileName(files.Test));
            File.Delete(Path.Combine(dir, "dev.txt"));
            Assert.Null(NerCorpus.FindConllFiles(dir, out _)!.Dev);   // dev is optional: evaluated on test
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal("LOC", ConllTags.Type("B-LOC"));
        Assert.Equal("PER", ConllTags.Type("I-PER"));
        Assert.Null(ConllTags.Type("O"));
        Assert.EndsWith(Path.Combine("shared", "data", "ner"), NerCorpus.DefaultConllFolder());
    }
}
