using LlmOps.PostgreSql;
using LlmOps.Prompts;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;
using Npgsql;

namespace LlmOps.Stores.Tests.PostgreSql;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlPromptStoreContractTests(PostgresEngine engine) : PromptStoreContract, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<IPromptStore, string> _schemas = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    protected override Task<IPromptStore> CreateStoreAsync() => Task.FromResult(Create(engine.NewSchema("prompts")));

    // Another instance: its own data source (its own connections) over the same schema.
    protected override Task<IPromptStore> CreatePeerAsync(IPromptStore store) => Task.FromResult(Create(_schemas[store]));

    private IPromptStore Create(string schema)
    {
        var dataSource = NpgsqlDataSource.Create(engine.ConnectionString);
        var store = new PostgreSqlPromptStore(dataSource, schema);
        _owned.Add(store);
        _owned.Add(dataSource);
        _schemas[store] = schema;
        return store;
    }
}
