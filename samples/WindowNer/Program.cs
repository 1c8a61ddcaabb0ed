using System;
using System.Globalization;
using SymbolicDiff.Samples.WindowNer;

// dotnet run --project samples/WindowNer -- --help
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return WindowNerApp.Execute(args, Console.Out, Console.Error);
