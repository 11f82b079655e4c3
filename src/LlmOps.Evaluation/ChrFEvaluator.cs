using System.Globalization;
using LlmOps.Evaluation.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// chrF (or chrF++ with <see cref="ChrFOptions.WordOrder"/> = 2) of the response against the <see cref="ReferenceContext"/>
/// references, equal to sacrebleu 2.x's <c>sentence_chrf</c> (see <see cref="ChrF"/>), on the 0–100 scale. Thread-safe.
/// </summary>
public sealed class ChrFEvaluator : ReferenceEvaluator
{
    /// <summary>The metric's name for chrF.</summary>
    public const string ChrFMetricName = "chrF";

    /// <summary>The metric's name for chrF++ (word order 2).</summary>
    public const string ChrFPlusPlusMetricName = "chrF++";

    private readonly ChrFOptions? _options;
    private readonly double _passThreshold;
    private readonly string _name;

    /// <summary>Initializes a new instance of the <see cref="ChrFEvaluator"/> class.</summary>
    /// <param name="options">chrF options; <see langword="null"/> for chrF with sacrebleu's defaults.</param>
    /// <param name="passThreshold">The score (0–100) below which the metric is interpreted as failed. The default is 40.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–100.</exception>
    public ChrFEvaluator(ChrFOptions? options = null, double passThreshold = 40)
        : base(options is { WordOrder: 2 } ? ChrFPlusPlusMetricName : ChrFMetricName)
    {
        if (options is not null)
        {
            IReadOnlyList<string> errors = options.Validate();
            if (errors.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", errors), nameof(options));
            }
        }

        EvaluatorSupport.ValidateThreshold(passThreshold, 100, nameof(passThreshold));
        _options = options;
        _passThreshold = passThreshold;
        _name = options is { WordOrder: 2 } ? ChrFPlusPlusMetricName : ChrFMetricName;
    }

    /// <inheritdoc/>
    private protected override EvaluationResult Evaluate(string response, IReadOnlyList<string> references)
    {
        double score = ChrF.SentenceScore(response, references, _options);
        string reason = string.Create(CultureInfo.InvariantCulture, $"sacrebleu-compatible {_name} {score:0.##}.");
        return new EvaluationResult(EvaluatorSupport.Metric(_name, score, 100, _passThreshold, reason));
    }
}
