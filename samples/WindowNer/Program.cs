using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Samples.WindowNer;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int EmbeddingSize = 24, Hidden = 32, Epochs = 12, BatchSize = 16;

// Data: the small corpus shipped with the sample, split 80/20 by sentence with a fixed seed.
var rng = new Rng(224);
var sentences = NerTiny.Load().ToArray();
rng.Shuffle<(string Word, string Tag)[]>(sentences);
int trainCount = sentences.Length * 4 / 5;
var train = sentences.Take(trainCount).ToList();
var test = sentences.Skip(trainCount).ToList();
string[] tags = NerTiny.Tags.ToArray();
var vocabulary = new Dictionary<string, int> { ["<pad>"] = 0, ["<unk>"] = 1 };
foreach (var (word, _) in train.SelectMany(s => s))
{
    vocabulary.TryAdd(word.ToLowerInvariant(), vocabulary.Count);
}
Console.WriteLine($"Window NER: {train.Count} training and {test.Count} test sentences, {vocabulary.Count} words, tags {string.Join(" ", tags)}");

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
var workspace = new WindowModel.LossWorkspace();

var examples = Windows(train).ToArray();
int steps = (examples.Length + BatchSize - 1) / BatchSize;
var (losses, accuracies) = TrainingConsole.Train(Epochs, steps, examples.Length,
    step: (epoch, k) =>
    {
        if (k == 0)
        {
            rng.Shuffle<(int[] Window, int Tag)>(examples);
        }
        // A minibatch: the generated gradient adds each example's gradient into the same objects.
        double loss = 0;
        for (int j = k * BatchSize; j < Math.Min((k + 1) * BatchSize, examples.Length); j++)
        {
            var (w, tag) = examples[j];
            loss += WindowModel.LossGradient(E, W, b, U, c, w[0], w[1], w[2], w[3], w[4], tag, dE, dW, db, dU, dc, workspace);
        }
        optimizer.Step();   // updates the parameters, then zeros the gradients
        return loss;
    },
    evaluate: () => Evaluate(test).Accuracy);
Console.WriteLine($"saved {TrainingConsole.SaveCurves("out/window-ner-training.png", "Window NER", losses, accuracies)}");

var (_, predictions) = Evaluate(test);
Report(test, predictions);

IEnumerable<(int[] Window, int Tag)> Windows(List<(string Word, string Tag)[]> corpus)
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
            yield return (window, Array.IndexOf(tags, sentence[i].Tag));
        }
    }
}

(double Accuracy, List<int[]> Predictions) Evaluate(List<(string Word, string Tag)[]> corpus)
{
    var predictions = new List<int[]>();
    int correct = 0, total = 0;
    var windows = Windows(corpus).GetEnumerator();
    foreach (var sentence in corpus)
    {
        var predicted = new int[sentence.Length];
        for (int i = 0; i < sentence.Length; i++)
        {
            windows.MoveNext();
            var scores = WindowModel.Scores(E, W, b, U, c, windows.Current.Window);
            predicted[i] = Enumerable.Range(0, tags.Length).MaxBy(t => scores[t]);
            correct += predicted[i] == windows.Current.Tag ? 1 : 0;
            total++;
        }
        predictions.Add(predicted);
    }
    return ((double)correct / total, predictions);
}

void Report(List<(string Word, string Tag)[]> corpus, List<int[]> predictions)
{
    Console.WriteLine();
    Console.WriteLine("tag    precision  recall   (tokens)");
    for (int t = 0; t < tags.Length; t++)
    {
        if (tags[t] == "O")
        {
            continue;
        }
        int truePositive = 0, predictedCount = 0, actualCount = 0;
        for (int s = 0; s < corpus.Count; s++)
        {
            for (int i = 0; i < corpus[s].Length; i++)
            {
                bool actual = corpus[s][i].Tag == tags[t], predicted = predictions[s][i] == t;
                truePositive += actual && predicted ? 1 : 0;
                predictedCount += predicted ? 1 : 0;
                actualCount += actual ? 1 : 0;
            }
        }
        Console.WriteLine($"{tags[t],-5}  {Ratio(truePositive, predictedCount),9:P1}  {Ratio(truePositive, actualCount),6:P1}");
    }

    // Entity level: an entity is a maximal run of one non-O tag; it counts only if span and type both match.
    var gold = new HashSet<(int, int, int, string)>();
    var found = new HashSet<(int, int, int, string)>();
    for (int s = 0; s < corpus.Count; s++)
    {
        gold.UnionWith(Entities(s, corpus[s].Select(p => p.Tag).ToArray()));
        found.UnionWith(Entities(s, predictions[s].Select(t => tags[t]).ToArray()));
    }
    double precision = Ratio(gold.Intersect(found).Count(), found.Count), recall = Ratio(gold.Intersect(found).Count(), gold.Count);
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    Console.WriteLine($"entity-level precision {precision:P1}, recall {recall:P1}, F1 {f1:P1} ({gold.Count} entities in the test split)");
}

static double Ratio(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

static IEnumerable<(int Sentence, int Start, int End, string Type)> Entities(int sentence, string[] tagged)
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
