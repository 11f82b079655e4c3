using System.Globalization;
using System.Numerics.Tensors;
using LlmOps.Evaluation.Judges;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Rag;

/// <summary>
/// Answer relevancy as RAGAS defines it: the judge writes <c>n</c> questions that the answer would answer and says
/// whether the answer is noncommittal; the score is the mean cosine similarity between the embeddings of those questions
/// and of the user's question, or 0 when the answer is noncommittal ("I don't know").
/// </summary>
public sealed class AnswerRelevancyEvaluator : JudgeEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string AnswerRelevancyMetricName = "Answer Relevancy";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _embeddings;
    private readonly int _questions;

    /// <summary>Initializes a new instance of the <see cref="AnswerRelevancyEvaluator"/> class.</summary>
    /// <param name="embeddings">The embedding generator for the questions.</param>
    /// <param name="questions">How many questions the judge generates (RAGAS's strictness). The default is 3.</param>
    /// <param name="options">Judge options (attempts and chat options apply).</param>
    /// <param name="passThreshold">The score (0–1) below which the metric is interpreted as failed. The default is 0.7.</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="questions"/> is outside 1–10, or <paramref name="passThreshold"/> outside 0–1.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    public AnswerRelevancyEvaluator(IEmbeddingGenerator<string, Embedding<float>> embeddings, int questions = 3, JudgeOptions? options = null, double passThreshold = 0.7, ILogger? logger = null)
        : base(AnswerRelevancyMetricName, options, passThreshold, logger)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentOutOfRangeException.ThrowIfLessThan(questions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(questions, 10);
        _embeddings = embeddings;
        _questions = questions;
    }

    /// <inheritdoc/>
    private protected override async ValueTask<EvaluationResult> EvaluateCoreAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        IChatClient judge,
        IEnumerable<EvaluationContext>? additionalContext,
        CancellationToken cancellationToken)
    {
        string question = RagMetricSupport.Question(messages);
        if (question.Length == 0)
        {
            return Failed("There is no user question in the messages to compare the answer with.");
        }

        (bool ok, (List<string> Questions, bool Noncommittal) value, string problem, PromptTemplate prompt) = await RagMetricSupport.AskAsync<(List<string>, bool)>(
            judge,
            JudgePrompts.AnswerRelevancy,
            $"Answer:\n{modelResponse.Text}",
            Options,
            (string a, out (List<string>, bool) v, out string p) =>
            {
                v = default;
                if (!RagJudgeParsers.TryParseStrings(a, "questions", out List<string> qs, out p) || !RagJudgeParsers.TryParseBool(a, "noncommittal", out bool nc, out p))
                {
                    return false;
                }

                if (qs.Count == 0)
                {
                    p = "\"questions\" is empty";
                    return false;
                }

                v = (qs, nc);
                return true;
            },
            Logger,
            cancellationToken,
            (JudgePrompts.QuestionCountVariable, _questions)).ConfigureAwait(false);
        if (!ok)
        {
            return Failed(RagMetricSupport.GaveUp("question generation", Options, problem));
        }

        List<string> inputs = [question, .. value.Questions];
        GeneratedEmbeddings<Embedding<float>> vectors = await _embeddings.GenerateAsync(inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (vectors.Count != inputs.Count)
        {
            return Failed($"The embedding generator returned {vectors.Count} embeddings for {inputs.Count} texts; it must return one per input.");
        }

        double mean = 0;
        for (int i = 1; i < vectors.Count; i++)
        {
            mean += TensorPrimitives.CosineSimilarity(vectors[0].Vector.Span, vectors[i].Vector.Span);
        }

        mean /= vectors.Count - 1;
        double score = value.Noncommittal ? 0 : mean;
        return Scored(
            score,
            value.Noncommittal
                ? "The judge found the answer noncommittal."
                : string.Create(CultureInfo.InvariantCulture, $"Mean cosine of {value.Questions.Count} generated questions to the user's question: {mean:0.####}."),
            prompt);
    }
}
