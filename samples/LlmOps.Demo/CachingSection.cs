using System.Globalization;
using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>Exact and semantic cache hits, a rejected negation, and the cost saved.</summary>
internal static class CachingSection
{
    // Until the metering stage's cost calculator is registered, price tokens at the Medium tier (3.00 per 1M tokens).
    private const decimal PricePerMillionTokens = 3.00m;

    public static async Task RunAsync(DemoContext demo)
    {
        demo.Out.WriteLine("== Caching: exact tier, then semantic tier (all-MiniLM-L6-v2, offline) with false-hit guards");

        var services = new ServiceCollection();
        services.AddMiniLmEmbeddingGenerator();
        services.AddLlmOps().AddSemanticCache(cache =>
            cache.SavedCostEstimator = (_, usage) => (usage.TotalTokenCount ?? 0) * PricePerMillionTokens / 1_000_000m);
        services.AddChatClient(demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        string[] questions =
        [
            "What is the capital of France?",
            "What is the capital of France?",
            "Tell me the capital city of France",
            "turn on dark mode",
            "turn off dark mode",
        ];

        decimal saved = 0;
        demo.Out.WriteLine($"{"question",-36} {"cache",-6} {"tier",-9} {"similarity",10} {"guard",-9} {"saved",10}  answer");
        foreach (var question in questions)
        {
            var response = await client.GetResponseAsync(question);
            var cache = response.GetCacheResult();
            saved += cache?.SavedCost ?? 0;
            var similarity = cache?.Similarity ?? cache?.CandidateSimilarity;
            demo.Out.WriteLine(
                $"{question,-36} {Status(cache),-6} {(cache?.Tier ?? SemanticCacheTier.None).ToString().ToLowerInvariant(),-9} " +
                $"{(similarity is { } s ? s.ToString("F3", CultureInfo.InvariantCulture) : "-"),10} " +
                $"{(cache is { RejectedBy: not SemanticCacheGuards.None } ? cache.RejectedBy.ToString() : "-"),-9} " +
                $"{(cache?.SavedCost is { } c ? c.ToString("0.000000", CultureInfo.InvariantCulture) : "-"),10}  {Shorten(response.Text)}");
        }

        demo.Out.WriteLine($"Cost saved by hits: {saved.ToString("0.000000", CultureInfo.InvariantCulture)} (priced at {PricePerMillionTokens} per 1M tokens).");
        demo.Out.WriteLine("\"turn off dark mode\" scores about 0.95 against \"turn on dark mode\", above the threshold, and the polarity guard rejects it.");
        demo.Out.WriteLine();
    }

    private static string Status(SemanticCacheResult? cache) => cache?.Status switch
    {
        SemanticCacheStatus.Hit => "hit",
        SemanticCacheStatus.Miss => "miss",
        SemanticCacheStatus.Bypassed => "bypass",
        _ => "-",
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
