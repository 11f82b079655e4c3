using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

/// <summary>Issue 15 (the cache client's part): the next candidates are checked; answers without a finish reason.</summary>
public sealed class SemanticCacheCandidatesTests
{
    private readonly FakeChatClient _inner = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly BagOfWordsEmbeddingGenerator _embeddings = new();

    private SemanticCachingChatClient Create(Action<SemanticCacheOptions>? configure = null, ISemanticCacheStore? store = null)
    {
        var options = new SemanticCacheOptions { SimilarityThreshold = 0.7f };
        configure?.Invoke(options);
        return new SemanticCachingChatClient(_inner, store, _embeddings, options, _time);
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, string question, bool streaming)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(question);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(question))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    private const string Paraphrase = "how can I enable dark mode in the app";
    private const string Negated = "how do I not enable dark mode in the app";
    private const string Question = "how do I enable dark mode in the app";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_NearestCandidateRejected_FartherParaphraseServed(bool streaming)
    {
        using var client = Create();
        await AskAsync(client, Paraphrase, streaming);
        await AskAsync(client, Negated, streaming);
        var toParaphrase = Cosine(Question, Paraphrase);
        var toNegated = Cosine(Question, Negated);
        Assert.True(toNegated > toParaphrase && toParaphrase >= 0.7f, $"setup: negated {toNegated}, paraphrase {toParaphrase}");

        var response = await AskAsync(client, Question, streaming);

        // Before the fix only the nearest (the negated question, rejected by the polarity guard) was checked: a miss.
        var result = response.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Hit, result.Status);
        Assert.Equal(SemanticCacheTier.Semantic, result.Tier);
        Assert.Equal("answer to " + Paraphrase, response.Text);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_MaxCandidatesOne_OnlyNearestChecked()
    {
        using var client = Create(o => o.MaxCandidates = 1);
        await client.GetResponseAsync(Paraphrase);
        await client.GetResponseAsync(Negated);

        var response = await client.GetResponseAsync(Question);

        var result = response.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Miss, result.Status);
        Assert.Equal(SemanticCacheGuards.Polarity, result.RejectedBy);
        Assert.Equal(Cosine(Question, Negated), result.CandidateSimilarity!.Value, 4);
    }

    [Fact]
    public async Task GetResponseAsync_AllCandidatesRejected_MissNamesEveryGuardThatFired()
    {
        using var client = Create();
        await client.GetResponseAsync("how do I not enable dark mode in the app on 3 devices");
        await client.GetResponseAsync("how do I enable dark mode in the app on 4 devices");

        var response = await client.GetResponseAsync("how do I enable dark mode in the app on 3 devices");

        var result = response.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Miss, result.Status);
        Assert.Equal(SemanticCacheGuards.Polarity | SemanticCacheGuards.Numbers, result.RejectedBy);
    }

    [Fact]
    public void Ctor_MaxCandidatesOutOfRange_ThrowsNamingOption()
    {
        var ex = Assert.Throws<SemanticCacheConfigurationException>(() => new SemanticCachingChatClient(_inner, options: new() { MaxCandidates = 0 }));
        Assert.Contains("MaxCandidates", ex.Message, StringComparison.Ordinal);
    }

    // ---- answers without a finish reason ----

    [Fact]
    public async Task GetResponseAsync_CompletedAnswerWithoutFinishReason_StoredByDefault()
    {
        _inner.FinishReason = null;
        using var client = Create();

        var first = await client.GetResponseAsync("q");
        var second = await client.GetResponseAsync("q");

        // Before the fix such an answer was never stored ("the response has no finish reason").
        Assert.True(first.GetCacheResult()!.Stored);
        Assert.Equal(SemanticCacheStatus.Hit, second.GetCacheResult()!.Status);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_WithoutFinishReasonOptedOut_NotStored()
    {
        _inner.FinishReason = null;
        using var client = Create(o => o.StoreResponsesWithoutFinishReason = false);

        var first = await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.False(first.GetCacheResult()!.Stored);
        Assert.Contains("StoreResponsesWithoutFinishReason", first.GetCacheResult()!.NotStoredReason, StringComparison.Ordinal);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_WithoutFinishReasonAndEmpty_NotStored()
    {
        using var client = new SemanticCachingChatClient(new EmptyAnswerClient(), options: new SemanticCacheOptions(), timeProvider: _time);

        var first = await client.GetResponseAsync("q");

        Assert.False(first.GetCacheResult()!.Stored);
        Assert.Contains("no content", first.GetCacheResult()!.NotStoredReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task GetStreamingResponseAsync_WithoutFinishReason_StoredOnlyWhenOptedIn(bool optIn, bool stored)
    {
        _inner.FinishReason = null;
        using var client = Create(o => o.StoreStreamsWithoutFinishReason = optIn);

        var first = await AskAsync(client, "q", streaming: true);

        Assert.Equal(stored, first.GetCacheResult()!.Stored);
    }

    [Theory]
    [InlineData("length")]
    [InlineData("content_filter")]
    public async Task GetResponseAsync_TruncatedOrFiltered_NeverStored(string reason)
    {
        _inner.FinishReason = new ChatFinishReason(reason);
        using var client = Create(o => o.CacheableFinishReasons.Add(ChatFinishReason.ContentFilter));

        var first = await client.GetResponseAsync("q");

        Assert.False(first.GetCacheResult()!.Stored);
    }

    // ---- the store's candidates ----

    [Fact]
    public async Task FindCandidatesAsync_ReturnsMostSimilarFirstAboveFloorSkippingExpired()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, [1, 0, 0]));
        await store.SetAsync(Entry(2, [1, 1, 0]));
        await store.SetAsync(Entry(3, [1, 0.2f, 0], ttl: TimeSpan.FromMinutes(1)));
        await store.SetAsync(Entry(4, [0, 0, 1]));
        await store.SetAsync(Entry(5, [1, 0.5f, 0]));
        _time.Advance(TimeSpan.FromMinutes(2)); // entry 3 expires

        var candidates = await store.FindCandidatesAsync(new SemanticCacheKey(10), Unit(1, 0.1f, 0), maxCount: 3, minSimilarity: 0.5f);

        Assert.Equal([1, 5, 2], candidates.Select(c => (int)c.Entry.Key.Value));
        Assert.True(candidates[0].Similarity >= candidates[1].Similarity && candidates[1].Similarity >= candidates[2].Similarity);
        Assert.Null(await store.GetAsync(new SemanticCacheKey(3)));
        Assert.Equal([1], (await store.FindCandidatesAsync(new SemanticCacheKey(10), Unit(1, 0.1f, 0), 3, 0.99f)).Select(c => (int)c.Entry.Key.Value));
        Assert.Empty(await store.FindCandidatesAsync(new SemanticCacheKey(99), Unit(1, 0, 0), 3, -1f));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.FindCandidatesAsync(new SemanticCacheKey(10), Unit(1, 0, 0), 0, -1f));
    }

    [Fact]
    public async Task FindCandidatesAsync_StoreWithoutIt_DefaultReturnsNearestOnly()
    {
        ISemanticCacheStore store = new NearestOnlyStore(new InMemorySemanticCacheStore(timeProvider: _time));
        await store.SetAsync(Entry(1, [1, 0, 0]));
        await store.SetAsync(Entry(2, [1, 1, 0]));

        var candidates = await store.FindCandidatesAsync(new SemanticCacheKey(10), Unit(1, 0.1f, 0), 3, -1f);

        Assert.Equal(new SemanticCacheKey(1), Assert.Single(candidates).Entry.Key);
        Assert.Empty(await store.FindCandidatesAsync(new SemanticCacheKey(10), Unit(0, 0, 1), 3, 0.5f));
    }

    private static float Cosine(string a, string b)
        => System.Numerics.Tensors.TensorPrimitives.Dot(BagOfWordsEmbeddingGenerator.Embed(a), BagOfWordsEmbeddingGenerator.Embed(b));

    private static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private SemanticCacheEntry Entry(int key, float[] vector, TimeSpan? ttl = null) => new()
    {
        Key = new SemanticCacheKey((UInt128)key),
        Partition = new SemanticCacheKey(10),
        Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {key}")) { FinishReason = ChatFinishReason.Stop },
        Embedding = Unit(vector),
        CreatedAt = _time.GetUtcNow(),
        ExpiresAt = ttl is { } t ? _time.GetUtcNow() + t : null,
        ScopeHash = new SemanticCacheKey(1),
        TenantHash = new SemanticCacheKey(2),
    };

    /// <summary>A store written before FindCandidatesAsync existed: it relies on the interface's default.</summary>
    private sealed class NearestOnlyStore(InMemorySemanticCacheStore inner) : ISemanticCacheStore
    {
        public ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
            => inner.FindNearestAsync(partition, embedding, cancellationToken);

        public ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default) => inner.SetAsync(entry, cancellationToken);

        public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default) => inner.InvalidateAsync(selection, cancellationToken);
    }

    private sealed class EmptyAnswerClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse([]));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
