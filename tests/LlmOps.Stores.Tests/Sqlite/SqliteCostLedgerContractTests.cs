using LlmOps.Metering;
using LlmOps.Sqlite;
using LlmOps.Stores.Tests.Contracts;
using Microsoft.Data.Sqlite;

namespace LlmOps.Stores.Tests.Sqlite;

public sealed class SqliteCostLedgerContractTests : CostLedgerContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmops-sqlite-").FullName;
    private readonly Dictionary<ICostLedger, string> _files = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    protected override Task<ICostLedger> CreateLedgerAsync() => Task.FromResult(Create($"Data Source={Path.Combine(_root, Guid.NewGuid().ToString("N"))}.db"));

    protected override Task<ICostLedger> CreatePeerAsync(ICostLedger ledger) => Task.FromResult(Create(_files[ledger]));

    private ICostLedger Create(string connectionString)
    {
        var ledger = new SqliteCostLedger(connectionString);
        _files[ledger] = connectionString;
        return ledger;
    }
}
