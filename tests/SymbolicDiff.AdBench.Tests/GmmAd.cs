using System;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// The ADBench GMM objective (same definition as <see cref="Gmm.Objective(int,int,int,double[],double[],double[],double[],double,int)"/>)
/// written for the generator: scalar loops only, no local arrays. Per point and component the row values of
/// Q_k (x - mu_k) are produced one at a time as scalars (the lower-triangular product is a nested loop over
/// the row's columns), and the log-sum-exp over components is streamed (a running max and a running sum
/// rescaled when the max changes), so each main term is computed once. The generated
/// <c>ObjectiveGradient</c> returns f and adds df/d(alphas, means, icf) into the three spans.
/// </summary>
public static partial class GmmAd
{
    [Differentiable]
    public static double Objective(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        [NoDiff] ReadOnlySpan<double> x, int d, int k, int n, [NoDiff] double wishartGamma, int wishartM)
    {
        int icfSz = d * (d + 1) / 2;

        // sum_i logsumexp_k( alpha_k + sum(q_k) - 1/2 |Q_k (x_i - mu_k)|^2 )
        double slse = 0.0;
        for (int ix = 0; ix < n; ix++)
        {
            double mx = double.NegativeInfinity;
            double se = 0.0;
            for (int ik = 0; ik < k; ik++)
            {
                double sumQ = 0.0;
                double sq = 0.0;
                for (int row = 0; row < d; row++)
                {
                    double q = icf[ik * icfSz + row];
                    sumQ += q;
                    double y = Math.Exp(q) * (x[ix * d + row] - means[ik * d + row]);
                    // L[row, col], strictly lower, stored column by column: column col starts at col*(2d-col-1)/2.
                    for (int col = 0; col < row; col++)
                    {
                        y += icf[ik * icfSz + d + col * (2 * d - col - 1) / 2 + row - col - 1]
                             * (x[ix * d + col] - means[ik * d + col]);
                    }
                    sq += y * y;
                }
                double main = alphas[ik] + sumQ - 0.5 * sq;
                // Streaming log-sum-exp: a running max mx and the running sum se of exp(main - mx), rescaled
                // when the max moves; one pass over the components, with no array of their terms.
                // The result does not depend on how Max routes its adjoint at a tie.
                double mNew = Math.Max(mx, main);
                se = se * Math.Exp(mx - mNew) + Math.Exp(main - mNew);
                mx = mNew;
            }
            slse += Math.Log(se) + mx;
        }

        // n * logsumexp(alphas), streamed like the per-point terms.
        double amx = double.NegativeInfinity;
        double ase = 0.0;
        for (int ik = 0; ik < k; ik++)
        {
            double aNew = Math.Max(amx, alphas[ik]);
            ase = ase * Math.Exp(amx - aNew) + Math.Exp(alphas[ik] - aNew);
            amx = aNew;
        }
        double lseAlphas = Math.Log(ase) + amx;

        // Wishart prior: sum_k [ 1/2 gamma^2 (|exp(q_k)|^2 + |L_k|_F^2) - m sum(q_k) ]
        double prior = 0.0;
        for (int ik = 0; ik < k; ik++)
        {
            double frobenius = 0.0;
            double sumQ = 0.0;
            for (int j = 0; j < d; j++)
            {
                double q = icf[ik * icfSz + j];
                frobenius += Math.Exp(2.0 * q);
                sumQ += q;
            }
            for (int j = d; j < icfSz; j++)
            {
                frobenius += icf[ik * icfSz + j] * icf[ik * icfSz + j];
            }
            prior += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQ;
        }

        // Constants: -n d/2 log(2 pi) and K C with C = N_w d (log gamma - 1/2 log 2) - log Gamma_d(N_w / 2),
        // N_w = d + m + 1. log Gamma_d(a) = d(d-1)/4 log(pi) + sum_{j=1..d} lgamma(a + (1-j)/2); every argument
        // is t/2 with t = N_w + 1 - j an integer >= 2, so lgamma(t/2) is a sum of logs:
        // t even: log((t/2 - 1)!), t odd: log(sqrt(pi)) + sum_{i=0}^{(t-3)/2} log(i + 1/2).
        int nw = d + wishartM + 1;
        double logGammaD = 0.25 * d * (d - 1) * Math.Log(AdBenchPi);
        for (int j = 1; j <= d; j++)
        {
            int t = nw + 1 - j;
            if (t % 2 == 0)
            {
                for (int i = 1; i < t / 2; i++)
                {
                    logGammaD += Math.Log((double)i);
                }
            }
            else
            {
                logGammaD += 0.5 * Math.Log(Math.PI);
                for (int i = 0; i <= (t - 3) / 2; i++)
                {
                    logGammaD += Math.Log(i + 0.5);
                }
            }
        }
        double wishartC = nw * d * (Math.Log(wishartGamma) - 0.5 * Math.Log(2.0)) - logGammaD;
        double constant = -n * d * 0.5 * Math.Log(2.0 * AdBenchPi);

        return constant + slse - n * lseAlphas + prior - k * wishartC;
    }

    private const double AdBenchPi = Gmm.AdBenchPi;

    /// <summary>The objective and its full gradient in ADBench order (alphas[K], means[K*d], icf[K*d(d+1)/2])
    /// from the generated <c>ObjectiveGradient</c>. Overwrites <paramref name="grad"/>; allocation-free when warm.</summary>
    public static double ObjectiveAndGradient(int d, int k, int n, double[] alphas, double[] means, double[] icf,
        double[] x, double wishartGamma, int wishartM, Span<double> grad)
    {
        if (grad.Length != k + k * d + k * Gmm.IcfSize(d))
            throw new ArgumentException("gradient length must be K + K*d + K*d(d+1)/2", nameof(grad));
        grad.Clear();
        return ObjectiveGradient(alphas, means, icf, x, d, k, n, wishartGamma, wishartM,
            grad.Slice(0, k), grad.Slice(k, k * d), grad.Slice(k + k * d));
    }
}
