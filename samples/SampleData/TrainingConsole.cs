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
    /// held-out score after each epoch, a fraction, named by <paramref name="metric"/> with the split it was measured on
    /// (e.g. "test accuracy"). Returns the mean loss and the score per epoch.
    /// </summary>
    public static (List<double> Loss, List<double> Accuracy) Train(int epochs, int steps, int examples, Func<int, int, double> step, Func<double> evaluate,
        string metric)
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
                    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                    double loss = 0;
                    for (int k = 0; k < steps; k++)
                    {
                        loss += step(epoch, k);
                        task.Increment(1);
                    }
                    double training = clock.Elapsed.TotalSeconds;
                    double accuracy = evaluate();
                    double scoring = clock.Elapsed.TotalSeconds - training;
                    // CPU time of the whole epoch, all threads: on a loaded machine wall time says little about the code.
                    double cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                    losses.Add(loss / examples);
                    accuracies.Add(accuracy);
                    string summary = $"epoch {epoch,2}  loss {loss / examples:F4}  {metric} {accuracy:P2}  {training:F2} s training + {scoring:F2} s scoring (CPU {cpuSeconds:F2} s)";
                    task.Description = summary;
                    if (!AnsiConsole.Profile.Capabilities.Interactive)
                    {
                        Console.WriteLine(summary);   // no live bars when the output is redirected: keep a log line
                    }
                }
            });
        return (losses, accuracies);
    }

    /// <summary>
    /// Saves the loss and score curves as a PNG and returns its full path. The score (a fraction, named by
    /// <paramref name="metric"/>) is drawn in percent on the right axis, which never reaches past 100; epochs are whole
    /// numbers on the bottom axis; the legend sits below the plot so it covers no curve. <paramref name="keptEpoch"/>,
    /// when given, is marked as the epoch whose model was kept.
    /// </summary>
    public static string SaveCurves(string path, string title, IReadOnlyList<double> loss, IReadOnlyList<double> accuracy, string metric, int? keptEpoch = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        double[] epochs = Enumerable.Range(1, loss.Count).Select(e => (double)e).ToArray();
        double[] percent = accuracy.Select(a => 100 * a).ToArray();
        var plot = new ScottPlot.Plot();
        var lossLine = plot.Add.Scatter(epochs, loss.ToArray());
        lossLine.LegendText = "training loss (left axis)";
        var accuracyLine = plot.Add.Scatter(epochs, percent);
        accuracyLine.LegendText = $"{metric} % (right axis)";
        accuracyLine.Axes.YAxis = plot.Axes.Right;
        if (keptEpoch is { } kept)
        {
            var line = plot.Add.VerticalLine(kept);
            line.LegendText = $"kept: epoch {kept}";
            line.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = $"{metric} (%)";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimitsX(0.5, Math.Max(1.5, epochs.Length + 0.5));
        double low = percent.Length == 0 ? 0 : percent.Min(), high = percent.Length == 0 ? 100 : percent.Max();
        double margin = Math.Max(1, (high - low) * 0.1);
        plot.Axes.SetLimitsY(Math.Max(0, low - margin), Math.Min(100, high + margin), plot.Axes.Right);
        double lossLow = loss.Count == 0 ? 0 : loss.Min(), lossHigh = loss.Count == 0 ? 1 : loss.Max();
        double lossMargin = Math.Max(1e-3, (lossHigh - lossLow) * 0.1);
        plot.Axes.SetLimitsY(Math.Max(0, lossLow - lossMargin), lossHigh + lossMargin, plot.Axes.Left);
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.SavePng(path, 800, 480);
        return Path.GetFullPath(path);
    }
}
