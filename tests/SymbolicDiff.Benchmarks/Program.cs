using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/SymbolicDiff.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(SymbolicDiff.Benchmarks.ScalarBenchmarks).Assembly).Run(args);
