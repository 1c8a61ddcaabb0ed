using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using SymbolicDiff.Samples.Data;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.FashionMnist;

/// <summary>The Fashion-MNIST files, read and checked against each other.</summary>
/// <param name="Train">Training images.</param>
/// <param name="TrainLabels">Training labels, one per image.</param>
/// <param name="Test">Test images, the same size as the training images.</param>
/// <param name="TestLabels">Test labels, one per image.</param>
public sealed record FashionMnistData(IdxImages Train, byte[] TrainLabels, IdxImages Test, byte[] TestLabels)
{
    /// <summary>The four files' names in the folder (each may also be stored uncompressed, without <c>.gz</c>).</summary>
    public static readonly string[] FileNames = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>Reads the four files from <paramref name="folder"/>; a missing or malformed file throws a <see cref="DataFormatException"/>.</summary>
    public static FashionMnistData Load(string folder)
    {
        string Find(string name)
        {
            string gz = Path.Combine(folder, name), plain = gz[..^3];
            return File.Exists(gz) ? gz : File.Exists(plain) ? plain
                : throw new DataFormatException($"Fashion-MNIST not found in {Path.GetFullPath(folder)}: no {name} (install it with: apt-get install -y dataset-fashion-mnist, or pass --data DIR)");
        }
        string[] paths = FileNames.Select(Find).ToArray();
        var train = Idx.ReadImages(paths[0]);
        var trainLabels = CheckLabels(Idx.ReadLabels(paths[1]), paths[1], train, paths[0]);
        var test = Idx.ReadImages(paths[2]);
        var testLabels = CheckLabels(Idx.ReadLabels(paths[3]), paths[3], test, paths[2]);
        if ((test.Rows, test.Cols) != (train.Rows, train.Cols))
        {
            throw new DataFormatException($"{paths[2]}: images of {test.Rows}×{test.Cols}, expected {train.Rows}×{train.Cols} like the training images");
        }
        if (train.Count == 0 || train.Rows * train.Cols == 0)
        {
            throw new DataFormatException($"{paths[0]}: {train.Count} images of {train.Rows}×{train.Cols}, expected at least one non-empty image");
        }
        return new FashionMnistData(train, trainLabels, test, testLabels);
    }

    private static byte[] CheckLabels(byte[] labels, string path, IdxImages images, string imagesPath)
    {
        if (labels.Length != images.Count)
        {
            throw new DataFormatException($"{path}: {labels.Length} labels, expected {images.Count}, one per image in {imagesPath}");
        }
        int bad = Array.FindIndex(labels, l => l >= 10);
        if (bad >= 0)
        {
            throw new DataFormatException($"{path}: label {labels[bad]} at index {bad}, expected a class 0–9");
        }
        return labels;
    }
}

/// <summary>What a run produced: the per-epoch curves and the plot.</summary>
/// <param name="Loss">Mean training loss per epoch.</param>
/// <param name="Accuracy">Test accuracy per epoch.</param>
/// <param name="PlotPath">The saved curves.</param>
public sealed record FashionMnistResult(List<double> Loss, List<double> Accuracy, string PlotPath);

