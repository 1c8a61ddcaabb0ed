using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Tensors;
using SymbolicDiff.Training;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>Sizes and training settings of the window tagger.</summary>
/// <param name="Embedding">Word vector size.</param>
/// <param name="FeatureEmbedding">Shape and affix vector size.</param>
/// <param name="Hidden">Hidden units.</param>
/// <param name="Dropout">Probability of dropping a unit of the word vectors during training.</param>
/// <param name="WordDropout">Probability of replacing a window word by &lt;unk&gt; during training, so the model learns from context and shape, as it must for unseen words.</param>
/// <param name="LearningRate">Adam's step size.</param>
/// <param name="BatchSize">Examples per Adam step (their gradients are summed).</param>
public sealed record TaggerSettings(int Embedding = 50, int FeatureEmbedding = 8, int Hidden = 100, float Dropout = 0.5f, float WordDropout = 0.25f, float LearningRate = 0.002f, int BatchSize = 32);

/// <summary>The multi-class window tagger's parameters, gradients and optimizer: train on windows, predict tags.</summary>
public sealed class WindowTagger
{
    private readonly TaggerSettings _settings;
    private readonly Mat<float> _e, _f, _w, _v, _u, _dE, _dF, _dW, _dV, _dU;
    private readonly Vec<float> _b, _c, _db, _dc, _mask;
    private readonly Adam<float> _optimizer;
    private readonly TaggerModel.LossWorkspace _workspace = new();
    private readonly Rng _rng;

    /// <summary>Xavier-initialised parameters for <paramref name="words"/> word ids and <paramref name="tags"/> tags.</summary>
    public WindowTagger(int words, int features, int tags, TaggerSettings settings, Rng rng)
    {
        _settings = settings;
        _rng = rng;
        _e = new Mat<float>(words, settings.Embedding);
        _f = new Mat<float>(features, settings.FeatureEmbedding);
        _w = new Mat<float>(settings.Hidden, NerFeatures.Width * settings.Embedding);
        _v = new Mat<float>(settings.Hidden, (2 * NerFeatures.Width + NerFeatures.Affixes) * settings.FeatureEmbedding);
        _b = new Vec<float>(settings.Hidden);
        _u = new Mat<float>(tags, settings.Hidden);
        _c = new Vec<float>(tags);
        Init.Gaussian<float>(_e.Span, rng, 0, 0.1);
        Init.Gaussian<float>(_f.Span, rng, 0, 0.1);
        Init.XavierUniform(_w, rng);
        Init.XavierUniform(_v, rng);
        Init.XavierUniform(_u, rng);
        _dE = new Mat<float>(_e.Rows, _e.Cols);
        _dF = new Mat<float>(_f.Rows, _f.Cols);
        _dW = new Mat<float>(_w.Rows, _w.Cols);
        _dV = new Mat<float>(_v.Rows, _v.Cols);
        _db = new Vec<float>(_b.Length);
        _dU = new Mat<float>(_u.Rows, _u.Cols);
        _dc = new Vec<float>(_c.Length);
        _mask = new Vec<float>(_w.Cols);
        _optimizer = new Adam<float>(Parameters.Zip(Gradients, (p, g) => (p, g)), settings.LearningRate);
    }

    private float[][] Parameters => [_e.Data, _f.Data, _w.Data, _v.Data, _b.Data, _u.Data, _c.Data];

    private float[][] Gradients => [_dE.Data, _dF.Data, _dW.Data, _dV.Data, _db.Data, _dU.Data, _dc.Data];

