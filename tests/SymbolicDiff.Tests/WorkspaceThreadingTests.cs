using System;
using System.Threading;
using SymbolicDiff.Tensors;
using Xunit;

namespace SymbolicDiff.Tests;

/// <summary>
/// A generated workspace serves one call at a time: a call that finds it in use throws instead of sharing its buffers.
/// The tests hold the workspace entered on one thread (as a running gradient does) while another thread calls the
/// gradient, so they do not depend on two calls happening to overlap.
/// </summary>
public class WorkspaceThreadingTests
{
    private static Vec<double> Vec(params double[] values) => new(values);

    private static Mat<double> Mat(int rows, int cols, double start)
    {
        var m = new Mat<double>(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
        {
            m.Data[i] = start + 0.1 * i;
        }
        return m;
    }

    private sealed record Net(Mat<double> W1, Vec<double> b1, Mat<double> W2, Vec<double> b2, Vec<double> u, Vec<double> x)
    {
        public readonly Mat<double> dW1 = new(W1.Rows, W1.Cols), dW2 = new(W2.Rows, W2.Cols);
        public readonly Vec<double> db1 = new(b1.Length), db2 = new(b2.Length), du = new(u.Length), dx = new(x.Length);

        public double Gradient(TensorModels.TwoLayerWorkspace workspace) =>
            TensorModels.TwoLayerGradient(W1, b1, W2, b2, u, x, dW1, db1, dW2, db2, du, dx, workspace);
    }

    private static Net NewNet() => new(Mat(3, 2, -0.2), Vec(0.1, -0.3, 0.2), Mat(2, 3, -0.4), Vec(0.05, 0.1), Vec(1.5, -0.5), Vec(0.7, -1.1));

    [Fact]
    public void ACallWhileAnotherThreadUsesTheWorkspaceThrows()
    {
        var workspace = new TensorModels.TwoLayerWorkspace();
        var net = NewNet();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using (workspace.Enter("TwoLayerGradient"))
            {
                entered.Set();
                release.Wait();
            }
        });
        holder.Start();
        entered.Wait();
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => net.Gradient(workspace));
            Assert.Equal("TwoLayerWorkspace is already in use by another call of TwoLayerGradient: a workspace holds one call's buffers, "
                + "so it cannot be shared by calls running at the same time. Use one workspace per thread (for example "
                + "new ThreadLocal<TwoLayerWorkspace>(() => new TwoLayerWorkspace()) or one per Parallel.For worker).", error.Message);
            Assert.All(net.dW1.Data, v => Assert.Equal(0, v));   // nothing was written
        }
        finally
        {
            release.Set();
            holder.Join();
        }

        // Once the other call has left, the same workspace works again and gives the gradient a fresh one gives.
        double value = net.Gradient(workspace);
        var fresh = NewNet();
        Assert.Equal(fresh.Gradient(new TensorModels.TwoLayerWorkspace()), value);
        Assert.Equal(fresh.dW1.Data, net.dW1.Data);
        Assert.Equal(fresh.dx.Data, net.dx.Data);
    }

    [Fact]
    public void AGradientLeavesTheWorkspaceFreeWhenItReturnsAndWhenItThrows()
    {
        var workspace = new TensorModels.WindowWorkspace();
        var E = Mat(6, 2, 0.1);
        var W = Mat(3, 10, -0.5);
        var b = Vec(0.1, 0.2, 0.3);
        var U = Mat(4, 3, -0.3);
        Mat<double> dE = new(6, 2), dW = new(3, 10), dU = new(4, 3);
        Vec<double> db = new(3);
        // Word 17 is not a row of E: the lookup throws inside the gradient, after the workspace was entered.
        Assert.ThrowsAny<Exception>(() => TensorModels.WindowGradient(E, W, b, U, 0.01, 1, 2, 17, 4, 5, 2, dE, dW, db, dU, workspace));
        TensorModels.WindowGradient(E, W, b, U, 0.01, 1, 2, 3, 4, 5, 2, dE, dW, db, dU, workspace);
        using (workspace.Enter("test"))
        {
            // Entered here, as by a call on another thread: the gradient refuses it.
            Assert.Throws<InvalidOperationException>(() => TensorModels.WindowGradient(E, W, b, U, 0.01, 1, 2, 3, 4, 5, 2, dE, dW, db, dU, workspace));
        }
        TensorModels.WindowGradient(E, W, b, U, 0.01, 1, 2, 3, 4, 5, 2, dE, dW, db, dU, workspace);
    }
}
