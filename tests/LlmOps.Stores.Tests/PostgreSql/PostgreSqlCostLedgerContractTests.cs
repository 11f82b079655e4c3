using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Stores.Tests.Contracts;
using LlmOps.Stores.Tests.Engines;
using Npgsql;

namespace LlmOps.Stores.Tests.PostgreSql;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlCostLedgerContractTests(PostgresEngine engine) : CostLedgerContract, IAsyncLifetime
{
    private readonly List<NpgsqlDataSource> _owned = [];
    private readonly Dictionary<ICostLedger, string> _schemas = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    protected override Task<ICostLedger> CreateLedgerAsync() => Task.FromResult(Create(engine.NewSchema("ledger")));

    protected override Task<ICostLedger> CreatePeerAsync(ICostLedger ledger) => Task.FromResult(Create(_schemas[ledger]));

    private ICostLedger Create(string schema)
    {
        var dataSource = NpgsqlDataSource.Create(engine.ConnectionString);
        _owned.Add(dataSource);
        var ledger = new PostgreSqlCostLedger(dataSource, schema);
        _schemas[ledger] = schema;
        return ledger;
    }
}
