using LlmOps.Metering;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>The budget store contract against a real Redis.</summary>
[Collection(RedisEngineCollection.Name)]
public sealed class RedisBudgetStoreContractTests(RedisEngine engine) : BudgetStoreContract
{
    private readonly Dictionary<IBudgetStore, string> _prefixes = [];

    protected override IBudgetStore CreateStore()
    {
        var prefix = RedisEngine.UniquePrefix("budget");
        var store = new RedisBudgetStore(engine.Connection, new RedisOptions { KeyPrefix = prefix });
        _prefixes[store] = prefix;
        return store;
    }

    protected override IBudgetStore CreatePeer(IBudgetStore store)
        => new RedisBudgetStore(engine.Connection, new RedisOptions { KeyPrefix = _prefixes[store] });
}
