using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Sqlite;
using Npgsql;

namespace LlmOps.Stores.Worker;

/// <summary>Opens the ledger a worker command writes to, on a real engine.</summary>
internal sealed class LedgerFactory : IAsyncDisposable
{
    private readonly IAsyncDisposable? _owned;

    private LedgerFactory(ICostLedger ledger, IAsyncDisposable? owned)
    {
        Ledger = ledger;
        _owned = owned;
    }

    public ICostLedger Ledger { get; }

    public static Task<LedgerFactory> OpenAsync(string engine, string connection, string schema)
    {
        switch (engine)
        {
            case "postgres":
                var dataSource = NpgsqlDataSource.Create(connection);
                return Task.FromResult(new LedgerFactory(new PostgreSqlCostLedger(dataSource, schema), dataSource));
            case "sqlite":
                return Task.FromResult(new LedgerFactory(new SqliteCostLedger(connection), null));
            default:
                throw new ArgumentException($"Unknown engine '{engine}'; use postgres or sqlite.", nameof(engine));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null) await _owned.DisposeAsync();
    }
}
