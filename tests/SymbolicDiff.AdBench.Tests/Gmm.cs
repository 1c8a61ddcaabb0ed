using System;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// ADBench GMM objective (microsoft/ADBench src/cpp/shared/gmm.h, <c>gmm_objective</c>) as plain C#:
/// static methods over <c>double[]</c>, <c>for</c> loops with int counters, element reads, scalar
/// Math calls and local accumulators. No LINQ, no lambdas; scratch arrays are allocated once per call
/// (outside the point loop) or passed in. Written so a generator with loop support could differentiate it.
///
/// <para>Parameters: alphas[K]; means[K*d] (component-major); icf[K*d(d+1)/2], per component the d
/// log-diagonal entries q, then the strictly-lower entries of L column by column. With
/// Q_k = diag(exp(q_k)) + L_k:</para>
/// <code>
/// f = -n d/2 log(2 pi)
///     + sum_i logsumexp_k( alpha_k + sum(q_k) - 1/2 |Q_k (x_i - mu_k)|^2 )
///     - n logsumexp_k(alpha_k)
///     + sum_k [ 1/2 gamma^2 ( |exp(q_k)|^2 + |L_k|_F^2 ) - m sum(q_k) ]
///     - K C,   C = N_w d (log gamma - 1/2 log 2) - log Gamma_d(N_w / 2),   N_w = d + m + 1
/// </code>
/// log Gamma_d(a) = d(d-1)/4 log(pi) + sum_{j=1..d} lgamma(a + (1-j)/2) (multivariate log-gamma).
/// pi is ADBench's <c>#define PI 3.14159265359</c> (differs from Math.PI by ~2e-13; effect on f ~1e-14).
/// </summary>
public static class Gmm
{
    /// <summary>ADBench defs.h: <c>#define PI 3.14159265359</c>.</summary>
    public const double AdBenchPi = 3.14159265359;

    /// <summary>Number of icf entries per component.</summary>
    public static int IcfSize(int d) => d * (d + 1) / 2;

    /// <summary>The ADBench GMM objective. <paramref name="x"/> holds n points of d values.</summary>
    public static double Objective(int d, int k, int n, double[] alphas, double[] means, double[] icf,
        double[] x, double wishartGamma, int wishartM)
    {
        var xcentered = new double[d];
        var qxcentered = new double[d];
        var mainTerm = new double[k];
        return Objective(d, k, n, alphas, means, icf, x, wishartGamma, wishartM, xcentered, qxcentered, mainTerm);
    }

    /// <summary>Same as <see cref="Objective(int,int,int,double[],double[],double[],double[],double,int)"/>
    /// with caller-provided scratch (xcentered[d], qxcentered[d], mainTerm[k]).</summary>
    public static double Objective(int d, int k, int n, double[] alphas, double[] means, double[] icf,
        double[] x, double wishartGamma, int wishartM,
        double[] xcentered, double[] qxcentered, double[] mainTerm)
    {
        int icfSz = d * (d + 1) / 2;
        double constant = -n * d * 0.5 * Math.Log(2 * AdBenchPi);

        double slse = 0.0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                int mOff = ik * d;
                int qOff = ik * icfSz;
                int lOff = qOff + d;
                double sumQ = 0.0;
                for (int j = 0; j < d; j++)
                {
                    sumQ = sumQ + icf[qOff + j];
                    xcentered[j] = x[ix * d + j] - means[mOff + j];
                }
                // Qtimesx: out = diag(exp(q)) z + L z, L strictly lower, stored column by column.
                for (int j = 0; j < d; j++)
                    qxcentered[j] = Math.Exp(icf[qOff + j]) * xcentered[j];
                int li = 0;
                for (int col = 0; col < d; col++)
                {
                    for (int row = col + 1; row < d; row++)
                    {
                        qxcentered[row] = qxcentered[row] + icf[lOff + li] * xcentered[col];
                        li++;
                    }
                }
                double sq = 0.0;
                for (int j = 0; j < d; j++)
                    sq = sq + qxcentered[j] * qxcentered[j];
                mainTerm[ik] = alphas[ik] + sumQ - 0.5 * sq;
            }
            slse = slse + LogSumExp(k, mainTerm);
        }

        double lseAlphas = LogSumExp(k, alphas);
        double err = constant + slse - n * lseAlphas;
        return err + LogWishartPrior(d, k, icf, wishartGamma, wishartM);
    }

    /// <summary>log-sum-exp with the max trick: log(sum exp(v_i - max)) + max.</summary>
    public static double LogSumExp(int count, double[] v)
    {
        double mx = v[0];
        for (int i = 1; i < count; i++)
            if (v[i] > mx) mx = v[i];
        double semx = 0.0;
        for (int i = 0; i < count; i++)
            semx = semx + Math.Exp(v[i] - mx);
        return Math.Log(semx) + mx;
    }

    /// <summary>ADBench log_wishart_prior: sum_k [1/2 gamma^2 |Q_k|_F^2 - m sum(q_k)] - K C.</summary>
    public static double LogWishartPrior(int d, int k, double[] icf, double wishartGamma, int wishartM)
    {
        int icfSz = d * (d + 1) / 2;
        int nw = d + wishartM + 1;
        double c = nw * d * (Math.Log(wishartGamma) - 0.5 * Math.Log(2.0)) - LogGammaDistrib(0.5 * nw, d);
        double outSum = 0.0;
        for (int ik = 0; ik < k; ik++)
        {
            int off = ik * icfSz;
            double frobenius = 0.0;
            double sumQ = 0.0;
            for (int j = 0; j < d; j++)
            {
                double q = icf[off + j];
                double e = Math.Exp(q);
                frobenius = frobenius + e * e;
                sumQ = sumQ + q;
            }
            for (int j = d; j < icfSz; j++)
                frobenius = frobenius + icf[off + j] * icf[off + j];
            outSum = outSum + 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQ;
        }
        return outSum - k * c;
    }

    /// <summary>Multivariate log-gamma log Gamma_p(a) = p(p-1)/4 log(pi) + sum_{j=1..p} lgamma(a + (1-j)/2).</summary>
    public static double LogGammaDistrib(double a, int p)
    {
        double outV = 0.25 * p * (p - 1) * Math.Log(AdBenchPi);
        for (int j = 1; j <= p; j++)
            outV = outV + LogGamma(a + 0.5 * (1 - j));
        return outV;
    }

    /// <summary>
    /// lgamma for x &gt; 0 (System.Math has none). Multiples of 1/2 (all the Wishart constant needs)
    /// use the exact recurrence from Gamma(1)=1 / Gamma(1/2)=sqrt(pi) as a sum of logs; other
    /// arguments use Stirling's series after shifting x to at least 15 (|error| ~1e-15).
    /// </summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x), "LogGamma needs x > 0");
        double twoX = 2.0 * x;
        if (twoX == Math.Floor(twoX) && x < 1e6)
        {
            // Gamma(x) = (x-1)(x-2)...(b) Gamma(b), b in {1/2, 1}. This stands in for C's lgamma,
            // so Gamma(1/2) = sqrt(pi) uses the exact Math.PI, not ADBench's PI constant.
            double b = ((int)twoX % 2 == 0) ? 1.0 : 0.5;
            double acc = b == 1.0 ? 0.0 : 0.5 * Math.Log(Math.PI);
            for (double y = b; y < x - 0.25; y += 1.0)
                acc += Math.Log(y);
            return acc;
        }

        double shift = 0.0;
        while (x < 15.0)
        {
            shift += Math.Log(x);
            x += 1.0;
        }
        double inv = 1.0 / x, inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188))));
        return (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI) + series - shift;
    }
}
