using System;
using System.Globalization;
using SymbolicDiff.Samples.FashionMnist;

// dotnet run --project samples/FashionMnist -- --help
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return FashionMnistApp.Run(args, Console.Out, Console.Error, out _);
