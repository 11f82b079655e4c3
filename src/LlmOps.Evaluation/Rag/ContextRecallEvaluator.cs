using System.Globalization;
using LlmOps.Evaluation.Judges;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Rag;

/// <summary>
/// Context recall as RAGAS defines it: the <see cref="ReferenceContext"/> answer is split into sentences and the judge
/// decides for each whether the <see cref="RetrievedContext"/> supports it; the score is supported / sentences (0–1).
/// </summary>
public sealed class ContextRecallEvaluator : JudgeEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string ContextRecallMetricName = "Context Recall";

    /// <summary>Initializes a new instance of the <see cref="ContextRecallEvaluator"/> class.</summary>
    /// <param name="options">Judge options (attempts and chat options apply).</param>
    /// <param name="passThreshold">The score (0–1) below which the metric is interpreted as failed. The default is 0.8.</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    public ContextRecallEvaluator(JudgeOptions? options = null, double passThreshold = 0.8, ILogger? logger = null)
        : base(ContextRecallMetricName, options, passThreshold, logger)
    {
    }

    /// <inheritdoc/>
    private protected override async ValueTask<EvaluationResult> EvaluateCoreAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        IChatClient judge,
        IEnumerable<EvaluationContext>? additionalContext,
        CancellationToken cancellationToken)
    {
        RetrievedContext? context = RetrievedContext.Find(additionalContext);
        IReadOnlyList<string>? references = EvaluatorSupport.FindReferences(additionalContext);
        if (context is null || references is null)
        {
            return Failed($"{nameof(ContextRecallEvaluator)} needs a {nameof(RetrievedContext)} and a {nameof(ReferenceContext)} in additionalContext.");
        }

        List<string> sentences = RagMetricSupport.Sentences(references[0]);
        if (sentences.Count == 0)
        {
            return Failed("The reference answer has no sentence, so context recall is undefined.");
        }

        (bool ok, bool[] verdicts, string problem, PromptTemplate prompt) = await RagMetricSupport.AskAsync<bool[]>(
            judge,
            JudgePrompts.ContextRecall,
            $"Context:\n{string.Join("\n\n", context.Chunks)}\n\nReference answer sentences:\n{RagMetricSupport.Numbered(sentences)}",
            Options,
            (string a, out bool[] v, out string p) => RagJudgeParsers.TryParseVerdicts(a, sentences.Count, out v, out p),
            Logger,
            cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return Failed(RagMetricSupport.GaveUp("sentence attribution", Options, problem));
        }

        int attributed = verdicts.Count(v => v);
        return Scored(
            (double)attributed / sentences.Count,
            string.Create(CultureInfo.InvariantCulture, $"{attributed} of {sentences.Count} reference sentences are supported by the context."),
            prompt);
    }
}
