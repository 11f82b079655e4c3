using System.Net;
using LlmOps.DependencyInjection;
using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>A tier chosen by the complexity scorer, a failover from a failing deployment, and a budget downgrade.</summary>
internal static class RoutingSection
{
    public static async Task RunAsync(DemoContext demo)
    {
        demo.Out.WriteLine("== Routing: services.AddLlmOps().AddModelRouting(...); cheapest adequate tier, failover, budget downgrade");

        // The Large group has two deployments: one answers 503 (a deployment with its own, failing client), the other
        // is the pipeline's model. Weight 1000 on the failing one makes the load balancer try it first.
        var failing = new ScriptedChatClient(defaultModelId: "gpt-4o")
            .Otherwise(ScriptedResponse.Failure(() => new HttpRequestException("Service Unavailable", null, HttpStatusCode.ServiceUnavailable)));
        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddCostMetering(o =>
            {
                o.Models.Add(new ModelDefinition("llama-3.1-8b", ModelTier.Small, new ModelPrice(0.05m, 0.08m)));
                o.Models.Add(new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10.00m)));
                o.Budgets.Add(new Budget(new LlmOpsScope("acme"), 0.004m, BudgetWindow.Day));
            })
            .AddModelRouting(o =>
            {
                o.Deployments.Add(new() { Name = "small-1", ModelId = "llama-3.1-8b", Tier = ModelTier.Small });
                o.Deployments.Add(new() { Name = "large-eu", ModelId = "gpt-4o", Tier = ModelTier.Large, Client = failing, Weight = 1000 });
                o.Deployments.Add(new() { Name = "large-us", ModelId = "gpt-4o", Tier = ModelTier.Large, Weight = 0.001 });
                o.Groups.Add(new() { Name = "chat-small", Tier = ModelTier.Small, Deployments = ["small-1"] });
                o.Groups.Add(new() { Name = "chat-large", Tier = ModelTier.Large, Deployments = ["large-eu", "large-us"], Fallbacks = ["chat-small"] });
                o.TierOrder = [ModelTier.Small, ModelTier.Large];
                o.Policy = new RuleRoutingPolicy([], new ComplexityScorer());
                o.Resilience.MaxRetriesPerDeployment = 0; // fail over at once (the demo should not wait on backoff)
            });
        services.AddChatClient(demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        demo.Out.WriteLine($"{"question",-58} {"tier",-6} {"deployment",-10} {"attempts",8}  why");
        foreach (var question in new[]
        {
            "What is the capital of France?",
            "Design a sharded, multi-region event store with exactly-once delivery; compare three approaches step by step, with trade-offs, failure modes and a migration plan.",
        })
        {
            var response = await client.GetResponseAsync(question, new ChatOptions { ModelId = "auto" });
            Print(demo, question, response.GetRouting()!);
        }

        demo.Out.WriteLine("large-eu answers 503: the request fails over inside chat-large before any text reaches the caller.");
        var failover = (await client.GetResponseAsync("Summarise the incident report.", new ChatOptions { ModelId = "chat-large" })).GetRouting()!;
        foreach (var attempt in failover.Attempts)
        {
            demo.Out.WriteLine($"  attempt {attempt.Number}: {attempt.Deployment,-9} {attempt.Result,-9} {attempt.Failure?.ToString() ?? string.Empty}");
        }

        demo.Out.WriteLine("Budget: tenant acme, 0.004 USD per day; a Large-tier request moves down a tier when its worst case no longer fits.");
        for (var i = 1; i <= 40; i++)
        {
            var routing = (await client.GetResponseAsync(
                "Explain our refund policy.", new ChatOptions { MaxOutputTokens = 100 }.WithModelTier(ModelTier.Large).WithScope("acme"))).GetRouting()!;
            if (routing.Tier != ModelTier.Large)
            {
                demo.Out.WriteLine($"  requests 1-{i - 1}: Large tier (large-us); request {i}: {routing.Tier} tier ({routing.Deployment}), because {routing.Reason}");
                break;
            }
        }

        demo.Out.WriteLine();
    }

    private static void Print(DemoContext demo, string question, RoutingInfo routing)
    {
        var shown = question.Length > 58 ? question[..55] + "..." : question;
        demo.Out.WriteLine($"{shown,-58} {routing.Tier.Name,-6} {routing.Deployment,-10} {routing.AttemptCount,8}  {routing.Reason}");
    }
}
