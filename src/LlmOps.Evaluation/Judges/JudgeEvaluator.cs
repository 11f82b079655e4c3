using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Evaluation.Judges;

/// <summary>
/// The shell every LLM-judged evaluator of this package shares: one metric, the judge taken from the
/// <see cref="ChatConfiguration"/>, validated <see cref="JudgeOptions"/> and a logger for malformed judge answers.
/// Derived only inside this package (<see cref="RubricJudgeEvaluator"/>, <see cref="CorrectnessJudgeEvaluator"/> and
/// the RAGAS metrics in <c>LlmOps.Evaluation.Rag</c>).
/// </summary>
public abstract class JudgeEvaluator : IEvaluator
{
    private protected JudgeEvaluator(string metricName, JudgeOptions? options, ILogger? logger)
    {
        MetricName = metricName;
        Options = (options ?? new JudgeOptions()).Validated();
        Logger = logger ?? NullLogger.Instance;
        EvaluationMetricNames = [metricName];
    }

    /// <summary>The shell of a judged metric on a 0–1 scale (the RAGAS metrics), with its pass threshold.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    private protected JudgeEvaluator(string metricName, JudgeOptions? options, double passThreshold, ILogger? logger)
        : this(metricName, options, logger)
    {
        EvaluatorSupport.ValidateThreshold(passThreshold, 1, nameof(passThreshold));
        PassThreshold = passThreshold;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; }

    /// <summary>Gets the metric's name.</summary>
    private protected string MetricName { get; }

    /// <summary>Gets the validated judge options.</summary>
    private protected JudgeOptions Options { get; }

    /// <summary>Gets the logger for malformed judge answers (EventIds 1800, 1801).</summary>
    private protected ILogger Logger { get; }

    /// <summary>
    /// Gets the score (0–1) below which a 0–1 metric is interpreted as failed; the 1–5 judges use
    /// <see cref="JudgeOptions.PassThreshold"/> instead.
    /// </summary>
    private protected double PassThreshold { get; }

    /// <summary>A 0–1 result of this evaluator's metric, interpreted against <see cref="PassThreshold"/>, naming the judge prompts that scored it.</summary>
    private protected EvaluationResult Scored(double value, string reason, params ReadOnlySpan<PromptTemplate> prompts)
    {
        NumericMetric metric = EvaluatorSupport.Metric(MetricName, value, 1, PassThreshold, reason);
        var names = new List<string>(prompts.Length);
        foreach (PromptTemplate prompt in prompts)
        {
            names.Add(JudgePrompts.Describe(prompt));
        }

        metric.AddOrUpdateMetadata("judge-prompt", string.Join(", ", names));
        return new EvaluationResult(metric);
    }

    /// <summary>A result of this evaluator's metric with no value and an error diagnostic.</summary>
    private protected EvaluationResult Failed(string message) => EvaluatorSupport.Error(MetricName, message);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="chatConfiguration"/> is <see langword="null"/>: the judge needs a chat client.</exception>
    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        IChatClient judge = chatConfiguration?.ChatClient
            ?? throw new ArgumentException($"{GetType().Name} needs a judge: pass new ChatConfiguration(judgeChatClient).", nameof(chatConfiguration));
        return EvaluateCoreAsync(messages, modelResponse, judge, additionalContext, cancellationToken);
    }

    /// <summary>Evaluates one response with the judge (arguments already checked).</summary>
    private protected abstract ValueTask<EvaluationResult> EvaluateCoreAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        IChatClient judge,
        IEnumerable<EvaluationContext>? additionalContext,
        CancellationToken cancellationToken);
}
