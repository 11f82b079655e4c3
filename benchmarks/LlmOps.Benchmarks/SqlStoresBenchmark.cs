using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Prompts;
using LlmOps.Sqlite;
using Microsoft.Extensions.AI;
using Npgsql;

namespace LlmOps.Benchmarks;

/// <summary>
/// Per-operation latency of the durable stores against the in-memory ones: a ledger append (one provider attempt) and a
/// prompt load (the registry's cache miss: 3 versions, 2 labels, 4 moves), on SQLite (WAL file in the temp folder) and
/// PostgreSQL on loopback.
/// </summary>
/// <remarks>
/// PostgreSQL is the server named by <c>LLMOPS_TEST_POSTGRES</c> (a connection string); each run uses a fresh schema and
/// drops it at the end. Start one on loopback as the store tests do, or point it at your own.
/// </remarks>
[MemoryDiagnoser]
[ShortRunJob]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SqlStoresBenchmark
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"llmops-bench-{Environment.ProcessId}.db");
    private readonly string _schema = $"bench_{Environment.ProcessId}";
    private NpgsqlDataSource _dataSource = null!;
    private ICostLedger _memoryLedger = null!;
    private ICostLedger _sqliteLedger = null!;
    private ICostLedger _postgresLedger = null!;
    private IPromptStore _memoryPrompts = null!;
    private IPromptStore _sqlitePrompts = null!;
    private IPromptStore _postgresPrompts = null!;
    private long _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var connection = Environment.GetEnvironmentVariable("LLMOPS_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set LLMOPS_TEST_POSTGRES to the connection string of a PostgreSQL server (loopback) to run SqlStoresBenchmark.");
        _dataSource = NpgsqlDataSource.Create(connection);
        _memoryLedger = new InMemoryCostLedger();
        _sqliteLedger = new SqliteCostLedger($"Data Source={_file}");
        _postgresLedger = new PostgreSqlCostLedger(_dataSource, _schema);
        _memoryPrompts = new InMemoryPromptStore();
        _sqlitePrompts = new SqlitePromptStore($"Data Source={_file}");
        _postgresPrompts = new PostgreSqlPromptStore(_dataSource, _schema);
        foreach (var store in new[] { _memoryPrompts, _sqlitePrompts, _postgresPrompts })
        {
            var registry = new PromptRegistry(store);
            for (var v = 1; v <= 3; v++)
            {
                await registry.RegisterAsync(new PromptTemplate("support.answer", [new PromptMessageTemplate(ChatRole.System, $"You answer support questions, version {v}."), new PromptMessageTemplate(ChatRole.User, "{{question}}")]));
            }

            await registry.SetLabelAsync("support.answer", "staging", 3);
            await registry.SetLabelAsync("support.answer", "production", 1);
            await registry.SetLabelAsync("support.answer", "production", 2);
            await registry.SetLabelAsync("support.answer", "production", 3);
        }

        // Warm each ledger (schema migrated, pools open) before measuring.
        await _sqliteLedger.RecordAsync(Next());
        await _postgresLedger.RecordAsync(Next());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await using (var drop = _dataSource.CreateCommand($"DROP SCHEMA \"{_schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await ((PostgreSqlPromptStore)_postgresPrompts).DisposeAsync();
        await _dataSource.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(_file + suffix);
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("LedgerAppend")]
    public ValueTask<bool> LedgerAppend_InMemory() => _memoryLedger.RecordAsync(Next());

    [Benchmark]
    [BenchmarkCategory("LedgerAppend")]
    public ValueTask<bool> LedgerAppend_Sqlite() => _sqliteLedger.RecordAsync(Next());

    [Benchmark]
    [BenchmarkCategory("LedgerAppend")]
    public ValueTask<bool> LedgerAppend_PostgreSql() => _postgresLedger.RecordAsync(Next());

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("PromptLoad")]
    public ValueTask<PromptRecord?> PromptLoad_InMemory() => _memoryPrompts.LoadAsync("support.answer");

    [Benchmark]
    [BenchmarkCategory("PromptLoad")]
    public ValueTask<PromptRecord?> PromptLoad_Sqlite() => _sqlitePrompts.LoadAsync("support.answer");

    [Benchmark]
    [BenchmarkCategory("PromptLoad")]
    public ValueTask<PromptRecord?> PromptLoad_PostgreSql() => _postgresPrompts.LoadAsync("support.answer");

    private CostRecord Next() => new()
    {
        RequestId = $"req-{Interlocked.Increment(ref _next)}",
        Timestamp = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).AddTicks(_next * 10),
        Scope = new LlmOpsScope("acme", "ana", "chat"),
        Model = "gpt-4o-mini",
        PricedAs = "gpt-4o-mini",
        Tier = ModelTier.Small,
        InputTokens = 1_200,
        OutputTokens = 300,
        Cost = 0.00036m,
        PriceSource = PriceSource.Model,
    };
}
