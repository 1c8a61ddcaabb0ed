using System;
using SymbolicDiff.Samples.Lectures;

double dx = 0, dy = 0, dz = 0;
double f = Functions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
Console.WriteLine($"circuit f={f} dx={dx} dy={dy} dz={dz}");
double dw0 = 0, dw1 = 0, dw2 = 0, dx0 = 0, dx1 = 0;
double n = Functions.NeuronGradient(2, -3, -3, -1, -2, ref dw0, ref dw1, ref dw2, ref dx0, ref dx1);
Console.WriteLine($"neuron f={n} {dw0} {dw1} {dw2} {dx0} {dx1}");
