using Microsoft.Extensions.AI;

namespace LlmOps.Caching.Training;

/// <summary>
/// Measures what a user gets: for each pair, a fresh <see cref="SemanticCachingChatClient"/> with the shipped default
/// options answers the first question, then the second; the pair is served when the second is a semantic hit.
/// </summary>
internal static class ServingMeasurement
{
    /// <summary>Runs every pair through the cache and counts the hits.</summary>
    public static async Task<(Figures Figures, IReadOnlyList<(LabelledPair Pair, bool Served, float? Similarity)> Rows)> MeasureAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<LabelledPair> pairs, SemanticCacheOptions? options = null)
    {
        var rows = new List<(LabelledPair, bool, float?)>(pairs.Count);
        foreach (var pair in pairs)
        {
            using var client = new SemanticCachingChatClient(new EchoChatClient(), embeddingGenerator: generator, options: options);
            await client.GetResponseAsync(pair.First).ConfigureAwait(false);
            var second = await client.GetResponseAsync(pair.Second).ConfigureAwait(false);
            var result = second.GetCacheResult();
            rows.Add((pair, result?.Status == SemanticCacheStatus.Hit, result?.CandidateSimilarity));
        }

        int falseHits = 0, different = 0, paraphraseHits = 0, same = 0;
        foreach (var (pair, served, _) in rows)
        {
            if (pair.Same)
            {
                same++;
                paraphraseHits += served ? 1 : 0;
            }
            else
            {
                different++;
                falseHits += served ? 1 : 0;
            }
        }

        return (new Figures(falseHits, different, paraphraseHits, same), rows);
    }

    /// <summary>Answers every question with its own text and a stop finish reason.</summary>
    private sealed class EchoChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer to " + messages.Last().Text)) { FinishReason = ChatFinishReason.Stop });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
