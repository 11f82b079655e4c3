using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class SemanticCacheCalibratorTests
{
    [Fact]
    public void CalibrateThreshold_PerfectPrecision_LowestThresholdAboveEveryFalseHit()
    {
        ScoredCachePair[] pairs =
        [
            new(0.95f, true, true),
            new(0.90f, true, true),
            new(0.85f, true, false), // a guard-passing non-paraphrase
            new(0.80f, true, true),
            new(0.97f, false, false), // rejected by the guards: never a hit
        ];

        var result = SemanticCacheCalibrator.CalibrateThreshold(pairs, 1.0);

        Assert.Equal(0.90f, result.Threshold);
        Assert.Equal(1.0, result.Precision);
        Assert.Equal(2, result.TruePositives);
        Assert.Equal(2.0 / 3, result.HitRate, 6);
        Assert.Equal(1, result.RejectedByGuards);
    }

    [Fact]
    public void CalibrateThreshold_LowerTarget_AcceptsSomeFalseHits()
    {
        ScoredCachePair[] pairs = [new(0.95f, true, true), new(0.90f, true, true), new(0.85f, true, false), new(0.80f, true, true), new(0.5f, true, false)];

        var result = SemanticCacheCalibrator.CalibrateThreshold(pairs, 0.6);

        Assert.Equal(0.5f, result.Threshold);
        Assert.Equal(0.6, result.Precision, 6);
        Assert.Equal(1.0, result.HitRate);
    }

    [Fact]
    public void CalibrateThreshold_PrecisionDipsAboveLowerThreshold_StopsAtTheDip()
    {
        // At 0.85 precision is 2/3 (< 0.7); at 0.80 it recovers to 3/4, but a threshold there would also serve the
        // 0.85 false hit, so the calibrator keeps precision at or above the target at every higher threshold too.
        ScoredCachePair[] pairs = [new(0.95f, true, true), new(0.90f, true, true), new(0.85f, true, false), new(0.80f, true, true), new(0.5f, true, false)];

        var result = SemanticCacheCalibrator.CalibrateThreshold(pairs, 0.7);

        Assert.Equal(0.90f, result.Threshold);
        Assert.Equal(1.0, result.Precision);
    }

    [Fact]
    public void CalibrateThreshold_TopPairIsFalseHit_ThresholdAboveItAndNoHits()
    {
        ScoredCachePair[] pairs = [new(0.99f, true, false), new(0.90f, true, true)];

        var result = SemanticCacheCalibrator.CalibrateThreshold(pairs, 1.0);

        Assert.True(result.Threshold > 0.99f);
        Assert.Equal(0, result.TruePositives);
        Assert.Equal(0.0, result.HitRate);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void CalibrateThreshold_BadTarget_Throws(double target)
        => Assert.Throws<ArgumentOutOfRangeException>(() => SemanticCacheCalibrator.CalibrateThreshold([new(0.9f, true, true), new(0.5f, true, false)], target));

    [Fact]
    public void CalibrateThreshold_OneLabelOnly_ThrowsWithAdvice()
    {
        var ex = Assert.Throws<ArgumentException>(() => SemanticCacheCalibrator.CalibrateThreshold([new(0.9f, true, true)], 1.0));
        Assert.Contains("non-paraphrase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CalibrateThresholdAsync_EmbedsPairsAndAppliesGuards()
    {
        SemanticCachePair[] pairs =
        [
            new("turn on dark mode", "turn off dark mode", false),
            new("how do I reset my password", "how can I reset my password", true),
            new("cats are great pets", "bake a sourdough loaf", false),
        ];

        var result = await SemanticCacheCalibrator.CalibrateThresholdAsync(new BagOfWordsEmbeddingGenerator(), pairs, 1.0);

        var scored = await SemanticCacheCalibrator.ScoreAsync(new BagOfWordsEmbeddingGenerator(), pairs);
        Assert.Equal(1, result.TruePositives);
        Assert.Equal(0, result.FalsePositives);
        Assert.Equal([false, true, false], scored.Select(p => p.GuardsPassed)); // the pair check rejects the unrelated pair
        Assert.True(scored[0].Similarity > 0.7f);
    }
}
