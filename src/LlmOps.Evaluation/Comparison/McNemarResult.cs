namespace LlmOps.Evaluation.Comparison;

/// <summary>McNemar's exact test on paired pass/fail outcomes.</summary>
/// <param name="OnlyAPassed">Items A passed and B failed.</param>
/// <param name="OnlyBPassed">Items B passed and A failed.</param>
/// <param name="PValue">The two-sided exact p-value (1 when there is no discordant item).</param>
public sealed record McNemarResult(int OnlyAPassed, int OnlyBPassed, double PValue)
{
    /// <summary>Whether B passes significantly more items than A at level <paramref name="alpha"/>.</summary>
    /// <param name="alpha">The significance level. The default is 0.05.</param>
    /// <returns><see langword="true"/> when p &lt; α and B won more discordant items.</returns>
    public bool BIsBetter(double alpha = 0.05) => PValue < alpha && OnlyBPassed > OnlyAPassed;
}
