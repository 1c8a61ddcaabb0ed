using System;
using System.Globalization;
using SymbolicDiff.Samples.WindowNer;

// dotnet run --project samples/WindowNer [-- --binary] [--conll [dir]] [--epochs N] [--out DIR]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return WindowNerApp.Execute(args, Console.Out);
