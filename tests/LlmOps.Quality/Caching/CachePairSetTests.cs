using LlmOps.Tests.Caching;
using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace LlmOps.Quality.Caching;

/// <summary>The committed negative and paraphrase sets, with real all-MiniLM-L6-v2 embeddings.</summary>
public sealed class CachePairSetTests(ITestOutputHelper output)
{
    /// <summary>The threshold the lexical guards alone were calibrated at (the default before the pair check).</summary>
    private const float Threshold = 0.84f;

    [Fact]
    public async Task NegativeSet_DefaultThresholdGuardsOn_NoFalseHits()
    {
        Assert.True(CachePairData.Negatives.Count >= 100, $"the negative set has {CachePairData.Negatives.Count} pairs; it needs at least 100");
        var scored = await CachePairData.GetScoredAsync();

        var falseHits = new List<string>();
        var wouldHitWithoutGuards = new List<string>();
        for (var i = 0; i < scored.Pairs.Count; i++)
        {
            var pair = scored.Pairs[i];
            var score = scored.WithGuards[i];
            if (pair.ShouldMatch || score.Similarity < Threshold)
            {
                continue;
            }

            wouldHitWithoutGuards.Add($"{score.Similarity:F3} {pair.First} | {pair.Second}");
            if (score.GuardsPassed)
            {
                falseHits.Add($"{score.Similarity:F3} {pair.First} | {pair.Second}");
            }
        }

        output.WriteLine($"Negative set: {CachePairData.Negatives.Count} pairs, threshold {Threshold}.");
        output.WriteLine($"False hits with guards on: {falseHits.Count}. With guards off: {wouldHitWithoutGuards.Count}.");
        foreach (var line in wouldHitWithoutGuards)
        {
            output.WriteLine("  guards off would serve: " + line);
        }

        Assert.Empty(falseHits);
    }

    [Fact]
    public async Task NegativeSet_GuardsOff_ThresholdAloneServesWrongAnswers()
    {
        var scored = await CachePairData.GetScoredAsync();
        var count = 0;
        for (var i = 0; i < scored.Pairs.Count; i++)
        {
            if (!scored.Pairs[i].ShouldMatch && scored.WithoutGuards[i].Similarity >= Threshold)
            {
                count++;
            }
        }

        output.WriteLine($"With guards off, {count} of {CachePairData.Negatives.Count} negative pairs would be false hits at {Threshold}.");

        // This is the reason the guards exist: the threshold alone does not separate these pairs.
        Assert.True(count >= 20, $"expected many false hits without guards, got {count}");
    }

    [Fact]
    public async Task ParaphraseSet_DefaultThreshold_HitRateAtLeast90Percent()
    {
        Assert.True(CachePairData.Paraphrases.Count >= 100, $"the paraphrase set has {CachePairData.Paraphrases.Count} pairs; it needs at least 100");
        var scored = await CachePairData.GetScoredAsync();
        var hits = 0;
        var misses = new List<string>();
        for (var i = 0; i < scored.Pairs.Count; i++)
        {
            var pair = scored.Pairs[i];
            if (!pair.ShouldMatch)
            {
                continue;
            }

            var score = scored.WithGuards[i];
            if (score.GuardsPassed && score.Similarity >= Threshold)
            {
                hits++;
            }
            else
            {
                misses.Add($"{score.Similarity:F3} guards {(score.GuardsPassed ? "passed" : "rejected")}: {pair.First} | {pair.Second}");
            }
        }

        var rate = (double)hits / CachePairData.Paraphrases.Count;
        output.WriteLine($"Paraphrase hit rate at {Threshold}: {rate:P1} ({hits}/{CachePairData.Paraphrases.Count}).");
        foreach (var miss in misses)
        {
            output.WriteLine("  missed: " + miss);
        }

        Assert.True(rate >= 0.9, $"hit rate {rate:P1} is below 90%");
    }

    [Fact]
    public async Task CalibrateThreshold_CommittedSets_DefaultIsAtOrAboveCalibratedThreshold()
    {
        var scored = await CachePairData.GetScoredAsync();
        var calibration = SemanticCacheCalibrator.CalibrateThreshold(scored.WithGuards, targetPrecision: 1.0);
        output.WriteLine("Calibration (guards on, target precision 1.0): " + calibration);

        Assert.Equal(1.0, calibration.Precision);
        Assert.Equal(0, calibration.FalsePositives);
        Assert.InRange(Threshold - calibration.Threshold, 0f, 0.02f);
    }

    [Fact]
    public async Task GetResponseAsync_RealMiniLm_NegationRejectedParaphraseServed()
    {
        var inner = new FakeChatClient();
        using var client = new SemanticCachingChatClient(inner, embeddingGenerator: CachePairData.Generator);

        await client.GetResponseAsync("How do I reset my password?");
        var paraphrase = await client.GetResponseAsync("How can I reset my password?");
        await client.GetResponseAsync("turn on dark mode");
        var opposite = await client.GetResponseAsync("turn off dark mode");

        Assert.Equal(SemanticCacheTier.Semantic, paraphrase.GetCacheResult()!.Tier);
        Assert.Equal("answer to How do I reset my password?", paraphrase.Text);
        var rejected = opposite.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Miss, rejected.Status);
        Assert.Equal(SemanticCacheGuards.Polarity, rejected.RejectedBy);
        Assert.True(rejected.CandidateSimilarity > 0.9f);
        Assert.Equal("answer to turn off dark mode", opposite.Text);
        Assert.Equal(3, inner.Calls);
    }
}
