using Xunit;

namespace SymbolicDiff.Generator.Tests;

public class SmokeTests
{
    [Fact]
    public void GeneratorTypeExists() => Assert.NotNull(new DifferentiableGenerator());
}
