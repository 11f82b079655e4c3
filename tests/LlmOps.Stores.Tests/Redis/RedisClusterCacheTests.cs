using LlmOps.Caching;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>The Redis cache store on a real three-master cluster: partitions spread over slots, every operation works.</summary>
[Collection(RedisClusterEngineCollection.Name)]
public sealed class RedisClusterCacheTests(RedisClusterEngine cluster)
{
    [Fact]
    public async Task SetFindInvalidate_AcrossManyPartitions_OnACluster()
    {
        var prefix = RedisEngine.UniquePrefix("ccache");
        var time = new FakeTimeProvider(SemanticCacheStoreContract.Start);
        using var a = new RedisSemanticCacheStore(cluster.Connection, new RedisOptions { KeyPrefix = prefix }, time);
        using var b = new RedisSemanticCacheStore(cluster.Connection, new RedisOptions { KeyPrefix = prefix }, time);
        var entries = Enumerable.Range(0, 24).Select(i => SemanticCacheStoreContract.Entry("q" + i, [1, i % 3, 0.5f], partition: "p" + (i % 8), model: i % 2 == 0 ? "even" : "odd")).ToArray();
        foreach (var e in entries)
        {
            await a.SetAsync(e);
        }

        foreach (var e in entries)
        {
            Assert.Equal(e.Response.Text, (await b.GetAsync(e.Key))!.Response.Text);
            Assert.Contains(await b.FindCandidatesAsync(e.Partition, e.Embedding!.Value, 8, 0.999f), m => m.Entry.Key == e.Key);
        }

        Assert.Equal(12, await a.InvalidateAsync(SemanticCacheInvalidation.ForModel("even")));
        await b.SyncMirrorsAsync();
        foreach (var e in entries)
        {
            var gone = e.ModelId == "even";
            Assert.Equal(gone, await b.GetAsync(e.Key) is null);
            Assert.Equal(gone, !(await b.FindCandidatesAsync(e.Partition, e.Embedding!.Value, 8, 0.999f)).Any(m => m.Entry.Key == e.Key));
        }
    }
}
