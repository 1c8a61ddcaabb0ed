using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace SymbolicDiff.AdBench.Tests;

/// <summary>
/// Locates the ADBench data subset that lives OUTSIDE the repository and reads its formats.
/// Layout (see the data folder's README.md):
/// <c>&lt;repo root&gt;/../shared/data/adbench/{data,golden,reference-helper}</c>, where the repo root is
/// the folder containing <c>SymbolicDiff.sln</c>. The environment variable
/// <see cref="EnvVar"/> overrides the location (a missing folder there means "absent": tests skip).
/// </summary>
public static class AdBenchData
{
    public const string EnvVar = "SYMBOLICDIFF_ADBENCH_DIR";

    private static readonly Lazy<(string? Dir, string Reason)> Located = new(Locate);

    /// <summary>The data root (containing data/, golden/, reference-helper/), or null when absent.</summary>
    public static string? Root => Located.Value.Dir;

    /// <summary>Why <see cref="Root"/> is what it is (a human-readable message for skip reasons).</summary>
    public static string LocateReason => Located.Value.Reason;

    public static bool Available => Root is not null;

    /// <summary>Message used by tests when they skip.</summary>
    public static string SkipMessage =>
        "ADBench data folder not found, test skipped: " + LocateReason;

    /// <summary>Uncached lookup from the environment and the test assembly directory.</summary>
    public static (string? Dir, string Reason) Locate() =>
        Locate(Environment.GetEnvironmentVariable(EnvVar), AppContext.BaseDirectory);

    /// <summary>Lookup with an explicit override value (null/blank = no override) and start folder;
    /// a pure function so the skip path can be tested without touching the process environment.</summary>
    public static (string? Dir, string Reason) Locate(string? overrideDir, string start)
    {
        if (!string.IsNullOrWhiteSpace(overrideDir))
        {
            return LooksLikeDataRoot(overrideDir)
                ? (Path.GetFullPath(overrideDir), $"{EnvVar}={overrideDir}")
                : (null, $"{EnvVar}={overrideDir} does not name an ADBench data folder (expected data/ and golden/adbench_golden_values.json)");
        }

        return LocateFrom(start);
    }

