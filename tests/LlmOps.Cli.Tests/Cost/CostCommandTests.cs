using System.Text.Json;
using LlmOps.Cli.Cost;

namespace LlmOps.Cli.Tests.Cost;

public sealed class CostCommandTests : TempFolderTest
{
    [Fact]
    public async Task Report_ByModel_Json_SumsEveryAttemptAndMatchesTheLedger()
    {
        string ledger = SampleLedger.Write(Folder);
        var records = SampleLedger.Records();

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger, "--by", "model", "--json");

        Assert.Equal(0, result.Code);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement total = json.RootElement.GetProperty("total");
        Assert.Equal(records.Sum(r => r.Cost), total.GetProperty("cost").GetDecimal());
        Assert.Equal(records.Count, total.GetProperty("attempts").GetInt32());
        Assert.Equal(40, total.GetProperty("requests").GetInt32());
        JsonElement[] groups = [.. json.RootElement.GetProperty("groups").EnumerateArray()];
        Assert.Equal(3, groups.Length);
        Assert.Equal(records.Where(r => r.Model == "gpt-4o").Sum(r => r.Cost), groups.Single(g => g.GetProperty("key").GetString() == "gpt-4o").GetProperty("cost").GetDecimal());
        Assert.True(groups[0].GetProperty("cost").GetDecimal() >= groups[1].GetProperty("cost").GetDecimal()); // most expensive first
    }

    [Fact]
    public async Task Report_ByDay_WithInclusiveDateRange_KeepsOnlyThoseDays()
    {
        string ledger = SampleLedger.Write(Folder);

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger, "--by", "day", "--from", "2026-12-02", "--to", "2026-12-03", "--json");

        Assert.Equal(0, result.Code);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(["2026-12-02", "2026-12-03"], json.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("key").GetString()));
        decimal expected = SampleLedger.Records().Where(r => r.Timestamp.Day is 2 or 3).Sum(r => r.Cost);
        Assert.Equal(expected, json.RootElement.GetProperty("total").GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Report_Table_ByTenant_HasATotalRow()
    {
        string ledger = SampleLedger.Write(Folder);

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger, "--by", "tenant");

        Assert.Equal(0, result.Code);
        Assert.Contains("acme", result.Out, StringComparison.Ordinal);
        Assert.Contains("globex", result.Out, StringComparison.Ordinal);
        Assert.Contains("(none)", result.Out, StringComparison.Ordinal);
        Assert.Contains("total", result.Out, StringComparison.Ordinal);
        Assert.Contains(CostHtmlReport.Money(SampleLedger.Records().Sum(r => r.Cost)), result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_ReplayedLine_CountsOnce()
    {
        string[] lines = File.ReadAllLines(SampleLedger.Write(Folder));
        string ledger = Write("twice.jsonl", string.Join('\n', lines.Concat(lines.Skip(1).Take(3))));

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(SampleLedger.Records().Count, json.RootElement.GetProperty("total").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Report_MalformedLine_ExitsThreeNamingTheLine()
    {
        string ledger = Write("bad.jsonl", "{\"requestId\":\"a\",\"timestamp\":\"2026-12-01T00:00:00Z\",\"model\":\"m\",\"cost\":0.1}\n{not json\n");

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger);

        Assert.Equal(3, result.Code);
        Assert.Contains("bad.jsonl:2:", result.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--by", "week")]
    [InlineData("--from", "yesterday")]
    public async Task Report_BadOption_ExitsTwo(string option, string value)
    {
        string ledger = SampleLedger.Write(Folder);

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger, option, value);

        Assert.Equal(2, result.Code);
        Assert.Contains(value, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_MissingLedger_ExitsThree()
    {
        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", Path.Combine(Folder, "none.jsonl"));

        Assert.Equal(3, result.Code);
        Assert.Contains("does not exist", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Html_HasOneMarkPerDayModelTenantAndBin()
    {
        string ledger = SampleLedger.Write(Folder);
        string html = Path.Combine(Folder, "cost.html");

        CliResult result = await CliRunner.RunAsync("cost", "report", "--ledger", ledger, "--html", html);

        Assert.Equal(0, result.Code);
        string page = File.ReadAllText(html);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(5, Count(page, "class=\"point\"")); // 1-5 December, the empty 4th drawn at zero
        Assert.Equal(3 + 3 + CostHtmlReport.RequestBins, Count(page, "class=\"bar\""));
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;
}
