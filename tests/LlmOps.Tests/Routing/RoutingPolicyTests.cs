using System.Text.Json;
using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using static LlmOps.Tests.Routing.RoutingTestKit;

namespace LlmOps.Tests.Routing;

public class RoutingPolicyTests
{
    private static ModelRoutingOptions Tiered(ScriptedChatClient small, ScriptedChatClient medium, ScriptedChatClient large, IRoutingPolicy? policy)
    {
        var options = new ModelRoutingOptions { Policy = policy, DefaultGroup = "medium" };
        options.Deployments.Add(Deployment("s", small, "small-model", ModelTier.Small));
        options.Deployments.Add(Deployment("m", medium, "medium-model", ModelTier.Medium));
        options.Deployments.Add(Deployment("l", large, "large-model", ModelTier.Large));
        options.Groups.Add(new ModelGroup { Name = "small", Tier = ModelTier.Small, Deployments = ["s"] });
        options.Groups.Add(new ModelGroup { Name = "medium", Tier = ModelTier.Medium, Deployments = ["m"] });
        options.Groups.Add(new ModelGroup { Name = "large", Tier = ModelTier.Large, Deployments = ["l"] });
        return options;
    }

    [Theory]
    [InlineData("What is the capital of Australia?", "Small")]
    [InlineData("Explain how vaccines train the immune system, for a teenager.", "Medium")]
    [InlineData("Design a distributed rate limiter, implement it in Go with tests, and analyse its failure modes step by step.", "Large")]
    public void Scorer_ClearCases_PickTheExpectedTier(string prompt, string tier)
    {
        var score = new ComplexityScorer().Score([new ChatMessage(ChatRole.User, prompt)]);

        Assert.Equal(new ModelTier(tier), score.Tier);
        Assert.Equal(1f, score.Small + score.Medium + score.Large, 3);
    }

    [Fact]
    public async Task AutoRequest_ScorerPolicy_RoutesToTheScoredTierAndSaysWhy()
    {
        var small = Answering("small");
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(small, Answering("medium"), Answering("large"), new ComplexityScorer()));

        var response = await client.GetResponseAsync(Ask("Translate \"good night\" into German."), new ChatOptions { ModelId = "auto" });

        Assert.Equal("small", response.Text);
        Assert.StartsWith("scorer: Small", response.GetRouting()!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplicitChoice_AlwaysWinsOverThePolicy()
    {
        var large = Answering("large");
        var policy = new RuleRoutingPolicy([new RoutingRule("everything", static (_, _) => true, RoutingDecision.ForTier(ModelTier.Small, "x"))]);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("small"), Answering("medium"), large, policy));

        var byGroup = await client.GetResponseAsync(Ask("hi"), Chat("large"));
        var byTier = await client.GetResponseAsync(Ask("hi"), new ChatOptions().WithModelTier(ModelTier.Large));

        Assert.Equal("large", byGroup.Text);
        Assert.Equal("explicit", byGroup.GetRouting()!.Reason);
        Assert.Equal("large", byTier.Text);
        Assert.Equal("tier", byTier.GetRouting()!.Reason);
    }

    [Fact]
    public async Task Rules_JsonSchemaAndTools_RouteByRuleBeforeTheScorer()
    {
        var policy = new RuleRoutingPolicy(
            [RoutingRule.WhenJsonSchemaRequested(ModelTier.Large), RoutingRule.WhenToolsRequested(ModelTier.Medium)],
            new ComplexityScorer());
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("small"), Answering("medium"), Answering("large"), policy));
        var schema = JsonDocument.Parse("""{"type":"object"}""").RootElement;

        var json = await client.GetResponseAsync(Ask("What is 2+2?"), new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) });
        var tools = await client.GetResponseAsync(Ask("What is 2+2?"), new ChatOptions { Tools = [AIFunctionFactory.Create(() => 4, "four")] });
        var plain = await client.GetResponseAsync(Ask("What is the capital of Peru?"));

        Assert.Equal("large", json.Text);
        Assert.Equal("rule: json schema", json.GetRouting()!.Reason);
        Assert.Equal("medium", tools.Text);
        Assert.Equal("small", plain.Text);
    }

    [Fact]
    public async Task Rules_ScopeRule_MatchesTenantAndFeature()
    {
        var policy = new RuleRoutingPolicy([RoutingRule.ForScope("acme", "legal", ModelTier.Large)]);
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("small"), Answering("medium"), Answering("large"), policy));

        var legal = await client.GetResponseAsync(Ask("hi"), new ChatOptions().WithScope("acme", "u", "legal"));
        var other = await client.GetResponseAsync(Ask("hi"), new ChatOptions().WithScope("acme", "u", "chat"));

        Assert.Equal("large", legal.Text);
        Assert.Equal("medium", other.Text); // no rule, no fallback policy: the default group
    }

    [Fact]
    public async Task PolicyThatThrows_IsLoggedAndTheDefaultGroupAnswers()
    {
        var policy = new RuleRoutingPolicy([new RoutingRule("boom", static (_, _) => throw new InvalidOperationException("bad rule"), RoutingDecision.ForTier(ModelTier.Large, "x"))]);
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<ModelRoutingChatClient>();
        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), Tiered(Answering("small"), Answering("medium"), Answering("large"), policy), logger: logger);

        var response = await client.GetResponseAsync(Ask("hi"));

        Assert.Equal("medium", response.Text);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1707);
    }

    [Fact]
    public void Train_BadLabels_ThrowNamingTheLabel()
    {
        var ex = Assert.Throws<ArgumentException>(() => ComplexityScorer.Train([([new ChatMessage(ChatRole.User, "x")], new ModelTier("Huge"))]));
        Assert.Contains("'Huge'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ComplexityScorer.Train([]));
    }

    [Fact]
    public void Train_SeparableSamples_LearnsThem()
    {
        var samples = new List<(IReadOnlyList<ChatMessage>, ModelTier)>();
        for (var i = 0; i < 10; i++)
        {
            samples.Add(([new ChatMessage(ChatRole.User, $"What is the capital of country {i}?")], ModelTier.Small));
            samples.Add(([new ChatMessage(ChatRole.User, $"Explain and summarise the history of topic {i} for a student.")], ModelTier.Medium));
            samples.Add(([new ChatMessage(ChatRole.User, $"Design and implement a distributed algorithm {i}, prove it correct, analyse its complexity step by step.")], ModelTier.Large));
        }

        var scorer = ComplexityScorer.Train(samples);

        Assert.All(samples, s => Assert.Equal(s.Item2, scorer.Score(s.Item1).Tier));
    }
}
