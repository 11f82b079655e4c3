using LlmOps.PostgreSql;
using LlmOps.Stores.Tests.Engines;
using Npgsql;

namespace LlmOps.Stores.Tests.PostgreSql;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlSchemaTests(PostgresEngine engine) : IAsyncLifetime
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(engine.ConnectionString);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task MigrateAsync_EightInstancesAtOnce_AppliesEachMigrationExactlyOnce()
    {
        var schema = engine.NewSchema("migrate");

        var applied = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => PostgreSqlSchema.MigrateAsync(_dataSource, schema))));
        var again = await PostgreSqlSchema.MigrateAsync(_dataSource, schema);
        await using var rows = _dataSource.CreateCommand($"SELECT count(*), max(version) FROM \"{schema}\".schema_migrations");
        await using var reader = await rows.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(PostgreSqlSchema.LatestVersion, applied.Sum());
        Assert.Single(applied, n => n > 0);
        Assert.Equal(0, again);
        Assert.Equal(PostgreSqlSchema.LatestVersion, reader.GetInt64(0));
        Assert.Equal(PostgreSqlSchema.LatestVersion, reader.GetInt32(1));
    }

    [Fact]
    public async Task MigrateAsync_SchemaMigratedByANewerPackage_ThrowsNamingBothVersions()
    {
        var schema = engine.NewSchema("newer");
        await PostgreSqlSchema.MigrateAsync(_dataSource, schema);
        await using (var newer = _dataSource.CreateCommand($"INSERT INTO \"{schema}\".schema_migrations (version, description) VALUES ({PostgreSqlSchema.LatestVersion + 1}, 'from the future')"))
        {
            await newer.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlSchema.MigrateAsync(_dataSource, schema));

        Assert.Contains($"migration {PostgreSqlSchema.LatestVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade LlmOps.PostgreSql", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("drop table x;--")]
    [InlineData("1abc")]
    public async Task MigrateAsync_InvalidSchemaName_ThrowsBeforeTouchingTheServer(string schema)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PostgreSqlSchema.MigrateAsync(_dataSource, schema));

        Assert.Contains("lower-case identifier", error.Message, StringComparison.Ordinal);
    }
}
