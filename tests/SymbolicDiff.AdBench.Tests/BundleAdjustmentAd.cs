using System;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// ADBench bundle adjustment residuals (same definition as <see cref="BundleAdjustment"/>) written for the
/// generator. <see cref="ReprojError"/> is a vector-output method: inputs cam[11], X[3], w and the constant
/// feature feat[2]; output err[2]. The generated <c>ReprojErrorJacobian(cam, X, w, feat, err, jacobian)</c>
/// writes the 2x15 block row-major with columns cam(11), X(3), w(1): the order of ADBench's CSR rows, so the
/// sparse Jacobian is assembled from one block per observation (<see cref="SparseJacobian"/>).
/// </summary>
public static partial class BundleAdjustmentAd
{
    public const int CamParams = 11;
    public const int BlockCols = 15;

    [Differentiable]
    public static void ReprojError(ReadOnlySpan<double> cam, ReadOnlySpan<double> X, ReadOnlySpan<double> w,
        [NoDiff] ReadOnlySpan<double> feat, Span<double> err)
    {
        // Xo = X - C
        double xo0 = X[0] - cam[3];
        double xo1 = X[1] - cam[4];
        double xo2 = X[2] - cam[5];

        // Rodrigues rotation (ADBench's exact small-angle branch at theta^2 == 0)
        double r0 = cam[0];
        double r1 = cam[1];
        double r2 = cam[2];
        double sqtheta = r0 * r0 + r1 * r1 + r2 * r2;
        double xc0;
        double xc1;
        double xc2;
        if (sqtheta != 0.0)
        {
            double theta = Math.Sqrt(sqtheta);
            double costheta = Math.Cos(theta);
            double sintheta = Math.Sin(theta);
            double thetaInverse = 1.0 / theta;
            double w0 = r0 * thetaInverse;
            double w1 = r1 * thetaInverse;
            double w2 = r2 * thetaInverse;
            double c0 = w1 * xo2 - w2 * xo1;
            double c1 = w2 * xo0 - w0 * xo2;
            double c2 = w0 * xo1 - w1 * xo0;
            double tmp = (w0 * xo0 + w1 * xo1 + w2 * xo2) * (1.0 - costheta);
            xc0 = xo0 * costheta + c0 * sintheta + w0 * tmp;
            xc1 = xo1 * costheta + c1 * sintheta + w1 * tmp;
            xc2 = xo2 * costheta + c2 * sintheta + w2 * tmp;
        }
        else
        {
            xc0 = xo0 + (r1 * xo2 - r2 * xo1);
            xc1 = xo1 + (r2 * xo0 - r0 * xo2);
            xc2 = xo2 + (r0 * xo1 - r1 * xo0);
        }

        // perspective division, radial distortion, focal length and principal point
        double p0 = xc0 / xc2;
        double p1 = xc1 / xc2;
        double rsq = p0 * p0 + p1 * p1;
        double l = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
        double f = cam[6];
        double proj0 = p0 * l * f + cam[7];
        double proj1 = p1 * l * f + cam[8];

        err[0] = w[0] * (proj0 - feat[0]);
        err[1] = w[0] * (proj1 - feat[1]);
    }

    /// <summary>ADBench computeZachWeightError: 1 - w^2 (its generated gradient is d w_err / dw).</summary>
    [Differentiable]
    public static double WeightError(double w) => 1.0 - w * w;

    /// <summary>All residuals (ADBench ba_objective) from the [Differentiable] methods run as plain code:
    /// reprojErr[2p], wErr[p].</summary>
    public static void Objective(int n, int m, int p, double[] cams, double[] X, double[] w, int[] obs,
        double[] feats, double[] reprojErr, double[] wErr)
    {
        for (int i = 0; i < p; i++)
        {
            int camIdx = obs[2 * i], ptIdx = obs[2 * i + 1];
            ReprojError(cams.AsSpan(camIdx * CamParams, CamParams), X.AsSpan(ptIdx * 3, 3), w.AsSpan(i, 1),
                feats.AsSpan(2 * i, 2), reprojErr.AsSpan(2 * i, 2));
        }
        for (int i = 0; i < p; i++)
            wErr[i] = WeightError(w[i]);
    }

    /// <summary>Number of non-zeros of the BA Jacobian: 15 per reprojection row, 1 per weight row.</summary>
    public static int NonZeros(int p) => 2 * p * BlockCols + p;

    /// <summary>
    /// The full sparse Jacobian in ADBench's CSR layout (rows: 2p reprojection rows, then p weight rows;
    /// columns: 11n camera, 3m point, p weight), assembled as the ADBench tools do: per observation the
    /// generated <c>ReprojErrorJacobian</c> writes its 2x15 block straight into <paramref name="vals"/>
    /// (the block's row-major order is the CSR order), and the generated <c>WeightErrorGradient</c> gives
    /// each weight row. Also writes the residuals. Allocation-free when warm.
    /// </summary>
    public static void SparseJacobian(int n, int m, int p, double[] cams, double[] X, double[] w, int[] obs,
        double[] feats, int[] rows, int[] cols, double[] vals, double[] reprojErr, double[] wErr)
    {
        if (rows.Length != 3 * p + 1 || cols.Length != NonZeros(p) || vals.Length != NonZeros(p))
            throw new ArgumentException("rows must hold 3p+1 entries, cols and vals 31p");
        int k = 0;
        for (int i = 0; i < p; i++)
        {
            int camIdx = obs[2 * i], ptIdx = obs[2 * i + 1];
            ReprojErrorJacobian(cams.AsSpan(camIdx * CamParams, CamParams), X.AsSpan(ptIdx * 3, 3), w.AsSpan(i, 1),
                feats.AsSpan(2 * i, 2), reprojErr.AsSpan(2 * i, 2), vals.AsSpan(k, 2 * BlockCols));
            for (int r = 0; r < 2; r++)
            {
                rows[2 * i + r] = k;
                for (int j = 0; j < CamParams; j++) cols[k++] = camIdx * CamParams + j;
                for (int j = 0; j < 3; j++) cols[k++] = CamParams * n + 3 * ptIdx + j;
                cols[k++] = CamParams * n + 3 * m + i;
            }
        }
        for (int i = 0; i < p; i++)
        {
            rows[2 * p + i] = k;
            cols[k] = CamParams * n + 3 * m + i;
            double dw = 0.0;
            wErr[i] = WeightErrorGradient(w[i], ref dw);
            vals[k++] = dw;
        }
        rows[3 * p] = k;
    }
}
