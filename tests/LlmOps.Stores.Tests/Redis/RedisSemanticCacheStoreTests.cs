using System.Diagnostics;
using LlmOps.Caching;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>The Redis cache store against a real engine: propagation, another process, an outage.</summary>
[Collection(RedisEngineCollection.Name)]
public sealed class RedisSemanticCacheStoreTests(RedisEngine engine, ITestOutputHelper output)
{
    [Fact]
    public async Task Set_OnOneInstance_ReachesAnotherInstancesWarmMirror_WithoutBeingAsked()
    {
        var prefix = RedisEngine.UniquePrefix("propagate");
        await using var other = await ConnectionMultiplexer.ConnectAsync(engine.ConnectionString);
        using var writer = new RedisSemanticCacheStore(engine.Connection, new RedisOptions { KeyPrefix = prefix });
        using var reader = new RedisSemanticCacheStore(other, new RedisOptions { KeyPrefix = prefix }) { MirrorRefreshInterval = TimeSpan.FromHours(1) };
        var delays = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var entry = SemanticCacheStoreContract.Entry("question " + i, [1, i, 0.5f]);
            Assert.DoesNotContain(await reader.FindCandidatesAsync(entry.Partition, entry.Embedding!.Value, 64, 0.9999f), m => m.Entry.Key == entry.Key);

            var clock = Stopwatch.StartNew();
            await writer.SetAsync(entry);

            // Bounded polling for a real engine's effect: Pub/Sub tells the reader, which reads the stream.
            while (!(await reader.FindCandidatesAsync(entry.Partition, entry.Embedding!.Value, 64, 0.9999f)).Any(m => m.Entry.Key == entry.Key))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"entry {i} did not reach the other instance within 5 s");
                await Task.Yield();
            }

            delays.Add(clock.Elapsed.TotalMilliseconds);
        }

        delays.Sort();
        output.WriteLine($"propagation delay over {delays.Count} writes: median {delays[delays.Count / 2]:0.00} ms, max {delays[^1]:0.00} ms");
    }

    [Fact]
    public async Task EntryWrittenByAnotherProcess_IsServedHere_AndNeverInAnotherScope()
    {
        var prefix = RedisEngine.UniquePrefix("xproc");
        using var store = new RedisSemanticCacheStore(engine.Connection, new RedisOptions { KeyPrefix = prefix });

        var (exit, key, error) = await WorkerProcess.RunAsync(CancellationToken.None, "redis-cache-write", engine.ConnectionString, prefix, "acme", "what is our refund policy", "0.3,0.8,0.1");

        Assert.True(exit == 0, error);
        float[] query = [0.3f, 0.8f, 0.1f];
        var hit = Assert.Single(await store.FindCandidatesAsync(SemanticCacheKey.FromString("partition:acme"), query, 4, 0.99f));
        Assert.Equal("answer to what is our refund policy", hit.Entry.Response.Text);
        Assert.Equal("answer to what is our refund policy", (await store.GetAsync(new SemanticCacheKey(UInt128.Parse(key.Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture))))!.Response.Text);
        Assert.Empty(await store.FindCandidatesAsync(SemanticCacheKey.FromString("partition:globex"), query, 4, -1));
    }

    [Fact]
    public async Task EngineRestart_CacheFailsOpen_LogsOnce_AndRecoversWithoutARestart()
    {
        await using var server = await RedisEngine.StartPrivateAsync();
        var config = ConfigurationOptions.Parse($"{server.Endpoint},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
        config.BacklogPolicy = BacklogPolicy.FailFast;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(config);
        var logger = new FakeLogger();
        using var store = new RedisSemanticCacheStore(connection, new RedisOptions { KeyPrefix = "restart" }, logger: logger);
        var before = SemanticCacheStoreContract.Entry("before", [1, 0, 0]);
        await store.SetAsync(before);
        Assert.Single(await store.FindCandidatesAsync(before.Partition, before.Embedding!.Value, 4, 0.9f));

        await server.StopAsync();

        var during = SemanticCacheStoreContract.Entry("during", [0, 1, 0]);
        await store.SetAsync(during); // skipped, never thrown
        Assert.Null(await store.GetAsync(before.Key));
        Assert.Empty(await store.FindCandidatesAsync(before.Partition, before.Embedding!.Value, 4, 0.9f));
        Assert.Null(await store.GetAsync(during.Key));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1900);
        await Assert.ThrowsAsync<RedisStoreUnavailableException>(async () => await store.InvalidateAsync(SemanticCacheInvalidation.All()));

        await server.StartAsync();
        var clock = Stopwatch.StartNew();
        var after = SemanticCacheStoreContract.Entry("after", [0, 0, 1]);
        while (await store.GetAsync(after.Key) is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the store did not recover after Redis came back");
            await store.SetAsync(after);
            await Task.Delay(50);
        }

        Assert.Single(await store.FindCandidatesAsync(after.Partition, after.Embedding!.Value, 4, 0.9f));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1900);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1901);
    }
}
