namespace LlmOps.Guardrails.Training;

/// <summary>The 95% Wilson score interval of a rate (used by the tool's reports and by the quality-gate tests).</summary>
internal static class WilsonInterval
{
    /// <summary>Computes a rate and its 95% Wilson score interval.</summary>
    /// <param name="hits">The successes.</param>
    /// <param name="n">The trials.</param>
    /// <returns>The rate and the interval's bounds; NaN when <paramref name="n"/> is 0.</returns>
    public static (double Rate, double Low, double High) Of(int hits, int n)
    {
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        const double Z = 1.959963984540054;
        var p = (double)hits / n;
        var denominator = 1 + (Z * Z / n);
        var center = (p + (Z * Z / (2 * n))) / denominator;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (Z * Z / (4.0 * n * n))) / denominator;
        return (p, Math.Max(0, center - half), Math.Min(1, center + half));
    }
}
