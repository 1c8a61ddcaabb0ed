using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicDiff.Samples.Data;

namespace SymbolicDiff.Samples.WindowNer;

/// <summary>Precision, recall and F1 of one class.</summary>
public readonly record struct ClassScores(int TruePositives, int Predicted, int Actual)
{
    /// <summary>TP / predicted (0 when nothing was predicted).</summary>
    public double Precision => Predicted == 0 ? 0 : (double)TruePositives / Predicted;

    /// <summary>TP / actual (0 when the class never occurs).</summary>
    public double Recall => Actual == 0 ? 0 : (double)TruePositives / Actual;

    /// <summary>The harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>
/// Entity-level scores as conlleval computes them: an entity counts as found only when its span (exact B-/I- extent)
/// and its type both match a gold entity. Overall (micro) and per type.
/// </summary>
/// <param name="Overall">All types together.</param>
/// <param name="ByType">Each type, ordinal order.</param>
public sealed record EntityScores(ClassScores Overall, IReadOnlyDictionary<string, ClassScores> ByType)
{
    /// <summary>Scores predicted tag sequences against gold ones, sentence by sentence.</summary>
    public static EntityScores Score(IReadOnlyList<string[]> gold, IReadOnlyList<string[]> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException($"{gold.Count} gold sentences but {predicted.Count} predicted.", nameof(predicted));
        var counts = new SortedDictionary<string, (int Tp, int Predicted, int Actual)>(StringComparer.Ordinal);
        for (int s = 0; s < gold.Count; s++)
        {
            var g = ConllTags.Chunks(gold[s]);
            var p = ConllTags.Chunks(predicted[s]);
            var found = g.Intersect(p).ToList();
            foreach (var (list, field) in new[] { (g, 2), (p, 1), (found, 0) })
            {
                foreach (var chunk in list)
                {
                    var c = counts.GetValueOrDefault(chunk.Type);
                    counts[chunk.Type] = field switch { 0 => c with { Tp = c.Tp + 1 }, 1 => c with { Predicted = c.Predicted + 1 }, _ => c with { Actual = c.Actual + 1 } };
                }
            }
        }
        var byType = counts.ToDictionary(kv => kv.Key, kv => new ClassScores(kv.Value.Tp, kv.Value.Predicted, kv.Value.Actual), StringComparer.Ordinal);
        var overall = new ClassScores(byType.Values.Sum(v => v.TruePositives), byType.Values.Sum(v => v.Predicted), byType.Values.Sum(v => v.Actual));
        return new EntityScores(overall, byType);
    }
}
