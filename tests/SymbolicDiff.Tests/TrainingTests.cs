using System;
using System.Linq;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>Training on generated gradients alone: a short, seeded run must drive the loss down.</summary>
public class TrainingTests
{
    [Fact]
    public void WindowModelLearnsASmallTaskWithAdam()
    {
        // Task: the tag of the centre word is its id mod 3, so only the centre slot of the window matters.
        var rng = new Rng(42);
        int vocab = 12, dim = 4, hidden = 8, classes = 3;
        var E = new Mat<double>(vocab, dim);
        var W = new Mat<double>(hidden, 5 * dim);
        var b = new Vec<double>(hidden);
        var U = new Mat<double>(classes, hidden);
        Init.Gaussian<double>(E.Span, rng, 0, 0.5);
        Init.XavierUniform(W, rng);
        Init.XavierUniform(U, rng);
        var dE = new Mat<double>(vocab, dim);
        var dW = new Mat<double>(hidden, 5 * dim);
        var db = new Vec<double>(hidden);
        var dU = new Mat<double>(classes, hidden);
        var optimizer = new Adam<double>(new[] { (E.Data, dE.Data), (W.Data, dW.Data), (b.Data, db.Data), (U.Data, dU.Data) }, 0.02);
        var workspace = new TensorModels.WindowWorkspace();
        var windows = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 5).Select(_ => rng.NextInt(vocab)).ToArray()).ToArray();

        double Epoch(bool learn)
        {
            double total = 0;
            foreach (var w in windows)
            {
                total += TensorModels.WindowGradient(E, W, b, U, 0.0, w[0], w[1], w[2], w[3], w[4], w[2] % classes, dE, dW, db, dU, workspace);
            }
            if (learn)
            {
                optimizer.Step();
            }
            else
            {
                optimizer.ZeroGrad();
            }
            return total / windows.Length;
        }

        double before = Epoch(learn: false);
        for (int step = 0; step < 300; step++)
        {
            Epoch(learn: true);
        }
        double after = Epoch(learn: false);

        Assert.True(before > 0.9, $"initial loss {before} should be near ln 3");
        Assert.True(after < 0.05, $"loss fell only from {before} to {after}");
    }
}
