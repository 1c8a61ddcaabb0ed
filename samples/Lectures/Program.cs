using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using SymbolicDiff;
using SymbolicDiff.Samples.Lectures;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// The samples' command-line convention (System.CommandLine): named options, defaults shown by --help, exit code 2 for a bad option.
var stepsOption = new Option<int>("--steps") { Description = "gradient-descent steps of the curve fit (part 4)", DefaultValueFactory = _ => 600, HelpName = "N" };
var rateOption = new Option<double>("--learning-rate") { Description = "step size of the curve fit", DefaultValueFactory = _ => 0.05, HelpName = "R" };
var seedOption = new Option<int>("--seed") { Description = "seed of the fit's noisy data points", DefaultValueFactory = _ => 7, HelpName = "N" };
var command = new RootCommand("The lectures' examples on generated gradients: the circuit f = (x + y)·z, a sigmoid neuron with a gradient check, "
    + "a max circuit, and a gradient-descent fit of y = a·sin(b·x) + c.") { stepsOption, rateOption, seedOption };
var parsed = command.Parse(args);
if (parsed.Action is System.CommandLine.Help.HelpAction)
{
    return parsed.Invoke();
}
int steps = parsed.GetValue(stepsOption);
if (parsed.Errors.Count > 0 || steps < 60)
{
    foreach (var problem in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {problem.Message}");
    }
    if (parsed.Errors.Count == 0)
    {
        Console.Error.WriteLine($"error: --steps must be at least 60, not {steps}");
    }
    Console.Error.WriteLine("Run with --help to see the options.");
    return 2;
}

// 1. The circuit of lecture 4: f(x, y, z) = (x + y)·z at (−2, 5, −4).
double dx = 0, dy = 0, dz = 0;
double f = Functions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
Console.WriteLine("Circuit f(x, y, z) = (x + y)·z at (x, y, z) = (-2, 5, -4)");
Console.WriteLine($"  f = {f}    ∂f/∂x = {dx}    ∂f/∂y = {dy}    ∂f/∂z = {dz}");
Console.WriteLine();

// 2. The sigmoid neuron: w = (2, −3, −3), x = (−1, −2).
double dw0 = 0, dw1 = 0, dw2 = 0, dx0 = 0, dx1 = 0;
double neuron = Functions.NeuronGradient(2, -3, -3, -1, -2, ref dw0, ref dw1, ref dw2, ref dx0, ref dx1);
Console.WriteLine("Sigmoid neuron f = 1 / (1 + e^-(w0·x0 + w1·x1 + w2)) at w = (2, -3, -3), x = (-1, -2)");
Console.WriteLine($"  f = {neuron:F2}    ∂f/∂w = ({dw0:F2}, {dw1:F2}, {dw2:F2})    ∂f/∂x = ({dx0:F2}, {dx1:F2})");
var check = GradientCheck.Check(
    p => Functions.Neuron(p[0], p[1], p[2], p[3], p[4]),
    (p, g) => Functions.NeuronGradient(p[0], p[1], p[2], p[3], p[4], ref g[0], ref g[1], ref g[2], ref g[3], ref g[4]),
    new[] { 2.0, -3, -3, -1, -2 });
Console.WriteLine($"  gradient check against central differences: max error {check.MaxError:E1}");
Console.WriteLine();

// 3. max routes: f = 2·(x·y + max(z, w)) at (3, −4, 2, −1): only z, the larger input, gets a gradient.
double mx = 0, my = 0, mz = 0, mw = 0;
double m = Functions.MaxCircuitGradient(3, -4, 2, -1, ref mx, ref my, ref mz, ref mw);
Console.WriteLine("Max circuit f = 2·(x·y + max(z, w)) at (3, -4, 2, -1)");
Console.WriteLine($"  f = {m}    ∂f/∂x = {mx}    ∂f/∂y = {my}    ∂f/∂z = {mz}    ∂f/∂w = {mw}");
Console.WriteLine();

// 4. Fit y = a·sin(b·x) + c by gradient descent on generated gradients (minibatch = all points, summed).
var random = new Random(parsed.GetValue(seedOption));
double[] xs = Enumerable.Range(0, 60).Select(i => i * 0.1).ToArray();
double[] ys = xs.Select(x => 1.5 * Math.Sin(1.3 * x) + 0.5 + 0.05 * (random.NextDouble() - 0.5)).ToArray();
double a = 1.0, b = 1.2, c = 0.0;
double learningRate = parsed.GetValue(rateOption);
Console.WriteLine("Fitting y = a·sin(b·x) + c to 60 noisy points by gradient descent (true a = 1.5, b = 1.3, c = 0.5)");
double[] losses = new double[steps];
for (int step = 0; step < losses.Length; step++)
{
    double da = 0, db = 0, dc = 0, loss = 0;
    for (int i = 0; i < xs.Length; i++)
    {
        loss += Functions.PointLossGradient(a, b, c, xs[i], ys[i], ref da, ref db, ref dc);
    }
    losses[step] = loss / xs.Length;
    a -= learningRate * da / xs.Length;
    b -= learningRate * db / xs.Length;
    c -= learningRate * dc / xs.Length;
}
PrintLossCurve(losses);
Console.WriteLine($"  fitted a = {a:F3}, b = {b:F3}, c = {c:F3}; final loss {losses[^1]:G4}");
return 0;

static void PrintLossCurve(double[] losses)
{
    // Ten bars, scaled to the first loss, on a log scale so the tail stays visible.
    double top = Math.Log10(losses[0]), bottom = Math.Log10(losses.Min());
    for (int step = 0; step < losses.Length; step += losses.Length / 10)
    {
        double fraction = top == bottom ? 1 : (Math.Log10(losses[step]) - bottom) / (top - bottom);
        Console.WriteLine($"  step {step,3}  loss {losses[step],10:G4}  {new string('#', 1 + (int)(fraction * 50))}");
    }
}
