using System;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// Hand-written reverse-mode (adjoint) gradient of <see cref="Gmm.Objective(int,int,int,double[],double[],double[],double[],double,int)"/>:
/// the classic derivation, used as a reference and benchmark baseline for generated code.
///
/// <para>Per point x_i and component k, with z = x_i - mu_k, y = Q_k z, main_k = alpha_k + sum(q_k) - |y|^2/2
/// and p_k = softmax_k(main) (the adjoint of logsumexp):</para>
/// <code>
/// d/d alpha_k += p_k                                   (then -= n softmax_k(alpha) once)
/// d/d mu_k    += p_k Q_k^T y
/// d/d q_kj    += p_k (1 - y_j exp(q_kj) z_j)           (then += gamma^2 exp(2 q_kj) - m once, Wishart)
/// d/d L_k[r,c]+= -p_k y_r z_c   (r &gt; c)              (then += gamma^2 L_k[r,c] once, Wishart)
/// </code>
/// Output layout (as ADBench): alphas[K], means[K*d], icf[K*d(d+1)/2].
/// </summary>
public static class GmmGradient
{
    /// <summary>Returns the objective and writes the full gradient into <paramref name="grad"/>
    /// (length K + K*d + K*d(d+1)/2).</summary>
    public static double ObjectiveAndGradient(int d, int k, int n, double[] alphas, double[] means, double[] icf,
        double[] x, double wishartGamma, int wishartM, double[] grad)
    {
        int icfSz = d * (d + 1) / 2;
        int meansOff = k;
        int icfOff = k + k * d;
        if (grad.Length != icfOff + k * icfSz)
            throw new ArgumentException("gradient length must be K + K*d + K*d(d+1)/2", nameof(grad));
        for (int i = 0; i < grad.Length; i++) grad[i] = 0.0;

        // Scratch, allocated once per call.
        var qdiags = new double[k * d];   // exp(q)
        var sumQs = new double[k];
        var z = new double[k * d];        // x_i - mu_k for all k (kept for the backward sweep)
        var y = new double[k * d];        // Q_k z
        var mainTerm = new double[k];

        for (int ik = 0; ik < k; ik++)
        {
            double s = 0.0;
            for (int j = 0; j < d; j++)
            {
                double q = icf[ik * icfSz + j];
                qdiags[ik * d + j] = Math.Exp(q);
                s = s + q;
            }
            sumQs[ik] = s;
        }

        double constant = -n * d * 0.5 * Math.Log(2 * Gmm.AdBenchPi);
        double slse = 0.0;
        for (int ix = 0; ix < n; ix++)
        {
            // ---- forward for this point
            for (int ik = 0; ik < k; ik++)
            {
                int o = ik * d;
                int lOff = ik * icfSz + d;
                for (int j = 0; j < d; j++)
                {
                    z[o + j] = x[ix * d + j] - means[o + j];
                    y[o + j] = qdiags[o + j] * z[o + j];
                }
                int li = 0;
                for (int col = 0; col < d; col++)
                {
                    for (int row = col + 1; row < d; row++)
                    {
                        y[o + row] = y[o + row] + icf[lOff + li] * z[o + col];
                        li++;
                    }
                }
                double sq = 0.0;
                for (int j = 0; j < d; j++) sq = sq + y[o + j] * y[o + j];
                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * sq;
            }
            double lse = Gmm.LogSumExp(k, mainTerm);
            slse = slse + lse;

            // ---- backward for this point (adjoint of slse is 1)
            for (int ik = 0; ik < k; ik++)
            {
                double pk = Math.Exp(mainTerm[ik] - lse);
                int o = ik * d;
                int qOff = icfOff + ik * icfSz;
                int lOff = ik * icfSz + d;
                grad[ik] = grad[ik] + pk;
                for (int j = 0; j < d; j++)
                {
                    // d main / d q_j = 1 - y_j * exp(q_j) z_j ;  Q^T y diagonal part
                    grad[qOff + j] = grad[qOff + j] + pk * (1.0 - y[o + j] * qdiags[o + j] * z[o + j]);
                    grad[meansOff + o + j] = grad[meansOff + o + j] + pk * qdiags[o + j] * y[o + j];
                }
                int li = 0;
                for (int col = 0; col < d; col++)
                {
                    double zc = z[o + col];
                    double acc = 0.0;
                    for (int row = col + 1; row < d; row++)
                    {
                        double yr = y[o + row];
                        grad[qOff + d + li] = grad[qOff + d + li] - pk * yr * zc;
                        acc = acc + icf[lOff + li] * yr;   // (L^T y)_col
                        li++;
                    }
                    grad[meansOff + o + col] = grad[meansOff + o + col] + pk * acc;
                }
            }
        }

        // ---- - n * logsumexp(alphas)
        double lseAlphas = Gmm.LogSumExp(k, alphas);
        for (int ik = 0; ik < k; ik++)
            grad[ik] = grad[ik] - n * Math.Exp(alphas[ik] - lseAlphas);

        // ---- Wishart prior: 1/2 gamma^2 (|exp q|^2 + |L|^2) - m sum q
        double g2 = wishartGamma * wishartGamma;
        for (int ik = 0; ik < k; ik++)
        {
            int qOff = icfOff + ik * icfSz;
            for (int j = 0; j < d; j++)
            {
                double e = qdiags[ik * d + j];
                grad[qOff + j] = grad[qOff + j] + g2 * e * e - wishartM;
            }
            for (int j = d; j < icfSz; j++)
                grad[qOff + j] = grad[qOff + j] + g2 * icf[ik * icfSz + j];
        }

        double err = constant + slse - n * lseAlphas;
        return err + Gmm.LogWishartPrior(d, k, icf, wishartGamma, wishartM);
    }

    /// <summary>Central finite differences of the objective over the packed parameter vector
    /// (alphas, means, icf), step h * max(1, |theta_i|). Reference only: O(h^2) truncation error.</summary>
    public static double[] CentralDifferences(int d, int k, int n, double[] alphas, double[] means, double[] icf,
        double[] x, double wishartGamma, int wishartM, double h)
    {
        int icfSz = d * (d + 1) / 2;
        var g = new double[k + k * d + k * icfSz];
        for (int i = 0; i < g.Length; i++)
        {
            double[] target;
            int idx;
            if (i < k) { target = alphas; idx = i; }
            else if (i < k + k * d) { target = means; idx = i - k; }
            else { target = icf; idx = i - k - k * d; }
            double orig = target[idx];
            double step = h * Math.Max(1.0, Math.Abs(orig));
            target[idx] = orig + step;
            double fp = Gmm.Objective(d, k, n, alphas, means, icf, x, wishartGamma, wishartM);
            target[idx] = orig - step;
            double fm = Gmm.Objective(d, k, n, alphas, means, icf, x, wishartGamma, wishartM);
            target[idx] = orig;
            g[i] = (fp - fm) / (2 * step);
        }
        return g;
    }
}
