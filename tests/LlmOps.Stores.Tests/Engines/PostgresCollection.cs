namespace LlmOps.Stores.Tests.Engines;

/// <summary>The test classes that share one <see cref="PostgresEngine"/> (started once for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresEngine>
{
    /// <summary>The collection name.</summary>
    public const string Name = "PostgreSQL";
}
