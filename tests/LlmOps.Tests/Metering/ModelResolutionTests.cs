using System.Diagnostics.Metrics;
using System.Text.Json;
using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Metering;

/// <summary>Issue 14 §4: dated model ids, unknown models and tool definitions are priced and reserved for.</summary>
public sealed class ModelResolutionTests
{
    private static readonly ModelPrice Mini = new(0.15m, 0.60m);

    private static readonly ModelCatalog Catalog = new(
    [
        new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10m)),
        new ModelDefinition("gpt-4o-mini", ModelTier.Small, Mini),
        new ModelDefinition("gpt-3.5-turbo", ModelTier.Small, new ModelPrice(0.50m, 1.50m)),
        new ModelDefinition("gemini-1.5-pro", ModelTier.Medium, new ModelPrice(1.25m, 5m)),
        new ModelDefinition("claude-3-5-sonnet", ModelTier.Large, new ModelPrice(3m, 15m)),
        new ModelDefinition("llama-3-8b", ModelTier.Small, new ModelPrice(0m, 0m)),
        new ModelDefinition("openai/gpt-4o-mini-2024-07-18", ModelTier.Small, new ModelPrice(0.16m, 0.61m)),
    ],
    defaultTier: ModelTier.Medium);

    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];

    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("GPT-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-3.5-turbo-0125", "gpt-3.5-turbo")]
    [InlineData("gemini-1.5-pro@2024-05-13", "gemini-1.5-pro")]
    [InlineData("claude-3-5-sonnet-latest", "claude-3-5-sonnet")]
    [InlineData("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [InlineData("meta-llama/llama-3-8b:free", "llama-3-8b")]
    [InlineData("openai/gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("openai/gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("openai/gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini-2024-07-18")] // exact entry first
    [InlineData("azure/openai/gpt-4o-mini-2024-07-18:beta", "openai/gpt-4o-mini-2024-07-18")] // longest match first
    public void Resolve_SnapshotAndPrefixedIds_ResolveToCatalogEntry(string reported, string entry)
    {
        var model = Catalog.Resolve(reported);
        Assert.Equal(entry, model.Definition?.Name);
        Assert.Equal(PriceSource.Model, model.Source);
        Assert.Equal(reported, model.ModelId.Equals(entry, StringComparison.OrdinalIgnoreCase) ? reported : model.ModelId);
    }

    [Theory]
    [InlineData("gpt-4o-mini-audio")]
    [InlineData("gpt-5")]
    [InlineData("mystery")]
    public void Resolve_UnknownIds_StayUnknown(string reported)
        => Assert.Null(Catalog.Resolve(reported).Definition);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_DatedModelReported_PricedAtItsEntryAndRecordSaysWhich(bool streaming)
    {
        var inner = new MeteringTestClient { ModelId = "gpt-4o-mini-2024-07-18" };
        var client = new CostMeteringChatClient(inner, new CostCalculator(Catalog), telemetry: new LlmOpsTelemetry());

        var cost = (await Run(client, streaming, new ChatOptions { ModelId = "gpt-4o-mini" })).GetCost()!;

        Assert.Equal((100 * 0.15m + 20 * 0.60m) / 1_000_000m, cost.Cost);
        Assert.Equal("gpt-4o-mini-2024-07-18", cost.Model);
        Assert.Equal("gpt-4o-mini", cost.PricedAs);
        Assert.Equal(ModelTier.Small, cost.Tier);
        Assert.False(cost.IsEstimated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_UnknownModel_PricedAtDefaultAndFlaggedEstimatedOnRecordAndMetric(bool streaming)
    {
        using var telemetry = new LlmOpsTelemetry();
        var tags = new List<KeyValuePair<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter == telemetry.Meter && i.Name == MeteringTelemetryNames.Cost) l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<double>((_, _, t, _) => tags.AddRange(t.ToArray()));
        listener.Start();
        var client = new CostMeteringChatClient(new MeteringTestClient { ModelId = "mystery-model" }, new CostCalculator(Catalog), telemetry: telemetry);

        var cost = (await Run(client, streaming, null)).GetCost()!;

        Assert.Equal((100 * 3m + 20 * 3m) / 1_000_000m, cost.Cost);
        Assert.Equal(PriceSource.Tier, cost.PriceSource);
        Assert.Null(cost.PricedAs);
        Assert.True(cost.IsEstimated);
        Assert.Contains(new KeyValuePair<string, object?>(MeteringTelemetryNames.CostEstimatedAttribute, true), tags);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_UnknownModelNoDefaultTier_ReservesAtMostExpensiveTier_NeverZero(bool streaming)
    {
        var catalog = new ModelCatalog([new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10m))]);
        // 1,000 output tokens at the Large tier's 15 USD per 1M is 0.015 USD: more than the budget.
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 0.01m)]);
        var inner = new MeteringTestClient { ModelId = "mystery-model" };
        var client = new CostMeteringChatClient(inner, new CostCalculator(catalog), budgets: budgets, telemetry: new LlmOpsTelemetry());

        await Assert.ThrowsAsync<BudgetExceededException>(() => Run(client, streaming, new ChatOptions { ModelId = "mystery-model", MaxOutputTokens = 1000 }.WithScope("acme")));
        Assert.Equal(0, inner.Calls);
        Assert.Equal(15m * 1000 / 1_000_000m, new CostCalculator(catalog).WorstCase("mystery-model", 0, 1000));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_UnknownModelWithRejectOption_RejectedBeforeProviderCall(bool streaming)
    {
        var options = new CostMeteringOptions { RejectUnknownModels = true, DefaultTier = ModelTier.Medium };
        options.Models.Add(new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10m)));
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), 100m)]);
        var inner = new MeteringTestClient { ModelId = "mystery-model" };
        var client = new CostMeteringChatClient(inner, new CostCalculator(options.BuildCatalog()), budgets: budgets, telemetry: new LlmOpsTelemetry());

        var ex = await Assert.ThrowsAsync<UnknownModelException>(() => Run(client, streaming, new ChatOptions { ModelId = "mystery-model" }.WithScope("acme")));
        Assert.Equal("mystery-model", ex.ModelId);
        Assert.Contains("RejectUnknownModels", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, inner.Calls);
        Assert.NotNull(await Run(client, streaming, new ChatOptions { ModelId = "gpt-4o-2024-08-06" }.WithScope("acme")));
    }

    [Theory]
    [InlineData("gpt-4o-mini", 101)]
    [InlineData("gpt-4", 105)]
    public void CountTokens_CookbookWeatherTool_MatchesTheApiCount(string model, int expected)
    {
        // The example of OpenAI's cookbook "How to count tokens with tiktoken", section 7, whose API counts are 101 and 105.
        var tool = AIFunctionFactory.CreateDeclaration("get_current_weather", "Get the current weather in a given location", JsonDocument.Parse("""
            {"type":"object","properties":{
              "location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},
              "unit":{"type":"string","description":"The unit of temperature to return","enum":["celsius","fahrenheit"]}},
             "required":["location"]}
            """).RootElement);
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are a helpful assistant that can answer to questions about the weather."),
            new(ChatRole.User, "What's the weather like in San Francisco?"),
        ];

        var counter = new TokenCounter();
        Assert.Equal(expected, counter.CountTokens(messages, new ChatOptions { Tools = [tool] }, model));
        Assert.Equal(counter.CountTokens(messages, model), counter.CountTokens(messages, new ChatOptions(), model));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_Tools_CountedAsInputAndReservedFor(bool streaming)
    {
        var tool = AIFunctionFactory.Create((string city, string country) => $"{city}, {country}", "lookup", "Looks up a city in the atlas and returns every fact we have about it.");
        var options = new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 10, Tools = [tool] }.WithScope("acme");
        var counter = new TokenCounter();
        var withTools = counter.CountTokens(Messages, options, "gpt-4o");
        Assert.True(withTools > counter.CountTokens(Messages, "gpt-4o") + 20);

        // A budget that fits the messages alone but not the messages plus the tools.
        var withoutToolsCost = (counter.CountTokens(Messages, "gpt-4o") * 2.50m + 10 * 10m) / 1_000_000m;
        var budgets = new BudgetManager([new Budget(new LlmOpsScope("acme"), withoutToolsCost + 0.000001m)]);
        var inner = new MeteringTestClient { Usage = null };
        var client = new CostMeteringChatClient(inner, new CostCalculator(Catalog), budgets: budgets, tokenCounter: counter, telemetry: new LlmOpsTelemetry());
        await Assert.ThrowsAsync<BudgetExceededException>(() => Run(client, streaming, options));

        // Without a budget, the estimated input includes the tools.
        var unbudgeted = new CostMeteringChatClient(inner, new CostCalculator(Catalog), tokenCounter: counter, telemetry: new LlmOpsTelemetry());
        Assert.Equal(withTools, (await Run(unbudgeted, streaming, options)).GetCost()!.InputTokens);
    }

    private static async Task<ChatResponse> Run(IChatClient client, bool streaming, ChatOptions? options)
        => streaming
            ? await client.GetStreamingResponseAsync(Messages, options).ToChatResponseAsync()
            : await client.GetResponseAsync(Messages, options);
}
