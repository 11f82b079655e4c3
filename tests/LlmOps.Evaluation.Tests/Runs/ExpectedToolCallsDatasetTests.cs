using LlmOps.Evaluation.Runs;
using LlmOps.Evaluation.ToolCalls;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Runs;

/// <summary>Datasets with optional expected tool calls (JSONL and CSV), and runs that score them.</summary>
public sealed class ExpectedToolCallsDatasetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmops-tools-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public async Task Jsonl_ReadsExpectedToolCalls_AbsentEmptyWildcardAndStringArguments()
    {
        await File.WriteAllLinesAsync(PathOf("d.jsonl"),
        [
            "{\"id\": \"a\", \"input\": \"Weather in Paris?\", \"expected_tool_calls\": [{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}, {\"name\": \"log\"}]}",
            "{\"id\": \"b\", \"input\": \"Hi\", \"expected_tool_calls\": []}",
            "{\"id\": \"c\", \"input\": \"Hi\"}",
            "{\"id\": \"d\", \"input\": \"Hi\", \"expected_tool_calls\": [{\"name\": \"f\", \"arguments\": \"{\\\"x\\\": 1}\"}]}",
        ]);

        EvaluationDataset d = await EvaluationDataset.LoadJsonlAsync(PathOf("d.jsonl"));

        IReadOnlyList<ExpectedToolCall> a = d.Items[0].ExpectedToolCalls!;
        Assert.Equal(["weather", "log"], a.Select(c => c.Name));
        Assert.Equal(2, a[0].Arguments!.Value.GetProperty("days").GetInt32());
        Assert.Null(a[1].Arguments);
        Assert.Empty(d.Items[1].ExpectedToolCalls!);
        Assert.Null(d.Items[2].ExpectedToolCalls);
        Assert.Equal(1, d.Items[3].ExpectedToolCalls![0].Arguments!.Value.GetProperty("x").GetInt32());
    }

    [Theory]
    [InlineData("{\"input\": \"x\", \"expected_tool_calls\": {\"name\": \"f\"}}", ":1: \"expected_tool_calls\" must be an array")]
    [InlineData("{\"input\": \"x\", \"expected_tool_calls\": [{\"arguments\": {}}]}", ":1: call 1 of \"expected_tool_calls\" has no non-empty string \"name\"")]
    [InlineData("{\"input\": \"x\", \"expected_tool_calls\": [\"f\"]}", ":1: call 1 of \"expected_tool_calls\" has no non-empty string \"name\"")]
    [InlineData("{\"input\": \"x\", \"expected_tool_calls\": [{\"name\": \"f\", \"arguments\": [1]}]}", ":1: the \"arguments\" of call 1 ('f') must be a JSON object")]
    [InlineData("{\"input\": \"x\", \"expected_tool_calls\": [{\"name\": \"f\", \"arguments\": \"x=1\"}]}", ":1: the \"arguments\" of call 1 ('f') must be a JSON object")]
    public async Task Jsonl_BadExpectedToolCalls_NameTheLineAndTheShape(string line, string expected)
    {
        await File.WriteAllTextAsync(PathOf("bad.jsonl"), line);

        EvaluationDatasetException e = await Assert.ThrowsAsync<EvaluationDatasetException>(() => EvaluationDataset.LoadJsonlAsync(PathOf("bad.jsonl")));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("\"expected_tool_calls\": [{\"name\": \"get_weather\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_ReadsAJsonCell_NamesSeparatedBySemicolons_AndEmptyAsNotGiven()
    {
        await File.WriteAllTextAsync(PathOf("d.csv"),
            "id,input,expected_tool_calls,topic\n"
            + "1,Weather?,\"[{\"\"name\"\": \"\"weather\"\", \"\"arguments\"\": {\"\"city\"\": \"\"Paris\"\"}}]\",w\n"
            + "2,Mail and log,send_email; log,m\n"
            + "3,Hello,,g\n"
            + "4,Nothing,[],n\n");

        EvaluationDataset d = await EvaluationDataset.LoadCsvAsync(PathOf("d.csv"));

        Assert.Equal("Paris", d.Items[0].ExpectedToolCalls![0].Arguments!.Value.GetProperty("city").GetString());
        Assert.Equal(["send_email", "log"], d.Items[1].ExpectedToolCalls!.Select(c => c.Name));
        Assert.All(d.Items[1].ExpectedToolCalls!, c => Assert.Null(c.Arguments));
        Assert.Null(d.Items[2].ExpectedToolCalls);
        Assert.Empty(d.Items[3].ExpectedToolCalls!);
        Assert.False(d.Items[0].Metadata.ContainsKey("expected_tool_calls"));
        Assert.Equal("w", d.Items[0].Metadata["topic"]);
    }

    [Fact]
    public async Task Csv_BadJsonCell_NamesTheLine()
    {
        await File.WriteAllTextAsync(PathOf("d.csv"), "input,expected_tool_calls\nfine,f\nbroken,\"[{\"\"name\"\": \"\"f\"\"\"\n");

        EvaluationDatasetException e = await Assert.ThrowsAsync<EvaluationDatasetException>(() => EvaluationDataset.LoadCsvAsync(PathOf("d.csv")));

        Assert.Contains("d.csv:3: the 'expected_tool_calls' cell is not a valid JSON array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_PassesTheExpectedCallsToEvaluators()
    {
        EvaluationDataset dataset = EvaluationDataset.FromItems(
        [
            new EvaluationItem("paris", "Weather in Paris?", [], [], new Dictionary<string, string>())
            {
                ExpectedToolCalls = [new ExpectedToolCall("weather", System.Text.Json.JsonDocument.Parse("{\"city\": \"Paris\"}").RootElement)],
            },
            new EvaluationItem("rome", "Weather in Rome?", [], [], new Dictionary<string, string>())
            {
                ExpectedToolCalls = [new ExpectedToolCall("weather", System.Text.Json.JsonDocument.Parse("{\"city\": \"Rome\"}").RootElement)],
            },
            new EvaluationItem("none", "Weather somewhere?", [], [], new Dictionary<string, string>()),
        ]);
        using var target = new WeatherCaller();

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(dataset, target, [new ToolCallAccuracyEvaluator()]);

        Assert.Equal(1, result.Items[0].Metrics[ToolCallAccuracyEvaluator.ToolCallAccuracyMetricName]);
        Assert.Equal(0, result.Items[1].Metrics[ToolCallAccuracyEvaluator.ToolCallAccuracyMetricName]);
        Assert.Equal(1, result.Items[1].Metrics[ToolCallAccuracyEvaluator.ToolNameAccuracyMetricName]);
        Assert.Null(result.Items[2].Metrics[ToolCallAccuracyEvaluator.ToolCallAccuracyMetricName]);
        Assert.Contains(result.Items[2].Errors, e => e.Contains(nameof(ExpectedToolCallsContext), StringComparison.Ordinal));
    }

    /// <summary>Always calls weather(city: "Paris"), whatever is asked.</summary>
    private sealed class WeatherCaller : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = "Paris" })])));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
