using LlmOps.Evaluation.Runs;
using LlmOps.Prompts;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Runs;

/// <summary>Runs against named targets: registry prompts by version or label, and several targets in one call.</summary>
public sealed class EvaluationTargetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("llmops-targets-").FullName;
    private readonly PromptRegistry _registry = new(new InMemoryPromptStore());

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static EvaluationDataset Items(int count) =>
        EvaluationDataset.FromItems(Enumerable.Range(1, count).Select(i => new EvaluationItem(
            $"q{i}", $"question {i}", ["Paris"], [], new Dictionary<string, string> { ["topic"] = "geography", ["unused"] = "x" })));

    private static PromptTemplate Answer(string system, params PromptVariable[] variables) =>
        new("answer", [new PromptMessageTemplate(ChatRole.System, system)], variables);

    // The model answers with the system message it was given, so which prompt version ran shows in the answer.
    private static ScriptedChatClient SystemEcho() =>
        new ScriptedChatClient().Otherwise((messages, _) => ScriptedResponse.FromText(messages[0].Text));

    private async Task RegisterTwoVersionsAsync()
    {
        await _registry.RegisterAsync(Answer("Lyon"));
        await _registry.RegisterAsync(Answer("Paris"));
    }

    [Fact]
    public async Task Execute_TwoPromptVersions_OneResultEach_InOneCall()
    {
        await RegisterTwoVersionsAsync();
        using ScriptedChatClient model = SystemEcho();
        using var pipeline = new PromptRegistryChatClient(model, _registry);

        IReadOnlyList<EvaluationRunResult> results = await EvaluationRun.ExecuteAsync(
            Items(5),
            [EvaluationTarget.FromPrompt(pipeline, "answer", version: 1), EvaluationTarget.FromPrompt(pipeline, "answer", version: 2)],
            [new SquadAnswerEvaluator()]);

        Assert.Equal(["answer@1", "answer@2"], results.Select(r => r.Target));
        Assert.Equal(["answer@1", "answer@2"], results.Select(r => r.Prompt));
        Assert.Equal(0, results[0].Mean(SquadAnswerEvaluator.ExactMatchMetricName));
        Assert.Equal(1, results[1].Mean(SquadAnswerEvaluator.ExactMatchMetricName));
        Assert.Equal(10, model.CallCount);
        Assert.All(model.Requests, r => Assert.Equal("question", r.Messages[^1].Text.Split(' ')[0]));
    }

    [Fact]
    public async Task Execute_Label_IsResolvedOnce_SoALabelMoveMidRunDoesNotMixVersions()
    {
        await RegisterTwoVersionsAsync();
        await _registry.SetLabelAsync("answer", "production", 1);
        int calls = 0;
        using ScriptedChatClient model = new ScriptedChatClient().Otherwise((messages, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                _registry.SetLabelAsync("answer", "production", 2).GetAwaiter().GetResult();
            }

            return ScriptedResponse.FromText(messages[0].Text);
        });
        using var pipeline = new PromptRegistryChatClient(model, _registry);

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(
            Items(4), EvaluationTarget.FromPrompt(pipeline, "answer", label: "production"), [], new EvaluationRunOptions { MaxConcurrency = 1 });

        Assert.Equal("answer@production", result.Target);
        Assert.Equal("answer@1", result.Prompt);
        Assert.All(result.Items, i => Assert.Equal("Lyon", i.Response));
        Assert.Equal(2, (await _registry.GetAsync("answer", label: "production")).Version);
    }

    [Fact]
    public async Task Execute_PromptDeclaringInput_PlacesTheInputAndMetadata_AndSendsNoExtraUserMessage()
    {
        await _registry.RegisterAsync(new PromptTemplate(
            "answer",
            [new PromptMessageTemplate(ChatRole.System, "You know {{topic}}."), new PromptMessageTemplate(ChatRole.User, "Q: {{input}}")],
            [new PromptVariable("topic"), new PromptVariable("input")]));
        using ScriptedChatClient model = new ScriptedChatClient().Otherwise("Paris");
        using var pipeline = new PromptRegistryChatClient(model, _registry);
        var seen = new QuestionCapture();

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(1), EvaluationTarget.FromPrompt(pipeline, "answer"), [seen]);

        IReadOnlyList<ChatMessage> sent = Assert.Single(model.Requests).Messages;
        Assert.Equal(["You know geography.", "Q: question 1"], sent.Select(m => m.Text));
        Assert.Equal("question 1", Assert.Single(seen.Questions));
        Assert.Empty(Assert.Single(result.Items).Errors);
    }

    [Fact]
    public async Task Execute_PromptWithoutInput_SendsTheInputAfterThePrompt_AndOnlyDeclaredVariables()
    {
        await _registry.RegisterAsync(Answer("Answer about {{topic}}.", new PromptVariable("topic")));
        using ScriptedChatClient model = new ScriptedChatClient().Otherwise("Paris");
        using var pipeline = new PromptRegistryChatClient(model, _registry);

        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(1), EvaluationTarget.FromPrompt(pipeline, "answer"), []);

        Assert.Empty(Assert.Single(result.Items).Errors); // "unused" metadata was not passed, so rendering did not reject it
        Assert.Equal(["Answer about geography.", "question 1"], Assert.Single(model.Requests).Messages.Select(m => m.Text));
        Assert.Equal("answer", result.Target);
    }

    [Fact]
    public async Task Execute_PromptTargetWithoutRegistryStage_ThrowsNamingTheFix_WithoutCallingTheModel()
    {
        await RegisterTwoVersionsAsync();
        using ScriptedChatClient model = SystemEcho();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => EvaluationRun.ExecuteAsync(Items(2), EvaluationTarget.FromPrompt(model, "answer"), []));

        Assert.Contains("UsePromptRegistry", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.CallCount);
    }

    [Fact]
    public async Task Execute_AMissingPromptVersion_FailsBeforeAnyTargetRuns()
    {
        await RegisterTwoVersionsAsync();
        using ScriptedChatClient model = SystemEcho();
        using var pipeline = new PromptRegistryChatClient(model, _registry);

        await Assert.ThrowsAsync<PromptNotFoundException>(() => EvaluationRun.ExecuteAsync(
            Items(2), [EvaluationTarget.FromPrompt(pipeline, "answer", version: 1), EvaluationTarget.FromPrompt(pipeline, "answer", version: 9)], []));

        Assert.Equal(0, model.CallCount);
    }

    [Fact]
    public async Task Execute_ClientTargets_CarryTheirNames_AndProgressCountsEveryTarget()
    {
        using ScriptedChatClient a = new ScriptedChatClient().Otherwise("Lyon");
        using ScriptedChatClient b = new ScriptedChatClient().Otherwise("Paris");
        var progress = new SyncProgress();

        IReadOnlyList<EvaluationRunResult> results = await EvaluationRun.ExecuteAsync(
            Items(3), [EvaluationTarget.FromClient("small", a), EvaluationTarget.FromClient("large", b)], [new SquadAnswerEvaluator()], new EvaluationRunOptions { Progress = progress });

        Assert.Equal(["small", "large"], results.Select(r => r.Target));
        Assert.All(results, r => Assert.Null(r.Prompt));
        Assert.Equal(1, results[1].Mean(SquadAnswerEvaluator.ExactMatchMetricName));
        Assert.All(progress.Reports, r => Assert.Equal(6, r.Total));
        Assert.Equal(6, progress.Reports.Max(r => r.Completed));
        Assert.Contains(progress.Reports, r => r.Completed == 4);
    }

    [Fact]
    public async Task Execute_SeveralTargets_CheckpointEachToItsOwnFile_AndResume()
    {
        await RegisterTwoVersionsAsync();
        using ScriptedChatClient model = SystemEcho();
        using var pipeline = new PromptRegistryChatClient(model, _registry);
        EvaluationTarget[] targets = [EvaluationTarget.FromPrompt(pipeline, "answer", version: 1), EvaluationTarget.FromPrompt(pipeline, "answer", version: 2)];
        var options = new EvaluationRunOptions { CheckpointPath = PathOf("run.jsonl") };

        await EvaluationRun.ExecuteAsync(Items(3), targets, [], options);
        IReadOnlyList<EvaluationRunResult> again = await EvaluationRun.ExecuteAsync(Items(3), targets, [], options);

        Assert.Equal(3, File.ReadAllLines(PathOf("run.answer@1.jsonl")).Length);
        Assert.Equal(3, File.ReadAllLines(PathOf("run.answer@2.jsonl")).Length);
        Assert.False(File.Exists(PathOf("run.jsonl")));
        Assert.All(again, r => Assert.Equal(3, r.Resumed));
        Assert.Equal(6, model.CallCount);
        Assert.All(again[1].Items, i => Assert.Equal("Paris", i.Response));
    }

    [Fact]
    public async Task Execute_BadTargetLists_Throw()
    {
        using ScriptedChatClient model = SystemEcho();

        await Assert.ThrowsAsync<ArgumentException>(() => EvaluationRun.ExecuteAsync(Items(1), Array.Empty<EvaluationTarget>(), []));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => EvaluationRun.ExecuteAsync(
            Items(1), [EvaluationTarget.FromClient("a/b", model), EvaluationTarget.FromClient("a_b", model)], []));
        Assert.Contains("'a/b' and 'a_b'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, model.CallCount);
    }

    [Fact]
    public void FromPrompt_ValidatesItsArguments()
    {
        using ScriptedChatClient model = SystemEcho();

        Assert.Throws<ArgumentException>(() => EvaluationTarget.FromPrompt(model, "answer", version: 1, label: "production"));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationTarget.FromPrompt(model, "answer", version: 0));
        Assert.Throws<ArgumentException>(() => EvaluationTarget.FromPrompt(model, " "));
        Assert.Throws<ArgumentNullException>(() => EvaluationTarget.FromPrompt(null!, "answer"));
        Assert.Throws<ArgumentException>(() => EvaluationTarget.FromClient("", model));
        Assert.Equal("answer@3", EvaluationTarget.FromPrompt(model, "answer", version: 3).Name);
        Assert.Equal("mine", EvaluationTarget.FromPrompt(model, "answer", name: "mine").Name);
    }

    [Fact]
    public async Task Json_RoundTripsTargetPromptAndCost()
    {
        await RegisterTwoVersionsAsync();
        using ScriptedChatClient model = SystemEcho();
        using var pipeline = new PromptRegistryChatClient(model, _registry);
        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(Items(2), EvaluationTarget.FromPrompt(pipeline, "answer", version: 2), [new SquadAnswerEvaluator()]);
        EvaluationRunResult priced = new(
            [.. result.Items.Select(i => i with { Cost = 0.25m })], 0, result.Target, result.Prompt);

        await priced.WriteJsonAsync(PathOf("results.json"));
        EvaluationRunResult read = await EvaluationRunResult.ReadJsonAsync(PathOf("results.json"));

        Assert.Equal("answer@2", read.Target);
        Assert.Equal("answer@2", read.Prompt);
        Assert.Equal(0.5m, read.TotalCost);
        Assert.All(read.Items, i => Assert.Equal(0.25m, i.Cost));
        Assert.Equal(1, read.Mean(SquadAnswerEvaluator.ExactMatchMetricName));
    }

    private sealed class QuestionCapture : IEvaluator
    {
        public List<string> Questions { get; } = [];

        public IReadOnlyCollection<string> EvaluationMetricNames => [];

        public ValueTask<EvaluationResult> EvaluateAsync(IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null, IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
        {
            lock (Questions)
            {
                Questions.Add(messages.Last(m => m.Role == ChatRole.User).Text);
            }

            return new(new EvaluationResult());
        }
    }

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
}
