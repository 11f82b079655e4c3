using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Quality.Routing;

/// <summary>The labelled set in <c>data/routing/complexity.tsv</c> (split, tier, prompt; see its README).</summary>
internal static class ComplexitySet
{
    public static IReadOnlyList<(string Split, ModelTier Tier, string Prompt)> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "routing", "complexity.tsv");
        return File.ReadLines(path).Skip(1).Where(static l => l.Length > 0).Select(static l =>
        {
            var parts = l.Split('\t');
            return (parts[0], new ModelTier(parts[1]), parts[2]);
        }).ToList();
    }

    public static IReadOnlyList<ChatMessage> Messages(string prompt) => [new(ChatRole.User, prompt)];

    public static IEnumerable<(IReadOnlyList<ChatMessage> Messages, ModelTier Tier)> Split(string split)
        => Load().Where(r => r.Split == split).Select(r => (Messages(r.Prompt), r.Tier));
}
