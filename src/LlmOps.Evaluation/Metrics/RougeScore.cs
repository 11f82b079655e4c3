namespace LlmOps.Evaluation.Metrics;

/// <summary>One ROUGE score: precision, recall and F1, each 0–1 (<c>rouge_score.scoring.Score</c>).</summary>
/// <param name="Precision">The share of the prediction's units found in the reference.</param>
/// <param name="Recall">The share of the reference's units found in the prediction.</param>
/// <param name="FMeasure">The harmonic mean of precision and recall (0 when both are 0).</param>
public readonly record struct RougeScore(double Precision, double Recall, double FMeasure)
{
    internal static RougeScore From(double precision, double recall) =>
        new(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);
}
