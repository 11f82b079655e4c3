using System.Text.Json;

namespace LlmOps.Cli.Tests.Eval;

public sealed class EvalRunCommandTests : TempFolderTest
{
    [Fact]
    public async Task Run_WritesResultsAndReport_AndPassesAGateItMeets()
    {
        string output = Path.Combine(Folder, "v2");

        CliResult result = await CliRunner.RunAsync("eval", "run", EvalFixture.Dataset(Folder), "--target", "responses:" + EvalFixture.Full(Folder), "--metrics", "bleu,rougeL,token_f1", "--out", output, "--gate", "rougeL>=0.9", "--json");

        Assert.Equal(0, result.Code);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(EvalFixture.Count, json.RootElement.GetProperty("items").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("failedItems").GetInt32());
        Assert.Equal(1.0, json.RootElement.GetProperty("means").GetProperty("ROUGE-L").GetDouble(), 10);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.True(File.Exists(Path.Combine(output, "results.json")));
        Assert.Contains("class=\"histogram\"", File.ReadAllText(Path.Combine(output, "report.html")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "checkpoint.jsonl")));
    }

    [Fact]
    public async Task Run_GateBelowTheFloor_ExitsFourAndNamesTheMetric()
    {
        CliResult result = await CliRunner.RunAsync("eval", "run", EvalFixture.Dataset(Folder), "--target", "responses:" + EvalFixture.Brief(Folder), "--metrics", "rougeL", "--out", Path.Combine(Folder, "v1"), "--gate", "ROUGE-L>=0.5");

        Assert.Equal(4, result.Code);
        Assert.Contains("gate failed", result.Out, StringComparison.Ordinal);
        Assert.Contains("ROUGE-L: mean", result.Out, StringComparison.Ordinal);
        Assert.Contains("below the minimum 0.5", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SignificantlyBelowTheBaseline_ExitsFour()
    {
        string dataset = EvalFixture.Dataset(Folder);
        string good = Path.Combine(Folder, "good");
        Assert.Equal(0, (await CliRunner.RunAsync("eval", "run", dataset, "--target", "responses:" + EvalFixture.Full(Folder), "--metrics", "rougeL", "--out", good)).Code);

        CliResult worse = await CliRunner.RunAsync("eval", "run", dataset, "--target", "responses:" + EvalFixture.Brief(Folder), "--metrics", "rougeL", "--out", Path.Combine(Folder, "worse"), "--gate", "rougeL>=0", "--baseline", good, "--json");

        Assert.Equal(4, worse.Code);
        using JsonDocument json = JsonDocument.Parse(worse.Out);
        JsonElement gate = json.RootElement.GetProperty("gates")[0];
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.Contains("significantly below the baseline", gate.GetProperty("failures")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingResponse_IsAnItemErrorNotACrash()
    {
        string responses = Write("partial.jsonl", "{\"id\": \"q00\", \"response\": \"The capital of France is Paris.\"}\n");

        CliResult result = await CliRunner.RunAsync("eval", "run", EvalFixture.Dataset(Folder), "--target", "responses:" + responses, "--metrics", "bleu", "--out", Path.Combine(Folder, "partial"), "--json");

        Assert.Equal(0, result.Code);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(EvalFixture.Count - 1, json.RootElement.GetProperty("failedItems").GetInt32());
    }

    [Theory]
    [InlineData("--target", "bogus:x", "not a known target")]
    [InlineData("--gate", "rougeL>0.5", "METRIC>=VALUE")]
    [InlineData("--gate", "meteor>=0.5", "did not produce")]
    [InlineData("--metrics", "meteor", "unknown metric")]
    public async Task Run_BadCommandLine_ExitsTwoWithTheFix(string option, string value, string message)
    {
        string[] args = option == "--target"
            ? ["eval", "run", EvalFixture.Dataset(Folder), "--out", Path.Combine(Folder, "x"), option, value]
            : ["eval", "run", EvalFixture.Dataset(Folder), "--target", "responses:" + EvalFixture.Full(Folder), "--out", Path.Combine(Folder, "x"), option, value];

        CliResult result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.Code);
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_FullSentencesAgainstOneWord_IsSignificantlyBetterOnRouge()
    {
        string dataset = EvalFixture.Dataset(Folder);
        string a = Path.Combine(Folder, "a");
        string b = Path.Combine(Folder, "b");
        await CliRunner.RunAsync("eval", "run", dataset, "--target", "responses:" + EvalFixture.Brief(Folder), "--metrics", "rougeL,exact_match", "--out", a);
        await CliRunner.RunAsync("eval", "run", dataset, "--target", "responses:" + EvalFixture.Full(Folder), "--metrics", "rougeL,exact_match", "--out", b);

        CliResult json = await CliRunner.RunAsync("eval", "compare", a, b, "--json");
        CliResult reverse = await CliRunner.RunAsync("eval", "compare", b, a, "--fail-if-worse");

        Assert.Equal(0, json.Code);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        JsonElement[] metrics = [.. doc.RootElement.GetProperty("metrics").EnumerateArray()];
        JsonElement rouge = metrics.Single(m => m.GetProperty("metric").GetString() == "ROUGE-L");
        Assert.Equal("better", rouge.GetProperty("verdict").GetString());
        Assert.True(rouge.GetProperty("lower").GetDouble() > 0);
        JsonElement exact = metrics.Single(m => m.GetProperty("metric").GetString() == "Exact Match");
        Assert.Equal(12, exact.GetProperty("onlyBPassed").GetInt32()); // one word never equals the sentence reference
        Assert.True(exact.GetProperty("mcNemarP").GetDouble() < 0.001);
        Assert.True(reverse.Code == 4, reverse.ToString());
        Assert.Contains("worse", reverse.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_NotAResultsFile_ExitsThree()
    {
        string bogus = Write("results.json", "{\"nope\": 1}");

        CliResult result = await CliRunner.RunAsync("eval", "compare", bogus, bogus);

        Assert.Equal(3, result.Code);
        Assert.Contains("not an evaluation results file", result.Err, StringComparison.Ordinal);
    }
}
