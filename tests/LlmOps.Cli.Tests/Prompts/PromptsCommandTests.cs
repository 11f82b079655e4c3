using System.Text.Json;

namespace LlmOps.Cli.Tests.Prompts;

public sealed class PromptsCommandTests : TempFolderTest
{
    private const string V1 = "---\nname: support-answer\ndescription: first\n---\nsystem:\nYou answer support questions.\n\nuser:\n{{question}}\n";
    private const string V2 = "---\nname: support-answer\nversion: 7\nhash: stale\nmodel: gpt-4o-mini\n---\nsystem:\nYou answer support questions briefly, citing the docs.\n\nuser:\n{{question}}\n";

    private string Store => Path.Combine(Folder, "store");

    private async Task PushBothAsync()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("prompts", "push", "--store", Store, Write("v1.prompt.md", V1))).Code);
        Assert.Equal(0, (await CliRunner.RunAsync("prompts", "push", "--store", Store, Write("v2.prompt.md", V2))).Code);
    }

    [Fact]
    public async Task Push_NewContent_RegistersTheNextVersion_AndSameContentIsUnchanged()
    {
        CliResult first = await CliRunner.RunAsync("prompts", "push", "--store", Store, Write("v1.prompt.md", V1));
        CliResult again = await CliRunner.RunAsync("prompts", "push", "--store", Store, Write("copy.prompt.md", V1), "--json");

        Assert.Equal(0, first.Code);
        Assert.Contains("support-answer@1 registered", first.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Store, "support-answer", "v1.prompt.md")));
        using JsonDocument json = JsonDocument.Parse(again.Out);
        Assert.False(json.RootElement[0].GetProperty("created").GetBoolean());
        Assert.Equal(1, json.RootElement[0].GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Push_IgnoresTheFilesVersionAndHash_AndMovesTheLabel()
    {
        await CliRunner.RunAsync("prompts", "push", "--store", Store, Write("v1.prompt.md", V1));
        CliResult pushed = await CliRunner.RunAsync("prompts", "push", "--store", Store, Write("v2.prompt.md", V2), "--label", "staging", "--by", "ci");

        Assert.Equal(0, pushed.Code);
        Assert.Contains("support-answer@2 registered; staging → 2", pushed.Out, StringComparison.Ordinal);
        CliResult shown = await CliRunner.RunAsync("prompts", "show", "--store", Store, "support-answer", "staging", "--json");
        using JsonDocument json = JsonDocument.Parse(shown.Out);
        Assert.Equal(2, json.RootElement.GetProperty("version").GetInt32());
        Assert.NotEqual("stale", json.RootElement.GetProperty("hash").GetString());
        Assert.Equal("gpt-4o-mini", json.RootElement.GetProperty("settings").GetProperty("modelId").GetString());
    }

    [Fact]
    public async Task List_Json_ShowsEachPromptWithVersionsAndLabels()
    {
        await PushBothAsync();
        await CliRunner.RunAsync("prompts", "label", "--store", Store, "support-answer", "production", "1");

        CliResult list = await CliRunner.RunAsync("prompts", "list", "--store", Store, "--json");
        CliResult table = await CliRunner.RunAsync("prompts", "list", "--store", Store);

        Assert.Equal(0, list.Code);
        using JsonDocument json = JsonDocument.Parse(list.Out);
        JsonElement prompt = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("support-answer", prompt.GetProperty("name").GetString());
        Assert.Equal(2, prompt.GetProperty("latest").GetInt32());
        Assert.Equal(1, prompt.GetProperty("labels").GetProperty("production").GetInt32());
        Assert.Contains("production→1", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_PrintsTheStoredFile()
    {
        await PushBothAsync();

        CliResult shown = await CliRunner.RunAsync("prompts", "show", "--store", Store, "support-answer", "1");

        Assert.Equal(0, shown.Code);
        Assert.Contains("support-answer@1", shown.Out, StringComparison.Ordinal);
        Assert.Contains("You answer support questions.\n", shown.Out, StringComparison.Ordinal);
        Assert.Contains("name: support-answer", shown.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_ColoursRemovedRedAndAddedGreen()
    {
        await PushBothAsync();

        CliResult diff = await CliRunner.RunAsync(new CliRunOptions(Ansi: true), "prompts", "diff", "--store", Store, "support-answer", "1", "2");
        CliResult json = await CliRunner.RunAsync("prompts", "diff", "--store", Store, "support-answer", "1", "latest", "--json");

        Assert.Equal(0, diff.Code);
        Assert.Contains("\u001b[", diff.Out, StringComparison.Ordinal); // coloured
        string[] lines = diff.Out.Split('\n');
        Assert.Contains(lines, l => l.Contains("- You answer support questions.", StringComparison.Ordinal) && l.Contains("\u001b[31m", StringComparison.Ordinal) || l.Contains("- You answer support questions.", StringComparison.Ordinal) && l.Contains("\u001b[38;5;9m", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("+ model: gpt-4o-mini", StringComparison.Ordinal) && (l.Contains("\u001b[32m", StringComparison.Ordinal) || l.Contains("\u001b[38;5;2m", StringComparison.Ordinal)));
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.Equal(2, doc.RootElement.GetProperty("added").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("removed").GetInt32());
    }

    [Fact]
    public async Task LabelRollbackHistory_MoveAndReturn_AreRecorded()
    {
        await PushBothAsync();

        Assert.Equal(0, (await CliRunner.RunAsync("prompts", "label", "--store", Store, "support-answer", "production", "1", "--by", "alice")).Code);
        CliResult moved = await CliRunner.RunAsync("prompts", "label", "--store", Store, "support-answer", "production", "2", "--by", "bob");
        CliResult rolled = await CliRunner.RunAsync("prompts", "rollback", "--store", Store, "support-answer", "production", "--by", "carol");
        CliResult history = await CliRunner.RunAsync("prompts", "history", "--store", Store, "support-answer", "--json");

        Assert.Contains("production 1 → 2", moved.Out, StringComparison.Ordinal);
        Assert.Equal(0, rolled.Code);
        Assert.Contains("rolled back 2 → 1", rolled.Out, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(history.Out);
        Assert.Equal([1, 2, 1], json.RootElement.EnumerateArray().Select(m => m.GetProperty("to").GetInt32()));
        Assert.Equal(["alice", "bob", "carol"], json.RootElement.EnumerateArray().Select(m => m.GetProperty("by").GetString()));
    }

    [Fact]
    public async Task Rollback_WithoutAnEarlierVersion_ExitsThreeAndSaysWhatToDo()
    {
        await PushBothAsync();
        await CliRunner.RunAsync("prompts", "label", "--store", Store, "support-answer", "production", "1");

        CliResult result = await CliRunner.RunAsync("prompts", "rollback", "--store", Store, "support-answer", "production");

        Assert.Equal(3, result.Code);
        Assert.Contains("no earlier version", result.Err, StringComparison.Ordinal);
        Assert.Contains("llmops prompts label support-answer production VERSION", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPromptLabelOrFolder_ExitThreeWithTheFix()
    {
        await PushBothAsync();

        CliResult noPrompt = await CliRunner.RunAsync("prompts", "show", "--store", Store, "nope");
        CliResult noLabel = await CliRunner.RunAsync("prompts", "show", "--store", Store, "support-answer", "canary");
        CliResult noFolder = await CliRunner.RunAsync("prompts", "list", "--store", Path.Combine(Folder, "missing"));

        Assert.Equal(3, noPrompt.Code);
        Assert.Contains("llmops prompts list", noPrompt.Err, StringComparison.Ordinal);
        Assert.Equal(3, noLabel.Code);
        Assert.Contains("canary", noLabel.Err, StringComparison.Ordinal);
        Assert.Equal(3, noFolder.Code);
        Assert.Contains("--store", noFolder.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_MalformedFile_ExitsThreeAndWritesNothing()
    {
        string good = Write("good.prompt.md", V1);
        string bad = Write("bad.prompt.md", "---\nname: other\n---\nno role header here\n");

        CliResult result = await CliRunner.RunAsync("prompts", "push", "--store", Store, good, bad);

        Assert.Equal(3, result.Code);
        Assert.Contains("bad.prompt.md", result.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Store, "support-answer")));
    }
}
