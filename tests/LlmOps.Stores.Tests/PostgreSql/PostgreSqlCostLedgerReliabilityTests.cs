using LlmOps.PostgreSql;
using LlmOps.Stores.Tests.Engines;
using Npgsql;
using Xunit.Abstractions;

namespace LlmOps.Stores.Tests.PostgreSql;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlCostLedgerReliabilityTests(PostgresEngine engine, ITestOutputHelper output)
{
    [Fact]
    public async Task RecordAsync_10000CallsFrom4Processes_30PercentCancelled10PercentFaulted_OneRowPerAttemptAndExactTotal()
    {
        var schema = engine.NewSchema("load");
        await using var dataSource = NpgsqlDataSource.Create(engine.ConnectionString);
        await PostgreSqlSchema.MigrateAsync(dataSource, schema); // the workers would race to do it; done once here to time the load alone

        var reported = await LedgerLoad.RunAsync("postgres", engine.ConnectionString, schema, processes: 4, callsPerProcess: 2_500);
        output.WriteLine($"reported by the providers: {reported}");

        Assert.Equal(10_000, reported.Calls);
        Assert.InRange(reported.Cancelled, 2_700, 3_300);
        Assert.InRange(reported.Faulted, 800, 1_200);
        await LedgerLoad.AssertLedgerMatchesAsync(new PostgreSqlCostLedger(dataSource, schema), reported);
    }
}
