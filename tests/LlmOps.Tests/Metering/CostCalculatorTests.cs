using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Metering;

public class CostCalculatorTests
{
    private static readonly ModelCatalog Catalog = new(
    [
        new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10.00m, CachedInput: 1.25m)),
        new ModelDefinition("llama-70b-local", ModelTier.Medium, new ModelPrice(0m, 0m, GpuPerSecond: 0.0010m)),
        new ModelDefinition("tier-only", ModelTier.Small),
    ]);

    [Theory]
    [InlineData(2, 0, "0.000005")]          // 2 × 2.50 = 5.00: trailing zeros go, down to the dividend's scale
    [InlineData(0, 0, "0.00")]              // nothing: the dividend's scale stays
    [InlineData(4, 1, "0.00001125")]        // 4 × 2.50 + 1 × 1.25 = 11.25
    [InlineData(1_000_000, 0, "2.50")]      // a whole million keeps the price's two places
    [InlineData(123_456_789, 3, "308.64197625")]
    public void Calculate_Cost_HasTheScaleOfTheDivisionByAMillion(long input, long cached, string expected)
    {
        var calc = new CostCalculator(Catalog);

        Assert.Equal(expected, calc.Calculate("gpt-4o", input, cached, 0).Cost.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("0.15", "0.60", null, 40, 0, 12)]       // no cached price, no cached tokens: the cached term is left out
    [InlineData("0.15", "0.60", null, 40, 8, 12)]
    [InlineData("0.15", "0.60", "0.075", 40, 0, 12)]    // a cached price with more places keeps its scale in the sum
    [InlineData("0.15", "0.60", "0.075", 40, 8, 12)]
    [InlineData("2", "8", "0.0001", 1_000_000, 0, 0)]   // 2.0000, not 2: the zero cached term still sets the scale
    public void Calculate_Cost_IsTheFullFormulaBitForBit(string input, string output, string? cachedPrice, long inputTokens, long cachedTokens, long outputTokens)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var price = new ModelPrice(D(input), D(output), CachedInput: cachedPrice is null ? null : D(cachedPrice));
        var calc = new CostCalculator(new ModelCatalog([new ModelDefinition("m", ModelTier.Small, price)]));

        var cost = calc.Calculate("m", inputTokens, cachedTokens, outputTokens).Cost;

        // The formula with every term, divided by a million: same value and same scale (ToString and JSON show the scale).
        var expected = ((inputTokens * price.Input) + (cachedTokens * (price.CachedInput ?? price.Input)) + (outputTokens * price.Output)) / 1_000_000m;
        Assert.Equal(decimal.GetBits(expected), decimal.GetBits(cost));
    }

    [Fact]
    public void DivideByMillion_IsTheDecimalDivision_BitForBit()
    {
        var random = new Random(16);
        Span<int> expected = stackalloc int[4];
        Span<int> actual = stackalloc int[4];
        for (var i = 0; i < 200_000; i++)
        {
            var mantissa = (i % 3) switch
            {
                0 => (ulong)random.NextInt64(0, 100_000),
                1 => (ulong)random.NextInt64(),
                _ => (ulong)random.NextInt64(0, 1_000_000) * 1_000,
            };
            var value = new decimal((int)mantissa, (int)(mantissa >> 32), i % 10 == 0 ? random.Next() : 0, random.Next(4) == 0, (byte)random.Next(0, 29));

            decimal.GetBits(value / 1_000_000m, expected);
            decimal.GetBits(CostCalculator.DivideByMillion(value), actual);
            Assert.True(expected.SequenceEqual(actual), $"{value} (scale {value.Scale})");
        }
    }

    [Fact]
    public void Calculate_EachTerm_IsPricedPerMillion()
    {
        var calc = new CostCalculator(Catalog);

        Assert.Equal(2.50m, calc.Calculate("gpt-4o", 1_000_000, 0, 0).Cost);
        Assert.Equal(1.25m, calc.Calculate("gpt-4o", 0, 1_000_000, 0).Cost);
        Assert.Equal(10.00m, calc.Calculate("gpt-4o", 0, 0, 1_000_000).Cost);
        Assert.Equal(2.50m + 1.25m + 10m, calc.Calculate("gpt-4o", 1_000_000, 1_000_000, 1_000_000).Cost);
    }

    [Fact]
    public void Calculate_UsageWithCachedTokens_SplitsInputAndPricesCachedAtCachedPrice()
    {
        var calc = new CostCalculator(Catalog);
        var usage = new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 400, OutputTokenCount = 100 };

        var record = calc.Calculate("gpt-4o", usage);

        Assert.Equal(600, record.InputTokens);
        Assert.Equal(400, record.CachedInputTokens);
        Assert.Equal((600 * 2.50m + 400 * 1.25m + 100 * 10m) / 1_000_000m, record.Cost);
    }

    [Fact]
    public void Calculate_NoCachedPrice_CachedTokensAtInputPrice()
    {
        var calc = new CostCalculator(Catalog);
        var record = calc.Calculate("tier-only", new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 1000 });
        Assert.Equal(1000 * 0.50m / 1_000_000m, record.Cost);
        Assert.Equal(PriceSource.Tier, record.PriceSource);
    }

    [Fact]
    public void Calculate_GpuModel_ChargesGpuTimeOnlyForGpuPricedModels()
    {
        var calc = new CostCalculator(Catalog);

        Assert.Equal(2.5m * 0.0010m, calc.Calculate("llama-70b-local", 0, 0, 0, TimeSpan.FromSeconds(2.5)).Cost);
        Assert.Equal(TimeSpan.Zero, calc.Calculate("gpt-4o", 0, 0, 0, TimeSpan.FromSeconds(2.5)).GpuTime);
        Assert.Equal(0m, calc.Calculate("gpt-4o", 0, 0, 0, TimeSpan.FromSeconds(2.5)).Cost);
    }

    [Fact]
    public void Calculate_ReportedGpuTime_WinsOverMeasured()
    {
        var calc = new CostCalculator(Catalog);
        var usage = new UsageDetails { AdditionalCounts = new() { [CostCalculator.GpuTimeMillisecondsKey] = 1500 } };
        Assert.Equal(1.5m * 0.0010m, calc.Calculate("llama-70b-local", usage, TimeSpan.FromSeconds(10)).Cost);
    }

    [Fact]
    public void Calculate_OneToken_IsExactInDecimalWithoutRounding()
    {
        var calc = new CostCalculator(Catalog);
        Assert.Equal(0.0000005m, calc.Calculate("tier-only", 1, 0, 0).Cost);

        // A million one-token calls add up to exactly the per-million price: no drift.
        var sum = 0m;
        for (var i = 0; i < 1_000_000; i++)
        {
            sum += calc.Calculate("tier-only", 1, 0, 0).Cost;
        }

        Assert.Equal(0.50m, sum);
    }

    [Fact]
    public void Calculate_UnknownModelWithoutDefaultTier_IsUnpricedAndFlagged()
    {
        var record = new CostCalculator(Catalog).Calculate("mystery-model", 1000, 0, 1000);
        Assert.False(record.IsPriced);
        Assert.Equal(PriceSource.Unpriced, record.PriceSource);
        Assert.Equal(0m, record.Cost);
        Assert.Equal(2000, record.TotalTokens);
    }

    [Fact]
    public void Calculate_UnknownModelWithDefaultTier_UsesTierPrice()
    {
        var catalog = new ModelCatalog([], defaultTier: ModelTier.Medium);
        var record = new CostCalculator(catalog).Calculate("mystery-model", 1_000_000, 0, 0);
        Assert.Equal(3.00m, record.Cost);
        Assert.Equal(ModelTier.Medium, record.Tier);
        Assert.Equal(PriceSource.Tier, record.PriceSource);
    }

    [Fact]
    public void Calculate_DefaultTiers_MatchDesignPrices()
    {
        var catalog = new ModelCatalog(
        [
            new ModelDefinition("s", ModelTier.Small), new ModelDefinition("m", ModelTier.Medium), new ModelDefinition("l", ModelTier.Large),
        ]);
        var calc = new CostCalculator(catalog);
        Assert.Equal(0.50m, calc.Calculate("s", 1_000_000, 0, 0).Cost);
        Assert.Equal(3.00m, calc.Calculate("m", 0, 0, 1_000_000).Cost);
        Assert.Equal(15.00m, calc.Calculate("L", 1_000_000, 0, 0).Cost);
    }

    [Fact]
    public void Calculate_EffectiveDates_PicksPriceInEffectAtCallTime()
    {
        var change = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var catalog = new ModelCatalog(
        [
            new ModelDefinition("m", ModelTier.Small, ModelPrice.Flat(1m)),
            new ModelDefinition("m", ModelTier.Small, ModelPrice.Flat(2m)) { EffectiveFrom = change },
        ]);
        var calc = new CostCalculator(catalog);
        Assert.Equal(1m, calc.Calculate("m", 1_000_000, 0, 0, at: change.AddTicks(-1)).Cost);
        Assert.Equal(2m, calc.Calculate("m", 1_000_000, 0, 0, at: change).Cost);
    }

    [Fact]
    public void Calculate_NegativeCounts_Throw()
    {
        var calc = new CostCalculator(Catalog);
        Assert.Throws<ArgumentOutOfRangeException>(() => calc.Calculate("gpt-4o", -1, 0, 0));
        Assert.Throws<ArgumentNullException>(() => calc.Calculate("gpt-4o", (UsageDetails)null!));
    }

    [Fact]
    public void WorstCase_InputPlusMaxOutputAtModelPrices()
    {
        var calc = new CostCalculator(Catalog);
        Assert.Equal((1000 * 2.50m + 500 * 10m) / 1_000_000m, calc.WorstCase("gpt-4o", 1000, 500));
    }
}
