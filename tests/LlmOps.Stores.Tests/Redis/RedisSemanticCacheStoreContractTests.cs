using LlmOps.Caching;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>The semantic cache store contract against a real Redis.</summary>
[Collection(RedisEngineCollection.Name)]
public sealed class RedisSemanticCacheStoreContractTests(RedisEngine engine) : SemanticCacheStoreContract
{
    private readonly Dictionary<ISemanticCacheStore, string> _prefixes = [];

    protected override ISemanticCacheStore CreateStore(TimeProvider time)
    {
        var prefix = RedisEngine.UniquePrefix("cache");
        var store = new RedisSemanticCacheStore(engine.Connection, new RedisOptions { KeyPrefix = prefix }, time);
        _prefixes[store] = prefix;
        return store;
    }

    protected override ISemanticCacheStore CreatePeer(ISemanticCacheStore store, TimeProvider time)
        => new RedisSemanticCacheStore(engine.Connection, new RedisOptions { KeyPrefix = _prefixes[store] }, time);

    protected override Task CatchUpAsync(ISemanticCacheStore store) => ((RedisSemanticCacheStore)store).SyncMirrorsAsync();
}
