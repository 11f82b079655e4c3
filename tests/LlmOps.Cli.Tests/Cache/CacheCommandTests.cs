using System.Text.Json;

namespace LlmOps.Cli.Tests.Cache;

public sealed class CacheCommandTests : TempFolderTest
{
    private const string Pairs =
        "# first\tsecond\tlabel\n" +
        "How do I reset my password?\tHow can I reset my password?\tsame\n" +
        "What is the capital of France?\tWhat's the capital of France?\t1\n" +
        "turn on dark mode\tenable dark theme\tsame\n" +
        "How do I cancel my subscription?\tHow can I cancel my subscription?\t1\n" +
        "How do I enable two-factor authentication?\tHow do I disable two-factor authentication?\tdifferent\n" +
        "What is the capital of France?\tWhat is the capital of Spain?\t0\n" +
        "Is the API rate limited?\tIs the API not rate limited?\t0\n" +
        "How do I bake bread?\tHow do I change my email address?\t0\n";

    [Fact]
    public async Task Calibrate_WithMiniLm_ChoosesAThresholdWithoutFalseHits()
    {
        CliResult result = await CliRunner.RunAsync("cache", "calibrate", Write("pairs.tsv", Pairs), "--json");

        Assert.True(result.Code == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(0, root.GetProperty("falsePositives").GetInt32());
        Assert.Equal(1.0, root.GetProperty("precision").GetDouble());
        Assert.Equal(4, root.GetProperty("positives").GetInt32());
        Assert.Equal(4, root.GetProperty("negatives").GetInt32());
        Assert.True(root.GetProperty("recall").GetDouble() >= 0.5, "MiniLM puts the close paraphrases above every guarded near miss");
        JsonElement[] curve = [.. root.GetProperty("curve").EnumerateArray()];
        Assert.Equal(11, curve.Length); // 0.50, 0.55, ..., 1.00
        double[] recall = [.. curve.Select(p => p.GetProperty("recall").GetDouble())];
        Assert.Equal(recall.OrderByDescending(r => r), recall); // recall never rises with the threshold
    }

    [Fact]
    public async Task Calibrate_OnlyOneKindOfPair_ExitsThree()
    {
        CliResult result = await CliRunner.RunAsync("cache", "calibrate", Write("same.tsv", "a\tb\t1\nc\td\tsame\n"));

        Assert.Equal(3, result.Code);
        Assert.Contains("needs both", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calibrate_LineWithoutLabel_ExitsThreeNamingTheLine()
    {
        CliResult result = await CliRunner.RunAsync("cache", "calibrate", Write("bad.tsv", "a\tb\t1\nc\td\n"));

        Assert.Equal(3, result.Code);
        Assert.Contains("bad.tsv:2:", result.Err, StringComparison.Ordinal);
    }
}
