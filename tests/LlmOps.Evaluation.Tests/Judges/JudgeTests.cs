using LlmOps.Evaluation.Judges;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging.Testing;

namespace LlmOps.Evaluation.Tests.Judges;

public class JudgeTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "What is the capital of France?")];
    private static readonly ChatResponse Answer = new(new ChatMessage(ChatRole.Assistant, "Paris."));

    private static ScriptedChatClient Sequence(params string[] answers)
    {
        int next = 0;
        return new ScriptedChatClient().Otherwise((_, _) => ScriptedResponse.FromText(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)]));
    }

    [Fact]
    public async Task Rubric_WellFormedAnswer_GivesTheScoreWithInterpretation()
    {
        using ScriptedChatClient judge = Sequence("```json\n{\"score\": 4, \"reason\": \"accurate\"}\n```");
        EvaluationResult result = await new RubricJudgeEvaluator("5 = correct and concise").EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        NumericMetric metric = result.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName);
        Assert.Equal(4.0, metric.Value);
        Assert.False(metric.Interpretation!.Failed);
        Assert.Equal("accurate", metric.Reason);
        Assert.Contains("5 = correct and concise", judge.Requests[0].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rubric_MalformedThenValid_RetriesAndLogs()
    {
        using ScriptedChatClient judge = Sequence("I would say it is quite good.", "{\"score\": 9}", "{\"score\": 5}");
        var logger = new FakeLogger();
        EvaluationResult result = await new RubricJudgeEvaluator("rubric", logger: logger).EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        Assert.Equal(5.0, result.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName).Value);
        Assert.Equal(3, judge.CallCount);
        Assert.Equal([1800, 1800], logger.Collector.GetSnapshot().Select(r => r.Id.Id));
        Assert.Equal([1, 2, 3], judge.Requests.Select(r => (int)r.Options!.AdditionalProperties!["llmops.judge.attempt"]!));
    }

    [Fact]
    public async Task Rubric_AlwaysMalformed_IsAnEvaluationErrorNotAZero()
    {
        using ScriptedChatClient judge = Sequence("{\"score\": 0}");
        var logger = new FakeLogger();
        EvaluationResult result = await new RubricJudgeEvaluator("rubric", new JudgeOptions { MaxAttempts = 2 }, logger).EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        NumericMetric metric = result.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName);
        Assert.Null(metric.Value);
        EvaluationDiagnostic error = Assert.Single(metric.Diagnostics!);
        Assert.Equal(EvaluationDiagnosticSeverity.Error, error.Severity);
        Assert.Contains("outside 1-5", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, judge.CallCount);
        Assert.Equal(1801, logger.LatestRecord.Id.Id);
    }

    [Fact]
    public async Task Rubric_KRuns_ReportMeanSdAndPassAtK()
    {
        using ScriptedChatClient judge = Sequence("{\"score\": 5}", "{\"score\": 3}", "{\"score\": 4}", "{\"score\": 4}", "{\"score\": 2}");
        EvaluationResult result = await new RubricJudgeEvaluator("rubric", new JudgeOptions { Runs = 5, PassThreshold = 4 }).EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        NumericMetric metric = result.Get<NumericMetric>(RubricJudgeEvaluator.RubricScoreMetricName);
        Assert.Equal(3.6, metric.Value!.Value, 10);
        Assert.True(metric.Interpretation!.Failed);
        Assert.Equal("5,3,4,4,2", metric.Metadata!["scores"]);
        Assert.Equal(Math.Sqrt(1.3), double.Parse(metric.Metadata["sd"], System.Globalization.CultureInfo.InvariantCulture), 10);
        Assert.Equal("1", metric.Metadata["pass@k"]);
        Assert.Equal("0", metric.Metadata["pass^k"]);
        Assert.Equal([1, 2, 3, 4, 5], judge.Requests.Select(r => (int)r.Options!.AdditionalProperties!["llmops.judge.run"]!));
    }

    [Fact]
    public void Statistics_PassAtKEstimators_MatchTheClosedForms()
    {
        JudgeStatistics s = JudgeStatistics.Compute([5, 3, 4, 4, 2], threshold: 4, k: 2);

        Assert.Equal(3, s.Passes);
        Assert.Equal(1 - (1.0 / 10), s.PassAtK, 12);   // 1 - C(2,2)/C(5,2)
        Assert.Equal(3.0 / 10, s.PassHatK, 12);        // C(3,2)/C(5,2)
        Assert.Throws<ArgumentOutOfRangeException>(() => JudgeStatistics.Compute([1, 2], 4, 3));
    }

    [Fact]
    public async Task Correctness_WithoutReference_IsAnErrorAndCallsNoJudge()
    {
        using ScriptedChatClient judge = Sequence("{\"score\": 5}");
        EvaluationResult result = await new CorrectnessJudgeEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge));

        Assert.Null(result.Get<NumericMetric>(CorrectnessJudgeEvaluator.CorrectnessMetricName).Value);
        Assert.Equal(0, judge.CallCount);
    }

    [Fact]
    public async Task Correctness_ShowsTheReferenceToTheJudge()
    {
        using ScriptedChatClient judge = Sequence("{\"score\": 5}");
        EvaluationResult result = await new CorrectnessJudgeEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [new ReferenceContext("Paris")]);

        Assert.Equal(5.0, result.Get<NumericMetric>(CorrectnessJudgeEvaluator.CorrectnessMetricName).Value);
        Assert.Contains("- Paris", judge.Requests[0].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Judges_WithoutChatConfiguration_Throw()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await new RubricJudgeEvaluator("r").EvaluateAsync(Question, Answer));
        Assert.Throws<ArgumentException>(() => new RubricJudgeEvaluator("r", new JudgeOptions { Runs = 0 }));
        Assert.Throws<ArgumentException>(() => new RubricJudgeEvaluator(" "));
    }

    [Fact]
    public async Task Pairwise_JudgeThatPrefersThePosition_GivesATie()
    {
        using ScriptedChatClient judge = Sequence("{\"winner\": \"A\"}");
        PairwiseComparison c = await new PairwiseJudge(judge).CompareAsync(Question, "Paris.", "Lyon.");

        Assert.Equal(PairwiseWinner.Tie, c.Winner);
        Assert.True(c.PositionBiasSuspected);
        Assert.Equal(2, judge.CallCount);
    }

    [Fact]
    public async Task Pairwise_ConsistentJudge_NamesTheWinnerInBothOrders()
    {
        // The judge prefers whichever shown response says "Paris".
        using ScriptedChatClient judge = new ScriptedChatClient().Otherwise((messages, _) =>
        {
            string text = messages[^1].Text;
            int a = text.IndexOf("Response A:\nParis", StringComparison.Ordinal);
            return ScriptedResponse.FromText(a >= 0 ? "{\"winner\": \"A\"}" : "{\"winner\": \"B\"}");
        });

        PairwiseComparison c = await new PairwiseJudge(judge).CompareAsync(Question, "Lyon.", "Paris.");

        Assert.Equal(PairwiseWinner.B, c.Winner);
        Assert.Equal(PairwiseWinner.B, c.FirstOrder);
        Assert.Equal(PairwiseWinner.B, c.SwappedOrder);
        Assert.False(c.PositionBiasSuspected);
    }

    [Fact]
    public async Task Pairwise_TieAnswers_AreTiesWithoutBias()
    {
        using ScriptedChatClient judge = Sequence("{\"winner\": \"tie\"}");
        PairwiseComparison c = await new PairwiseJudge(judge).CompareAsync(Question, "Paris.", "Paris!");

        Assert.Equal(PairwiseWinner.Tie, c.Winner);
        Assert.False(c.PositionBiasSuspected);
    }

    [Fact]
    public async Task Pairwise_AlwaysMalformed_ThrowsAfterTheBoundedAttempts()
    {
        using ScriptedChatClient judge = Sequence("Both are fine.");
        JudgeAnswerException e = await Assert.ThrowsAsync<JudgeAnswerException>(() => new PairwiseJudge(judge, options: new JudgeOptions { MaxAttempts = 3 }).CompareAsync(Question, "a", "b"));

        Assert.Equal(3, judge.CallCount);
        Assert.Contains("no JSON object", e.Message, StringComparison.Ordinal);
    }
}
