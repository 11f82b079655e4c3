using LlmOps.Prompts;

namespace LlmOps.Tests.Prompts;

public class ExperimentStatisticsTests
{
    [Theory]
    [InlineData(0.975, 1.959964)] // standard normal table
    [InlineData(0.5, 0.0)]
    [InlineData(0.95, 1.644854)]
    public void NormalQuantile_KnownValues_Match(double p, double expected)
        => Assert.Equal(expected, ExperimentStatistics.NormalQuantile(p), 5);

    [Theory]
    [InlineData(4, 2.776445)]   // Student t table, 0.975 quantile
    [InlineData(10, 2.228139)]
    [InlineData(1, 12.706205)]
    [InlineData(30, 2.042272)]
    public void StudentTQuantile_KnownValues_Match(double df, double expected)
        => Assert.Equal(expected, ExperimentStatistics.StudentTQuantile(0.975, df), 4);

    [Fact]
    public void TwoProportionZ_HandComputed_Matches()
    {
        // Control 50/100, variant 65/100. Pooled p = 115/200 = 0.575.
        // SE = sqrt(0.575 * 0.425 * (1/100 + 1/100)) = sqrt(0.0048875) = 0.0699107
        // z = (0.65 - 0.50) / 0.0699107 = 2.145596; two-sided p = erfc(z / sqrt 2) = 0.031905
        var (z, p) = ExperimentStatistics.TwoProportionZ(50, 100, 65, 100);
        Assert.Equal(2.145596, z, 5);
        Assert.Equal(0.031905, p, 5);
    }

    [Fact]
    public void Welch_HandComputed_Matches()
    {
        // Control {1,2,3,4,5}: mean 3, s² 2.5. Variant {2,4,6,8,10}: mean 6, s² 10.
        // s²/n: 0.5 and 2.0; SE = sqrt(2.5) = 1.581139; t = 3 / 1.581139 = 1.897367
        // df = 2.5² / (0.5²/4 + 2²/4) = 6.25 / 1.0625 = 5.882353
        // p = 2·P(T_df > t) = 0.107531 (midpoint integration of the t density, 200,000 steps)
        var (t, df, p) = ExperimentStatistics.Welch(3, 2.5, 5, 6, 10, 5);
        Assert.Equal(1.897367, t, 5);
        Assert.Equal(5.882353, df, 5);
        Assert.Equal(0.107531, p, 4);
    }
}
