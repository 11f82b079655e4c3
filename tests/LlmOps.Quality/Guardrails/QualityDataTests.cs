using LlmOps.Guardrails.Training;

namespace LlmOps.Quality.Guardrails;

public sealed class QualityDataTests
{
    [Theory]
    [InlineData(0, 10, 0.0, 0.0, 0.2775)]
    [InlineData(10, 10, 1.0, 0.7225, 1.0)]
    [InlineData(50, 100, 0.5, 0.4038, 0.5962)]
    public void Wilson_KnownValues(int hits, int n, double rate, double low, double high)
    {
        var w = WilsonInterval.Of(hits, n);
        Assert.Equal(rate, w.Rate, 4);
        Assert.Equal(low, w.Low, 3);
        Assert.Equal(high, w.High, 3);
    }

    [Fact]
    public void Sets_HaveTheSizesTheGatesRequire()
    {
        Assert.True(QualityData.Pairs("cards.tsv").Count >= 100);
        Assert.True(QualityData.Pairs("ibans.tsv").Count >= 100);
        foreach (var split in new[] { "tune", "heldout" })
        {
            var attacks = QualityData.Pairs($"injection_{split}.tsv");
            Assert.True(attacks.Count >= 200);
            Assert.Equal(8, attacks.Select(a => a.Key).Distinct().Count());
            Assert.True(QualityData.Lines($"benign_{split}.txt").Count >= 300);
            Assert.True(QualityData.Lines($"hard_negatives_{split}.txt").Count >= 100);
        }

        var tune = QualityData.Pairs("injection_tune.tsv").Select(a => a.Text).ToHashSet();
        Assert.DoesNotContain(QualityData.Pairs("injection_heldout.tsv"), a => tune.Contains(a.Text));
    }
}
