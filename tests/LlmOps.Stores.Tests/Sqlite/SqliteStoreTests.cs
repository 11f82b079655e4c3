using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Sqlite;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace LlmOps.Stores.Tests.Sqlite;

public sealed class SqliteStoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmops-sqlite-").FullName;

    private string File => $"Data Source={Path.Combine(_root, "llmops.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task MigrateAsync_EightCallersAtOnce_AppliesEachMigrationOnce_AndPutsTheFileInWalMode()
    {
        var applied = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => SqliteSchema.MigrateAsync(File))));
        await using var connection = new SqliteConnection(File);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal(SqliteSchema.LatestVersion, applied.Sum());
        Assert.Equal(0, await SqliteSchema.MigrateAsync(File));
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task PromptsAndLedger_ShareOneFile_AndTheLedgerIsInsertOnly()
    {
        var registry = new PromptRegistry(new SqlitePromptStore(File));
        await registry.RegisterAsync(new PromptTemplate("p", [new PromptMessageTemplate(ChatRole.User, "hello")]));
        await new SqliteCostLedger(File).RecordAsync(new CostRecord { RequestId = "r", Model = "m", Cost = 1m });
        await using var connection = new SqliteConnection(File);
        await connection.OpenAsync();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE llmops_cost_ledger SET cost = '0'";

        var error = await Assert.ThrowsAsync<SqliteException>(() => update.ExecuteNonQueryAsync());
        Assert.Contains("insert-only", error.Message, StringComparison.Ordinal);
        Assert.Equal(1m, (await new SqliteCostLedger(File).GetTotalsAsync(CostLedgerQuery.All)).Cost);
        Assert.Equal("hello", (await new PromptRegistry(new SqlitePromptStore(File)).GetAsync("p")).Messages[0].Content);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=x;Mode=Memory")]
    [InlineData("")]
    public void Constructor_ConnectionStringWithoutAFile_ThrowsNamingTheFix(string connectionString)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SqliteCostLedger(connectionString));

        Assert.True(connectionString.Length == 0 || error.Message.Contains("Data Source=llmops.db", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task AddSqlite_RegistersPromptsAndLedgerInOneFile_ForTheRegistryAndMetering()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddPromptRegistry().AddCostMetering().AddSqlitePrompts(o => o.ConnectionString = File).AddSqliteCostLedger();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<SqlitePromptStore>(provider.GetRequiredService<IPromptStore>());
        Assert.IsType<SqliteCostLedger>(provider.GetRequiredService<ICostLedger>());
        Assert.Equal(File, provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.ConnectionString);
        Assert.True(System.IO.File.Exists(Path.Combine(_root, "llmops.db"))); // opened and migrated when the options were validated
    }

    [Fact]
    public void AddSqlite_FileInADirectoryThatDoesNotExist_FailsAtStartupNamingSqliteAndThePath()
    {
        var path = Path.Combine(_root, "missing", "dir", "llmops.db");
        var services = new ServiceCollection();
        services.AddLlmOps().AddSqliteCostLedger(o => o.ConnectionString = $"Data Source={path}");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value);

        Assert.Contains($"SQLite file '{path}' cannot be opened", error.Message, StringComparison.Ordinal);
        Assert.Contains("LazyConnect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSqlite_LazyConnect_StartsWithoutTouchingTheFile()
    {
        var path = Path.Combine(_root, "missing", "llmops.db");
        var services = new ServiceCollection();
        services.AddLlmOps().AddSqlitePrompts(o => { o.ConnectionString = $"Data Source={path}"; o.LazyConnect = true; });
        using var provider = services.BuildServiceProvider();

        Assert.True(provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.LazyConnect);
        Assert.False(System.IO.File.Exists(path));
    }

    [Fact]
    public void AddSqlite_NoConnectionString_FailsValidationNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddSqlitePrompts();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value);

        Assert.Contains("SqliteStoreOptions.ConnectionString must be set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_10000CallsFrom4Processes_30PercentCancelled10PercentFaulted_OneRowPerAttemptAndExactTotal()
    {
        await SqliteSchema.MigrateAsync(File);

        var reported = await LedgerLoad.RunAsync("sqlite", File, "-", processes: 4, callsPerProcess: 2_500);
        output.WriteLine($"reported by the providers: {reported}");

        Assert.Equal(10_000, reported.Calls);
        await LedgerLoad.AssertLedgerMatchesAsync(new SqliteCostLedger(File), reported);
    }
}
