using System;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// ADBench bundle adjustment (microsoft/ADBench src/cpp/shared/ba.h) as plain scalar C# over arrays.
/// Camera layout cam[11]: r[0..2] Rodrigues rotation, C[3..5] centre, f = cam[6], (u0, v0) = cam[7..8],
/// (k1, k2) = cam[9..10].
/// <code>
/// Xo   = X - C
/// Xcam = R(r) Xo     Rodrigues: theta = |r|, w = r/theta,
///        Xcam = Xo cos(theta) + (w x Xo) sin(theta) + w (w . Xo)(1 - cos(theta));
///        if theta^2 == 0 (ADBench's exact small-angle branch): Xcam = Xo + r x Xo
/// p    = Xcam[0..1] / Xcam[2]
/// p   *= 1 + k1 |p|^2 + k2 |p|^4
/// proj = f p + (u0, v0)
/// err  = w (proj - feat)            (2 residuals per observation)
/// w_err = 1 - w^2                   (1 residual per observation)
/// </code>
/// Jacobian references here (NOT the generator): <see cref="ReprojErrorJacobianForward"/> is a
/// hand-written forward-mode (dual numbers, one sweep per input), <see cref="ReprojErrorJacobianCentralFd"/>
/// is central finite differences.
/// </summary>
public static class BundleAdjustment
{
    public const int CamParams = 11;
    public const int RotIdx = 0, CIdx = 3, FIdx = 6, X0Idx = 7, RadIdx = 9;

    /// <summary>Number of Jacobian columns per observation row: 11 camera + 3 point + 1 weight.</summary>
    public const int BlockCols = 15;

    /// <summary>Per-observation reprojection residual (ADBench computeReprojError), plain scalar code.</summary>
    public static void ReprojError(double[] cam, double[] X, double w, double[] feat, double[] err)
    {
        ReprojError(cam, 0, X, 0, w, feat, 0, err, 0);
    }

    /// <summary>
    /// Offset form: reads cam[camOff..+11], X[xOff..+3], feat[featOff..+2], writes err[errOff..+2]. The residual is
    /// the one the generator differentiates (<see cref="BundleAdjustmentAd.ReprojError"/>), so the golden values
    /// check the function whose Jacobian is generated.
    /// </summary>
    public static void ReprojError(double[] cam, int camOff, double[] X, int xOff, double w,
        double[] feat, int featOff, double[] err, int errOff) =>
        BundleAdjustmentAd.ReprojError(cam.AsSpan(camOff, CamParams), X.AsSpan(xOff, 3), new ReadOnlySpan<double>(in w),
            feat.AsSpan(featOff, 2), err.AsSpan(errOff, 2));

    /// <summary>ADBench computeZachWeightError: 1 - w^2.</summary>
    public static double WeightError(double w) => 1.0 - w * w;

    /// <summary>All residuals: reprojErr[2p], wErr[p] (ADBench ba_objective).</summary>
    public static void Objective(int n, int m, int p, double[] cams, double[] X, double[] w, int[] obs,
        double[] feats, double[] reprojErr, double[] wErr)
    {
        for (int i = 0; i < p; i++)
        {
            int camIdx = obs[2 * i];
            int ptIdx = obs[2 * i + 1];
            ReprojError(cams, camIdx * CamParams, X, ptIdx * 3, w[i], feats, 2 * i, reprojErr, 2 * i);
        }
        for (int i = 0; i < p; i++)
            wErr[i] = WeightError(w[i]);
    }

    // ================================================================= reference Jacobians