    /// <summary>One epoch over the examples in a fresh random order, one Adam step per minibatch; returns the mean loss.</summary>
    public double TrainEpoch((int[] Ids, int Tag)[] examples)
    {
        _rng.Shuffle<(int[] Ids, int Tag)>(examples);
        float keep = 1 - _settings.Dropout;
        double loss = 0;
        var w = new int[NerFeatures.IdsPerWindow];
        for (int start = 0; start < examples.Length; start += _settings.BatchSize)
        {
            // A minibatch: the generated gradient adds each example's gradient into the same arrays.
            for (int j = start; j < Math.Min(start + _settings.BatchSize, examples.Length); j++)
            {
                var (ids, tag) = examples[j];
                ids.CopyTo(w, 0);
                for (int k = 0; k < NerFeatures.Width; k++)
                {
                    w[k] = w[k] != NerFeatures.Pad && _rng.NextDouble() < _settings.WordDropout ? NerFeatures.Unknown : w[k];
                }
                for (int k = 0; k < _mask.Length; k++)
                {
                    _mask[k] = _rng.NextDouble() < keep ? 1 / keep : 0;
                }
                loss += TaggerModel.LossGradient(_e, _f, _w, _v, _b, _u, _c,
                    w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22], _mask, tag,
                    _dE, _dF, _dW, _dV, _db, _dU, _dc, _workspace);
            }
            _optimizer.Step();   // updates the parameters, then zeros the gradients
        }
        return loss / Math.Max(1, examples.Length);
    }

    /// <summary>The tag scores of each window.</summary>
    public float[][] Scores(IReadOnlyList<int[]> windows)
    {
        var scores = new float[windows.Count][];
        for (int i = 0; i < windows.Count; i++)
        {
            scores[i] = TaggerModel.Scores(_e, _f, _w, _v, _b, _u, _c, windows[i]).Data;
        }
        return scores;
    }

    /// <summary>
    /// The tags of a sentence from its windows' scores: the most probable IOB2 sequence (Viterbi over each window's
    /// log-softmax) in which I-X follows only B-X or I-X, after <paramref name="outsideBias"/> is taken from the score of
    /// tag 0 (O), a positive bias trading precision for recall, which the rare entity classes need, and
    /// <paramref name="typeBiases"/>[k] (if given) is added to the scores of B- and I- of type k. Tags are 0 for O, then
    /// 2k + 1 for B- and 2k + 2 for I- of type k (<see cref="NerCorpus.Tags"/>). Taking each window's best tag alone
    /// instead would leave broken spans (an I-location after B-person), which conlleval counts as wrong entities.
    /// </summary>
    public static int[] Decode(float[][] scores, float outsideBias, float[]? typeBiases = null)
    {
        int n = scores.Length;
        if (n == 0)
        {
            return [];
        }
        int tags = scores[0].Length;
        var best = new double[n, tags];   // log-probability of the best valid sequence ending in tag t at i
        var from = new int[n, tags];
        for (int i = 0; i < n; i++)
        {
            double[] logp = LogSoftmax(scores[i], outsideBias, typeBiases);
            for (int t = 0; t < tags; t++)
            {
                double top = i == 0 ? (Follows(0, t) ? 0 : double.NegativeInfinity) : double.NegativeInfinity;
                for (int p = 0; i > 0 && p < tags; p++)
                {
                    if (Follows(p, t) && best[i - 1, p] > top)
                    {
                        (top, from[i, t]) = (best[i - 1, p], p);
                    }
                }
                best[i, t] = top + logp[t];
            }
        }
        var path = new int[n];
        for (int t = 1; t < tags; t++)
        {
            path[n - 1] = best[n - 1, t] > best[n - 1, path[n - 1]] ? t : path[n - 1];
        }
        for (int i = n - 1; i > 0; i--)
        {
            path[i - 1] = from[i, path[i]];
        }
        return path;
    }

    /// <summary>Whether tag <paramref name="next"/> may follow tag <paramref name="previous"/> (O before the first token): I-X only after B-X or I-X.</summary>
    public static bool Follows(int previous, int next) => next == 0 || next % 2 == 1 || (previous != 0 && (previous + 1) / 2 == next / 2);

    private static double[] LogSoftmax(float[] scores, float outsideBias, float[]? typeBiases)
    {
        var s = scores.Select((v, t) => t == 0 ? (double)v - outsideBias : (double)v + (typeBiases?[(t - 1) / 2] ?? 0)).ToArray();
        double max = s.Max(), log = Math.Log(s.Sum(v => Math.Exp(v - max)));
        return s.Select(v => v - max - log).ToArray();
    }

    /// <summary>A copy of every parameter (to keep the best epoch's model).</summary>
    public float[][] Snapshot() => Parameters.Select(p => (float[])p.Clone()).ToArray();

    /// <summary>Puts back the parameters of a <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot)
    {
        var parameters = Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            snapshot[i].CopyTo(parameters[i], 0);
        }
    }
}
