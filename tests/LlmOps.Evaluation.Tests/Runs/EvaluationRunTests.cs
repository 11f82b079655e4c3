using System.Text.Json;
using LlmOps.Evaluation.Runs;
using LlmOps.Metering;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Runs;

public sealed class EvaluationRunTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmops-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static EvaluationDataset Items(int count) =>
        EvaluationDataset.FromItems(Enumerable.Range(1, count).Select(i => new EvaluationItem($"q{i}", $"question {i}", [$"answer number {i}"], [], new Dictionary<string, string>())));

    // Answers "answer number N" for "question N" (a perfect answer), except where told otherwise.
    private static ScriptedChatClient Echo() => new ScriptedChatClient().Otherwise((messages, _) =>
        ScriptedResponse.FromText("answer number " + messages[^1].Text.Split(' ')[1]).WithUsage(10, 3));

    private sealed class SyncProgress : IProgress<EvaluationProgress>
    {
        public List<EvaluationProgress> Reports { get; } = [];

        public void Report(EvaluationProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    [Fact]
    public async Task Jsonl_ReadsEveryField()
    {
        await File.WriteAllLinesAsync(PathOf("d.jsonl"),
        [
            "{\"id\": \"a\", \"input\": \"hi\", \"references\": [\"r1\", \"r2\"], \"context\": \"c1\", \"metadata\": {\"topic\": \"greeting\", \"n\": 3}}",
            string.Empty,
            "{\"input\": \"second\", \"reference\": \"r\"}",
        ]);

        EvaluationDataset d = await EvaluationDataset.LoadJsonlAsync(PathOf("d.jsonl"));

        Assert.Equal(2, d.Items.Count);
        Assert.Equal(["r1", "r2"], d.Items[0].References);
        Assert.Equal(["c1"], d.Items[0].Context);
        Assert.Equal("greeting", d.Items[0].Metadata["topic"]);
        Assert.Equal("3", d.Items[0].Metadata["n"]);
        Assert.Equal("2", d.Items[1].Id);
    }

    [Theory]
    [InlineData("{\"input\": 5}", ":1: the object has no string \"input\"")]
    [InlineData("{not json", ":1: the line is not valid JSON")]
    [InlineData("{\"input\": \"x\", \"references\": [1]}", "must be a string or an array of strings")]
    public async Task Jsonl_BadLine_NamesTheLine(string line, string expected)
    {
        await File.WriteAllTextAsync(PathOf("bad.jsonl"), line);
        EvaluationDatasetException e = await Assert.ThrowsAsync<EvaluationDatasetException>(() => EvaluationDataset.LoadJsonlAsync(PathOf("bad.jsonl")));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_QuotedFieldsAndReferenceColumns()
    {
        await File.WriteAllTextAsync(PathOf("d.csv"), "id,input,reference_1,reference_2,context,topic\r\n1,\"Hello, world\",\"She said \"\"hi\"\"\",,\"line one\nline two\",greeting\n");

        EvaluationDataset d = await EvaluationDataset.LoadCsvAsync(PathOf("d.csv"));

        EvaluationItem item = Assert.Single(d.Items);
        Assert.Equal("Hello, world", item.Input);
        Assert.Equal(["She said \"hi\""], item.References);
        Assert.Equal(["line one\nline two"], item.Context);
        Assert.Equal("greeting", item.Metadata["topic"]);
    }

    [Fact]
    public async Task Csv_WithoutInputColumn_SaysWhatToName()
    {
        await File.WriteAllTextAsync(PathOf("d.csv"), "question,answer\nq,a\n");
        EvaluationDatasetException e = await Assert.ThrowsAsync<EvaluationDatasetException>(() => EvaluationDataset.LoadCsvAsync(PathOf("d.csv")));
        Assert.Contains("no 'input' column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromItems_DuplicateIds_Throw() =>
        Assert.Throws<EvaluationDatasetException>(() => EvaluationDataset.FromItems([new("x", "a", [], [], new Dictionary<string, string>()), new("x", "b", [], [], new Dictionary<string, string>())]));

    [Fact]
    public async Task Execute_ScoresEveryItemInOrder_ReportsProgressAndUsage()
    {
        using ScriptedChatClient target = Echo();
        var progress = new SyncProgress();

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(20), target, [new BleuEvaluator(), new RougeEvaluator()], new EvaluationRunOptions { Progress = progress });

        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"q{i}"), result.Items.Select(i => i.ItemId));
        Assert.Equal(100.0, result.Mean(BleuEvaluator.BleuMetricName)!.Value, 6);
        Assert.Equal(1.0, result.Mean(RougeEvaluator.RougeLMetricName));
        Assert.All(result.Items, i => Assert.Equal(10, i.InputTokens));
        Assert.Equal(20, progress.Reports.Max(r => r.Completed));
        Assert.Equal(20, target.CallCount);
    }

    [Fact]
    public async Task Execute_NeverExceedsMaxConcurrency()
    {
        int current = 0;
        int max = 0;
        using var target = new ScriptedChatClient();
        target.Otherwise((_, _) => ScriptedResponse.FromText("x"));
        var counting = new CountingClient(target, () =>
        {
            int now = Interlocked.Increment(ref current);
            InterlockedMax(ref max, now);
        }, () => Interlocked.Decrement(ref current));

        await EvaluationRun.ExecuteAsync(Items(40), counting, [], new EvaluationRunOptions { MaxConcurrency = 3 });

        Assert.InRange(max, 1, 3);
    }

    [Fact]
    public async Task Execute_TargetFailure_IsAnItemErrorAndTheRunGoesOn()
    {
        using var target = new ScriptedChatClient();
        target.WhenLastUserMessageContains("question 2", ScriptedResponse.Failure(new InvalidOperationException("provider down")));
        target.Otherwise("answer");

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(3), target, [new BleuEvaluator()]);

        Assert.Contains("provider down", Assert.Single(result.Items[1].Errors), StringComparison.Ordinal);
        Assert.Null(result.Items[1].Response);
        Assert.Empty(result.Items[0].Errors);
    }

    [Fact]
    public async Task Execute_AfterACrash_ResumesWithoutCallingTheTargetAgain()
    {
        string checkpoint = PathOf("run.jsonl");
        using var cts = new CancellationTokenSource();
        int calls = 0;
        using ScriptedChatClient first = new ScriptedChatClient().Otherwise((messages, _) =>
        {
            if (Interlocked.Increment(ref calls) == 6)
            {
                cts.Cancel();
            }

            return ScriptedResponse.FromText("answer number " + messages[^1].Text.Split(' ')[1]);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            EvaluationRun.ExecuteAsync(Items(10), first, [new BleuEvaluator()], new EvaluationRunOptions { CheckpointPath = checkpoint, MaxConcurrency = 1 }, cts.Token));
        await File.AppendAllTextAsync(checkpoint, "{\"ItemId\": \"q9\", \"Resp"); // a line cut short by the crash
        int checkpointed = File.ReadAllLines(checkpoint).Count(l => l.EndsWith('}'));
        Assert.InRange(checkpointed, 5, 6);

        using ScriptedChatClient second = Echo();
        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(10), second, [new BleuEvaluator()], new EvaluationRunOptions { CheckpointPath = checkpoint });

        Assert.Equal(checkpointed, result.Resumed);
        Assert.Equal(10 - checkpointed, second.CallCount);
        Assert.All(result.Items, i => Assert.Equal(100.0, i.Metrics[BleuEvaluator.BleuMetricName]!.Value, 6));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"q{i}"), result.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task WriteJson_WritesItemsAndMeans()
    {
        using ScriptedChatClient target = Echo();
        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(2), target, [new RougeEvaluator()]);

        await result.WriteJsonAsync(PathOf("results.json"));

        using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(PathOf("results.json")));
        Assert.Equal(2, doc.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(1.0, doc.RootElement.GetProperty("means").GetProperty(RougeEvaluator.Rouge1MetricName).GetDouble());
    }

    // 1,000 input tokens at 2.50 and 500 output tokens at 10.00 per million: 0.0025 + 0.005.
    private const decimal MeteredItemCost = 0.0075m;

    private static CostMeteringChatClient Metered(IChatClient inner) =>
        new(inner, new CostCalculator(new ModelCatalog([new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10m))])));

    private static ScriptedChatClient PricedEcho() => new ScriptedChatClient(defaultModelId: "gpt-4o").Otherwise((messages, _) =>
        ScriptedResponse.FromText("answer number " + messages[^1].Text.Split(' ')[1]).WithUsage(1000, 500));

    [Fact]
    public async Task Execute_MeteredTarget_CarriesEachItemsCostAndTheTotal()
    {
        using ScriptedChatClient inner = PricedEcho();
        using CostMeteringChatClient target = Metered(inner);

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(4), target, [new BleuEvaluator()]);

        Assert.All(result.Items, i => Assert.Equal(MeteredItemCost, i.Cost));
        Assert.Equal(4 * MeteredItemCost, result.TotalCost);
    }

    [Fact]
    public async Task Execute_UnmeteredTarget_HasNoCost()
    {
        using ScriptedChatClient target = Echo();

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(2), target, [new BleuEvaluator()]);

        Assert.All(result.Items, i => Assert.Null(i.Cost));
        Assert.Null(result.TotalCost);
    }

    [Fact]
    public async Task Execute_ResumedItems_KeepTheirCostFromTheCheckpoint()
    {
        string checkpoint = PathOf("cost.jsonl");
        using ScriptedChatClient inner = PricedEcho();
        using CostMeteringChatClient target = Metered(inner);
        await EvaluationRun.ExecuteAsync(Items(3), target, [], new EvaluationRunOptions { CheckpointPath = checkpoint });

        using ScriptedChatClient unmetered = Echo();
        EvaluationRunResult resumed = await EvaluationRun.ExecuteAsync(Items(3), unmetered, [], new EvaluationRunOptions { CheckpointPath = checkpoint });

        Assert.Equal(3, resumed.Resumed);
        Assert.Equal(0, unmetered.CallCount);
        Assert.Equal(3 * MeteredItemCost, resumed.TotalCost);
    }

    [Fact]
    public async Task WriteJson_CarriesEachItemsCostAndTheTotal()
    {
        using ScriptedChatClient inner = PricedEcho();
        using CostMeteringChatClient target = Metered(inner);
        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(2), target, []);

        await result.WriteJsonAsync(PathOf("results.json"));

        using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(PathOf("results.json")));
        Assert.Equal(2 * MeteredItemCost, doc.RootElement.GetProperty("totalCost").GetDecimal());
        Assert.Equal(MeteredItemCost, doc.RootElement.GetProperty("items")[0].GetProperty("Cost").GetDecimal());
    }

    [Fact]
    public async Task ReadJson_RoundTripsWhatWriteJsonWrote()
    {
        using ScriptedChatClient target = Echo();
        EvaluationRunResult written = await EvaluationRun.ExecuteAsync(Items(3), target, [new RougeEvaluator(), new BleuEvaluator()]);
        await written.WriteJsonAsync(PathOf("results.json"));

        EvaluationRunResult read = await EvaluationRunResult.ReadJsonAsync(PathOf("results.json"));

        Assert.Equal(written.Items.Select(i => i.ItemId), read.Items.Select(i => i.ItemId));
        Assert.Equal(written.Items.Select(i => i.Response), read.Items.Select(i => i.Response));
        Assert.Equal(written.MetricNames, read.MetricNames);
        foreach (string metric in written.MetricNames)
        {
            Assert.Equal(written.Values(metric), read.Values(metric));
            Assert.Equal(written.Mean(metric), read.Mean(metric));
        }

        Assert.Equal(written.Items.Select(i => (i.LatencyMilliseconds, i.InputTokens, i.OutputTokens)), read.Items.Select(i => (i.LatencyMilliseconds, i.InputTokens, i.OutputTokens)));
        Assert.Equal(0, read.Resumed);
    }

    [Theory]
    [InlineData("{\"nope\": 1}", "no 'items' array")]
    [InlineData("{\"items\": [{\"ItemId\": \"q1\"}]}", "item 1 lacks ItemId, Metrics or Errors")]
    [InlineData("{\"items\": [", "is not an evaluation results file")]
    public async Task ReadJson_NotResults_ThrowsInvalidDataNamingTheFile(string text, string problem)
    {
        await File.WriteAllTextAsync(PathOf("bad.json"), text);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => EvaluationRunResult.ReadJsonAsync(PathOf("bad.json")));

        Assert.Contains(PathOf("bad.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadJson_MissingFile_ThrowsFileNotFound() =>
        await Assert.ThrowsAsync<FileNotFoundException>(() => EvaluationRunResult.ReadJsonAsync(PathOf("missing.json")));

    [Fact]
    public async Task Execute_InvalidOptions_Throw() =>
        await Assert.ThrowsAsync<ArgumentException>(() => EvaluationRun.ExecuteAsync(Items(1), Echo(), [], new EvaluationRunOptions { MaxConcurrency = 0 }));

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class CountingClient(IChatClient inner, Action enter, Action leave) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            enter();
            try
            {
                await Task.Yield();
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            finally
            {
                leave();
            }
        }
    }
}
