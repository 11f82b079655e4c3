using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// The shell every reference-based metric of this package shares: the references come from a
/// <see cref="ReferenceContext"/> in the additional context (a missing one gives an error diagnostic and no value), and
/// the score is computed synchronously from the response text. Derived only inside this package
/// (<see cref="BleuEvaluator"/>, <see cref="ChrFEvaluator"/>, <see cref="RougeEvaluator"/>, <see cref="SquadAnswerEvaluator"/>).
/// Thread-safe.
/// </summary>
public abstract class ReferenceEvaluator : IEvaluator
{
    private protected ReferenceEvaluator(params string[] metricNames) => EvaluationMetricNames = metricNames;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; }

    /// <inheritdoc/>
    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string>? references = EvaluatorSupport.FindReferences(additionalContext);
        return new(references is null
            ? EvaluatorSupport.MissingReferences(GetType().Name, EvaluationMetricNames)
            : Evaluate(modelResponse.Text, references));
    }

    /// <summary>Scores a response text against its references (at least one).</summary>
    private protected abstract EvaluationResult Evaluate(string response, IReadOnlyList<string> references);
}
