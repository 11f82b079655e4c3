using LlmOps.Evaluation.Comparison;

namespace LlmOps.Evaluation.Tests.Comparison;

public class ComparisonTests
{
    private static double[] Scores(int n, Func<int, double> f) => [.. Enumerable.Range(0, n).Select(f)];

    [Fact]
    public void Bootstrap_ConstantImprovement_IntervalIsThatImprovementAndSignificant()
    {
        double[] a = Scores(50, i => (i % 7) / 10.0);
        double[] b = [.. a.Select(x => x + 0.1)];

        BootstrapComparison c = PairedComparison.Bootstrap(a, b);

        Assert.Equal(0.1, c.MeanDifference, 12);
        Assert.Equal(0.1, c.Lower, 12);
        Assert.Equal(0.1, c.Upper, 12);
        Assert.True(c.BIsBetter);
        Assert.False(c.BIsWorse);
    }

    [Fact]
    public void Bootstrap_SymmetricNoise_IsNotSignificant()
    {
        double[] a = Scores(40, _ => 0.5);
        double[] b = Scores(40, i => i % 2 == 0 ? 0.6 : 0.4);

        BootstrapComparison c = PairedComparison.Bootstrap(a, b);

        Assert.Equal(0.0, c.MeanDifference, 12);
        Assert.True(c.Lower < 0 && c.Upper > 0);
        Assert.False(c.BIsBetter);
    }

    [Fact]
    public void Bootstrap_SameSeed_SameInterval_DifferentSeedDiffers()
    {
        double[] a = Scores(30, i => (i * 37 % 11) / 10.0);
        double[] b = Scores(30, i => (i * 53 % 13) / 10.0);

        Assert.Equal(PairedComparison.Bootstrap(a, b, seed: 1), PairedComparison.Bootstrap(a, b, seed: 1));
        Assert.NotEqual(PairedComparison.Bootstrap(a, b, seed: 1).Lower, PairedComparison.Bootstrap(a, b, seed: 2).Lower);
    }

    [Fact]
    public void Bootstrap_InvalidInput_ThrowsWithTheFix()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PairedComparison.Bootstrap([1.0, 2.0], [1.0]));
        Assert.Contains("same non-empty set of items", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PairedComparison.Bootstrap([double.NaN], [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedComparison.Bootstrap([1.0], [1.0], confidence: 1));
    }

    [Fact]
    public void McNemar_ExactBinomialPValue()
    {
        // 2 items only A passed, 10 only B passed, 8 both: p = 2 * P(X <= 2 | Binomial(12, 1/2)) = 0.03857421875.
        bool[] a = [.. Enumerable.Repeat(true, 2), .. Enumerable.Repeat(false, 10), .. Enumerable.Repeat(true, 8)];
        bool[] b = [.. Enumerable.Repeat(false, 2), .. Enumerable.Repeat(true, 10), .. Enumerable.Repeat(true, 8)];

        McNemarResult r = PairedComparison.McNemar(a, b);

        Assert.Equal(2, r.OnlyAPassed);
        Assert.Equal(10, r.OnlyBPassed);
        Assert.Equal(0.03857421875, r.PValue, 12);
        Assert.True(r.BIsBetter());
        Assert.False(r.BIsBetter(alpha: 0.01));
    }

    [Fact]
    public void McNemar_FewOrNoDiscordantItems_IsNotSignificant()
    {
        Assert.Equal(1.0, PairedComparison.McNemar([true, false], [true, false]).PValue);
        McNemarResult r = PairedComparison.McNemar([true, true, false, false, false], [false, false, true, true, true]);
        Assert.Equal(1.0, r.PValue, 12); // 2 vs 3: 2 * (1 + 5 + 10) / 32
        Assert.False(r.BIsBetter());
    }

    [Fact]
    public void Gate_BelowTheFloor_Fails()
    {
        GateResult g = RegressionGate.Check("ROUGE-L", [0.2, 0.4], minimumMean: 0.5);

        Assert.False(g.Passed);
        Assert.Contains("ROUGE-L: mean 0.3 is below the minimum 0.5", Assert.Single(g.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Gate_SignificantlyBelowTheBaseline_Fails_NoiseDoesNot()
    {
        double[] baseline = Scores(40, i => 0.6 + ((i % 5) / 100.0));
        double[] worse = [.. baseline.Select(x => x - 0.1)];
        double[] noisy = Scores(40, i => baseline[i] + (i % 2 == 0 ? 0.05 : -0.05));

        Assert.False(RegressionGate.Check("BLEU", worse, baseline: baseline).Passed);
        Assert.True(RegressionGate.Check("BLEU", noisy, baseline: baseline).Passed);
        Assert.True(RegressionGate.Check("BLEU", worse, baseline: baseline, tolerance: 0.2).Passed);
    }
}
