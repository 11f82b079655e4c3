using LlmOps.Evaluation.Judges;
using LlmOps.Evaluation.Rag;
using LlmOps.Prompts;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Rag;

/// <summary>The RAGAS metrics read their judge prompts from the registry like the other judges, and share the 0–1 threshold.</summary>
public class RagJudgePromptsTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "When was the Eiffel Tower finished?")];
    private static readonly ChatResponse Answer = new(new ChatMessage(ChatRole.Assistant, "It was finished in 1889. It is painted gold."));
    private static readonly RetrievedContext Context = new("The Eiffel Tower was completed in 1889.", "Paris has many bakeries.");
    private static readonly ReferenceContext Reference = new("It was completed in 1889. Gustave Eiffel's company built it.");

    private static ScriptedChatClient Verdicts(string verdicts = "[1, 0]") =>
        new ScriptedChatClient().Otherwise("{\"verdicts\": " + verdicts + "}");

    private static async Task<PromptRegistry> RegistryWithDefaultsAsync()
    {
        var registry = new PromptRegistry(new InMemoryPromptStore());
        await JudgePrompts.RegisterDefaultsAsync(registry);
        return registry;
    }

    private static PromptTemplate Version2(string name, string system) =>
        new(name, [new(ChatRole.System, system), new(ChatRole.User, "{{material}}")], [new PromptVariable(JudgePrompts.MaterialVariable)]);

    [Fact]
    public async Task RegisterDefaults_RegistersTheFiveRagPromptsAtVersionOne()
    {
        var registry = new PromptRegistry(new InMemoryPromptStore());

        IReadOnlyList<PromptTemplate> defaults = await JudgePrompts.RegisterDefaultsAsync(registry);

        Assert.Equal(
            [JudgePrompts.RubricName, JudgePrompts.CorrectnessName, JudgePrompts.PairwiseName, JudgePrompts.FaithfulnessClaimsName,
             JudgePrompts.FaithfulnessVerdictsName, JudgePrompts.AnswerRelevancyName, JudgePrompts.ContextPrecisionName, JudgePrompts.ContextRecallName],
            defaults.Select(t => t.Name));
        Assert.All(defaults, t => Assert.Equal(1, t.Version));
        Assert.Equal(1, (await registry.GetAsync(JudgePrompts.ContextRecallName)).Version);
    }

    [Fact]
    public async Task NoRegistry_UsesTheBuiltInPrompts_AndSaysSo()
    {
        using ScriptedChatClient judge = new ScriptedChatClient()
            .When((m, _) => m[0].Text.Contains("standalone factual claims", StringComparison.Ordinal), ScriptedResponse.FromText("{\"claims\": [\"It was finished in 1889.\"]}"))
            .Otherwise("{\"verdicts\": [1]}");

        EvaluationResult result = await new FaithfulnessEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context]);

        NumericMetric metric = result.Get<NumericMetric>(FaithfulnessEvaluator.FaithfulnessMetricName);
        Assert.Equal(1, metric.Value);
        Assert.Equal("llmops-judge-faithfulness-claims (built-in), llmops-judge-faithfulness-verdicts (built-in)", metric.Metadata!["judge-prompt"]);
        Assert.Equal(JudgePrompts.FaithfulnessClaims.Messages[0].Content, judge.Requests[0].Messages[0].Text);
        Assert.Equal(JudgePrompts.FaithfulnessVerdicts.Messages[0].Content, judge.Requests[1].Messages[0].Text);
    }

    [Fact]
    public async Task Registry_LabelSelectsTheRagJudgePromptVersion_AndRollbackRestoresIt()
    {
        PromptRegistry registry = await RegistryWithDefaultsAsync();
        PromptTemplate v2 = await registry.RegisterAsync(Version2(JudgePrompts.ContextRecallName, "Strict attribution. Return {\"verdicts\": [...]}."));
        await registry.SetLabelAsync(JudgePrompts.ContextRecallName, "production", 1);
        await registry.SetLabelAsync(JudgePrompts.ContextRecallName, "production", v2.Version);
        var evaluator = new ContextRecallEvaluator(new JudgeOptions { Prompts = registry, PromptLabel = "production" });
        using ScriptedChatClient judge = Verdicts();

        EvaluationResult moved = await evaluator.EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, Reference]);
        await registry.RollbackAsync(JudgePrompts.ContextRecallName, "production");
        EvaluationResult rolledBack = await evaluator.EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, Reference]);

        Assert.Equal("llmops-judge-context-recall@2", moved.Get<NumericMetric>(ContextRecallEvaluator.ContextRecallMetricName).Metadata!["judge-prompt"]);
        Assert.Equal("Strict attribution. Return {\"verdicts\": [...]}.", judge.Requests[0].Messages[0].Text);
        Assert.Equal("llmops-judge-context-recall@1", rolledBack.Get<NumericMetric>(ContextRecallEvaluator.ContextRecallMetricName).Metadata!["judge-prompt"]);
        Assert.Equal(JudgePrompts.ContextRecall.Messages[0].Content, judge.Requests[1].Messages[0].Text);
        Assert.Contains("2. Gustave Eiffel's company built it.", judge.Requests[1].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContextPrecision_ReadsTheLatestVersionFromTheRegistry()
    {
        PromptRegistry registry = await RegistryWithDefaultsAsync();
        await registry.RegisterAsync(Version2(JudgePrompts.ContextPrecisionName, "Usefulness v2. Return {\"verdicts\": [...]}."));
        using ScriptedChatClient judge = Verdicts("[0, 1]");

        EvaluationResult result = await new ContextPrecisionEvaluator(new JudgeOptions { Prompts = registry }).EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, Reference]);

        NumericMetric metric = result.Get<NumericMetric>(ContextPrecisionEvaluator.ContextPrecisionMetricName);
        Assert.Equal(0.5, metric.Value);
        Assert.Equal("llmops-judge-context-precision@2", metric.Metadata!["judge-prompt"]);
        Assert.Equal("Usefulness v2. Return {\"verdicts\": [...]}.", judge.Requests[0].Messages[0].Text);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public async Task AnswerRelevancy_RendersTheQuestionCountIntoItsPrompt(int questions)
    {
        using ScriptedChatClient judge = new ScriptedChatClient().Otherwise("{\"questions\": [\"When was it finished?\"], \"noncommittal\": 0}");

        EvaluationResult result = await new AnswerRelevancyEvaluator(new ConstantEmbeddings(), questions).EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        Assert.StartsWith($"Write {questions} different questions", judge.Requests[0].Messages[0].Text, StringComparison.Ordinal);
        Assert.Equal("llmops-judge-answer-relevancy (built-in)", result.Get<NumericMetric>(AnswerRelevancyEvaluator.AnswerRelevancyMetricName).Metadata!["judge-prompt"]);
    }

    [Fact]
    public async Task AnswerRelevancy_AVersionWithoutTheQuestionCount_StillRenders()
    {
        PromptRegistry registry = await RegistryWithDefaultsAsync();
        await registry.RegisterAsync(Version2(JudgePrompts.AnswerRelevancyName, "Write two questions. Return {\"questions\": [...], \"noncommittal\": 0}."));
        using ScriptedChatClient judge = new ScriptedChatClient().Otherwise("{\"questions\": [\"q\"], \"noncommittal\": 0}");

        EvaluationResult result = await new AnswerRelevancyEvaluator(new ConstantEmbeddings(), options: new JudgeOptions { Prompts = registry })
            .EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        NumericMetric metric = result.Get<NumericMetric>(AnswerRelevancyEvaluator.AnswerRelevancyMetricName);
        Assert.Equal(1, metric.Value!.Value, 6);
        Assert.Equal("llmops-judge-answer-relevancy@2", metric.Metadata!["judge-prompt"]);
    }

    [Fact]
    public async Task RegistryWithoutRagPrompts_ThrowsNamingTheFix_WithoutCallingTheJudge()
    {
        var options = new JudgeOptions { Prompts = new PromptRegistry(new InMemoryPromptStore()) };
        using ScriptedChatClient judge = Verdicts();

        var ex = await Assert.ThrowsAsync<PromptNotFoundException>(
            async () => await new FaithfulnessEvaluator(options).EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context]));

        Assert.Contains(JudgePrompts.FaithfulnessClaimsName, ex.Message, StringComparison.Ordinal);
        Assert.Contains("JudgePrompts.RegisterDefaultsAsync", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, judge.CallCount);
    }

    [Fact]
    public async Task JudgedTextThatLooksLikeAVariable_StaysInert()
    {
        PromptRegistry registry = await RegistryWithDefaultsAsync();
        using ScriptedChatClient judge = Verdicts("[1]");
        var reference = new ReferenceContext("The answer is {{material}}.");

        await new ContextRecallEvaluator(new JudgeOptions { Prompts = registry }).EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, reference]);

        Assert.Contains("1. The answer is {{material}}.", judge.Requests[0].Messages[1].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(0.6, true)]
    public async Task PassThreshold_DecidesTheInterpretation(double threshold, bool failed)
    {
        using ScriptedChatClient judge = Verdicts();

        EvaluationResult result = await new ContextRecallEvaluator(passThreshold: threshold).EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, Reference]);

        NumericMetric metric = result.Get<NumericMetric>(ContextRecallEvaluator.ContextRecallMetricName);
        Assert.Equal(0.5, metric.Value);
        Assert.Equal(failed, metric.Interpretation!.Failed);
    }

    public static TheoryData<Func<double, object>> RagEvaluators => new()
    {
        t => new FaithfulnessEvaluator(passThreshold: t),
        t => new ContextPrecisionEvaluator(passThreshold: t),
        t => new ContextRecallEvaluator(passThreshold: t),
        t => new AnswerRelevancyEvaluator(new ConstantEmbeddings(), passThreshold: t),
    };

    [Theory]
    [MemberData(nameof(RagEvaluators))]
    public void Constructor_ThresholdOutsideZeroToOne_ThrowsNamingIt(Func<double, object> create)
    {
        foreach (double bad in (double[])[-0.01, 1.01, double.NaN, double.PositiveInfinity])
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => create(bad));
            Assert.Equal("passThreshold", ex.ParamName);
        }

        Assert.NotNull(create(0));
        Assert.NotNull(create(1));
    }

    private sealed class ConstantEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1, 0 }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
