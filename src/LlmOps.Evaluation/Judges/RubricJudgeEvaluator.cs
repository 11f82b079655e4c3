using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Judges;

/// <summary>
/// Scores a response 1–5 against a rubric you supply, with an LLM judge (any <see cref="IChatClient"/>, taken from
/// <see cref="ChatConfiguration"/>). The judge runs <see cref="JudgeOptions.Runs"/> times; the metric is the mean and
/// carries <c>sd</c>, <c>pass@k</c> and <c>pass^k</c> in its metadata. A malformed answer is retried up to
/// <see cref="JudgeOptions.MaxAttempts"/> times, then the item is reported with an error diagnostic and no value, never
/// as a zero. Each call carries its run and attempt in <see cref="ChatOptions.AdditionalProperties"/>, so a caching
/// judge client (for example <c>UseDistributedCache()</c>) makes a rerun free while keeping runs distinct.
/// </summary>
public sealed class RubricJudgeEvaluator : JudgeEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string RubricScoreMetricName = "Rubric Score";

    private readonly string _rubric;

    /// <summary>Initializes a new instance of the <see cref="RubricJudgeEvaluator"/> class.</summary>
    /// <param name="rubric">What 1 to 5 mean for this task.</param>
    /// <param name="options">The judge options; <see langword="null"/> for one run, three attempts, threshold 4.</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentException"><paramref name="rubric"/> is empty, or <paramref name="options"/> is invalid.</exception>
    public RubricJudgeEvaluator(string rubric, JudgeOptions? options = null, ILogger? logger = null)
        : base(RubricScoreMetricName, options, logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rubric);
        _rubric = rubric;
    }

    /// <inheritdoc/>
    private protected override async ValueTask<EvaluationResult> EvaluateCoreAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        IChatClient judge,
        IEnumerable<EvaluationContext>? additionalContext,
        CancellationToken cancellationToken)
    {
        string material = $"Rubric:\n{_rubric}\n\nConversation:\n{JudgeCalls.ConversationText(messages)}\n\nResponse to score:\n{modelResponse.Text}";
        return await ScoreJudge.EvaluateAsync(
            RubricScoreMetricName,
            judge,
            JudgePrompts.Rubric,
            material,
            Options,
            Logger,
            cancellationToken).ConfigureAwait(false);
    }
}
