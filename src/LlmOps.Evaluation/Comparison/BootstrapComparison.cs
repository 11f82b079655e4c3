namespace LlmOps.Evaluation.Comparison;

/// <summary>The paired bootstrap comparison of B against A on one metric.</summary>
/// <param name="Items">How many paired items were compared.</param>
/// <param name="MeanDifference">mean(B − A).</param>
/// <param name="Lower">The interval's lower bound.</param>
/// <param name="Upper">The interval's upper bound.</param>
/// <param name="Confidence">The interval's confidence level.</param>
public sealed record BootstrapComparison(int Items, double MeanDifference, double Lower, double Upper, double Confidence)
{
    /// <summary>Gets whether B is significantly better: the whole interval is above zero.</summary>
    public bool BIsBetter => Lower > 0;

    /// <summary>Gets whether B is significantly worse: the whole interval is below zero.</summary>
    public bool BIsWorse => Upper < 0;
}
