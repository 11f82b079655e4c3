using System.Globalization;
using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>What <see cref="ComplexityScorer"/> made of a request.</summary>
/// <param name="Tier">The most probable tier.</param>
/// <param name="Small">The probability of Small.</param>
/// <param name="Medium">The probability of Medium.</param>
/// <param name="Large">The probability of Large.</param>
public readonly record struct ComplexityScore(ModelTier Tier, float Small, float Medium, float Large)
{
    /// <summary>Gets the routing reason: <c>scorer: Medium (0.71)</c>.</summary>
    public string Reason => string.Create(CultureInfo.InvariantCulture, $"scorer: {Tier.Name} ({Math.Max(Small, Math.Max(Medium, Large)):0.00})");
}
