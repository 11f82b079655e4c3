using LlmOps.Prompts;
using LlmOps.Sqlite;
using LlmOps.Stores.Tests.Contracts;
using Microsoft.Data.Sqlite;

namespace LlmOps.Stores.Tests.Sqlite;

public sealed class SqlitePromptStoreContractTests : PromptStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmops-sqlite-").FullName;
    private readonly Dictionary<IPromptStore, string> _files = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    protected override Task<IPromptStore> CreateStoreAsync() => Task.FromResult(Create($"Data Source={Path.Combine(_root, Guid.NewGuid().ToString("N"))}.db"));

    // Another instance: another store object over the same file (its own connections).
    protected override Task<IPromptStore> CreatePeerAsync(IPromptStore store) => Task.FromResult(Create(_files[store]));

    private IPromptStore Create(string connectionString)
    {
        var store = new SqlitePromptStore(connectionString);
        _files[store] = connectionString;
        return store;
    }
}
