using LlmOps.Evaluation.Judges;
using LlmOps.Prompts;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Judges;

public class JudgePromptsTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "What is the capital of France?")];
    private static readonly ChatResponse Answer = new(new ChatMessage(ChatRole.Assistant, "Paris."));

    private static ScriptedChatClient Judge(string answer = "{\"score\": 4, \"reason\": \"ok\"}") =>
        new ScriptedChatClient().Otherwise(answer);

    [Fact]
    public async Task NoRegistry_UsesTheBuiltInPrompt_AndSaysSo()
    {
        using ScriptedChatClient judge = Judge();
        EvaluationResult result = await new RubricJudgeEvaluator("5 = correct").EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        NumericMetric metric = result.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName);
        Assert.Equal("llmops-judge-rubric (built-in)", metric.Metadata!["judge-prompt"]);
        Assert.StartsWith("You are a strict evaluator.", judge.Requests[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_LabelSelectsTheJudgePromptVersion_AndRollbackRestoresIt()
    {
        var registry = new PromptRegistry(new InMemoryPromptStore());
        IReadOnlyList<PromptTemplate> defaults = await JudgePrompts.RegisterDefaultsAsync(registry);
        Assert.All(defaults, t => Assert.Equal(1, t.Version));
        PromptTemplate v2 = await registry.RegisterAsync(new PromptTemplate(
            JudgePrompts.RubricName,
            [new(ChatRole.System, "Be lenient. Answer {\"score\": 1-5, \"reason\": \"...\"}."), new(ChatRole.User, "{{material}}")],
            [new PromptVariable(JudgePrompts.MaterialVariable)]));
        await registry.SetLabelAsync(JudgePrompts.RubricName, "production", 1);
        await registry.SetLabelAsync(JudgePrompts.RubricName, "production", v2.Version);
        var options = new JudgeOptions { Prompts = registry, PromptLabel = "production" };

        using ScriptedChatClient judge = Judge();
        EvaluationResult moved = await new RubricJudgeEvaluator("5 = correct", options).EvaluateAsync(Question, Answer, new ChatConfiguration(judge));
        await registry.RollbackAsync(JudgePrompts.RubricName, "production");
        EvaluationResult rolledBack = await new RubricJudgeEvaluator("5 = correct", options).EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        Assert.Equal("llmops-judge-rubric@2", moved.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName).Metadata!["judge-prompt"]);
        Assert.Equal("Be lenient. Answer {\"score\": 1-5, \"reason\": \"...\"}.", judge.Requests[0].Messages[0].Text);
        Assert.Equal("llmops-judge-rubric@1", rolledBack.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName).Metadata!["judge-prompt"]);
        Assert.StartsWith("You are a strict evaluator.", judge.Requests[1].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterDefaults_Twice_KeepsVersionOne()
    {
        var registry = new PromptRegistry(new InMemoryPromptStore());
        await JudgePrompts.RegisterDefaultsAsync(registry);

        IReadOnlyList<PromptTemplate> again = await JudgePrompts.RegisterDefaultsAsync(registry);

        Assert.All(again, t => Assert.Equal(1, t.Version));
    }

    [Fact]
    public async Task RegistryWithoutJudgePrompts_ThrowsNamingTheFix()
    {
        var options = new JudgeOptions { Prompts = new PromptRegistry(new InMemoryPromptStore()) };
        using ScriptedChatClient judge = Judge();

        var ex = await Assert.ThrowsAsync<PromptNotFoundException>(
            async () => await new CorrectnessJudgeEvaluator(options).EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [new ReferenceContext("Paris")]));

        Assert.Contains("llmops-judge-correctness", ex.Message, StringComparison.Ordinal);
        Assert.Contains("JudgePrompts.RegisterDefaultsAsync", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, judge.CallCount);
    }

    [Fact]
    public async Task Pairwise_ReadsItsPromptFromTheRegistry_AndJudgedTextStaysInert()
    {
        var registry = new PromptRegistry(new InMemoryPromptStore());
        await JudgePrompts.RegisterDefaultsAsync(registry);
        using ScriptedChatClient judge = Judge("{\"winner\": \"tie\", \"reason\": \"same\"}");

        await new PairwiseJudge(judge, options: new JudgeOptions { Prompts = registry }).CompareAsync(Question, "A says {{material}}", "B");

        Assert.StartsWith("You compare two responses", judge.Requests[0].Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("A says {{material}}", judge.Requests[0].Messages[1].Text, StringComparison.Ordinal);
    }
}
