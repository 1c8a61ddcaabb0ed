using System;
using System.Globalization;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Samples.FashionMnist;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// --batch N (default 64) and --threads N (default: every core) may come anywhere; the rest is [folder] [epochs].
int batchSize = 64, threads = Environment.ProcessorCount;
var positional = new System.Collections.Generic.List<string>();
for (int a = 0; a < args.Length; a++)
{
    if (args[a] == "--batch" && a + 1 < args.Length) batchSize = int.Parse(args[++a]);
    else if (args[a] == "--threads" && a + 1 < args.Length) threads = int.Parse(args[++a]);
    else positional.Add(args[a]);
}
string folder = positional.Count > 0 ? positional[0] : "/usr/share/datasets/fashion-mnist";
int epochs = positional.Count > 1 ? int.Parse(positional[1]) : 12;
if (!File.Exists(Path.Combine(folder, "train-images-idx3-ubyte.gz")))
{
    Console.Error.WriteLine($"Fashion-MNIST not found in {folder}. Install it with: apt-get install -y dataset-fashion-mnist");
    return 1;
}

var trainImages = Idx.ReadImages(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
var trainLabels = Idx.ReadLabels(Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
var testImages = Idx.ReadImages(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
var testLabels = Idx.ReadLabels(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
int pixels = trainImages.Rows * trainImages.Cols;
Vec<float>[] Load(IdxImages images) => Enumerable.Range(0, images.Count).Select(i =>
{
    var x = new Vec<float>(pixels);
    images.CopyNormalized(i, x.Span);
    return x;
}).ToArray();
var train = Load(trainImages);
var test = Load(testImages);
Console.WriteLine($"Fashion-MNIST: {train.Length} training and {test.Length} test images of {pixels} pixels; MLP {pixels}-256-10, ReLU, softmax cross-entropy");

var rng = new Rng(7);
var W1 = new Mat<float>(256, pixels);
var b1 = new Vec<float>(256);
var W2 = new Mat<float>(10, 256);
var b2 = new Vec<float>(10);
Init.XavierUniform(W1, rng);
Init.XavierUniform(W2, rng);
var dW1 = new Mat<float>(W1.Rows, W1.Cols);
var db1 = new Vec<float>(b1.Length);
var dW2 = new Mat<float>(W2.Rows, W2.Cols);
var db2 = new Vec<float>(b2.Length);
var optimizer = new Adam<float>(new[] { (W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);   // Adam is invariant to the gradient's scale, so summed minibatch gradients need no 1/batch
using var trainer = new MlpTrainer(W1, b1, W2, b2, dW1, db1, dW2, db2, train, trainLabels, threads);
var order = Enumerable.Range(0, train.Length).ToArray();
Console.WriteLine($"minibatch {batchSize}, batched generated gradient on {threads} thread(s)");

int steps = (order.Length + batchSize - 1) / batchSize;
var (losses, accuracies) = TrainingConsole.Train(epochs, steps, train.Length,
    step: (epoch, k) =>
    {
        if (k == 0)
        {
            rng.Shuffle<int>(order);
        }
        int start = k * batchSize;
        double loss = trainer.Step(order, start, Math.Min(batchSize, order.Length - start));
        optimizer.Step();   // updates the parameters, then zeros the gradients
        return loss;
    },
    evaluate: () => (double)Enumerable.Range(0, test.Length).Count(i =>
    {
        var scores = Mlp.Scores(W1, b1, W2, b2, test[i]);
        return Enumerable.Range(0, 10).MaxBy(t => scores[t]) == testLabels[i];
    }) / test.Length);
double accuracy = accuracies[^1];
Console.WriteLine($"saved {TrainingConsole.SaveCurves("out/fashion-mnist-training.png", "Fashion-MNIST MLP", losses, accuracies)}");
Console.WriteLine(accuracy >= 0.88 ? $"reached {accuracy:P2} ≥ 88% test accuracy" : $"test accuracy {accuracy:P2} is below 88%");
return 0;
