using System.Linq;
using Xunit;

namespace SymbolicDiff.Generator.Tests;

/// <summary>[Differentiable] on either half of a partial method differentiates the implementing half's body.</summary>
public class PartialMethodTests
{
    private const string Declaring = "public static partial double Cube(double x, double y);";
    private const string Implementing = "public static partial double Cube(double x, double y) => x * x * x * y;";

    [Theory]
    [InlineData(true, false)]    // attribute on the declaring half, both halves in one file
    [InlineData(false, false)]   // attribute on the implementing half
    [InlineData(true, true)]     // attribute on the declaring half, the implementing half in another file
    public void EitherHalfWorks(bool onDeclaringHalf, bool separateFiles)
    {
        string declaring = (onDeclaringHalf ? "[Differentiable] " : "") + Declaring;
        string implementing = (onDeclaringHalf ? "" : "[Differentiable] ") + Implementing;
        string File(string members) => "using System;\nusing SymbolicDiff;\n\npublic static partial class Parts\n{\n    " + members + "\n}\n";
        var run = separateFiles
            ? GeneratorHarness.Run(File(declaring), File(implementing))
            : GeneratorHarness.Run(File(declaring + "\n    " + implementing));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrorsAndWarnings);
        Assert.Single(run.Sources);

        using var loaded = GeneratorHarness.Load(run);
        var gradient = loaded.Assembly.GetType("Parts")!.GetMethod("CubeGradient")!;
        var args = new object[] { 2.0, -3.0, 0.0, 0.0 };
        Assert.Equal(-24.0, (double)gradient.Invoke(null, args)!);
        Assert.Equal(3 * 4 * -3.0, (double)args[2]);   // ∂/∂x x³y = 3x²y
        Assert.Equal(8.0, (double)args[3]);            // ∂/∂y x³y = x³
    }

    [Fact]
    public void ADeclaringHalfWithoutAnImplementationHasNoBody()
    {
        var run = GeneratorHarness.Run("using SymbolicDiff;\npublic static partial class Parts { [Differentiable] static partial double Cube(double x); }");
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SD0011", diagnostic.Id);
        Assert.Equal("[Differentiable] method 'Cube' has no body to differentiate", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
