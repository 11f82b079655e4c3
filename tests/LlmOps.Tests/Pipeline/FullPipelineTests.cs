using System.Reflection;
using LlmOps.Caching;
using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;
using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Telemetry;
using LlmOps.Testing;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests.Pipeline;

/// <summary>
/// The stages working together through <c>UseLlmOps()</c>: the seams between prompts, cache and metering that no
/// single stage's tests can see.
/// </summary>
public class FullPipelineTests
{
    // 1,000 input tokens at 2.00 per 1M plus 500 output tokens at 8.00 per 1M = 0.002 + 0.004.
    private const decimal ExpectedCallCost = 0.006m;

    private static async Task<(ServiceProvider Provider, ScriptedChatClient Model)> BuildAsync()
    {
        var model = new ScriptedChatClient(defaultModelId: "priced-model")
            .Otherwise(ScriptedResponse.FromText("An answer.").WithUsage(inputTokens: 1_000, outputTokens: 500));
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddPromptRegistry()
            .AddSemanticCache()
            .AddCostMetering(o => o.Models.Add(new ModelDefinition("priced-model", ModelTier.Small, new ModelPrice(Input: 2.00m, Output: 8.00m))));
        services.AddChatClient(model).UseLlmOps();
        var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<PromptRegistry>();
        await registry.RegisterAsync(new PromptTemplate(
            "support",
            [new PromptMessageTemplate(ChatRole.System, "You answer support questions."), new PromptMessageTemplate(ChatRole.User, "{{question}}")],
            [new PromptVariable("question")]));
        return (provider, model);
    }

    private static ChatOptions Support(string question) => new ChatOptions().WithPrompt("support", new { question }).WithScope("acme", "u1");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CacheHit_IsPricedByTheMeteringCatalog_AndNeverReachesTheLedger(bool streaming)
    {
        var (provider, model) = await BuildAsync();
        await using var _ = provider;
        var client = provider.GetRequiredService<IChatClient>();

        async Task<ChatResponse> Ask() => streaming
            ? await client.GetStreamingResponseAsync([], Support("How do refunds work?")).ToChatResponseAsync()
            : await client.GetResponseAsync([], Support("How do refunds work?"));

        var first = await Ask();
        var second = await Ask();

        Assert.Equal(SemanticCacheStatus.Miss, first.GetCacheResult()!.Status);
        Assert.Equal(ExpectedCallCost, first.GetCost()!.Cost);
        Assert.Equal(SemanticCacheStatus.Hit, second.GetCacheResult()!.Status);
        Assert.Equal(ExpectedCallCost, second.GetCacheResult()!.SavedCost);
        Assert.Equal(1, model.CallCount);
        var ledger = provider.GetRequiredService<ICostLedger>();
        var records = await ledger.QueryAsync(new CostLedgerQuery());
        Assert.Single(records);
    }

    [Fact]
    public async Task CacheEntries_AreKeyedByThePromptStagesProvenance_SoInvalidatingThePromptRemovesThem()
    {
        var (provider, model) = await BuildAsync();
        await using var _ = provider;
        var client = provider.GetRequiredService<IChatClient>();
        var cache = client.GetService<SemanticCachingChatClient>()!;

        await client.GetResponseAsync([], Support("Where is my order?"));
        Assert.Equal(0, await cache.InvalidateAsync(SemanticCacheInvalidation.ForPrompt("support", "2")));
        Assert.Equal(1, await cache.InvalidateAsync(SemanticCacheInvalidation.ForPrompt("support", "1")));
        var again = await client.GetResponseAsync([], Support("Where is my order?"));

        Assert.Equal(SemanticCacheStatus.Miss, again.GetCacheResult()!.Status);
        Assert.Equal(2, model.CallCount);
    }

