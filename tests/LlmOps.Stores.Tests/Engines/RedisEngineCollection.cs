namespace LlmOps.Stores.Tests.Engines;

/// <summary>The tests that share one standalone <see cref="RedisEngine"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisEngineCollection : ICollectionFixture<RedisEngine>
{
    /// <summary>The collection name.</summary>
    public const string Name = "redis";
}
