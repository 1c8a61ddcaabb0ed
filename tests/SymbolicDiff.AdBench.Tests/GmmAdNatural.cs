using System;
using SymbolicDiff;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// The ADBench GMM objective written as ADBench's C++ reference writes it (gmm.h: preprocess_qs with Qdiags and sum_qs, subtract, Qtimesx,
/// sqnorm, two-pass logsumexp), with local arrays for Qdiags, sum_qs, xcentered, Qxcentered and main_term, differentiated by
/// the generator. <see cref="GmmAd"/> is the same objective reshaped with scalar rows and a streamed log-sum-exp.
/// </summary>
public static partial class GmmAdNatural
{
    [Differentiable]
    public static double Objective(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        [NoDiff] ReadOnlySpan<double> x, int d, int k, int n, [NoDiff] double wishartGamma, int wishartM)
    {
        int icfSz = d * (d + 1) / 2;

        // preprocess_qs: Qdiags = exp of the log-diagonal of Q_k, sum_qs[k] = its sum
        var qdiags = new double[k * d];
        var sumQs = new double[k];
        for (int ik = 0; ik < k; ik++)
        {
            double s = 0.0;
            for (int id = 0; id < d; id++)
            {
                qdiags[ik * d + id] = Math.Exp(icf[ik * icfSz + id]);
                s += icf[ik * icfSz + id];
            }
            sumQs[ik] = s;
        }

        var xcentered = new double[d];
        var qxcentered = new double[d];
        var mainTerm = new double[k];
        double slse = 0.0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                // subtract(d, x_i, mu_k, xcentered)
                for (int id = 0; id < d; id++)
                {
                    xcentered[id] = x[ix * d + id] - means[ik * d + id];
                }
                // Qtimesx(d, Qdiags_k, ltri_k, xcentered, Qxcentered): exp(q) on the diagonal, then L strictly below it, stored
                // column by column and walked with a running index; x[i] read once per column, as a C++ compiler would hoist it
                // (the generator does not move loop-invariant reads out of loops)
                for (int id = 0; id < d; id++)
                {
                    qxcentered[id] = qdiags[ik * d + id] * xcentered[id];
                }
                int lparamsidx = 0;
                for (int i = 0; i < d; i++)
                {
                    double xi = xcentered[i];
                    for (int j = i + 1; j < d; j++)
                    {
                        qxcentered[j] = qxcentered[j] + icf[ik * icfSz + d + lparamsidx] * xi;
                        lparamsidx++;
                    }
                }
                double sq = 0.0;
                for (int r = 0; r < d; r++)
                {
                    sq += qxcentered[r] * qxcentered[r];
                }
                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * sq;
            }
            // logsumexp(main_term): max, then the sum of the shifted exponentials
            double mx = mainTerm[0];
            for (int ik = 1; ik < k; ik++)
            {
                mx = Math.Max(mx, mainTerm[ik]);
            }
            double semx = 0.0;
            for (int ik = 0; ik < k; ik++)
            {
                semx += Math.Exp(mainTerm[ik] - mx);
            }
            slse += Math.Log(semx) + mx;
        }

        // logsumexp(alphas)
        double amx = alphas[0];
        for (int ik = 1; ik < k; ik++)
        {
            amx = Math.Max(amx, alphas[ik]);
        }
        double ase = 0.0;
        for (int ik = 0; ik < k; ik++)
        {
            ase += Math.Exp(alphas[ik] - amx);
        }
        double lseAlphas = Math.Log(ase) + amx;

        // log_wishart_prior: sum_k [ 1/2 gamma^2 (|Qdiags_k|^2 + |L_k|_F^2) - m sum_qs[k] ]
        double prior = 0.0;
        for (int ik = 0; ik < k; ik++)
        {
            double frobenius = 0.0;
            for (int j = 0; j < d; j++)
            {
                frobenius += qdiags[ik * d + j] * qdiags[ik * d + j];
            }
            for (int j = d; j < icfSz; j++)
            {
                frobenius += icf[ik * icfSz + j] * icf[ik * icfSz + j];
            }
            prior += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQs[ik];
        }

        // The constants, exactly as GmmAd computes them (log Gamma_d of integer halves as sums of logs).
        int nw = d + wishartM + 1;
        double logGammaD = 0.25 * d * (d - 1) * Math.Log(Gmm.AdBenchPi);
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
        double constant = -n * d * 0.5 * Math.Log(2.0 * Gmm.AdBenchPi);

        return constant + slse - n * lseAlphas + prior - k * wishartC;
    }

    /// <summary>The objective and its full gradient in ADBench order (alphas, means, icf) from the generated
    /// <c>ObjectiveGradient</c>. Overwrites <paramref name="grad"/>; allocation-free when warm.</summary>
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
