using LlmOps.Evaluation.Rag;
using LlmOps.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Rag;

public class GroundednessEvaluatorTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "When was the Eiffel Tower completed, and how tall is it?")];
    private static readonly RetrievedContext Context = new("The Eiffel Tower was completed in 1889.", "The Eiffel Tower is 330 metres tall.", "Paris has many bakeries.");

    private static async Task<NumericMetric> ScoreAsync(string answer, RetrievedContext? context = null, GroundednessEvaluator? evaluator = null)
    {
        EvaluationResult result = await (evaluator ?? new GroundednessEvaluator()).EvaluateAsync(
            Question, new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)), additionalContext: [context ?? Context]);
        return result.Get<NumericMetric>(GroundednessEvaluator.GroundednessMetricName);
    }

    [Fact]
    public async Task Evaluate_IsTheSupportedShareOfSentences_WithTheUnsupportedInMetadata()
    {
        NumericMetric metric = await ScoreAsync("The Eiffel Tower was completed in 1889. The Eiffel Tower is 330 metres tall. It is painted gold.");

        Assert.Equal(2.0 / 3, metric.Value!.Value, 12);
        Assert.True(metric.Interpretation!.Failed);
        Assert.Equal("It is painted gold.", metric.Metadata!["unsupported"]);
        Assert.Equal(3, metric.Metadata["support"].Split(',').Length);
    }

    [Fact]
    public async Task Evaluate_AnInventedNumber_IsUnsupported()
    {
        NumericMetric metric = await ScoreAsync("The Eiffel Tower was completed in 1925.");

        Assert.Equal(0, metric.Value);
        Assert.Equal("The Eiffel Tower was completed in 1925.", metric.Metadata!["unsupported"]);
    }

    [Fact]
    public async Task Evaluate_FullySupported_Passes()
    {
        NumericMetric metric = await ScoreAsync("The Eiffel Tower was completed in 1889.");

        Assert.Equal(1, metric.Value);
        Assert.False(metric.Interpretation!.Failed);
        Assert.Equal(string.Empty, metric.Metadata!["unsupported"]);
    }

    [Fact]
    public async Task Evaluate_ACitedSentence_IsScoredAgainstTheChunksItCites()
    {
        NumericMetric uncited = await ScoreAsync("The Eiffel Tower was completed in 1889.");
        NumericMetric citedWrongly = await ScoreAsync("The Eiffel Tower was completed in 1889 [3].");
        NumericMetric citedRightly = await ScoreAsync("The Eiffel Tower was completed in 1889 [1].");

        Assert.Equal(1, uncited.Value);
        Assert.Equal(0, citedWrongly.Value);
        Assert.Equal("The Eiffel Tower was completed in 1889.", citedWrongly.Metadata!["unsupported"]);
        Assert.Equal(1, citedRightly.Value);
    }

    [Fact]
    public async Task Evaluate_AgreesWithTheScorersSupport_AtTheMinimum()
    {
        const string sentence = "The Eiffel Tower was completed long ago.";
        double support = GroundednessScorer.Default.Support(sentence, Context.Chunks);
        Assert.InRange(support, 0.01, 0.99);

        NumericMetric below = await ScoreAsync(sentence, evaluator: new GroundednessEvaluator(minSupport: Math.Min(1, support + 0.01)));
        NumericMetric at = await ScoreAsync(sentence, evaluator: new GroundednessEvaluator(minSupport: support));

        Assert.Equal(0, below.Value);
        Assert.Equal(1, at.Value);
    }

    [Fact]
    public async Task Evaluate_NothingRetrieved_ScoresZero() =>
        Assert.Equal(0, (await ScoreAsync("The Eiffel Tower was completed in 1889.", new RetrievedContext())).Value);

    [Fact]
    public async Task Evaluate_WithoutContext_IsAnErrorWithNoValue()
    {
        EvaluationResult result = await new GroundednessEvaluator().EvaluateAsync(Question, new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris.")));

        NumericMetric metric = result.Get<NumericMetric>(GroundednessEvaluator.GroundednessMetricName);
        Assert.Null(metric.Value);
        Assert.Contains(nameof(RetrievedContext), Assert.Single(metric.Diagnostics!).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_EmptyResponse_IsAnErrorNotAPerfectScore()
    {
        NumericMetric metric = await ScoreAsync("  ");

        Assert.Null(metric.Value);
        Assert.Equal(EvaluationDiagnosticSeverity.Error, Assert.Single(metric.Diagnostics!).Severity);
    }

    [Theory]
    [InlineData(-0.1, 1)]
    [InlineData(1.5, 1)]
    [InlineData(0.5, double.NaN)]
    public void Constructor_ThresholdOutsideZeroToOne_Throws(double minSupport, double passThreshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroundednessEvaluator(minSupport, passThreshold));

    [Fact]
    public async Task Evaluate_NeedsNoJudge_AndRejectsNullArguments()
    {
        var evaluator = new GroundednessEvaluator();
        Assert.Equal(1, (await ScoreAsync("The Eiffel Tower is 330 metres tall.", evaluator: evaluator)).Value);
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await evaluator.EvaluateAsync(null!, new ChatResponse()));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await evaluator.EvaluateAsync(Question, null!));
    }
}
