using System.Runtime.CompilerServices;

// The runtime tests call Gemm's portable path directly, so it is tested on machines where the AVX-512 kernel runs.
[assembly: InternalsVisibleTo("SymbolicDiff.Runtime.Tests")]
