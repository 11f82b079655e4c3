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

    [Fact]
    public async Task FindNearestAsync_IdenticalVectorInOtherPartition_NeverReturned()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        var query = Unit(1, 2, 3);
        await store.SetAsync(Entry(1, partition: 10, Unit(3, 2, 1)));
        await store.SetAsync(Entry(2, partition: 20, query));

        var inA = await store.FindNearestAsync(new SemanticCacheKey(10), query);
        Assert.Equal(new SemanticCacheKey(1), inA!.Value.Entry.Key);
        Assert.True(inA.Value.Similarity < 0.8f);

        // Once partition A is empty, B's identical vector still is not found from A.
        await store.InvalidateAsync(SemanticCacheInvalidation.All());
        await store.SetAsync(Entry(2, partition: 20, query));
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(10), query));
        Assert.Equal(1f, (await store.FindNearestAsync(new SemanticCacheKey(20), query))!.Value.Similarity, 5);
    }

    [Fact]
    public async Task FindNearestAsync_ConcurrentPartitionsWithIdenticalVectors_NeverCross()
    {
        var store = new InMemorySemanticCacheStore(maxEntries: 100_000, timeProvider: _time);
        var query = Unit(1, 1, 1, 1);
        var wrong = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 4000), async (i, ct) =>
        {
            var partition = i % 32;
            await store.SetAsync(Entry((partition << 16) | i, partition, query), ct);
            var match = await store.FindNearestAsync(new SemanticCacheKey((UInt128)partition), query, ct);
            if (match is not { } m || m.Entry.Partition != new SemanticCacheKey((UInt128)partition))
            {
                Interlocked.Increment(ref wrong);
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public async Task FindNearestAsync_ManyNearerEntriesExpired_RemovesThemAndReturnsLiveEntry()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        for (var i = 0; i < 37; i++)
        {
            await store.SetAsync(Entry(i, 10, Unit(1, 0.01f * i), ttl: TimeSpan.FromMinutes(1)));
        }

        await store.SetAsync(Entry(100, 10, Unit(1, 1)));
        _time.Advance(TimeSpan.FromMinutes(1));

        var match = await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0));

        Assert.Equal(new SemanticCacheKey(100), match!.Value.Entry.Key);
        Assert.Equal(1, store.Count);
        Assert.Equal(1, store.VectorIndexFor(2)!.Count);
    }

    [Fact]
    public async Task FindNearestAsync_AllExpired_ReturnsNullAndEmptiesPartition()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        for (var i = 0; i < 5; i++)
        {
            await store.SetAsync(Entry(i, 10, Unit(1, i), ttl: TimeSpan.FromMinutes(1)));
        }

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0)));
        Assert.Equal(0, store.Count);
        Assert.Empty(store.VectorIndexFor(2)!.Partitions);
    }

    [Fact]
    public async Task RemovingLastEntryOfPartition_FreesItsIndexScope()
    {
        var store = new InMemorySemanticCacheStore(maxEntries: 3, timeProvider: _time);
        for (var i = 0; i < 50; i++)
        {
            // Each entry its own partition; LRU keeps three.
            await store.SetAsync(Entry(i, 1000 + i, Unit(1, i)));
        }

        var index = store.VectorIndexFor(2)!;
        Assert.Equal(3, index.Count);
        Assert.Equal(3, index.Partitions.Count);

        await store.InvalidateAsync(SemanticCacheInvalidation.All());
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Partitions);
    }

    [Fact]
    public async Task SetAsync_ZeroOrNonFiniteEmbedding_KeepsEntryForExactTierOnly()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, 10, [0f, 0f]));
        await store.SetAsync(Entry(2, 10, [float.NaN, 1f]));

        Assert.NotNull(await store.GetAsync(new SemanticCacheKey(1)));
        Assert.NotNull(await store.GetAsync(new SemanticCacheKey(2)));
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0)));

        await store.SetAsync(Entry(3, 10, Unit(1, 0)));
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(10), new float[] { 0f, 0f }));
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(10), new float[] { float.PositiveInfinity, 0f }));
        Assert.Equal(new SemanticCacheKey(3), (await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0)))!.Value.Entry.Key);
    }

    [Fact]
    public async Task FindNearestAsync_EmbeddingsOfDifferentDimensions_ComparesOnlySameDimension()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        await store.SetAsync(Entry(1, 10, Unit(1, 0, 0)));
        await store.SetAsync(Entry(2, 10, Unit(1, 0, 0, 0)));

        Assert.Equal(new SemanticCacheKey(1), (await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0, 0)))!.Value.Entry.Key);
        Assert.Equal(new SemanticCacheKey(2), (await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0, 0, 0)))!.Value.Entry.Key);
        Assert.Null(await store.FindNearestAsync(new SemanticCacheKey(10), Unit(1, 0)));
    }

    [Fact]
    public async Task FindNearestAsync_EntryReplacedDuringSearches_SimilarityAlwaysBelongsToReturnedEntry()
    {
        // The scan runs outside the store's lock; a replaced entry must never come back with the old vector's score.
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        var near = Unit(1, 0, 0);
        var far = Unit(0, 1, 0);
        var query = Unit(1, 0.1f, 0);
        await store.SetAsync(Entry(1, 10, near));
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await store.SetAsync(Entry(1, 10, i % 2 == 0 ? far : near));
            }
        });

        var mismatches = 0;
        for (var i = 0; i < 20_000; i++)
        {
            if (await store.FindNearestAsync(new SemanticCacheKey(10), query) is { } m)
            {
                var own = System.Numerics.Tensors.TensorPrimitives.Dot(m.Entry.Embedding!.Value.Span, query);
                if (Math.Abs(own - m.Similarity) > 1e-4f)
                {
                    mismatches++;
                }
            }
        }

        await stop.CancelAsync();
        await writer;
        Assert.Equal(0, mismatches);
    }
}
