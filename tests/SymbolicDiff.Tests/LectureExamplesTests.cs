using SymbolicDiff;
using Xunit;

namespace SymbolicDiff.Tests;

public static partial class LectureFunctions
{
    [Differentiable]
    public static double Circuit(double x, double y, double z) => (x + y) * z;
}

public class LectureExamplesTests
{
    [Fact]
    public void CircuitGivesTheLectureGradient()
    {
        double dx = 0, dy = 0, dz = 0;
        double f = LectureFunctions.CircuitGradient(-2, 5, -4, ref dx, ref dy, ref dz);
        Assert.Equal(-12, f);
        Assert.Equal((-4.0, -4.0, 3.0), (dx, dy, dz));
    }
}
