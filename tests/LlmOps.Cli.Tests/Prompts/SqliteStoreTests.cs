using System.Text.Json;
using LlmOps.Cli.Tests.Cost;
using LlmOps.Sqlite;

namespace LlmOps.Cli.Tests.Prompts;

public sealed class SqliteStoreTests : TempFolderTest
{
    [Fact]
    public async Task Prompts_OnASqliteFile_PushLabelRollbackHistory()
    {
        string store = "sqlite:" + Path.Combine(Folder, "llmops.db");
        string v1 = Write("v1.prompt.md", "---\nname: greet\n---\nsystem:\nSay hello.\n");
        string v2 = Write("v2.prompt.md", "---\nname: greet\n---\nsystem:\nSay hello politely.\n");

        Assert.Equal(0, (await CliRunner.RunAsync("prompts", "push", "--store", store, v1, "--label", "production")).Code);
        Assert.Equal(0, (await CliRunner.RunAsync("prompts", "push", "--store", store, v2, "--label", "production")).Code);
        CliResult rolled = await CliRunner.RunAsync("prompts", "rollback", "--store", store, "greet", "production");
        CliResult shown = await CliRunner.RunAsync("prompts", "show", "--store", store, "greet", "production", "--json");
        CliResult list = await CliRunner.RunAsync("prompts", "list", "--store", store, "--json");

        Assert.True(rolled.Code == 0, rolled.ToString());
        using JsonDocument json = JsonDocument.Parse(shown.Out);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        Assert.True(list.Code == 0, list.ToString());
        using JsonDocument listed = JsonDocument.Parse(list.Out);
        JsonElement greet = Assert.Single(listed.RootElement.EnumerateArray());
        Assert.Equal("greet", greet.GetProperty("name").GetString());
        Assert.Equal(2, greet.GetProperty("latest").GetInt32());
        Assert.Equal(1, greet.GetProperty("labels").GetProperty("production").GetInt32());
    }

    [Fact]
    public async Task CostReport_OnASqliteLedger_MatchesTheRecords()
    {
        string file = Path.Combine(Folder, "ledger.db");
        var ledger = new SqliteCostLedger($"Data Source={file}");
        foreach (var record in SampleLedger.Records())
        {
            await ledger.RecordAsync(record);
        }

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", "sqlite:" + file, "--json");

        Assert.True(result.Code == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(SampleLedger.Records().Sum(r => r.Cost), json.RootElement.GetProperty("total").GetProperty("cost").GetDecimal());
        Assert.Equal(SampleLedger.Records().Count, json.RootElement.GetProperty("total").GetProperty("attempts").GetInt32());
    }
}
