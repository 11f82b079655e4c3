using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;
using Npgsql;

namespace LlmOps.Stores.Tests.PostgreSql;

/// <summary>The budget store contract against a real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlBudgetStoreContractTests(PostgresEngine engine) : BudgetStoreContract, IAsyncLifetime
{
    private readonly List<NpgsqlDataSource> _owned = [];
    private readonly Dictionary<IBudgetStore, string> _schemas = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    protected override IBudgetStore CreateStore() => Create(engine.NewSchema("budget"));

    protected override IBudgetStore CreatePeer(IBudgetStore store) => Create(_schemas[store]);

    private PostgreSqlBudgetStore Create(string schema)
    {
        var dataSource = NpgsqlDataSource.Create(engine.ConnectionString);
        _owned.Add(dataSource);
        var store = new PostgreSqlBudgetStore(dataSource, schema);
        _schemas[store] = schema;
        return store;
    }
}
