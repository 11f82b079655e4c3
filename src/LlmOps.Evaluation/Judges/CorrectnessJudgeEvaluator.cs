using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Judges;

/// <summary>
/// Scores 1–5 how correct a response is against the reference answer in a <see cref="ReferenceContext"/>, with an LLM
/// judge; runs, retries, stability and caching as <see cref="RubricJudgeEvaluator"/>. Without a reference the metric
/// carries an error diagnostic and no value.
/// </summary>
public sealed class CorrectnessJudgeEvaluator : JudgeEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string CorrectnessMetricName = "Correctness";


    /// <summary>Initializes a new instance of the <see cref="CorrectnessJudgeEvaluator"/> class.</summary>
    /// <param name="options">The judge options; <see langword="null"/> for one run, three attempts, threshold 4.</param>
    /// <param name="logger">Logs malformed judge answers (EventIds 1800, 1801).</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    public CorrectnessJudgeEvaluator(JudgeOptions? options = null, ILogger? logger = null)
        : base(CorrectnessMetricName, options, logger)
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
        IReadOnlyList<string>? references = EvaluatorSupport.FindReferences(additionalContext);
        if (references is null)
        {
            return EvaluatorSupport.MissingReferences(nameof(CorrectnessJudgeEvaluator), EvaluationMetricNames);
        }

        string material = $"Conversation:\n{JudgeCalls.ConversationText(messages)}\n\nReference answer(s):\n- {string.Join("\n- ", references)}\n\nResponse to score:\n{modelResponse.Text}";
        return await ScoreJudge.EvaluateAsync(
            CorrectnessMetricName,
            judge,
            JudgePrompts.Correctness,
            material,
            Options,
            Logger,
            cancellationToken).ConfigureAwait(false);
    }
}
