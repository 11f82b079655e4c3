using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// Chooses a similarity threshold from labelled question pairs: the lowest threshold that keeps precision (true hits
/// over all hits) at or above a target, and the hit rate it gives.
/// </summary>
/// <remarks>
/// <para>To calibrate for your domain and embedding model:</para>
/// <list type="number">
/// <item>Collect pairs of real questions: paraphrases that one answer serves (<c>ShouldMatch = true</c>) and near
/// misses that must not share an answer (negations, other numbers, other entities, neighbouring topics).</item>
/// <item>Call <see cref="CalibrateThresholdAsync"/> with your embedding generator, the guards you will run, and the
/// precision you need (1.0 for "no false hit on this set").</item>
/// <item>Set <see cref="SemanticCacheOptions.SimilarityThreshold"/> to the returned <see cref="ThresholdCalibration.Threshold"/>
/// and keep the pairs as a regression test.</item>
/// </list>
/// </remarks>
public static class SemanticCacheCalibrator
{
    /// <summary>Embeds every pair (in one batch), applies the guards, and calibrates.</summary>
    /// <param name="generator">The embedding generator the cache will use.</param>
    /// <param name="pairs">The labelled pairs.</param>
    /// <param name="targetPrecision">The precision to reach, in (0, 1].</param>
    /// <param name="guards">The guards the cache will run.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The calibration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> or <paramref name="pairs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetPrecision"/> is not in (0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="pairs"/> holds no pair of either label.</exception>
    public static async Task<ThresholdCalibration> CalibrateThresholdAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IEnumerable<SemanticCachePair> pairs,
        double targetPrecision,
        SemanticCacheGuards guards = SemanticCacheGuards.All,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var scored = await ScoreAsync(generator, pairs, guards, cancellationToken).ConfigureAwait(false);
        return CalibrateThreshold(scored, targetPrecision);
    }

    /// <summary>Embeds every pair (in one batch) and scores it: similarity and whether the guards pass it.</summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="pairs">The labelled pairs.</param>
    /// <param name="guards">The guards to apply.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>One scored pair per input pair, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> or <paramref name="pairs"/> is <see langword="null"/>.</exception>
    public static async Task<IReadOnlyList<ScoredCachePair>> ScoreAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IEnumerable<SemanticCachePair> pairs,
        SemanticCacheGuards guards = SemanticCacheGuards.All,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs.ToList();
        var texts = new List<string>(list.Count * 2);
        foreach (var pair in list)
        {
            // Embedded as the cache embeds them: without the courtesy around the question.
            texts.Add(CacheQuestionText.Normalize(pair.First ?? throw new ArgumentException("A pair has a null First question.", nameof(pairs))));
            texts.Add(CacheQuestionText.Normalize(pair.Second ?? throw new ArgumentException("A pair has a null Second question.", nameof(pairs))));
        }

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        var scored = new ScoredCachePair[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var a = embeddings[2 * i].Vector.Span;
            var b = embeddings[(2 * i) + 1].Vector.Span;
            var similarity = TensorPrimitives.CosineSimilarity(a, b);
            var cached = SemanticCacheFingerprint.Create(list[i].First);
            var incoming = SemanticCacheFingerprint.Create(list[i].Second);
            var passed = CachePairModel.Default.Check(incoming, cached, similarity, guards) == SemanticCacheGuards.None;
            scored[i] = new ScoredCachePair(similarity, passed, list[i].ShouldMatch);
        }

        return scored;
    }

    /// <summary>
    /// Returns the lowest threshold such that precision stays at or above <paramref name="targetPrecision"/> at that
    /// threshold and at every higher one, with the hit rate at it. When even the most similar guard-passing pair is a
    /// false hit, the threshold sits just above it and nothing hits.
    /// </summary>
    /// <param name="pairs">The scored pairs.</param>
    /// <param name="targetPrecision">The precision to reach, in (0, 1].</param>
    /// <returns>The calibration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetPrecision"/> is not in (0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="pairs"/> holds no pair of either label, or a similarity is NaN.</exception>
    public static ThresholdCalibration CalibrateThreshold(IEnumerable<ScoredCachePair> pairs, double targetPrecision)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (double.IsNaN(targetPrecision) || targetPrecision <= 0 || targetPrecision > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(targetPrecision), targetPrecision, $"The target precision must be in (0, 1] (it was {targetPrecision}).");
        }

        var list = pairs.ToList();
        var positives = list.Count(p => p.ShouldMatch);
        var negatives = list.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException(
                $"Calibration needs both paraphrase pairs and non-paraphrase pairs (got {positives} and {negatives}); add the missing kind.", nameof(pairs));
        }

        if (list.Any(p => float.IsNaN(p.Similarity)))
        {
            throw new ArgumentException("A scored pair has a NaN similarity; check the embeddings.", nameof(pairs));
        }

        var candidates = list.Where(p => p.GuardsPassed).OrderByDescending(p => p.Similarity).ToList();
        var threshold = candidates.Count == 0 ? 1f : MathF.BitIncrement(candidates[0].Similarity);
        var tp = 0;
        var fp = 0;
        var bestTp = 0;
        var bestFp = 0;
        var i = 0;
        while (i < candidates.Count)
        {
            var value = candidates[i].Similarity;
            var stepTp = tp;
            var stepFp = fp;
            while (i < candidates.Count && candidates[i].Similarity == value)
            {
                if (candidates[i].ShouldMatch)
                {
                    stepTp++;
                }
                else
                {
                    stepFp++;
                }

                i++;
            }

            if ((double)stepTp / (stepTp + stepFp) < targetPrecision)
            {
                break;
            }

            tp = stepTp;
            fp = stepFp;
            threshold = value;
            bestTp = tp;
            bestFp = fp;
        }

        var rejected = list.Count(p => !p.GuardsPassed && !p.ShouldMatch && p.Similarity >= threshold);
        return new ThresholdCalibration
        {
            Threshold = threshold,
            Precision = bestTp + bestFp == 0 ? 1.0 : (double)bestTp / (bestTp + bestFp),
            HitRate = (double)bestTp / positives,
            TruePositives = bestTp,
            FalsePositives = bestFp,
            Positives = positives,
            Negatives = negatives,
            RejectedByGuards = rejected,
        };
    }
}
