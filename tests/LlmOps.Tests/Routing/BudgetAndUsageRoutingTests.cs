using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

public class BudgetAndUsageRoutingTests
{
    private static readonly LlmOpsScope Acme = new("acme");

    private static (ModelRoutingOptions Options, ScriptedChatClient Small, ScriptedChatClient Medium, ScriptedChatClient Large) Tiered()
    {
        var small = Answering("small");
        var medium = Answering("medium");
        var large = Answering("large");
        var options = new ModelRoutingOptions { DefaultGroup = "large" };
        options.Deployments.Add(Deployment("s", small, "small-model", ModelTier.Small));
        options.Deployments.Add(Deployment("m", medium, "medium-model", ModelTier.Medium));
        options.Deployments.Add(Deployment("l", large, "large-model", ModelTier.Large));
        options.Groups.Add(new ModelGroup { Name = "small", Tier = ModelTier.Small, Deployments = ["s"] });
        options.Groups.Add(new ModelGroup { Name = "medium", Tier = ModelTier.Medium, Deployments = ["m"] });
        options.Groups.Add(new ModelGroup { Name = "large", Tier = ModelTier.Large, Deployments = ["l"] });
        return (options, small, medium, large);
    }

    private static CostCalculator Calculator() => new(new ModelCatalog(
        [new ModelDefinition("small-model", ModelTier.Small), new ModelDefinition("medium-model", ModelTier.Medium), new ModelDefinition("large-model", ModelTier.Large)]));

    [Fact]
    public async Task Budget_NearSoftLimit_DowngradesATierRequestAndSaysWhy()
    {
        var time = new FakeTimeProvider();
        var budgets = new BudgetManager([new Budget(Acme, 1m)], time);
        budgets.Reserve(Acme, 0.85m).Settle(0.85m);
        var (options, _, medium, large) = Tiered();
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<ModelRoutingChatClient>();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, budgets, Calculator(), timeProvider: time, logger: logger);

        var response = await client.GetResponseAsync(Ask(), new ChatOptions().WithScope(Acme).WithModelTier(ModelTier.Large));

        Assert.Equal("medium", response.Text);
        Assert.Equal(0, large.CallCount);
        Assert.Contains("budget 85% used: Large -> Medium", response.GetRouting()!.Reason, StringComparison.Ordinal);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1706);
    }

    [Fact]
    public async Task Budget_ExplicitGroup_IsNotDowngraded()
    {
        var budgets = new BudgetManager([new Budget(Acme, 1m)]);
        budgets.Reserve(Acme, 0.85m).Settle(0.85m);
        var (options, _, _, large) = Tiered();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, budgets, Calculator());

        var response = await client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "large" }.WithScope(Acme));

        Assert.Equal("large", response.Text);
    }

    [Fact]
    public async Task Budget_NoTierAdmitted_ThrowsBudgetExceededBeforeAnyProviderCall()
    {
        var budgets = new BudgetManager([new Budget(Acme, 1m) { Name = "acme monthly" }]);
        budgets.Reserve(Acme, 0.9999m).Settle(0.9999m);
        var (options, small, medium, large) = Tiered();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, budgets, Calculator());

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), new ChatOptions().WithScope(Acme).WithModelTier(ModelTier.Large)));

        Assert.Contains("acme monthly", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, small.CallCount + medium.CallCount + large.CallCount);
    }

    [Fact]
    public async Task Budget_TierNotAdmittedButCheaperIs_MovesDownToTheFirstThatFits()
    {
        var budgets = new BudgetManager([new Budget(Acme, 1m) { SoftThresholds = [1.0] }]);
        budgets.Reserve(Acme, 0.95m).Settle(0.95m); // 0.05 left: Large's worst case (0.06) does not fit, Medium's (0.012) does
        var (options, _, medium, _) = Tiered();
        options.Budget.DowngradeAt = null;
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, budgets, Calculator());

        var response = await client.GetResponseAsync(Ask(), new ChatOptions().WithScope(Acme).WithModelTier(ModelTier.Large));

        Assert.Equal("medium", response.Text);
        Assert.Contains("budget admits at most", response.GetRouting()!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageBased_200ConcurrentCallers_KeepEveryDeploymentUnderItsRpmAndTpm()
    {
        var time = new FakeTimeProvider();
        var clients = Enumerable.Range(0, 3).Select(i => Answering($"d{i}")).ToArray();
        var options = new ModelRoutingOptions();
        for (var i = 0; i < 3; i++)
        {
            options.Deployments.Add(new ModelDeployment { Name = $"d{i}", ModelId = "m", Client = clients[i], RequestsPerMinute = 50, TokensPerMinute = 1_000 });
        }

        options.Groups.Add(new ModelGroup { Name = "chat", Deployments = ["d0", "d1", "d2"], LoadBalancing = LoadBalancingStrategy.UsageBased });
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, timeProvider: time);
        // "hello" counts (5 + 3) / 4 = 2 input tokens, plus MaxOutputTokens 40: 42 per request, so 23 fit in 1,000 TPM.
        var request = new ChatOptions { ModelId = "chat", MaxOutputTokens = 40 };

        for (var minute = 0; minute < 2; minute++)
        {
            var before = clients.Select(c => c.CallCount).ToArray();
            var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await client.GetResponseAsync(Ask(), request);
                    return true;
                }
                catch (ModelRoutingException ex) when (ex.Attempts.Count == 0)
                {
                    // No room left this minute: refused before any provider call.
                    return false;
                }
            })));

            var calls = clients.Select((c, i) => c.CallCount - before[i]).ToArray();
            Assert.All(calls, c => Assert.InRange(c * 42, 0, 1_000));
            Assert.All(calls, c => Assert.InRange(c, 0, 50));
            Assert.Equal(69, results.Count(r => r));
            Assert.Equal(69, calls.Sum());
            time.Advance(TimeSpan.FromMinutes(1));
        }
    }
}
