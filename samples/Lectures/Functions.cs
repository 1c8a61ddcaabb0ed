using System;
using SymbolicDiff;

namespace SymbolicDiff.Samples.Lectures;

/// <summary>The functions of CS224n lecture 4's circuit examples.</summary>
public static partial class Functions
{
    /// <summary>The circuit f(x, y, z) = (x + y)·z: "+" distributes the gradient, "*" switches it.</summary>
    [Differentiable]
    public static double Circuit(double x, double y, double z)
    {
        double q = x + y;
        double f = q * z;
        return f;
    }

    /// <summary>A sigmoid neuron f(w, x) = 1 / (1 + e^−(w0·x0 + w1·x1 + w2)).</summary>
    [Differentiable]
    public static double Neuron(double w0, double w1, double w2, double x0, double x1)
    {
        double z = w0 * x0 + w1 * x1 + w2;
        return 1.0 / (1.0 + Math.Exp(-z));
    }

    /// <summary>The lecture's circuit with max: f = 2·(x·y + max(z, w)).</summary>
    [Differentiable]
    public static double MaxCircuit(double x, double y, double z, double w)
    {
        double product = x * y;
        double routed = Math.Max(z, w);
        return 2 * (product + routed);
    }

    [Differentiable]
    public static double Kinky(double x, [NoDiff] double s)
    {
        double y = x > 0 ? Math.Sqrt(x) * s : -x * x;
        double z = Math.Log(1 + y * y);
        return z + Math.Sin(y) * z;
    }
}
