using LlmOps.Caching;
using LlmOps.Guardrails;
using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Telemetry;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests;

public sealed class LlmOpsChatClientBuilderExtensionsTests
{
    [Fact]
    public void UseLlmOps_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>("builder", () => LlmOpsChatClientBuilderExtensions.UseLlmOps(null!));

    [Fact]
    public async Task UseLlmOps_WithoutAddLlmOps_UsesDefaultsAndStillWorks()
    {
        var inner = new DelegatingTestChatClient();
        using var provider = new ServiceCollection().BuildServiceProvider();

        using var client = new ChatClientBuilder(inner).UseLlmOps().Build(provider);
        var response = await client.GetResponseAsync("hi");

        Assert.Equal("ok", response.Text);
        Assert.NotNull(client.GetService<InstrumentingChatClient>());
    }

    [Fact]
    public void UseLlmOps_TelemetryDisabled_SkipsTheStage()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddLlmOpsTelemetry(o => o.Enabled = false);
        var inner = new DelegatingTestChatClient();
        services.AddChatClient(inner).UseLlmOps();
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();

        Assert.Null(client.GetService<InstrumentingChatClient>());
        Assert.Same(inner, client);
    }

    [Fact]
    public void UseLlmOps_BuiltTwice_EachBuildUsesItsOwnProvidersServices()
    {
        var builder = new ChatClientBuilder(new DelegatingTestChatClient()).UseLlmOps();
        var s1 = new ServiceCollection();
        s1.AddLlmOps();
        var s2 = new ServiceCollection();
        s2.AddLlmOps().AddLlmOpsTelemetry(o => o.Enabled = false);
        using var p1 = s1.BuildServiceProvider();
        using var p2 = s2.BuildServiceProvider();

        using var c1 = builder.Build(p1);
        using var c2 = builder.Build(p2);

        Assert.NotNull(c1.GetService<InstrumentingChatClient>());
        Assert.Null(c2.GetService<InstrumentingChatClient>());
    }

    [Fact]
    public void Stages_TableIsInDesignOrder()
        => Assert.Equal(
            ["telemetry", "guardrails", "prompts", "grounding", "cache", "routing", "metering"],
            LlmOpsPipeline.Stages.Select(s => s.Name));

    [Fact]
    public void UseLlmOps_EveryStageRegistered_NestsTheDecoratorsInDesignOrder()
    {
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddCostMetering()
            .AddSemanticCache()
            .AddPromptRegistry()
            .AddGuardrails();
        var inner = new DelegatingTestChatClient();
        services.AddChatClient(inner).UseLlmOps();
        using var provider = services.BuildServiceProvider();

        var chain = Chain(provider.GetRequiredService<IChatClient>());

        Assert.Equal(
            [typeof(InstrumentingChatClient), typeof(GuardrailsChatClient), typeof(PromptRegistryChatClient),
             typeof(SemanticCachingChatClient), typeof(CostMeteringChatClient), typeof(DelegatingTestChatClient)],
            chain.Select(c => c.GetType()));
    }

    [Fact]
    public void UseLlmOps_OnlySomeStagesRegistered_SkipsTheOthersAndKeepsTheOrder()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddCostMetering().AddGuardrails();
        services.AddChatClient(new DelegatingTestChatClient()).UseLlmOps();
        using var provider = services.BuildServiceProvider();

        var chain = Chain(provider.GetRequiredService<IChatClient>());

        Assert.Equal(
            [typeof(InstrumentingChatClient), typeof(GuardrailsChatClient), typeof(CostMeteringChatClient), typeof(DelegatingTestChatClient)],
            chain.Select(c => c.GetType()));
    }

    [Fact]
    public void UseXxx_Configure_AdjustsOnlyThatClient_AndAddXxxTwiceComposes()
    {
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddGuardrails(o => o.WindowSize = 900)
            .AddGuardrails(o => o.RefusalText = "No.");
        using var provider = services.BuildServiceProvider();

        using var shared = new ChatClientBuilder(new DelegatingTestChatClient()).UseGuardrails().Build(provider);
        using var adjusted = new ChatClientBuilder(new DelegatingTestChatClient()).UseGuardrails(o => o.WindowSize = 1000).Build(provider);

        var sharedOptions = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<GuardrailsOptions>>().Value;
        Assert.Same(sharedOptions, shared.GetService<GuardrailsOptions>());
        Assert.Equal(900, sharedOptions.WindowSize);
        Assert.Equal("No.", sharedOptions.RefusalText);
        var adjustedOptions = adjusted.GetService<GuardrailsOptions>()!;
        Assert.NotSame(sharedOptions, adjustedOptions);
        Assert.Equal(1000, adjustedOptions.WindowSize);
        Assert.Equal("No.", adjustedOptions.RefusalText);
        Assert.Equal(sharedOptions.Guardrails.Count, adjustedOptions.Guardrails.Count);
    }

    [Fact]
    public void UseXxx_ConfigureMakesAnOptionInvalid_FailsWhenBuiltNamingTheOption()
    {
        var builder = new ChatClientBuilder(new DelegatingTestChatClient()).UseSemanticCache(o => o.MaxEntries = 0);

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => builder.Build());

        Assert.Contains("SemanticCacheOptions.MaxEntries", ex.Message, StringComparison.Ordinal);
    }

    private static List<IChatClient> Chain(IChatClient client)
    {
        var innerProperty = typeof(DelegatingChatClient).GetProperty("InnerClient", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        var chain = new List<IChatClient> { client };
        while (client is DelegatingChatClient delegating)
        {
            client = (IChatClient)innerProperty.GetValue(delegating)!;
            chain.Add(client);
        }

        return chain;
    }
}
