using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

public class ModelRoutingLlmOpsBuilderExtensionsTests
{
    [Fact]
    public void AddModelRouting_InvalidOptions_FailValidationNamingEachProblem()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddModelRouting(o =>
        {
            o.Deployments.Add(new ModelDeployment { Name = "a", ModelId = "m", RequestsPerMinute = -1 });
            o.Groups.Add(new ModelGroup { Name = "g1", Deployments = ["a", "ghost"], Fallbacks = ["g2"] });
            o.Groups.Add(new ModelGroup { Name = "g2", Deployments = ["a"], Fallbacks = ["g1"] });
            o.Groups.Add(new ModelGroup { Name = "empty" });
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ModelRoutingOptions>>().Value);

        Assert.Contains("Deployments['a'].RequestsPerMinute must be positive", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Groups['g1'] lists deployment 'ghost'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fallback cycle: g1 -> g2 -> g1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Groups['empty'] has no deployments", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeLimitsAndBadRatios_NameTheOptionAndRange()
    {
        var options = Options(Deployment("a", Answering("a")));
        options.Deployments[0].TokensPerMinute = 0;
        options.Deployments[0].Weight = -1;
        options.MaxAttempts = 0;
        options.Resilience.CircuitFailureRatio = 1.5;
        options.Resilience.MaxRetriesPerDeployment = -1;
        options.Budget.DowngradeAt = 0;

        var errors = string.Join("\n", options.Validate());

        Assert.Contains("TokensPerMinute must be positive", errors, StringComparison.Ordinal);
        Assert.Contains("Weight must be positive and finite; was -1", errors, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts must be in [1, 100]; was 0", errors, StringComparison.Ordinal);
        Assert.Contains("CircuitFailureRatio must be in (0, 1]; was 1.5", errors, StringComparison.Ordinal);
        Assert.Contains("MaxRetriesPerDeployment must be in [0, 100]; was -1", errors, StringComparison.Ordinal);
        Assert.Contains("DowngradeAt must be in (0, 1]", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseLlmOps_FailoverWithMetering_RecordsExactlyOneLedgerEntryPerProviderAttempt()
    {
        var failing = Failing(() => Http(503));
        var good = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("ok").WithUsage(100, 10));
        var services = new ServiceCollection();
        services.AddKeyedChatClient("failing", failing);
        services.AddLlmOps()
            .AddCostMetering(o => o.DefaultTier = ModelTier.Medium)
            .AddModelRouting(o =>
            {
                o.Deployments.Add(new ModelDeployment { Name = "a", ModelId = "model-a", ServiceKey = "failing" });
                o.Deployments.Add(new ModelDeployment { Name = "b", ModelId = "model-b" }); // the pipeline's inner client
                o.Groups.Add(new ModelGroup { Name = "chat", Deployments = ["a", "b"], LoadBalancing = LoadBalancingStrategy.LeastInFlight });
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
            });
        services.AddChatClient(good).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync(Ask(), Chat());

        var routing = response.GetRouting()!;
        Assert.Equal("b", routing.Deployment);
        Assert.Equal(3, routing.AttemptCount); // a, a (retry), b
        var ledger = (InMemoryCostLedger)provider.GetRequiredService<ICostLedger>();
        var records = await ledger.QueryAsync(new CostLedgerQuery());
        Assert.Equal(3, records.Count);
        Assert.Equal([1, 2, 3], records.Select(r => r.Attempt).Order());
        Assert.Single(records.Select(r => r.RequestId).Distinct());
        Assert.Equal(["model-a", "model-a", "model-b"], records.OrderBy(r => r.Attempt).Select(r => r.Model));
        Assert.Equal([false, false, true], records.OrderBy(r => r.Attempt).Select(r => r.IsComplete));
    }

    [Fact]
    public async Task UseLlmOps_RoutingStage_SitsBetweenCacheAndMetering()
    {
        Assert.Equal(
            ["telemetry", "guardrails", "prompts", "grounding", "cache", "routing", "metering"],
            LlmOpsPipeline.Stages.Select(s => s.Name));
        var services = new ServiceCollection();
        services.AddLlmOps().AddModelRouting(o =>
        {
            o.Deployments.Add(new ModelDeployment { Name = "d", ModelId = "m" });
            o.Groups.Add(new ModelGroup { Name = "chat", Deployments = ["d"] });
        });
        services.AddChatClient(Answering("x")).UseLlmOps();
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<IChatClient>().GetService<ModelRoutingChatClient>());
    }

    [Fact]
    public async Task UseModelRouting_ConfigureAdjustsACopyForThisClientOnly()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddModelRouting(o =>
        {
            o.Deployments.Add(new ModelDeployment { Name = "d", ModelId = "m" });
            o.Groups.Add(new ModelGroup { Name = "chat", Deployments = ["d"] });
        });
        services.AddChatClient(Answering("x")).UseModelRouting(o => o.MaxAttempts = 2);
        await using var provider = services.BuildServiceProvider();

        var routing = provider.GetRequiredService<IChatClient>().GetService<ModelRoutingChatClient>()!;
        Assert.Equal(2, routing.Options.MaxAttempts);
        Assert.Equal(6, provider.GetRequiredService<IOptions<ModelRoutingOptions>>().Value.MaxAttempts);
    }

    [Fact]
    public void AddModelRouting_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => ModelRoutingLlmOpsBuilderExtensions.AddModelRouting(null!));

    [Fact]
    public void UseModelRouting_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => ModelRoutingChatClientBuilderExtensions.UseModelRouting(null!));
}
