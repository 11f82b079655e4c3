using LlmOps.Evaluation.Rag;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.Rag;

public class RagEvaluatorTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "When was the Eiffel Tower finished, and how tall is it?")];
    private static readonly ChatResponse Answer = new(new ChatMessage(ChatRole.Assistant, "It was finished in 1889. It is 330 m tall. It is painted gold."));
    private static readonly RetrievedContext Context = new("The Eiffel Tower was completed in 1889.", "Its height is 330 metres.", "Paris has many bakeries.");

    private static ScriptedChatClient Judge(params (string When, string Reply)[] rules)
    {
        var judge = new ScriptedChatClient();
        foreach ((string when, string reply) in rules)
        {
            judge.When((messages, _) => messages[0].Text.Contains(when, StringComparison.Ordinal), ScriptedResponse.FromText(reply));
        }

        return judge.Otherwise("no idea");
    }

    [Fact]
    public async Task Faithfulness_IsSupportedClaimsOverClaims()
    {
        using ScriptedChatClient judge = Judge(
            ("standalone factual claims", "{\"claims\": [\"The Eiffel Tower was finished in 1889.\", \"It is 330 m tall.\", \"It is painted gold.\"]}"),
            ("directly inferred", "{\"verdicts\": [1, 1, 0]}"));

        EvaluationResult result = await new FaithfulnessEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context]);

        NumericMetric metric = result.Get<NumericMetric>(FaithfulnessEvaluator.FaithfulnessMetricName);
        Assert.Equal(2.0 / 3, metric.Value!.Value, 10);
        Assert.True(metric.Interpretation!.Failed);
        Assert.Equal("It is painted gold.", metric.Metadata!["unsupported"]);
        Assert.Contains("3. It is painted gold.", judge.Requests[1].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faithfulness_WrongNumberOfVerdicts_IsRetriedThenAnError()
    {
        using ScriptedChatClient judge = Judge(
            ("standalone factual claims", "{\"claims\": [\"a\", \"b\"]}"),
            ("directly inferred", "{\"verdicts\": [1]}"));

        EvaluationResult result = await new FaithfulnessEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context]);

        NumericMetric metric = result.Get<NumericMetric>(FaithfulnessEvaluator.FaithfulnessMetricName);
        Assert.Null(metric.Value);
        Assert.Contains("expected 2 verdicts", Assert.Single(metric.Diagnostics!).Message, StringComparison.Ordinal);
        Assert.Equal(1 + 3, judge.CallCount);
    }

    [Fact]
    public async Task Faithfulness_WithoutContext_IsAnError() =>
        Assert.Null((await new FaithfulnessEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(Judge()))).Get<NumericMetric>(FaithfulnessEvaluator.FaithfulnessMetricName).Value);

    [Theory]
    [InlineData(new[] { true, true, false }, 1.0)]
    [InlineData(new[] { false, true, true }, ((1.0 / 2) + (2.0 / 3)) / 2)]
    [InlineData(new[] { false, false, true }, 1.0 / 3)]
    [InlineData(new[] { false, false }, 0.0)]
    public void ContextPrecision_IsMeanPrecisionAtTheUsefulRanks(bool[] useful, double expected) =>
        Assert.Equal(expected, ContextPrecisionEvaluator.Score(useful), 12);

    [Fact]
    public async Task ContextPrecision_UsesTheJudgesVerdicts()
    {
        using ScriptedChatClient judge = Judge(("useful in arriving", "{\"verdicts\": [0, 1, 1]}"));

        EvaluationResult result = await new ContextPrecisionEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, new ReferenceContext("1889; 330 m.")]);

        Assert.Equal(((1.0 / 2) + (2.0 / 3)) / 2, result.Get<NumericMetric>(ContextPrecisionEvaluator.ContextPrecisionMetricName).Value!.Value, 12);
    }

    [Fact]
    public async Task ContextRecall_IsAttributedReferenceSentencesOverSentences()
    {
        using ScriptedChatClient judge = Judge(("attributed to the context", "{\"verdicts\": [true, false]}"));

        EvaluationResult result = await new ContextRecallEvaluator().EvaluateAsync(Question, Answer, new ChatConfiguration(judge), [Context, new ReferenceContext("It was completed in 1889. Gustave Eiffel's company built it.")]);

        Assert.Equal(0.5, result.Get<NumericMetric>(ContextRecallEvaluator.ContextRecallMetricName).Value);
        Assert.Contains("2. Gustave Eiffel's company built it.", judge.Requests[0].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerRelevancy_IsMeanCosineOfGeneratedQuestions_OrZeroWhenNoncommittal()
    {
        var embeddings = new LetterEmbeddings();
        using ScriptedChatClient relevant = Judge(("different questions", "{\"questions\": [\"When was the Eiffel Tower finished, and how tall is it?\", \"zzz\"], \"noncommittal\": 0}"));
        using ScriptedChatClient evasive = Judge(("different questions", "{\"questions\": [\"When was the Eiffel Tower finished, and how tall is it?\"], \"noncommittal\": 1}"));

        double score = (await new AnswerRelevancyEvaluator(embeddings).EvaluateAsync(Question, Answer, new ChatConfiguration(relevant))).Get<NumericMetric>(AnswerRelevancyEvaluator.AnswerRelevancyMetricName).Value!.Value;
        double zero = (await new AnswerRelevancyEvaluator(embeddings).EvaluateAsync(Question, Answer, new ChatConfiguration(evasive))).Get<NumericMetric>(AnswerRelevancyEvaluator.AnswerRelevancyMetricName).Value!.Value;

        float[] q = LetterEmbeddings.Embed(Question[0].Text);
        double expected = (1.0 + System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(q, LetterEmbeddings.Embed("zzz"))) / 2;
        Assert.Equal(expected, score, 5);
        Assert.Equal(0.0, zero);
    }

    private sealed class LetterEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        public static float[] Embed(string text)
        {
            float[] v = new float[26];
            foreach (char c in text.ToLowerInvariant())
            {
                if (c is >= 'a' and <= 'z')
                {
                    v[c - 'a']++;
                }
            }

            return v;
        }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
