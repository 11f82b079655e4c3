using System.Globalization;
using LlmOps.Evaluation.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F1 of the response against the <see cref="ReferenceContext"/> references,
/// equal to Google's <c>rouge-score</c> 0.1.2 (see <see cref="RougeScorer"/>). With several references each metric takes
/// the reference with the best F1, as <c>RougeScorer.score_multi</c> does. Precision and recall are in each metric's
/// metadata (<c>precision</c>, <c>recall</c>). Scores are 0–1. Thread-safe.
/// </summary>
public sealed class RougeEvaluator : ReferenceEvaluator
{
    /// <summary>The ROUGE-1 metric's name.</summary>
    public const string Rouge1MetricName = "ROUGE-1";

    /// <summary>The ROUGE-2 metric's name.</summary>
    public const string Rouge2MetricName = "ROUGE-2";

    /// <summary>The ROUGE-L metric's name.</summary>
    public const string RougeLMetricName = "ROUGE-L";

    /// <summary>The ROUGE-Lsum metric's name.</summary>
    public const string RougeLsumMetricName = "ROUGE-Lsum";

    private readonly RougeScorer _scorer;
    private readonly double _passThreshold;

    /// <summary>Initializes a new instance of the <see cref="RougeEvaluator"/> class.</summary>
    /// <param name="useStemmer">Whether tokens are Porter-stemmed (<c>use_stemmer</c>). The default is <see langword="false"/>.</param>
    /// <param name="passThreshold">The F1 (0–1) below which a metric is interpreted as failed. The default is 0.3.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    public RougeEvaluator(bool useStemmer = false, double passThreshold = 0.3)
        : base(Rouge1MetricName, Rouge2MetricName, RougeLMetricName, RougeLsumMetricName)
    {
        EvaluatorSupport.ValidateThreshold(passThreshold, 1, nameof(passThreshold));
        _scorer = new RougeScorer(useStemmer);
        _passThreshold = passThreshold;
    }

    /// <inheritdoc/>
    private protected override EvaluationResult Evaluate(string response, IReadOnlyList<string> references)
    {
        string prediction = response;
        RougeScores? best1 = null;
        RougeScore r1 = default, r2 = default, rl = default, rls = default;
        foreach (string reference in references)
        {
            RougeScores s = _scorer.ScoreAll(prediction, reference);
            if (best1 is null)
            {
                (r1, r2, rl, rls) = (s.Rouge1, s.Rouge2, s.RougeL, s.RougeLsum);
                best1 = s;
                continue;
            }

            r1 = Better(r1, s.Rouge1);
            r2 = Better(r2, s.Rouge2);
            rl = Better(rl, s.RougeL);
            rls = Better(rls, s.RougeLsum);
        }

        return new EvaluationResult(
            Metric(Rouge1MetricName, r1),
            Metric(Rouge2MetricName, r2),
            Metric(RougeLMetricName, rl),
            Metric(RougeLsumMetricName, rls));
    }

    private static RougeScore Better(RougeScore current, RougeScore candidate) =>
        candidate.FMeasure > current.FMeasure ? candidate : current;

    private NumericMetric Metric(string name, RougeScore score)
    {
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"rouge-score-compatible {name}: precision {score.Precision:0.####}, recall {score.Recall:0.####}, F1 {score.FMeasure:0.####}.");
        NumericMetric metric = EvaluatorSupport.Metric(name, score.FMeasure, 1, _passThreshold, reason);
        metric.AddOrUpdateMetadata("precision", score.Precision.ToString("R", CultureInfo.InvariantCulture));
        metric.AddOrUpdateMetadata("recall", score.Recall.ToString("R", CultureInfo.InvariantCulture));
        return metric;
    }
}
