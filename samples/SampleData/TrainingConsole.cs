using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Spectre.Console;

namespace SymbolicDiff.Samples.Data;

/// <summary>What the training samples show: a progress bar per epoch, and the loss and accuracy curves as a PNG.</summary>
public static class TrainingConsole
{
    /// <summary>
    /// Runs <paramref name="epochs"/> epochs of <paramref name="steps"/> minibatches under a progress bar.
    /// <paramref name="step"/> trains minibatch k and returns its summed loss; <paramref name="evaluate"/> returns the
    /// held-out accuracy (or the score named by <paramref name="metric"/>) after each epoch. Returns the mean loss and the
    /// accuracy per epoch.
    /// </summary>
    public static (List<double> Loss, List<double> Accuracy) Train(int epochs, int steps, int examples, Func<int, int, double> step, Func<double> evaluate,
        string metric = "accuracy")
    {
        var losses = new List<double>();
        var accuracies = new List<double>();
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                for (int epoch = 1; epoch <= epochs; epoch++)
                {
                    var task = context.AddTask($"epoch {epoch,2}", maxValue: steps);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    double loss = 0;
                    for (int k = 0; k < steps; k++)
                    {
                        loss += step(epoch, k);
                        task.Increment(1);
                    }
                    clock.Stop();
                    double accuracy = evaluate();
                    losses.Add(loss / examples);
                    accuracies.Add(accuracy);
                    string summary = $"epoch {epoch,2}  loss {loss / examples:F4}  test {metric} {accuracy:P2}  {clock.Elapsed.TotalSeconds:F1} s";
                    task.Description = summary;
                    if (!AnsiConsole.Profile.Capabilities.Interactive)
                    {
                        Console.WriteLine(summary);   // no live bars when the output is redirected: keep a log line
                    }
                }
            });
        return (losses, accuracies);
    }

    /// <summary>Saves the loss and accuracy curves (accuracy on the right axis) as a PNG and returns its full path.</summary>
    public static string SaveCurves(string path, string title, IReadOnlyList<double> loss, IReadOnlyList<double> accuracy, string metric = "accuracy")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        double[] epochs = Enumerable.Range(1, loss.Count).Select(e => (double)e).ToArray();
        var plot = new ScottPlot.Plot();
        var lossLine = plot.Add.Scatter(epochs, loss.ToArray());
        lossLine.LegendText = "training loss (left)";
        var accuracyLine = plot.Add.Scatter(epochs, accuracy.Select(a => 100 * a).ToArray());
        accuracyLine.LegendText = $"test {metric} % (right)";
        accuracyLine.Axes.YAxis = plot.Axes.Right;
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = $"{metric} (%)";
        plot.ShowLegend();
        plot.SavePng(path, 800, 450);
        return Path.GetFullPath(path);
    }
}