    /// <summary>Walks up from <paramref name="start"/> to the folder holding SymbolicDiff.sln and
    /// looks for its sibling <c>shared/data/adbench</c>.</summary>
    public static (string? Dir, string Reason) LocateFrom(string start)
    {
        string? sawRepoRoot = null;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "SymbolicDiff.sln")))
                continue;
            sawRepoRoot ??= dir.FullName;
            if (dir.Parent is null)
                continue;
            string candidate = Path.Combine(dir.Parent.FullName, "shared", "data", "adbench");
            if (LooksLikeDataRoot(candidate))
                return (candidate, $"found {candidate} next to repo root {dir.FullName}");
        }

        return sawRepoRoot is null
            ? (null, $"no folder containing SymbolicDiff.sln above {start}")
            : (null, $"repo root {sawRepoRoot} has no sibling shared/data/adbench (set {EnvVar} to point elsewhere)");
    }

    private static bool LooksLikeDataRoot(string dir) =>
        Directory.Exists(Path.Combine(dir, "data"))
        && File.Exists(Path.Combine(dir, "golden", "adbench_golden_values.json"));

    /// <summary>Path under the data root, e.g. <c>Path("data/gmm/test.txt")</c>.</summary>
    public static string PathOf(string relative)
    {
        string root = Root ?? throw new InvalidOperationException(SkipMessage);
        return System.IO.Path.Combine(root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
    }

    // ------------------------------------------------------------------ token reading

    private sealed class Tokens
    {
        private readonly string[] _t;
        private int _i;
        public Tokens(string text) =>
            _t = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        public double D() => double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture);
        public int I() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        private string Next() =>
            _i < _t.Length ? _t[_i++] : throw new FormatException("unexpected end of ADBench input");
        public void Fill(double[] a, int offset, int count)
        {
            for (int i = 0; i < count; i++) a[offset + i] = D();
        }
    }

    // ------------------------------------------------------------------ GMM

    /// <summary>
    /// ADBench GMM input. File layout (whitespace separated, as ADBench's read_gmm_instance):
    /// <c>d k n</c>; k alphas; k means of d values; k icf vectors of d(d+1)/2 values
    /// (d log-diagonal entries, then the strictly lower triangle column by column);
    /// then n points of d values (or ONE point in replicate mode); then <c>gamma m</c> (Wishart).
    /// </summary>
    public sealed record GmmInput(
        int D, int K, int N,
        double[] Alphas, double[] Means, double[] Icf,
        double[] X, int StoredPoints, bool Replicated,
        double WishartGamma, int WishartM);

    /// <param name="replicatePoint">ADBench "-rep" mode (2.5M files): one point is stored and it is
    /// copied into all n slots, so <c>X.Length == n*d</c> (memory: 8*n*d bytes).</param>
    public static GmmInput ReadGmm(string path, bool replicatePoint)
    {
        var t = new Tokens(File.ReadAllText(path));
        int d = t.I(), k = t.I(), n = t.I();
        int icfSz = d * (d + 1) / 2;
        var alphas = new double[k];
        var means = new double[k * d];
        var icf = new double[k * icfSz];
        t.Fill(alphas, 0, k);
        t.Fill(means, 0, k * d);
        t.Fill(icf, 0, k * icfSz);
        var x = new double[(long)n * d];
        int stored;
        if (replicatePoint)
        {
            t.Fill(x, 0, d);
            for (int i = 1; i < n; i++) Array.Copy(x, 0, x, (long)i * d, d);
            stored = 1;
        }
        else
        {
            t.Fill(x, 0, n * d);
            stored = n;
        }
        double gamma = t.D();
        int m = t.I();
        return new GmmInput(d, k, n, alphas, means, icf, x, stored, replicatePoint, gamma, m);
    }

    // ------------------------------------------------------------------ BA

    public const int BaCamParams = 11;

    /// <summary>
    /// ADBench BA input. File layout (as ADBench's read_ba_instance): <c>n m p</c>, then ONE camera
    /// (11 values: r[3] Rodrigues rotation, C[3] camera centre, f, u0 v0 principal point, k1 k2 radial),
    /// ONE point (3), ONE weight, ONE feature (2). The camera is replicated n times, the point m times,
    /// the weight and feature p times; observation i uses camera i % n and point i % m.
    /// </summary>
    public sealed record BaInput(
        int N, int M, int P,
        double[] Cams, double[] X, double[] W, double[] Feats, int[] Obs);

    public static BaInput ReadBa(string path)
    {
        var t = new Tokens(File.ReadAllText(path));
        int n = t.I(), m = t.I(), p = t.I();
        var cam = new double[BaCamParams];
        t.Fill(cam, 0, BaCamParams);
        var pt = new double[3];
        t.Fill(pt, 0, 3);
        double w = t.D();
        double f0 = t.D(), f1 = t.D();

        var cams = new double[BaCamParams * n];
        for (int i = 0; i < n; i++) Array.Copy(cam, 0, cams, i * BaCamParams, BaCamParams);
        var xs = new double[3 * m];
        for (int i = 0; i < m; i++) Array.Copy(pt, 0, xs, i * 3, 3);
        var ws = new double[p];
        var feats = new double[2 * p];
        var obs = new int[2 * p];
        int camIdx = 0, ptIdx = 0;
        for (int i = 0; i < p; i++)
        {
            ws[i] = w;
            feats[2 * i] = f0;
            feats[2 * i + 1] = f1;
            obs[2 * i] = camIdx++ % n;
            obs[2 * i + 1] = ptIdx++ % m;
        }
        return new BaInput(n, m, p, cams, xs, ws, feats, obs);
    }

    // ------------------------------------------------------------------ golden JSON

    private static JsonDocument? _golden;

    /// <summary>golden/adbench_golden_values.json (transcribed from ADBench's unit tests).</summary>
    public static JsonElement Golden
    {
        get
        {
            _golden ??= JsonDocument.Parse(File.ReadAllText(PathOf("golden/adbench_golden_values.json")));
            return _golden.RootElement;
        }
    }

    public static double[] DoubleArray(JsonElement array)
    {
        var r = new double[array.GetArrayLength()];
        int i = 0;
        foreach (var e in array.EnumerateArray()) r[i++] = e.GetDouble();
        return r;
    }

    // ------------------------------------------------------------------ reference-helper

    private static double P(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public sealed record GmmReferenceRow(
        string File, int D, int K, int N, bool Replicated, int NParams, double Objective, double GradL2Norm);

    /// <summary>reference-helper/gmm_objectives.tsv, keyed by the file path relative to data/
    /// (e.g. "gmm/1k/gmm_d2_K5.txt").</summary>
    public static Dictionary<string, GmmReferenceRow> ReadGmmObjectivesTsv()
    {
        var result = new Dictionary<string, GmmReferenceRow>();
        string[] lines = File.ReadAllLines(PathOf("reference-helper/gmm_objectives.tsv"));
        for (int li = 1; li < lines.Length; li++)
        {
            if (lines[li].Length == 0) continue;
            string[] c = lines[li].Split('\t');
            var row = new GmmReferenceRow(c[0], int.Parse(c[1], CultureInfo.InvariantCulture),
                int.Parse(c[2], CultureInfo.InvariantCulture), int.Parse(c[3], CultureInfo.InvariantCulture),
                bool.Parse(c[4]), int.Parse(c[5], CultureInfo.InvariantCulture), P(c[6]), P(c[7]));
            result[row.File] = row; // the tsv has a few duplicate rows with identical values
        }
        return result;
    }

    /// <summary>reference-helper/*_grad.txt: "# objective V" comment, other '#' comments, then one value per line.</summary>
    public static (double Objective, double[] Gradient) ReadReferenceGradient(string fileName)
    {
        double objective = double.NaN;
        var values = new List<double>();
        foreach (string raw in File.ReadLines(PathOf("reference-helper/" + fileName)))
        {
            string line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                const string tag = "# objective ";
                if (line.StartsWith(tag, StringComparison.Ordinal)) objective = P(line.Substring(tag.Length).Trim());
                continue;
            }
            values.Add(P(line));
        }
        return (objective, values.ToArray());
    }

    public sealed record BaReferenceBlock(
        string File, int N, int M, int P, double Err0, double Err1, double WErr, double DWErrDw,
        double[] JRow0, double[] JRow1);

    /// <summary>reference-helper/ba_blocks.tsv: per file the residual pair, w_err, d(w_err)/dw and the
    /// 2x15 Jacobian block (11 camera, 3 point, 1 weight columns).</summary>
    public static Dictionary<string, BaReferenceBlock> ReadBaBlocksTsv()
    {
        var result = new Dictionary<string, BaReferenceBlock>();
        string[] lines = File.ReadAllLines(PathOf("reference-helper/ba_blocks.tsv"));
        for (int li = 1; li < lines.Length; li++)
        {
            if (lines[li].Length == 0) continue;
            string[] c = lines[li].Split('\t');
            result[c[0]] = new BaReferenceBlock(c[0],
                int.Parse(c[1], CultureInfo.InvariantCulture), int.Parse(c[2], CultureInfo.InvariantCulture),
                int.Parse(c[3], CultureInfo.InvariantCulture), P(c[4]), P(c[5]), P(c[6]), P(c[7]),
                ParseRow(c[8]), ParseRow(c[9]));
        }
        return result;

        static double[] ParseRow(string s)
        {
            string[] parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var r = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++) r[i] = P(parts[i]);
            return r;
        }
    }
}
