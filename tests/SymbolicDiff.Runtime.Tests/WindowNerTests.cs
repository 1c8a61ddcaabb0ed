using System;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.WindowNer;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Runtime.Tests;

/// <summary>The WindowNer sample: the binary location model trained on generated gradients, and the --conll path end to end.</summary>
public class WindowNerTests
{
    private static (int[] Window, int Label)[] LocationExamples(System.Collections.Generic.Dictionary<string, int> vocabulary,
        System.Collections.Generic.List<(string Word, string Tag)[]> sentences) =>
        WindowNerApp.Windows(vocabulary, sentences).Select(w => (w.Window, w.Tag == "LOC" ? 1 : 0)).ToArray();

    [Fact]
    public void BinaryLocationModelLearnsFromGeneratedGradients()
    {
        var rng = new Rng(31);
        var corpus = NerCorpus.Tiny(rng);
        var vocabulary = WindowNerApp.Vocabulary(corpus);
        var train = LocationExamples(vocabulary, corpus.Train);
        var test = LocationExamples(vocabulary, corpus.Test);
        var model = new BinaryLocationModel(vocabulary.Count, 8, 12, rng);

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
            int rc = WindowNerApp.Run(new[] { "--conll", dir, "--binary", "--epochs", "3", "--out", outDir }, output, out var result);
            Assert.True(rc == 0, output.ToString());
            Assert.Contains("CoNLL: train eng.train, dev eng.testa, test eng.testb", output.ToString());
            Assert.Contains("location (LOC) tokens in the held-out split", output.ToString());
            Assert.NotNull(result);
            Assert.Equal(3, result!.Loss.Count);
            Assert.True(result.Loss[^1] < result.Loss[0], $"loss {string.Join(", ", result.Loss)}");
            Assert.Equal(3 * (1 + 2), result.Location!.Value.Actual);   // the test file: 3 sentence pairs with 1 + 2 LOC tokens
            Assert.True(File.Exists(result.PlotPath), result.PlotPath);

            output = new StringWriter();
            rc = WindowNerApp.Run(new[] { "--conll", dir, "--epochs", "1", "--out", outDir }, output, out result);
            Assert.True(rc == 0, output.ToString());
            Assert.Contains("tags O LOC PER", output.ToString());   // B-/I- prefixes reduced to entity types
            Assert.Contains("entity-level precision", output.ToString());
            Assert.Null(result!.Location);
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
        Assert.Equal(2, WindowNerApp.Run(new[] { "--conll", missing }, output, out var result));
        Assert.Contains("CoNLL folder not found: " + missing, output.ToString());
        Assert.Null(result);

        string dir = TinyConllFolder(withTest: false);
        try
        {
            output = new StringWriter();
            Assert.Equal(2, WindowNerApp.Run(new[] { "--binary", "--conll", dir }, output, out _));
            Assert.Contains("is missing a test file", output.ToString());
            Assert.Contains("eng.testa, eng.train", output.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        output = new StringWriter();
        Assert.Equal(2, WindowNerApp.Run(new[] { "--epochs", "zero" }, output, out _));
        Assert.Contains("usage:", output.ToString());
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
        Assert.Equal("LOC", NerCorpus.EntityType("B-LOC"));
        Assert.Equal("PER", NerCorpus.EntityType("I-PER"));
        Assert.Equal("O", NerCorpus.EntityType("O"));
        Assert.EndsWith(Path.Combine("shared", "data", "ner"), NerCorpus.DefaultConllFolder());
    }
}
