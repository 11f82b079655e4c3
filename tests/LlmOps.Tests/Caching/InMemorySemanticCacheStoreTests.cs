using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

public sealed class InMemorySemanticCacheStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));

    private SemanticCacheEntry Entry(int key, int partition, float[]? vector = null, TimeSpan? ttl = null) => new()
    {
        Key = new SemanticCacheKey((UInt128)key),
        Partition = new SemanticCacheKey((UInt128)partition),
        Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {key}")) { FinishReason = ChatFinishReason.Stop },
        Embedding = vector,
        CreatedAt = _time.GetUtcNow(),
        ExpiresAt = ttl is { } t ? _time.GetUtcNow() + t : null,
        ScopeHash = new SemanticCacheKey(1),
        TenantHash = new SemanticCacheKey(2),
    };

    private static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    [Fact]
    public void Ctor_ZeroEntries_ThrowsNamingParameter()
        => Assert.Equal("maxEntries", Assert.Throws<ArgumentOutOfRangeException>(() => new InMemorySemanticCacheStore(0)).ParamName);

    [Fact]
    public async Task FindNearestAsync_SearchesOnlyItsPartition()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, partition: 10, Unit(1, 0, 0)));
        await store.SetAsync(Entry(2, partition: 20, Unit(0, 1, 0)));

        var match = await store.FindNearestAsync(new SemanticCacheKey(10), Unit(0, 1, 0));

        Assert.NotNull(match);
        Assert.Equal(new SemanticCacheKey(1), match.Value.Entry.Key);
        Assert.Equal(0f, match.Value.Similarity, 5);
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(30), Unit(0, 1, 0)));
    }

    [Fact]
    public async Task FindNearestAsync_ReturnsMostSimilar()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, 10, Unit(1, 0, 0)));
        await store.SetAsync(Entry(2, 10, Unit(1, 1, 0)));
        await store.SetAsync(Entry(3, 10, Unit(0, 0, 1)));

        var match = await store.FindNearestAsync(new SemanticCacheKey(10), Unit(0.9f, 1, 0));

        Assert.Equal(new SemanticCacheKey(2), match!.Value.Entry.Key);
        Assert.True(match.Value.Similarity > 0.99f);
    }

    [Fact]
    public async Task FindNearestAsync_NearestExpired_FallsBackToLiveEntry()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, 10, Unit(1, 0), ttl: TimeSpan.FromMinutes(1)));
        await store.SetAsync(Entry(2, 10, Unit(1, 1)));

        _time.Advance(TimeSpan.FromMinutes(1));
        var match = await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0));

        Assert.Equal(new SemanticCacheKey(2), match!.Value.Entry.Key);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task SetAsync_SameKey_ReplacesAndKeepsOneVector()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, 10, Unit(1, 0)));
        await store.SetAsync(Entry(1, 10, Unit(0, 1)));

        Assert.Equal(1, store.Count);
        var match = await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0));
        Assert.Equal(0f, match!.Value.Similarity, 5);
    }

    [Fact]
    public async Task SetAsync_OverCapacity_EvictsLeastRecentlyUsedFromIndexToo()
    {
        var store = new InMemorySemanticCacheStore(maxEntries: 2, timeProvider: _time);
        await store.SetAsync(Entry(1, 10, Unit(1, 0)));
        await store.SetAsync(Entry(2, 10, Unit(0, 1)));
        await store.GetAsync(new SemanticCacheKey(1));
        await store.SetAsync(Entry(3, 10, Unit(1, 1)));

        Assert.Null(await store.GetAsync(new SemanticCacheKey(2)));
        var match = await store.FindNearestAsync(new SemanticCacheKey(10), Unit(0, 1));
        Assert.NotEqual(new SemanticCacheKey(2), match!.Value.Entry.Key);
    }

    [Fact]
    public async Task ConcurrentReadersAndWriters_StayConsistent()
    {
        var store = new InMemorySemanticCacheStore(maxEntries: 500, timeProvider: _time);
        await Parallel.ForEachAsync(Enumerable.Range(0, 4000), async (i, ct) =>
        {
            await store.SetAsync(Entry(i, i % 8, Unit(1 + (i % 5), i % 3, 1)), ct);
            await store.GetAsync(new SemanticCacheKey((UInt128)(i / 2)), ct);
            await store.FindNearestAsync(new SemanticCacheKey((UInt128)(i % 8)), Unit(1, 1, 1), ct);
            if (i % 100 == 0)
            {
                await store.InvalidateAsync(SemanticCacheInvalidation.ForModel("none"), ct);
            }
        });

        Assert.Equal(500, store.Count);
        for (var p = 0; p < 8; p++)
        {
            Assert.NotNull(await store.FindNearestAsync(new SemanticCacheKey((UInt128)p), Unit(1, 1, 1)));
        }

        Assert.Equal(500, await store.InvalidateAsync(SemanticCacheInvalidation.All()));
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(0), Unit(1, 1, 1)));
    }
}
