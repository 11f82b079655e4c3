using System.Globalization;
using LlmOps.Evaluation.Judges;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Rag;

/// <summary>
/// Context precision as RAGAS defines it (with a reference): the judge marks each retrieved chunk useful or not for
/// reaching the <see cref="ReferenceContext"/> answer, and the score is the mean of precision@k over the ranks k of the
/// useful chunks, Σ(precision@k · v_k) / Σ v_k (0 when no chunk is useful): useful chunks ranked first score higher.
/// The verdicts come from one judge call for all chunks (RAGAS asks once per chunk; the definition is the same).
/// </summary>
public sealed class ContextPrecisionEvaluator : JudgeEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string ContextPrecisionMetricName = "Context Precision";

    /// <summary>Initializes a new instance of the <see cref="ContextPrecisionEvaluator"/> class.</summary>
    /// <param name="options">Judge options (attempts and chat options apply).</param>
    /// <param name="passThreshold">The score (0–1) below which the metric is interpreted as failed. The default is 0.5.</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    public ContextPrecisionEvaluator(JudgeOptions? options = null, double passThreshold = 0.5, ILogger? logger = null)
        : base(ContextPrecisionMetricName, options, passThreshold, logger)
    {
    }

    /// <summary>Computes RAGAS context precision from per-chunk usefulness verdicts in rank order.</summary>
    /// <param name="useful">Per chunk, best first, whether it is useful.</param>
    /// <returns>The score, 0–1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="useful"/> is <see langword="null"/>.</exception>
    public static double Score(IReadOnlyList<bool> useful)
    {
        ArgumentNullException.ThrowIfNull(useful);
        double sum = 0;
        int hits = 0;
        for (int k = 0; k < useful.Count; k++)
        {
            if (useful[k])
            {
                hits++;
                sum += (double)hits / (k + 1);
            }
        }

        return hits == 0 ? 0 : sum / hits;
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
            return Failed($"{nameof(ContextPrecisionEvaluator)} needs a {nameof(RetrievedContext)} and a {nameof(ReferenceContext)} in additionalContext.");
        }

        if (context.Chunks.Count == 0)
        {
            return Scored(0, "Nothing was retrieved.");
        }

        (bool ok, bool[] verdicts, string problem, PromptTemplate prompt) = await RagMetricSupport.AskAsync<bool[]>(
            judge,
            JudgePrompts.ContextPrecision,
            $"Question:\n{RagMetricSupport.Question(messages)}\n\nReference answer:\n{references[0]}\n\nContext chunks:\n{RagMetricSupport.Numbered(context.Chunks)}",
            Options,
            (string a, out bool[] v, out string p) => RagJudgeParsers.TryParseVerdicts(a, context.Chunks.Count, out v, out p),
            Logger,
            cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return Failed(RagMetricSupport.GaveUp("chunk usefulness", Options, problem));
        }

        return Scored(
            Score(verdicts),
            string.Create(CultureInfo.InvariantCulture, $"Useful chunks by rank: {string.Concat(verdicts.Select(v => v ? '1' : '0'))}."),
            prompt);
    }
}
