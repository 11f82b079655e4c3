using System.Text.Json;
using LlmOps.Cli.Tests.Cost;
using LlmOps.PostgreSql;
using LlmOps.Testing.Engines;
using Npgsql;

namespace LlmOps.Cli.Tests.PostgreSql;

/// <summary><c>llmops prompts</c> and <c>llmops cost report</c> on a real PostgreSQL (started by the tests, or <c>LLMOPS_TEST_POSTGRES</c>).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSourceTests(PostgresEngine engine) : TempFolderTest
{
    private const string V1 = "---\nname: greet\n---\nsystem:\nSay hello.\n";
    private const string V2 = "---\nname: greet\n---\nsystem:\nSay hello politely.\n";

    private string Store => "postgres:" + engine.ConnectionString;

    [Fact]
    public async Task Prompts_OnPostgreSql_PushListShowDiffLabelRollbackHistory()
    {
        string schema = engine.NewSchema("cli");
        string v1 = Write("v1.prompt.md", V1);
        string v2 = Write("v2.prompt.md", V2);
        string other = Write("other.prompt.md", "---\nname: farewell\n---\nsystem:\nSay goodbye.\n");

        CliResult pushed = await Run("push", v1, other, "--label", "production", "--by", "ana");
        Assert.True(pushed.Code == 0, pushed.ToString());
        Assert.Equal(0, (await Run("push", v2, "--label", "production", "--by", "bo")).Code);
        CliResult list = await Run("list", "--json");
        CliResult diff = await Run("diff", "greet", "1", "production", "--json");
        CliResult labelled = await Run("label", "greet", "staging", "production", "--by", "cy");
        CliResult rolled = await Run("rollback", "greet", "production", "--by", "dee");
        CliResult shown = await Run("show", "greet", "production", "--json");
        CliResult history = await Run("history", "greet", "--json");

        Assert.True(list.Code == 0, list.ToString());
        using JsonDocument listed = JsonDocument.Parse(list.Out);
        Assert.Equal(["farewell", "greet"], listed.RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(2, listed.RootElement[1].GetProperty("latest").GetInt32());
        using JsonDocument diffed = JsonDocument.Parse(diff.Out);
        Assert.Equal(2, diffed.RootElement.GetProperty("to").GetInt32());
        Assert.Equal(1, diffed.RootElement.GetProperty("added").GetInt32());
        Assert.Equal(1, diffed.RootElement.GetProperty("removed").GetInt32());
        Assert.True(labelled.Code == 0, labelled.ToString());
        Assert.True(rolled.Code == 0, rolled.ToString());
        using JsonDocument show = JsonDocument.Parse(shown.Out);
        Assert.Equal(1, show.RootElement.GetProperty("version").GetInt32());
        using JsonDocument moves = JsonDocument.Parse(history.Out);
        Assert.Equal(
            [("production", null, 1, "ana"), ("production", 1, 2, "bo"), ("staging", null, 2, "cy"), ("production", 2, 1, "dee")],
            moves.RootElement.EnumerateArray().Select(m => (
                m.GetProperty("label").GetString(),
                m.TryGetProperty("from", out JsonElement from) ? from.GetInt32() : (int?)null, // null members are left out
                m.GetProperty("to").GetInt32(),
                m.GetProperty("by").GetString())));

        // The rows are in the schema named by --schema, read back by the library's own store.
        await using var dataSource = NpgsqlDataSource.Create(engine.ConnectionString);
        await using var store = new PostgreSqlPromptStore(dataSource, schema);
        Assert.Equal(["farewell", "greet"], await store.ListNamesAsync());
        Assert.Equal(1, (await store.LoadAsync("greet"))!.Labels["production"]);

        Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(["prompts", args[0], "--store", Store, "--schema", schema, .. args[1..]]);
    }

    [Fact]
    public async Task PromptsList_Table_OnPostgreSql_NamesEveryPrompt()
    {
        string schema = engine.NewSchema("cli");
        Assert.Equal(0, (await CliRunner.RunAsync("prompts", "push", "--store", Store, "--schema", schema, Write("v1.prompt.md", V1))).Code);

        CliResult table = await CliRunner.RunAsync("prompts", "list", "--store", Store, "--schema", schema);

        Assert.True(table.Code == 0, table.ToString());
        Assert.Contains("greet", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CostReport_OnAPostgreSqlLedger_MatchesTheRecords()
    {
        string schema = engine.NewSchema("ledger");
        await using (var dataSource = NpgsqlDataSource.Create(engine.ConnectionString))
        {
            var ledger = new PostgreSqlCostLedger(dataSource, schema);
            foreach (var record in SampleLedger.Records())
            {
                await ledger.RecordAsync(record);
            }
        }

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", Store, "--schema", schema, "--by", "tenant", "--json");
        CliResult html = await CliRunner.RunAsync("cost", "report", "--ledger", Store, "--schema", schema, "--html", Path.Combine(Folder, "cost.html"));

        Assert.True(result.Code == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(SampleLedger.Records().Sum(r => r.Cost), json.RootElement.GetProperty("total").GetProperty("cost").GetDecimal());
        Assert.Equal(SampleLedger.Records().Count, json.RootElement.GetProperty("total").GetProperty("attempts").GetInt32());
        Assert.Equal(
            SampleLedger.Records().Where(r => r.Scope.Tenant == "acme").Sum(r => r.Cost),
            json.RootElement.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "acme").GetProperty("cost").GetDecimal());
        Assert.True(html.Code == 0, html.ToString());
        string page = await File.ReadAllTextAsync(Path.Combine(Folder, "cost.html"));
        Assert.DoesNotContain(engine.ConnectionString, page, StringComparison.Ordinal); // the title names PostgreSQL, not the connection string
    }

    [Fact]
    public async Task Read_MissingSchema_ExitsThreeNamingTheSchemaAndTheFix()
    {
        string schema = engine.NewSchema("absent");

        CliResult prompts = await CliRunner.RunAsync("prompts", "list", "--store", Store, "--schema", schema);
        CliResult cost = await CliRunner.RunAsync("cost", "report", "--ledger", Store, "--schema", schema);

        foreach (CliResult result in new[] { prompts, cost })
        {
            Assert.True(result.Code == 3, result.ToString());
            Assert.Contains($"has no schema '{schema}'", result.Err, StringComparison.Ordinal);
            Assert.Contains("PostgreSQL at ", result.Err, StringComparison.Ordinal);
            Assert.Contains("--schema", result.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MissingDatabase_ExitsThreeWithTheServersReasonAndTheFix()
    {
        var builder = new NpgsqlConnectionStringBuilder(engine.ConnectionString) { Database = "llmops_no_such_db" };

        CliResult result = await CliRunner.RunAsync("prompts", "list", "--store", "postgres:" + builder.ConnectionString);

        Assert.True(result.Code == 3, result.ToString());
        Assert.Contains($"cannot connect to PostgreSQL at {builder.Host}:{builder.Port} (database 'llmops_no_such_db')", result.Err, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.Err, StringComparison.Ordinal); // the server's own reason (3D000)
        Assert.Contains("fix Host, Port, Username, Password and Database", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSchemaName_ExitsTwoNamingTheRule()
    {
        CliResult result = await CliRunner.RunAsync("prompts", "list", "--store", Store, "--schema", "Not-Valid");

        Assert.True(result.Code == 2, result.ToString());
        Assert.Contains("--schema 'Not-Valid' is not valid", result.Err, StringComparison.Ordinal);
        Assert.Contains("lower-case identifier", result.Err, StringComparison.Ordinal);
    }
}
