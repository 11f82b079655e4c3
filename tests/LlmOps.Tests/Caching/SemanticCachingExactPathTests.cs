using LlmOps.Caching;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Caching;

/// <summary>
/// The exact tier's two shapes: served at once when the store answers synchronously (the in-memory store), and through
/// the asynchronous lookup when it does not (a remote store). Both serve the same hit, miss the same way, and report a
/// failure or a cancellation through the task.
/// </summary>
public sealed class SemanticCachingExactPathTests
{
    public enum StoreKind
    {
        AnswersAtOnce,
        AnswersLater,
    }

    [Theory]
    [InlineData(StoreKind.AnswersAtOnce)]
    [InlineData(StoreKind.AnswersLater)]
    public async Task GetResponseAsync_SameRequestTwice_SecondServedFromTheExactTierAsACopy(StoreKind kind)
    {
        var inner = new FakeChatClient();
        var store = new ShapedStore(new InMemorySemanticCacheStore(), kind);
        using var client = new SemanticCachingChatClient(inner, store);

        var first = await client.GetResponseAsync("What is the refund window?");
        var second = await client.GetResponseAsync("What is the refund window?");
        second.Messages[0].Contents.Add(new TextContent(" tampered"));
        var third = await client.GetResponseAsync("What is the refund window?");

        Assert.Equal(1, inner.Calls);
        Assert.Equal(SemanticCacheStatus.Miss, first.GetCacheResult()!.Status);
        Assert.Equal(SemanticCacheStatus.Hit, second.GetCacheResult()!.Status);
        Assert.Equal(SemanticCacheTier.Exact, second.GetCacheResult()!.Tier);
        Assert.Equal(first.Text, third.Text);
        Assert.NotNull(second.GetLlmOpsInfo());
    }

    [Theory]
    [InlineData(StoreKind.AnswersAtOnce)]
    [InlineData(StoreKind.AnswersLater)]
    public async Task GetResponseAsync_CallerCancelledDuringTheExactRead_TaskCancelledNotThrown(StoreKind kind)
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var store = new ShapedStore(new InMemorySemanticCacheStore(), kind) { ThrowIfCancelled = true };
        using var client = new SemanticCachingChatClient(new FakeChatClient(), store);

        var task = client.GetResponseAsync("q", cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public async Task GetResponseAsync_ExactMiss_SemanticPartitionStillKeyed()
    {
        // The exact read hashes no partition; a miss must still store the entry under its partition for paraphrases.
        var inner = new FakeChatClient();
        var store = new InMemorySemanticCacheStore();
        using var client = new SemanticCachingChatClient(inner, store, new BagOfWordsEmbeddingGenerator(), new SemanticCacheOptions { SimilarityThreshold = 0.7f });

        await client.GetResponseAsync("how do i reset my password");
        var paraphrase = await client.GetResponseAsync("how do i reset my password please");

        Assert.Equal(1, inner.Calls);
        Assert.Equal(SemanticCacheTier.Semantic, paraphrase.GetCacheResult()!.Tier);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_Hit_CarriesTheInfoWithoutAPropertyDictionary_AndSerialisesAsAPlainResponse(bool inPipeline)
    {
        var inner = new FakeChatClient();
        var builder = new ChatClientBuilder(inner);
        if (inPipeline)
        {
            builder.Use(c => new LlmOps.Telemetry.InstrumentingChatClient(c)); // the owner of the info, outside the cache
        }

        using var client = builder.UseSemanticCache().Build();
        await client.GetResponseAsync("q");

        var hit = await client.GetResponseAsync("q");

        var info = hit.GetLlmOpsInfo();
        Assert.NotNull(info);
        Assert.Equal(SemanticCacheStatus.Hit, info.Get<SemanticCacheResult>()!.Status);
        Assert.Null(hit.AdditionalProperties);
        var options = AIJsonUtilities.DefaultOptions;
        var plain = new ChatResponse(hit.Messages) { ModelId = hit.ModelId, FinishReason = hit.FinishReason, ResponseId = hit.ResponseId, CreatedAt = hit.CreatedAt };
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(plain, options), System.Text.Json.JsonSerializer.Serialize(hit, options));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(plain, options), System.Text.Json.JsonSerializer.Serialize<object>(hit, options));
    }

    /// <summary>A store that answers at once or after yielding, as a remote one does.</summary>
    private sealed class ShapedStore(InMemorySemanticCacheStore inner, StoreKind kind) : ISemanticCacheStore
    {
        public bool ThrowIfCancelled { get; init; }

        public ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
        {
            if (kind == StoreKind.AnswersAtOnce)
            {
                if (ThrowIfCancelled)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                return inner.GetAsync(key, cancellationToken);
            }

            return LaterAsync(key, cancellationToken);
        }

        public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
            => inner.FindNearestAsync(partition, embedding, cancellationToken);

        public ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default) => inner.SetAsync(entry, cancellationToken);

        public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default) => inner.InvalidateAsync(selection, cancellationToken);

        private async ValueTask<SemanticCacheEntry?> LaterAsync(SemanticCacheKey key, CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (ThrowIfCancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            return await inner.GetAsync(key, cancellationToken);
        }
    }
}