/// <summary>The sample's entry point: options, data, a 784-256-10 MLP trained on generated gradients, report.</summary>
public static class FashionMnistApp
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    private const int Hidden = 256;

    private static readonly Option<string> DataOption = new("--data")
    {
        Description = "folder with the four Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-…; .gz optional)",
        DefaultValueFactory = _ => DefaultFolder, HelpName = "DIR",
    };

    private static readonly Option<int> EpochsOption = SampleCli.Epochs(12, "epochs (passes over the 60,000 training images)");

    /// <summary>The default minibatch: at 64 rows two workers did not beat one on the 2-core machine we measure on; at 256 they do (README).</summary>
    public const int DefaultBatch = 256;

    /// <summary>The default worker count: every core, at most 4 (a worker's share of a 256-row minibatch stays ≥ 64 rows, enough for the GEMM to run at speed).</summary>
    public static int DefaultThreads => Math.Min(Environment.ProcessorCount, 4);

    private static readonly Option<int> BatchOption = SampleCli.Positive(new Option<int>("--batch")
    {
        Description = "minibatch size: examples per batched gradient and Adam step", DefaultValueFactory = _ => DefaultBatch, HelpName = "N",
    });

    private static readonly Option<int> ThreadsOption = SampleCli.Threads("threads each minibatch, its reduction and the Adam step are split across (reproducible for a given count; counts differ only by summation order); default: the processor count, at most 4", DefaultThreads);

    private static readonly Option<ulong> SeedOption = SampleCli.Seed(7);

    private static readonly Option<string> OutOption = SampleCli.Out();

    /// <summary>The sample's command: its options and help text.</summary>
    public static RootCommand Command()
    {
        var command = new RootCommand($"Fashion-MNIST: a 784-{Hidden}-10 MLP (ReLU, softmax cross-entropy) trained with Adam on generated gradients; reports test accuracy per epoch.");
        foreach (var option in new Option[] { DataOption, EpochsOption, BatchOption, ThreadsOption, SeedOption, OutOption })
        {
            command.Options.Add(option);
        }
        return command;
    }

    /// <summary>Runs the sample; returns the process exit code (2 for a bad option, missing or malformed data).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, out FashionMnistResult? result)
    {
        FashionMnistResult? produced = null;
        int code = SampleCli.Invoke(Command(), args, output, error, parsed =>
        {
            var data = FashionMnistData.Load(parsed.GetValue(DataOption)!);
            produced = Train(data, parsed.GetValue(EpochsOption), parsed.GetValue(BatchOption), parsed.GetValue(ThreadsOption), parsed.GetValue(SeedOption), parsed.GetValue(OutOption)!, output);
            return 0;
        });
        result = produced;
        return code;
    }

    private static FashionMnistResult Train(FashionMnistData data, int epochs, int batchSize, int threads, ulong seed, string outFolder, TextWriter output)
    {
        int pixels = data.Train.Rows * data.Train.Cols;
        Vec<float>[] Load(IdxImages images) => Enumerable.Range(0, images.Count).Select(i =>
        {
            var x = new Vec<float>(pixels);
            images.CopyNormalized(i, x.Span);
            return x;
        }).ToArray();
        var train = Load(data.Train);
        var test = Load(data.Test);
        output.WriteLine($"Fashion-MNIST: {train.Length} training and {test.Length} test images of {pixels} pixels; MLP {pixels}-{Hidden}-10, ReLU, softmax cross-entropy");

        var rng = new Rng(seed);
        var W1 = new Mat<float>(Hidden, pixels);
        var b1 = new Vec<float>(Hidden);
        var W2 = new Mat<float>(10, Hidden);
        var b2 = new Vec<float>(10);
        Init.XavierUniform(W1, rng);
        Init.XavierUniform(W2, rng);
        var dW1 = new Mat<float>(W1.Rows, W1.Cols);
        var db1 = new Vec<float>(b1.Length);
        var dW2 = new Mat<float>(W2.Rows, W2.Cols);
        var db2 = new Vec<float>(b2.Length);
        // Adam is invariant to the gradient's scale, so summed minibatch gradients need no 1/batch.
        var optimizer = new Adam<float>(new[] { (W1.Data, dW1.Data), (b1.Data, db1.Data), (W2.Data, dW2.Data), (b2.Data, db2.Data) }, 1e-3f);
        using var trainer = new MlpTrainer(W1, b1, W2, b2, dW1, db1, dW2, db2, optimizer, threads);
        var order = Enumerable.Range(0, train.Length).ToArray();
        output.WriteLine($"minibatch {batchSize}, batched generated gradient, data-parallel on {threads} thread(s)");

        int steps = (order.Length + batchSize - 1) / batchSize;
        var (losses, accuracies) = TrainingConsole.Train(epochs, steps, train.Length,
            step: (epoch, k) =>
            {
                if (k == 0)
                {
                    rng.Shuffle<int>(order);
                }
                int start = k * batchSize;
                return trainer.Step(train, data.TrainLabels, order, start, Math.Min(batchSize, order.Length - start));   // gradient, Adam step, gradients zeroed
            },
            evaluate: () => trainer.Accuracy(test, data.TestLabels),
            metric: "test accuracy");
        double accuracy = accuracies[^1];
        string plot = TrainingConsole.SaveCurves(Path.Combine(outFolder, "fashion-mnist-training.png"), "Fashion-MNIST MLP", losses, accuracies, "test accuracy");
        output.WriteLine($"saved {plot}");
        output.WriteLine(accuracy >= 0.88 ? $"reached {accuracy:P2} ≥ 88% test accuracy" : $"test accuracy {accuracy:P2} is below 88%");
        return new FashionMnistResult(losses, accuracies, plot);
    }
}
