using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching.Training;

/// <summary>Embeds every question once and computes each pair's similarity, guard verdict and features.</summary>
internal static class PairScorer
{
    /// <summary>Scores the pairs with the given generator (one batch).</summary>
    public static async Task<IReadOnlyList<ScoredPair>> ScoreAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<LabelledPair> pairs)
    {
        var texts = pairs.SelectMany(p => new[] { p.First, p.Second }).Distinct(StringComparer.Ordinal).ToList();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var start = 0; start < texts.Count; start += 256)
        {
            var batch = texts.GetRange(start, Math.Min(256, texts.Count - start));
            var embedded = await generator.GenerateAsync(batch).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                var v = embedded[i].Vector.ToArray();
                var norm = TensorPrimitives.Norm<float>(v);
                TensorPrimitives.Divide(v, norm, v);
                vectors[batch[i]] = v;
            }
        }

        var scored = new List<ScoredPair>(pairs.Count);
        foreach (var p in pairs)
        {
            var similarity = TensorPrimitives.Dot<float>(vectors[p.First], vectors[p.Second]);
            scored.Add(Score(p, similarity));
        }

        return scored;
    }

    /// <summary>Scores one pair whose similarity is known. The second question is the incoming one, the first the cached one.</summary>
    public static ScoredPair Score(LabelledPair p, float similarity)
    {
        var cached = SemanticCacheFingerprint.Create(p.First);
        var incoming = SemanticCacheFingerprint.Create(p.Second);
        var lexical = SemanticCacheGuards.Polarity | SemanticCacheGuards.Numbers | SemanticCacheGuards.QuotedStrings | SemanticCacheGuards.Entities;
        var guardsPass = incoming.Compare(cached, lexical) == SemanticCacheGuards.None;
        var features = new float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        return new ScoredPair(p, similarity, guardsPass, features, CachePairModel.SameWords(features));
    }
}