    /// <summary>Dual number a + b eps (forward mode), used only by the reference Jacobian.</summary>
    private readonly struct Dual
    {
        public readonly double V, D;
        public Dual(double v, double d) { V = v; D = d; }
        public static implicit operator Dual(double v) => new(v, 0.0);
        public static Dual operator +(Dual a, Dual b) => new(a.V + b.V, a.D + b.D);
        public static Dual operator -(Dual a, Dual b) => new(a.V - b.V, a.D - b.D);
        public static Dual operator *(Dual a, Dual b) => new(a.V * b.V, a.D * b.V + a.V * b.D);
        public static Dual operator /(Dual a, Dual b) => new(a.V / b.V, (a.D * b.V - a.V * b.D) / (b.V * b.V));
        public static Dual Sqrt(Dual a) { double s = Math.Sqrt(a.V); return new(s, a.D / (2 * s)); }
        public static Dual Sin(Dual a) => new(Math.Sin(a.V), a.D * Math.Cos(a.V));
        public static Dual Cos(Dual a) => new(Math.Cos(a.V), -a.D * Math.Sin(a.V));
    }

    /// <summary>Transcription of <see cref="ReprojError(double[],double[],double,double[],double[])"/> over dual numbers.</summary>
    private static void ReprojErrorDual(Dual[] cam, Dual[] X, Dual w, double[] feat, out Dual e0, out Dual e1)
    {
        Dual xo0 = X[0] - cam[CIdx + 0], xo1 = X[1] - cam[CIdx + 1], xo2 = X[2] - cam[CIdx + 2];
        Dual r0 = cam[RotIdx + 0], r1 = cam[RotIdx + 1], r2 = cam[RotIdx + 2];
        Dual sqtheta = r0 * r0 + r1 * r1 + r2 * r2;
        Dual xc0, xc1, xc2;
        if (sqtheta.V != 0.0)
        {
            Dual theta = Dual.Sqrt(sqtheta);
            Dual costheta = Dual.Cos(theta), sintheta = Dual.Sin(theta);
            Dual thetaInverse = 1.0 / theta;
            Dual w0 = r0 * thetaInverse, w1 = r1 * thetaInverse, w2 = r2 * thetaInverse;
            Dual c0 = w1 * xo2 - w2 * xo1, c1 = w2 * xo0 - w0 * xo2, c2 = w0 * xo1 - w1 * xo0;
            Dual tmp = (w0 * xo0 + w1 * xo1 + w2 * xo2) * (1.0 - costheta);
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
        Dual p0 = xc0 / xc2, p1 = xc1 / xc2;
        Dual rsq = p0 * p0 + p1 * p1;
        Dual l = 1.0 + cam[RadIdx + 0] * rsq + cam[RadIdx + 1] * rsq * rsq;
        p0 = p0 * l;
        p1 = p1 * l;
        Dual proj0 = p0 * cam[FIdx] + cam[X0Idx + 0];
        Dual proj1 = p1 * cam[FIdx] + cam[X0Idx + 1];
        e0 = w * (proj0 - feat[0]);
        e1 = w * (proj1 - feat[1]);
    }

    /// <summary>
    /// REFERENCE (hand-written forward mode, dual numbers): the 2x15 block d err / d (cam[11], X[3], w),
    /// row-major into <paramref name="jac"/>[30] (row 0 = err[0]), same column order as ADBench's CSR rows.
    /// </summary>
    public static void ReprojErrorJacobianForward(double[] cam, double[] X, double w, double[] feat, double[] jac)
    {
        var dc = new Dual[CamParams];
        var dx = new Dual[3];
        for (int col = 0; col < BlockCols; col++)
        {
            for (int i = 0; i < CamParams; i++) dc[i] = new Dual(cam[i], col == i ? 1.0 : 0.0);
            for (int i = 0; i < 3; i++) dx[i] = new Dual(X[i], col == CamParams + i ? 1.0 : 0.0);
            var dw = new Dual(w, col == CamParams + 3 ? 1.0 : 0.0);
            ReprojErrorDual(dc, dx, dw, feat, out Dual e0, out Dual e1);
            jac[col] = e0.D;
            jac[BlockCols + col] = e1.D;
        }
    }

    /// <summary>
    /// REFERENCE (central finite differences, step h*max(1,|v|)): same 2x15 layout as
    /// <see cref="ReprojErrorJacobianForward"/>. Truncation error O(h^2); use loose tolerances.
    /// </summary>
    public static void ReprojErrorJacobianCentralFd(double[] cam, double[] X, double w, double[] feat, double[] jac, double h)
    {
        var c = (double[])cam.Clone();
        var x = (double[])X.Clone();
        var ep = new double[2];
        var em = new double[2];
        for (int col = 0; col < BlockCols; col++)
        {
            double wp = w, wm = w, step;
            if (col < CamParams)
            {
                double o = c[col]; step = h * Math.Max(1.0, Math.Abs(o));
                c[col] = o + step; ReprojError(c, x, w, feat, ep);
                c[col] = o - step; ReprojError(c, x, w, feat, em);
                c[col] = o;
            }
            else if (col < CamParams + 3)
            {
                int i = col - CamParams;
                double o = x[i]; step = h * Math.Max(1.0, Math.Abs(o));
                x[i] = o + step; ReprojError(c, x, w, feat, ep);
                x[i] = o - step; ReprojError(c, x, w, feat, em);
                x[i] = o;
            }
            else
            {
                step = h * Math.Max(1.0, Math.Abs(w));
                wp = w + step; wm = w - step;
                ReprojError(c, x, wp, feat, ep);
                ReprojError(c, x, wm, feat, em);
            }
            jac[col] = (ep[0] - em[0]) / (2 * step);
            jac[BlockCols + col] = (ep[1] - em[1]) / (2 * step);
        }
    }

    /// <summary>d(1 - w^2)/dw = -2w.</summary>
    public static double WeightErrorDerivative(double w) => -2.0 * w;

    /// <summary>
    /// Full sparse Jacobian in ADBench's CSR layout (rows: 2p reprojection rows, then p weight rows;
    /// columns: 11n camera, 3m point, p weight). Each reprojection row has 15 non-zeros in the order
    /// camera(11), point(3), weight(1); each weight row one non-zero. Blocks from the forward-mode reference.
    /// </summary>
    public static (int[] Rows, int[] Cols, double[] Vals) SparseJacobianForward(
        int n, int m, int p, double[] cams, double[] X, double[] w, int[] obs, double[] feats)
    {
        int nnz = 2 * p * BlockCols + p;
        var rows = new int[3 * p + 1];
        var cols = new int[nnz];
        var vals = new double[nnz];
        var cam = new double[CamParams];
        var pt = new double[3];
        var feat = new double[2];
        var block = new double[2 * BlockCols];
        int k = 0;
        for (int i = 0; i < p; i++)
        {
            int camIdx = obs[2 * i], ptIdx = obs[2 * i + 1];
            Array.Copy(cams, camIdx * CamParams, cam, 0, CamParams);
            Array.Copy(X, ptIdx * 3, pt, 0, 3);
            feat[0] = feats[2 * i]; feat[1] = feats[2 * i + 1];
            ReprojErrorJacobianForward(cam, pt, w[i], feat, block);
            for (int r = 0; r < 2; r++)
            {
                rows[2 * i + r] = k;
                for (int j = 0; j < CamParams; j++) { cols[k] = camIdx * CamParams + j; vals[k++] = block[r * BlockCols + j]; }
                for (int j = 0; j < 3; j++) { cols[k] = CamParams * n + 3 * ptIdx + j; vals[k++] = block[r * BlockCols + CamParams + j]; }
                cols[k] = CamParams * n + 3 * m + i; vals[k++] = block[r * BlockCols + CamParams + 3];
            }
        }
        for (int i = 0; i < p; i++)
        {
            rows[2 * p + i] = k;
            cols[k] = CamParams * n + 3 * m + i;
            vals[k++] = WeightErrorDerivative(w[i]);
        }
        rows[3 * p] = k;
        return (rows, cols, vals);
    }
}
