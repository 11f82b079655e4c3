using System.Globalization;
using LlmOps.Evaluation.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// Sentence BLEU of the response against the <see cref="ReferenceContext"/> references, equal to sacrebleu 2.x's
/// <c>sentence_bleu</c> (see <see cref="Bleu"/>), on sacrebleu's 0–100 scale. Thread-safe.
/// </summary>
public sealed class BleuEvaluator : ReferenceEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string BleuMetricName = "BLEU";

    private readonly BleuOptions? _options;
    private readonly double _passThreshold;

    /// <summary>Initializes a new instance of the <see cref="BleuEvaluator"/> class.</summary>
    /// <param name="options">BLEU options; <see langword="null"/> for sacrebleu's defaults.</param>
    /// <param name="passThreshold">The score (0–100) below which the metric is interpreted as failed. The default is 20.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–100.</exception>
    public BleuEvaluator(BleuOptions? options = null, double passThreshold = 20)
        : base(BleuMetricName)
    {
        options?.ThrowIfInvalid();
        EvaluatorSupport.ValidateThreshold(passThreshold, 100, nameof(passThreshold));
        _options = options;
        _passThreshold = passThreshold;
    }

    /// <inheritdoc/>
    private protected override EvaluationResult Evaluate(string response, IReadOnlyList<string> references)
    {
        BleuScore score = Bleu.SentenceScore(response, references, _options);
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"sacrebleu-compatible sentence BLEU {score.Score:0.##} (precisions {score.Precisions[0]:0.#}/{score.Precisions[1]:0.#}/{score.Precisions[2]:0.#}/{score.Precisions[3]:0.#}, BP {score.BrevityPenalty:0.###}, hyp_len {score.HypothesisLength}, ref_len {score.ReferenceLength}).");
        NumericMetric metric = EvaluatorSupport.Metric(BleuMetricName, score.Score, 100, _passThreshold, reason);
        return new EvaluationResult(metric);
    }
}
