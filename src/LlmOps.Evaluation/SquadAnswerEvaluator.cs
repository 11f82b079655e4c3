using System.Globalization;
using LlmOps.Evaluation.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// SQuAD exact match and token F1 of the response against the <see cref="ReferenceContext"/> answers, equal to the
/// official SQuAD v1.1 evaluation script (see <see cref="SquadAnswerMetrics"/>). Scores are 0–1. Thread-safe.
/// </summary>
public sealed class SquadAnswerEvaluator : ReferenceEvaluator
{
    /// <summary>The exact-match metric's name.</summary>
    public const string ExactMatchMetricName = "Exact Match";

    /// <summary>The token-F1 metric's name.</summary>
    public const string TokenF1MetricName = "Token F1";

    private readonly double _f1PassThreshold;

    /// <summary>Initializes a new instance of the <see cref="SquadAnswerEvaluator"/> class.</summary>
    /// <param name="f1PassThreshold">The token F1 (0–1) below which it is interpreted as failed. The default is 0.5. Exact match fails when it is 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="f1PassThreshold"/> is outside 0–1.</exception>
    public SquadAnswerEvaluator(double f1PassThreshold = 0.5)
        : base(ExactMatchMetricName, TokenF1MetricName)
    {
        EvaluatorSupport.ValidateThreshold(f1PassThreshold, 1, nameof(f1PassThreshold));
        _f1PassThreshold = f1PassThreshold;
    }

    /// <inheritdoc/>
    private protected override EvaluationResult Evaluate(string response, IReadOnlyList<string> references)
    {
        string prediction = response;
        double em = SquadAnswerMetrics.ExactMatch(prediction, references);
        double f1 = SquadAnswerMetrics.TokenF1(prediction, references);
        return new EvaluationResult(
            EvaluatorSupport.Metric(ExactMatchMetricName, em, 1, 1, em == 1 ? "The normalised answer equals a reference." : "The normalised answer equals no reference."),
            EvaluatorSupport.Metric(TokenF1MetricName, f1, 1, _f1PassThreshold, string.Create(CultureInfo.InvariantCulture, $"Best token F1 over the references: {f1:0.####}.")));
    }
}
