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
/// <param name="Workers">Threads each minibatch is split across (<see cref="DataParallelStep{TWorker, T}"/>); results depend on it only through the gradient's summation order.</param>
public sealed record TaggerSettings(int Embedding = 50, int FeatureEmbedding = 8, int Hidden = 100, float Dropout = 0.5f, float WordDropout = 0.25f, float LearningRate = 0.002f, int BatchSize = 32, int Workers = 1);

/// <summary>
/// The multi-class window tagger's parameters, gradients and optimizer: train on windows, predict tags. A minibatch is
/// split across <see cref="TaggerSettings.Workers"/> threads, each with its own gradient buffers, dropout mask and
/// workspace, and the workers' gradients are summed and the Adam step taken slice by slice on all of them
/// (<see cref="DataParallelStep{TWorker, T}"/>). An example's word dropout and dropout mask come from its own random
/// stream (the run's seed, the epoch, the example's place in the epoch), so they do not depend on which worker
/// draws them: runs with different worker counts differ only by the gradient's summation order.
/// </summary>
public sealed class WindowTagger : IDisposable
{
    /// <summary>A worker's gradients (worker 0's are the optimizer's) and its own scratch.</summary>
    private sealed class Worker(Mat<float> dE, Mat<float> dF, Mat<float> dW, Mat<float> dV, Vec<float> db, Mat<float> dU, Vec<float> dc, int maskLength)
    {
        public readonly Mat<float> DE = dE, DF = dF, DW = dW, DV = dV, DU = dU;
        public readonly Vec<float> Db = db, Dc = dc, Mask = new(maskLength);
        public readonly int[] Window = new int[NerFeatures.IdsPerWindow];
        public readonly TaggerModel.LossWorkspace Workspace = new();
        public readonly Rng Rng = new(0);   // reseeded for every example
        public IReadOnlyList<float[]> Gradients => [DE.Data, DF.Data, DW.Data, DV.Data, Db.Data, DU.Data, Dc.Data];
    }

    private readonly TaggerSettings _settings;
    private readonly Mat<float> _e, _f, _w, _v, _u;
    private readonly Vec<float> _b, _c;
    private readonly Rng _rng;
    private readonly ulong _dropoutSeed;
    private readonly DataParallel<Worker> _parallel;
    private readonly DataParallelStep<Worker, float> _step;
    private readonly DataParallel<Worker>.Chunk _chunk;   // cached: a step allocates no delegate

    // The minibatch the workers read during a step.
    private (int[] Ids, int Tag)[] _examples = [];
    private int _batchStart, _epoch;

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
        _dropoutSeed = rng.NextUInt64();
        Worker NewWorker() => new(new Mat<float>(_e.Rows, _e.Cols), new Mat<float>(_f.Rows, _f.Cols), new Mat<float>(_w.Rows, _w.Cols), new Mat<float>(_v.Rows, _v.Cols),
            new Vec<float>(_b.Length), new Mat<float>(_u.Rows, _u.Cols), new Vec<float>(_c.Length), _w.Cols);
        _parallel = new DataParallel<Worker>(settings.Workers, _ => NewWorker());
        var optimizer = new Adam<float>(Parameters.Zip(_parallel.Workers[0].Gradients, (p, g) => (p, g)), settings.LearningRate);   // worker 0 adds into the optimizer's gradients
        _step = new DataParallelStep<Worker, float>(_parallel, optimizer, w => w.Gradients);
        _chunk = Gradient;
    }

    /// <summary>Threads each minibatch is split across.</summary>
    public int Workers => _parallel.Threads;

    private float[][] Parameters => [_e.Data, _f.Data, _w.Data, _v.Data, _b.Data, _u.Data, _c.Data];

    /// <summary>One epoch over the examples in a fresh random order, one Adam step per minibatch; returns the mean loss.</summary>
    public double TrainEpoch((int[] Ids, int Tag)[] examples)
    {
        _rng.Shuffle<(int[] Ids, int Tag)>(examples);
        (_examples, _epoch) = (examples, _epoch + 1);
        double loss = 0;
        for (_batchStart = 0; _batchStart < examples.Length; _batchStart += _settings.BatchSize)
        {
            // Each worker adds the gradients of its share of the minibatch into its own arrays; then the sum updates the parameters.
            loss += _step.Step(Math.Min(_settings.BatchSize, examples.Length - _batchStart), _chunk);
        }
        return loss / Math.Max(1, examples.Length);
    }

    // Examples [start, end) of the current minibatch on one worker: word dropout and dropout mask from each example's own stream.
    private double Gradient(Worker worker, int start, int end)
    {
        float keep = 1 - _settings.Dropout;
        var (w, mask, rng) = (worker.Window, worker.Mask, worker.Rng);
        double loss = 0;
        for (int j = _batchStart + start; j < _batchStart + end; j++)
        {
            var (ids, tag) = _examples[j];
            rng.Reseed(Rng.StreamSeed(_dropoutSeed, (ulong)_epoch, (ulong)j));
            ids.CopyTo(w, 0);
            for (int k = 0; k < NerFeatures.Width; k++)
            {
                w[k] = w[k] != NerFeatures.Pad && rng.NextDouble() < _settings.WordDropout ? NerFeatures.Unknown : w[k];
            }
            for (int k = 0; k < mask.Length; k++)
            {
                mask[k] = rng.NextDouble() < keep ? 1 / keep : 0;
            }
            loss += TaggerModel.LossGradient(_e, _f, _w, _v, _b, _u, _c,
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15], w[16], w[17], w[18], w[19], w[20], w[21], w[22], mask, tag,
                worker.DE, worker.DF, worker.DW, worker.DV, worker.Db, worker.DU, worker.Dc, worker.Workspace);
        }
        return loss;
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _parallel.Dispose();

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
