using LlmOps.Evaluation.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests;

public class EvaluatorTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "Who bit whom?")];

    private static ChatResponse Answer(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    [Fact]
    public async Task BleuEvaluator_ReportsSentenceBleuWithInterpretation()
    {
        var evaluator = new BleuEvaluator(passThreshold: 50);
        EvaluationResult result = await evaluator.EvaluateAsync(Question, Answer("The dog bit the man."), additionalContext: [new ReferenceContext("The dog bit the man.")]);

        NumericMetric metric = result.Get<NumericMetric>(BleuEvaluator.BleuMetricName);
        Assert.Equal(100.0, metric.Value!.Value, 10);
        Assert.False(metric.Interpretation!.Failed);
        Assert.Equal(EvaluationRating.Exceptional, metric.Interpretation.Rating);
    }

    [Fact]
    public async Task Evaluators_WithoutReferences_ReportAnErrorNotAZero()
    {
        IEvaluator[] evaluators = [new BleuEvaluator(), new ChrFEvaluator(), new RougeEvaluator(), new SquadAnswerEvaluator(), new SemanticSimilarityEvaluator(new CharacterEmbeddings())];
        foreach (IEvaluator evaluator in evaluators)
        {
            EvaluationResult result = await evaluator.EvaluateAsync(Question, Answer("anything"));
            foreach (string name in evaluator.EvaluationMetricNames)
            {
                NumericMetric metric = result.Get<NumericMetric>(name);
                Assert.Null(metric.Value);
                Assert.Contains(metric.Diagnostics!, d => d.Severity == EvaluationDiagnosticSeverity.Error && d.Message.Contains(nameof(ReferenceContext), StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task ChrFEvaluator_ChrFPlusPlus_NamesTheMetricAndMatchesTheMetric()
    {
        var evaluator = new ChrFEvaluator(ChrFOptions.ChrFPlusPlus());
        EvaluationResult result = await evaluator.EvaluateAsync(Question, Answer("the cat sat on a mat"), additionalContext: [new ReferenceContext("the cat sat on the mat")]);

        double expected = ChrF.SentenceScore("the cat sat on a mat", ["the cat sat on the mat"], ChrFOptions.ChrFPlusPlus());
        Assert.Equal(expected, result.Get<NumericMetric>(ChrFEvaluator.ChrFPlusPlusMetricName).Value);
    }

    [Fact]
    public async Task RougeEvaluator_MultipleReferences_TakesTheBestFAndRecordsPrecisionRecall()
    {
        var evaluator = new RougeEvaluator();
        EvaluationResult result = await evaluator.EvaluateAsync(Question, Answer("testing one"), additionalContext: [new ReferenceContext("nothing alike", "testing one two")]);

        NumericMetric rouge1 = result.Get<NumericMetric>(RougeEvaluator.Rouge1MetricName);
        Assert.Equal(0.8, rouge1.Value!.Value, 10);
        Assert.Equal("1", rouge1.Metadata!["precision"]);
        Assert.StartsWith("0.666", rouge1.Metadata["recall"], StringComparison.Ordinal);
        Assert.Equal(4, result.Metrics.Count);
    }

    [Fact]
    public async Task SquadAnswerEvaluator_ExactMatchFailsBelowOne()
    {
        EvaluationResult result = await new SquadAnswerEvaluator().EvaluateAsync(Question, Answer("Denver Broncos won"), additionalContext: [new ReferenceContext("Denver Broncos")]);

        Assert.True(result.Get<NumericMetric>(SquadAnswerEvaluator.ExactMatchMetricName).Interpretation!.Failed);
        Assert.False(result.Get<NumericMetric>(SquadAnswerEvaluator.TokenF1MetricName).Interpretation!.Failed);
    }

    [Fact]
    public async Task SemanticSimilarityEvaluator_UsesTheBestReferenceCosine()
    {
        var evaluator = new SemanticSimilarityEvaluator(new CharacterEmbeddings(), passThreshold: 0.9);
        EvaluationResult result = await evaluator.EvaluateAsync(Question, Answer("abc"), additionalContext: [new ReferenceContext("xyz", "abc")]);

        NumericMetric metric = result.Get<NumericMetric>(SemanticSimilarityEvaluator.SemanticSimilarityMetricName);
        Assert.Equal(1.0, metric.Value!.Value, 5);
        Assert.False(metric.Interpretation!.Failed);
    }

    [Fact]
    public async Task Evaluators_HonourCancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await new BleuEvaluator().EvaluateAsync(Question, Answer("x"), additionalContext: [new ReferenceContext("x")], cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await new SemanticSimilarityEvaluator(new CharacterEmbeddings()).EvaluateAsync(Question, Answer("x"), additionalContext: [new ReferenceContext("x")], cancellationToken: cts.Token));
    }

    [Fact]
    public void Constructors_ValidateArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BleuEvaluator(passThreshold: 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RougeEvaluator(passThreshold: double.NaN));
        Assert.Throws<ArgumentNullException>(() => new SemanticSimilarityEvaluator(null!));
        Assert.Throws<ArgumentException>(() => new ChrFEvaluator(new ChrFOptions { CharOrder = -1 }));
        Assert.Throws<ArgumentException>(() => new ReferenceContext([]));
    }

    /// <summary>Embeds a text as counts of the letters a–z: identical texts have cosine 1.</summary>
    private sealed class CharacterEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (string value in values)
            {
                float[] v = new float[26];
                foreach (char c in value.ToLowerInvariant())
                {
                    if (c is >= 'a' and <= 'z')
                    {
                        v[c - 'a']++;
                    }
                }

                result.Add(new Embedding<float>(v));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
