using LlmOps.Testing.Engines;

namespace LlmOps.Cli.Tests.PostgreSql;

/// <summary>The CLI test classes that share one real PostgreSQL (<see cref="PostgresEngine"/>, started once for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresEngine>
{
    /// <summary>The collection name.</summary>
    public const string Name = "PostgreSQL";
}
