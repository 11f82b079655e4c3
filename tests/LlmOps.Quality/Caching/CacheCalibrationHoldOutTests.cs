using LlmOps.Caching;
using Xunit.Abstractions;

namespace LlmOps.Quality.Caching;

/// <summary>
/// Two-fold held-out check of the threshold calibration on the committed pair sets: calibrate on one half, measure on
/// the other half that the calibration never saw, then swap the halves.
/// </summary>
public sealed class CacheCalibrationHoldOutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task CalibratedThreshold_OnTheUnseenHalf_KeepsPrecisionAndHitRate(int tuneFold)
    {
        var scored = await CachePairData.GetScoredAsync();
        var tune = new List<ScoredCachePair>();
        var heldOut = new List<ScoredCachePair>();
        for (var i = 0; i < scored.WithGuards.Count; i++)
        {
            (i % 2 == tuneFold ? tune : heldOut).Add(scored.WithGuards[i]);
        }

        var calibration = SemanticCacheCalibrator.CalibrateThreshold(tune, targetPrecision: 1.0);
        var truePositives = heldOut.Count(p => p.ShouldMatch && p.GuardsPassed && p.Similarity >= calibration.Threshold);
        var falsePositives = heldOut.Count(p => !p.ShouldMatch && p.GuardsPassed && p.Similarity >= calibration.Threshold);
        var positives = heldOut.Count(p => p.ShouldMatch);
        var precision = truePositives + falsePositives == 0 ? 1.0 : (double)truePositives / (truePositives + falsePositives);
        var hitRate = (double)truePositives / positives;
        output.WriteLine($"Tuned on fold {tuneFold} ({tune.Count} pairs): threshold {calibration.Threshold:F3}, in-sample precision {calibration.Precision:P1}, hit rate {calibration.HitRate:P1}.");
        output.WriteLine($"Held-out fold ({heldOut.Count} pairs): precision {precision:P1} ({falsePositives} false hits), hit rate {hitRate:P1} ({truePositives}/{positives}).");

        Assert.True(precision >= 0.98, $"held-out precision {precision:P1} ({falsePositives} false hits) is below 98%");
        Assert.True(hitRate >= 0.85, $"held-out hit rate {hitRate:P1} is below 85%");
    }
}
