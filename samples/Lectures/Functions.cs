using System;

namespace SymbolicDiff.Samples.Lectures;

/// <summary>The functions of CS224n lecture 4's circuit examples, and an objective to fit.</summary>
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

    /// <summary>The lecture's circuit with max: f = 2·(x·y + max(z, w)). "max" routes the gradient to the larger input.</summary>
    [Differentiable]
    public static double MaxCircuit(double x, double y, double z, double w)
    {
        double product = x * y;
        double routed = Math.Max(z, w);
        return 2 * (product + routed);
    }

    /// <summary>
    /// Squared error of the model a·sin(b·x) + c at one data point (x, y); x and y are data, not parameters.
    /// A Huber-style branch keeps outliers from dominating: the derivative follows the branch taken.
    /// </summary>
    [Differentiable]
    public static double PointLoss(double a, double b, double c, [NoDiff] double x, [NoDiff] double y)
    {
        double prediction = a * Math.Sin(b * x) + c;
        double error = prediction - y;
        double size = Math.Abs(error);
        return size <= 1.0 ? 0.5 * error * error : size - 0.5;
    }
}