    [Fact]
    public async Task UnpricedModel_ReportsNoSavedCost_RatherThanZero()
    {
        var model = new ScriptedChatClient(defaultModelId: "unlisted-model").Otherwise(ScriptedResponse.FromText("An answer.").WithUsage(10, 5));
        var services = new ServiceCollection();
        services.AddLlmOps().AddSemanticCache().AddCostMetering();
        services.AddChatClient(model).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("hello");
        var hit = await client.GetResponseAsync("hello");

        Assert.Equal(SemanticCacheStatus.Hit, hit.GetCacheResult()!.Status);
        Assert.Null(hit.GetCacheResult()!.SavedCost);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OutputBlockedByGuardrail_IsNeverServedFromTheCache(bool streaming)
    {
        var model = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("The launch code is ZEBRA-7.").ChunkedByWords());
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddGuardrails(o =>
            {
                o.BlockBehavior = GuardrailBlockBehavior.Refuse;
                o.Guardrails.Add(new BannedContentGuardrail(substrings: ["ZEBRA"]) { Stages = GuardrailStage.Output });
            })
            .AddSemanticCache();
        services.AddChatClient(model).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        async Task<ChatResponse> Ask() => streaming
            ? await client.GetStreamingResponseAsync("What is the launch code?").ToChatResponseAsync()
            : await client.GetResponseAsync("What is the launch code?");

        var first = await Ask();
        var second = await Ask();

        Assert.DoesNotContain("ZEBRA", first.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ZEBRA", second.Text, StringComparison.Ordinal);
        Assert.NotEqual(SemanticCacheStatus.Hit, second.GetCacheResult()!.Status);
        Assert.False(second.GetCacheResult()!.Stored);
        Assert.Equal(2, model.CallCount);
        Assert.Equal(0, ((InMemorySemanticCacheStore)provider.GetRequiredService<ISemanticCacheStore>()).Count);
    }

    [Fact]
    public async Task ReadmeFullPipeline_ComposesEveryRegisteredStage_InDesignOrder()
    {
        var anyChatClient = new ScriptedChatClient().Otherwise("Paris.");
        var services = new ServiceCollection();
        // The README's "whole pipeline as built today" snippet.
        services.AddMiniLmEmbeddingGenerator();
        services.AddLlmOps()
            .AddGuardrails()
            .AddPromptRegistry()
            .AddSemanticCache()
            .AddCostMetering(o => o.DefaultTier = ModelTier.Medium);
        services.AddChatClient(anyChatClient).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("What is the capital of France?");

        Assert.Equal("Paris.", response.Text);
        Assert.NotNull(response.GetCost());
        Assert.Equal(SemanticCacheStatus.Miss, response.GetCacheResult()!.Status);
        Assert.Equal(
            [typeof(InstrumentingChatClient), typeof(GuardrailsChatClient), typeof(PromptRegistryChatClient), typeof(SemanticCachingChatClient), typeof(CostMeteringChatClient), typeof(ScriptedChatClient)],
            Chain(client));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryStage_StandardTagsReachTheRequestMetrics_WithTheStagesValues(bool streaming)
    {
        var model = new ScriptedChatClient(defaultModelId: "priced-model")
            .Otherwise(ScriptedResponse.FromText("An answer.").WithUsage(inputTokens: 1_000, outputTokens: 500));
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddGuardrails(o =>
            {
                o.Guardrails.Clear();
                o.Guardrails.Add(new BannedContentGuardrail(substrings: ["refund"]) { Action = GuardrailAction.Flag });
            })
            .AddPromptRegistry()
            .AddGrounding(o =>
            {
                o.Retriever = new NoSources();
                o.AnswerWhenThin = true;
            })
            .AddSemanticCache()
            .AddCostMetering(o => o.Models.Add(new ModelDefinition("priced-model", ModelTier.Small, new ModelPrice(Input: 2.00m, Output: 8.00m))));
        services.AddChatClient(model).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<PromptRegistry>().RegisterAsync(new PromptTemplate(
            "support",
            [new PromptMessageTemplate(ChatRole.System, "You answer support questions."), new PromptMessageTemplate(ChatRole.User, "{{question}}")],
            [new PromptVariable("question")]));
        using var metrics = new MetricRecorder(provider.GetRequiredService<LlmOpsTelemetry>().Meter);
        var client = provider.GetRequiredService<IChatClient>();

        var options = Support("How do I get a refund?");
        var response = streaming
            ? await client.GetStreamingResponseAsync([], options).ToChatResponseAsync()
            : await client.GetResponseAsync([], options);

        // The prompt variable was scanned as input (flag), the prompt resolved by its latest label, nothing retrieved
        // (answered ungrounded), a cache miss, one attempt on a small model.
        var expected = new Dictionary<string, object?>
        {
            [GuardrailsTelemetryNames.ActionAttribute] = "flag",
            [PromptsTelemetryNames.PromptNameAttribute] = "support",
            [PromptsTelemetryNames.PromptVersionAttribute] = 1,
            [PromptsTelemetryNames.PromptLabelAttribute] = "latest",
            [LlmOps.Retrieval.GroundingTelemetryNames.GroundedAttribute] = false,
            [CachingTelemetryNames.Status] = "miss",
            [CachingTelemetryNames.Tier] = "none",
            [MeteringTelemetryNames.ModelTierAttribute] = "Small",
        };
        var info = response.GetLlmOpsInfo()!;
        Assert.Equal(expected.OrderBy(static t => t.Key), info.Tags.OrderBy(static t => t.Key));
        var requests = metrics.Single("llmops.client.requests").Tags;
        foreach (var (name, value) in expected)
        {
            Assert.True(requests.TryGetValue(name, out var recorded), name);
            Assert.Equal(value, recorded);
        }

        Assert.DoesNotContain(PromptsTelemetryNames.PromptVariantAttribute, requests.Keys);
    }

    /// <summary>The client types from outermost to the provider, walking <see cref="DelegatingChatClient"/>'s inner client.</summary>
    private static List<Type> Chain(IChatClient client)
    {
        var inner = typeof(DelegatingChatClient).GetProperty("InnerClient", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var chain = new List<Type>();
        for (IChatClient? c = client; c is not null; c = c is DelegatingChatClient ? (IChatClient?)inner.GetValue(c) : null)
        {
            chain.Add(c.GetType());
        }

        return chain;
    }

    private sealed class NoSources : LlmOps.Retrieval.IRetriever
    {
        public Task<IReadOnlyList<LlmOps.Retrieval.RetrievedChunk>> RetrieveAsync(LlmOps.Retrieval.RetrievalQuery query, CancellationToken cancellationToken = default)
            => Task.FromResult<IReadOnlyList<LlmOps.Retrieval.RetrievedChunk>>([]);
    }
}
