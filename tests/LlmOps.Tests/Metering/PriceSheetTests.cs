using LlmOps.DependencyInjection;
using LlmOps.Metering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Tests.Metering;

public class PriceSheetTests
{
    private const string Json = """
        {
          "effectiveDate": "2026-12-01T00:00:00Z",
          "defaultTier": "Medium",
          "tiers": { "Small": { "input": 0.4, "output": 0.6 } },
          "models": {
            "gpt-4o": { "tier": "Large", "input": 2.5, "cachedInput": 1.25, "output": 10, "contextWindow": 128000, "maxOutputTokens": 16384 },
            "small-one": { "tier": "Small" }
          }
        }
        """;

    [Fact]
    public void Parse_ValidFile_ReadsModelsTiersAndEffectiveDate()
    {
        var sheet = PriceSheet.Parse(Json);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), sheet.EffectiveDate);
        Assert.Equal(ModelTier.Medium, sheet.DefaultTier);
        var gpt = Assert.Single(sheet.Models, m => m.Name == "gpt-4o");
        Assert.Equal(new ModelPrice(2.5m, 10m, 1.25m), gpt.Price);
        Assert.Equal(128000, gpt.ContextWindow);
        Assert.Equal(sheet.EffectiveDate, gpt.EffectiveFrom);
        Assert.Equal(new ModelPrice(0.4m, 0.6m), sheet.TierPrices[ModelTier.Small]);
    }

    [Theory]
    [InlineData("\"input\": -1, \"output\": 1", "model 'bad'", "Input")]
    [InlineData("\"input\": \"NaN\", \"output\": 1", "model 'bad'", "input")]
    [InlineData("\"input\": 1, \"output\": 1, \"currency\": \"EUR\"", "model 'bad'", "Currency")]
    [InlineData("\"input\": 1", "model 'bad'", "output")]
    public void Parse_InvalidPrice_ThrowsNamingModelAndField(string fields, string model, string field)
    {
        var json = $$"""{ "models": { "bad": { "tier": "Small", {{fields}} } } }""";
        var ex = Assert.Throws<ModelCatalogException>(() => PriceSheet.Parse(json));
        Assert.Contains(model, ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ThrowsModelCatalogException()
        => Assert.Throws<ModelCatalogException>(() => PriceSheet.Parse("{ not json"));

    [Fact]
    public void FromConfiguration_Section_ReadsSameShape()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmOps:Metering:Models:my-model:Tier"] = "Large",
            ["LlmOps:Metering:Models:my-model:Input"] = "1.5",
            ["LlmOps:Metering:Models:my-model:Output"] = "6",
            ["LlmOps:Metering:Models:my-model:GpuPerSecond"] = "0.002",
        }).Build();

        var sheet = PriceSheet.FromConfiguration(config.GetSection("LlmOps:Metering"));

        var model = Assert.Single(sheet.Models);
        Assert.Equal("my-model", model.Name);
        Assert.Equal(new ModelPrice(1.5m, 6m, null, 0.002m), model.Price);
    }

    [Fact]
    public void AddPrices_InvalidConfiguration_FailsAtStartupNamingModelAndField()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["M:Models:neg:Tier"] = "Large",
            ["M:Models:neg:Input"] = "1",
            ["M:Models:neg:Output"] = "-3",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmOps().AddCostMetering(o => o.Models.Add(new ModelDefinition("code-model", ModelTier.Small, new ModelPrice(-1m, 1m))));

        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CostMeteringOptions>>().Value);
        Assert.Contains("model 'code-model'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Input", ex.Message, StringComparison.Ordinal);

        var services2 = new ServiceCollection();
        services2.AddLlmOps().AddPrices(config.GetSection("M"));
        using var provider2 = services2.BuildServiceProvider();
        var ex2 = Assert.Throws<ModelCatalogException>(() => provider2.GetRequiredService<IOptions<CostMeteringOptions>>().Value);
        Assert.Contains("model 'neg'", ex2.Message, StringComparison.Ordinal);
        Assert.Contains("Output", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPriceFile_File_PricesModelsFromEffectiveDate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"llmops-prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Json);
        try
        {
            var services = new ServiceCollection();
            services.AddLlmOps().AddPriceFile(path);
            using var provider = services.BuildServiceProvider();
            var calc = provider.GetRequiredService<CostCalculator>();

            Assert.Equal(12.5m, calc.Calculate("gpt-4o", 1_000_000, 0, 1_000_000, at: new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero)).Cost);
            // Before the effective date the model is not yet priced by the file: the default tier (Medium) applies.
            var before = calc.Calculate("gpt-4o", 1_000_000, 0, 0, at: new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
            Assert.Equal(3.00m, before.Cost);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModelCatalog_DefaultTierWithoutPrice_Throws()
    {
        var ex = Assert.Throws<ModelCatalogException>(() => new ModelCatalog([], new Dictionary<ModelTier, ModelPrice>(), ModelTier.Large));
        Assert.Contains("Large", ex.Message, StringComparison.Ordinal);
    }
}
