using System.Globalization;
using LlmOps.Evaluation.Judges;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Rag;

/// <summary>
/// Faithfulness as RAGAS defines it: the judge breaks the answer into standalone claims, then checks each claim against
/// the <see cref="RetrievedContext"/>; the score is supported claims / claims (0–1). An answer with no claims, a missing
/// context or a judge that never answers in the asked JSON gives an error diagnostic and no value. The unsupported
/// claims are in the metric's metadata (<c>unsupported</c>).
/// </summary>
public sealed class FaithfulnessEvaluator : JudgeEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string FaithfulnessMetricName = "Faithfulness";

    /// <summary>Initializes a new instance of the <see cref="FaithfulnessEvaluator"/> class.</summary>
    /// <param name="options">Judge options (attempts and chat options apply).</param>
    /// <param name="passThreshold">The score (0–1) below which the metric is interpreted as failed. The default is 0.8.</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    public FaithfulnessEvaluator(JudgeOptions? options = null, double passThreshold = 0.8, ILogger? logger = null)
        : base(FaithfulnessMetricName, options, passThreshold, logger)
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
        if (context is null)
        {
            return Failed($"{nameof(FaithfulnessEvaluator)} needs the retrieved chunks: pass a {nameof(RetrievedContext)} in additionalContext.");
        }

        string question = RagMetricSupport.Question(messages);
        (bool ok, List<string> claims, string problem, PromptTemplate claimsPrompt) = await RagMetricSupport.AskAsync<List<string>>(
            judge,
            JudgePrompts.FaithfulnessClaims,
            $"Question:\n{question}\n\nAnswer:\n{modelResponse.Text}",
            Options,
            static (string a, out List<string> v, out string p) => RagJudgeParsers.TryParseStrings(a, "claims", out v, out p),
            Logger,
            cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return Failed(RagMetricSupport.GaveUp("claim extraction", Options, problem));
        }

        if (claims.Count == 0)
        {
            return Failed("The answer has no factual claims, so faithfulness is undefined (RAGAS reports NaN).");
        }

        (ok, bool[] verdicts, problem, PromptTemplate verdictsPrompt) = await RagMetricSupport.AskAsync<bool[]>(
            judge,
            JudgePrompts.FaithfulnessVerdicts,
            $"Context:\n{string.Join("\n\n", context.Chunks)}\n\nClaims:\n{RagMetricSupport.Numbered(claims)}",
            Options,
            (string a, out bool[] v, out string p) => RagJudgeParsers.TryParseVerdicts(a, claims.Count, out v, out p),
            Logger,
            cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return Failed(RagMetricSupport.GaveUp("claim verification", Options, problem));
        }

        int supported = verdicts.Count(v => v);
        EvaluationResult result = Scored(
            (double)supported / claims.Count,
            string.Create(CultureInfo.InvariantCulture, $"{supported} of {claims.Count} claims are supported by the context."),
            claimsPrompt,
            verdictsPrompt);
        var unsupported = claims.Where((_, i) => !verdicts[i]).ToList();
        result.Get<NumericMetric>(FaithfulnessMetricName).AddOrUpdateMetadata("unsupported", string.Join(" | ", unsupported));
        return result;
    }
}
