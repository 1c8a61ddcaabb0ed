using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SymbolicDiff.Generator.Tests;

/// <summary>
/// The second-order check the property tests share: a generated Hessian against central differences of the generated
/// gradient (Richardson-extrapolated, so the step's error is O(h⁴)), exactly symmetric, returning the function's value;
/// the generated H·v against the Hessian times v, returning the value too.
/// </summary>
internal static class HessianCheck
{
    /// <summary>
    /// Checks the Hessian at <paramref name="x"/> (the flattened differentiable inputs, already away from kinks and branch
    /// boundaries) and adds what disagrees to <paramref name="failures"/>. Returns the number of entries checked: 0 when
    /// the differences of the gradient do not settle (a kink between the steps that <paramref name="nearKink"/> does not
    /// see, a trip count or branch that changes within a step, values too large), so the point tells nothing.
    /// </summary>
    /// <param name="value">The function's value at x, which the Hessian and H·v return; null for a vector output (the Hessian of dyᵀ·y).</param>
    /// <param name="gradient">The generated gradient at a point.</param>
    /// <param name="nearKink">True at a point near a kink or branch boundary; null where the program has no such list.</param>
    /// <param name="hessian">Adds the generated Hessian at x to a zeroed n×n buffer and returns what it returns (null for void).</param>
    /// <param name="product">Adds the generated H·v at x (v the first buffer) to a zeroed buffer and returns what it returns (null for void).</param>
    /// <param name="where">The program and point, appended to each failure.</param>
    public static int Check(double[] x, double? value, Func<double[], double[]> gradient, Func<double[], bool>? nearKink,
        Func<double[], double?> hessian, Func<double[], double[], double?> product, List<string> failures, string where, double tolerance = 1e-5)
    {
        int n = x.Length;
        var numeric = new double[n * n];
        double[] at = gradient(x);
        for (int j = 0; j < n; j++)
        {
            double step = 1e-3 * Math.Max(1, Math.Abs(x[j]));
            double[]? Column(double s)
            {
                double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                plus[j] += s;
                minus[j] -= s;
                if (nearKink is not null && (nearKink(plus) || nearKink(minus)))
                {
                    return null;
                }
                double[] gp = gradient(plus), gm = gradient(minus);
                return gp.Zip(gm, (a, b) => (a - b) / (plus[j] - minus[j])).ToArray();
            }
            double[]? wide = Column(step), narrow = Column(step / 2);
            // A kink or branch boundary between the steps (nearKink only sees the end points) shows as steps that disagree; a
            // kink of the second derivative alone (Softsign(z), |z|·z at z = 0, which no kink list has) as one-sided differences that do.
            double[] OneSided(int side)
            {
                double[] moved = (double[])x.Clone();
                moved[j] += side * step / 2;
                return gradient(moved).Zip(at, (a, b) => (a - b) / (moved[j] - x[j])).ToArray();
            }
            if (wide is null || narrow is null || wide.Concat(narrow).Any(d => !double.IsFinite(d) || Math.Abs(d) > 1e4)
                || wide.Zip(narrow, (a, b) => Math.Abs(a - b) > 1e-4 * Math.Max(1, Math.Abs(b))).Any(far => far)
                || OneSided(+1).Zip(OneSided(-1), (a, b) => Math.Abs(a - b) > 1e-2 * Math.Max(1, Math.Abs(b))).Any(far => far))
            {
                return 0;
            }
            for (int r = 0; r < n; r++)
            {
                numeric[r * n + j] = (4 * narrow[r] - wide[r]) / 3;
            }
        }

        var h = new double[n * n];
        double? returned = hessian(h);
        if (!Nullable.Equals(returned, value))
        {
            failures.Add($"the Hessian returned {returned:R}, the method {value:R} {where}");
        }
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double actual = h[r * n + c], expected = numeric[r * n + c];
                if (!actual.Equals(h[c * n + r]))
                {
                    failures.Add($"H[{r}, {c}] = {actual:R} but H[{c}, {r}] = {h[c * n + r]:R} {where}");
                }
                if (!(Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Max(Math.Abs(actual), Math.Abs(expected)))))
                {
                    failures.Add($"H[{r}, {c}] = {actual:R}, central differences of the gradient {expected:R} {where}");
                }
            }
        }

        // H·v sums the same terms as the Hessian times v in another order: the tolerance scales with their magnitudes.
        var v = Enumerable.Range(0, n).Select(k => 0.5 - 0.75 * (k % 3) + 0.125 * k).ToArray();
        var hv = new double[n];
        double? productValue = product(v, hv);
        if (!Nullable.Equals(productValue, value))
        {
            failures.Add($"H·v returned {productValue:R}, the method {value:R} {where}");
        }
        for (int r = 0; r < n; r++)
        {
            double expected = 0, scale = 1;
            for (int c = 0; c < n; c++)
            {
                expected += h[r * n + c] * v[c];
                scale += Math.Abs(h[r * n + c] * v[c]);
            }
            if (!(Math.Abs(hv[r] - expected) <= 1e-10 * scale))
            {
                failures.Add($"(H·v)[{r}] = {hv[r]:R}, the Hessian times v {expected:R} {where}");
            }
        }
        return n * n;
    }

    /// <summary>The point as text for failure messages.</summary>
    public static string Format(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
