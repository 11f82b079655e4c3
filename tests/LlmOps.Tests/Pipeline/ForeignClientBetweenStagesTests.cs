using LlmOps.Caching;
using LlmOps.Guardrails;
using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests.Pipeline;

/// <summary>
/// A user's own <see cref="DelegatingChatClient"/> between LlmOps stages (and between the last stage and the provider):
/// every stage still joins the one request, so the response carries every stage's facts under one request id, and the
/// user's clients see that request's info on the options they are given.
/// </summary>
public sealed class ForeignClientBetweenStagesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UserClientsBetweenStages_EveryStageJoinsOneRequest(bool streaming)
    {
        var model = new ScriptedChatClient(defaultModelId: "gpt-4o-mini")
            .Otherwise(ScriptedResponse.FromText("An answer.").WithUsage(inputTokens: 40, outputTokens: 12));
        var seen = new List<(string Name, LlmOpsInfo? Info)>();
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddGuardrails(o => o.Guardrails.Clear())
            .AddSemanticCache()
            .AddModelRouting(o =>
            {
                o.Deployments.Add(new ModelDeployment { Name = "mini-east", ModelId = "gpt-4o-mini" });
                o.Groups.Add(new ModelGroup { Name = "gpt-4o-mini", Deployments = ["mini-east"] });
            })
            .AddCostMetering(o => o.Models.Add(new ModelDefinition("gpt-4o-mini", ModelTier.Small, new ModelPrice(Input: 0.15m, Output: 0.60m))));
        services.AddChatClient(model)
            .UseLlmOpsTelemetry()
            .Use(inner => new WatchingChatClient(inner, "after telemetry", seen))
            .UseGuardrails()
            .Use(inner => new WatchingChatClient(inner, "after guardrails", seen))
            .UseSemanticCache()
            .UseModelRouting()
            .Use(inner => new WatchingChatClient(inner, "after routing", seen))
            .UseCostMetering()
            .Use(inner => new WatchingChatClient(inner, "provider side", seen));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var options = new ChatOptions { ModelId = "gpt-4o-mini" }.WithCacheMode(SemanticCacheMode.Bypass);

        var response = streaming
            ? await client.GetStreamingResponseAsync("How do I reset my password?", options).ToChatResponseAsync()
            : await client.GetResponseAsync("How do I reset my password?", options);

        var info = Assert.IsType<LlmOpsInfo>(response.GetLlmOpsInfo());
        Assert.False(response.GetGuardrailReport()!.Blocked);
        Assert.Equal(SemanticCacheStatus.Bypassed, response.GetCacheResult()!.Status);
        Assert.Equal("mini-east", response.GetRouting()!.Deployment);
        var cost = response.GetCost()!;
        Assert.Equal(12, cost.OutputTokens);
        Assert.Equal(info.RequestId, cost.RequestId);
        Assert.Equal("allow", info.Tags[GuardrailsTelemetryNames.ActionAttribute]);

        // Each user client ran once and saw the request's one info on its options.
        Assert.Equal(["after telemetry", "after guardrails", "after routing", "provider side"], seen.Select(s => s.Name));
        Assert.All(seen, s => Assert.Same(info, s.Info));
        Assert.Null(options.GetLlmOpsInfo());
        Assert.Single(options.AdditionalProperties!);
    }

    /// <summary>A user's middleware: forwards everything and notes the info on the options it is given.</summary>
    private sealed class WatchingChatClient(IChatClient inner, string name, List<(string Name, LlmOpsInfo? Info)> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add((name, options.GetLlmOpsInfo()));
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add((name, options.GetLlmOpsInfo()));
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }
    }
}
