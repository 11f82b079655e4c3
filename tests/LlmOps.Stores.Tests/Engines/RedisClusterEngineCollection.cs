namespace LlmOps.Stores.Tests.Engines;

/// <summary>The tests that share one three-master <see cref="RedisClusterEngine"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterEngineCollection : ICollectionFixture<RedisClusterEngine>
{
    /// <summary>The collection name.</summary>
    public const string Name = "redis-cluster";
}
